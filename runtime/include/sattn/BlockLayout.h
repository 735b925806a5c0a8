//===- BlockLayout.h - A block layout from a dense map, on the host -------===//
//
// Patterns with a "block_layout" mask read FlexAttention's compressed form
// at launch (Manifest.h's tensors "kv_num_blocks" [LB, LH, Mb],
// "kv_indices" [LB, LH, Mb, Nb] and their "full_" pair, int32). Where a
// layout is easier to state as a dense map, one byte a (query block, key
// block), this converts it, in host memory; the result's tensorArgs() are
// ready for Kernel::launch on the CPU backend, or to be copied to the
// device.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_BLOCKLAYOUT_H
#define SATTN_BLOCKLAYOUT_H

#include "sattn/Manifest.h"
#include "sattn/Status.h"

#include <cstdint>
#include <vector>

namespace sattn {

/// A block layout in FlexAttention's compressed form: per (layout batch
/// row, layout head, query block) the count and then the indices of its
/// partial and of its full key blocks, in ascending order (unused index
/// slots hold -1).
struct CompressedBlockLayout {
  int64_t LB = 0, LH = 0, Mb = 0, Nb = 0;
  std::vector<int32_t> kvNumBlocks, kvIndices, fullKvNumBlocks, fullKvIndices;

  /// The four launch tensors, pointing into this struct (which must outlive
  /// the launch).
  std::vector<TensorArg> tensorArgs() const;
};

/// Verdicts of a dense map.
enum : uint8_t { kBlockEmpty = 0, kBlockPartial = 1, kBlockFull = 2 };

/// Compresses `map`, LB x LH x Mb x Nb bytes row-major, each kBlockEmpty,
/// kBlockPartial (kept where the layout's mask holds) or kBlockFull.
/// Errors (InvalidArgument) name the first byte of another value and
/// non-positive or overflowing sizes.
Result<CompressedBlockLayout> compressBlockMap(const uint8_t *map, int64_t LB,
                                               int64_t LH, int64_t Mb,
                                               int64_t Nb);

} // namespace sattn

#endif // SATTN_BLOCKLAYOUT_H
