//===- LaunchInputs.h - Random launch tensors for tests and sparse-run ----===//
//
// Inputs for the tensors a pattern reads at launch besides q, k, v
// (launchTensors(spec)), chosen to exercise what the tensor means:
//   alibi_slopes  one slope a head: head 0 gets 0 (no bias), the others
//          uniform in [-0.02, 0.1).
//   sinks  one logit a head: head 0 gets -inf (a sink that never wins, the
//          plain softmax), the others uniform in [-4, 8) (from a sink that
//          barely counts to one that takes most of each row's weight).
//   cu_seqlens_q, cu_seqlens_k  per batch row, Nd documents at random
//          offsets (randomDocumentOffsets), the same for queries and keys
//          when Sq == Sk.
//   kv_num_blocks, kv_indices, full_kv_*  a block layout: every block kept
//          with probability 1/2, full or partial at random, listed in random
//          order (randomBlockLayout).
// Values are exact in their storage type, so a kernel and the reference
// see the same numbers.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_REFERENCE_LAUNCHINPUTS_H
#define SATTN_REFERENCE_LAUNCHINPUTS_H

#include "Reference/Reference.h"
#include "sattn/Manifest.h"

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

namespace sattn::ref {

/// Extents of `t` for a problem (its size names evaluated), outermost first.
std::vector<int64_t> launchTensorExtents(const LaunchTensor &t,
                                         const Problem &p);

/// Nd + 1 offsets from 0 to `total`, never decreasing: a document of one
/// token first (where Nd >= 2 and total >= 2), the other cuts uniform (so
/// some documents may be empty).
std::vector<int64_t> randomDocumentOffsets(int64_t total, int64_t Nd,
                                           std::mt19937_64 &rng);

/// How a block of a layout is kept: not, under the layout's mask, fully.
enum class BlockVerdict { Empty, Partial, Full };

/// Fills the four tensors of `layout` (a "block_layout" mask) in `tensors`
/// for a problem (p.LB, p.LH layouts) from `verdict(lb, lh, r, c)` for query
/// block r and key block c; each row's entries shuffled by `rng` (the
/// kernels must not rely on order). Unused index slots hold -1.
void fillBlockLayout(const MaskExpr &layout, const Problem &p,
                     std::mt19937_64 &rng,
                     const std::function<BlockVerdict(int64_t, int64_t, int64_t,
                                                      int64_t)> &verdict,
                     Tensors &tensors);

/// A random layout: each block that holds a pair of the causal region
/// (j <= i') where `causal`, else each block, kept with probability
/// `density`; kept blocks are full where wholly inside the causal region
/// (`causal`) or with probability 1/2, partial otherwise.
void randomBlockLayout(const MaskExpr &layout, const Problem &p, double density,
                       bool causal, std::mt19937_64 &rng, Tensors &tensors);

/// MInference's "A-shape + vertical-slash" at block granularity, causal:
/// query block r keeps its first `sinkBlocks` key blocks, the `localBlocks`
/// up to its diagonal, `verticals` key blocks drawn once for the layout and
/// `slashes` diagonals drawn once (offsets behind the diagonal); blocks the
/// diagonal crosses are partial, the others full.
void aShapeVerticalSlashLayout(const MaskExpr &layout, const Problem &p,
                               int64_t sinkBlocks, int64_t localBlocks,
                               int64_t verticals, int64_t slashes,
                               std::mt19937_64 &rng, Tensors &tensors);

/// Random values for every launch tensor of `spec`, drawn from `rng` in
/// launchTensors order.
Tensors randomLaunchTensors(const PatternSpec &spec, const Problem &p,
                            std::mt19937_64 &rng);

/// The elements of a launch tensor in its storage type (f32 or i32),
/// little-endian bytes as the kernels read them.
std::vector<unsigned char> launchTensorBytes(const LaunchTensor &t,
                                             const std::vector<double> &values);

/// The launch API's arguments for the launch tensors of `spec`, whose
/// elements lie at `data` (one pointer each, in launchTensors order).
std::vector<TensorArg> launchTensorArgs(const PatternSpec &spec,
                                        const Problem &p,
                                        const std::vector<const void *> &data);

} // namespace sattn::ref

#endif // SATTN_REFERENCE_LAUNCHINPUTS_H
