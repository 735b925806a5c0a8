//===- BlockLayout.cpp - A block layout from a dense map, on the host -----===//

#include "sattn/BlockLayout.h"

#include <cstdint>
#include <string>

namespace sattn {

std::vector<TensorArg> CompressedBlockLayout::tensorArgs() const {
  const std::vector<int64_t> counts = {LB, LH, Mb}, lists = {LB, LH, Mb, Nb};
  return {
      TensorArg{"kv_num_blocks", kvNumBlocks.data(), "i32", counts},
      TensorArg{"kv_indices", kvIndices.data(), "i32", lists},
      TensorArg{"full_kv_num_blocks", fullKvNumBlocks.data(), "i32", counts},
      TensorArg{"full_kv_indices", fullKvIndices.data(), "i32", lists}};
}

Result<CompressedBlockLayout> compressBlockMap(const uint8_t *map, int64_t LB,
                                               int64_t LH, int64_t Mb,
                                               int64_t Nb) {
  auto bad = [](const std::string &why) {
    return Status::error(ErrorKind::InvalidArgument, "block map: " + why);
  };
  if (LB < 1 || LH < 1 || Mb < 1 || Nb < 1)
    return bad("sizes [LB, LH, Mb, Nb] = [" + std::to_string(LB) + ", " +
               std::to_string(LH) + ", " + std::to_string(Mb) + ", " +
               std::to_string(Nb) + "] must be positive");
  int64_t rows = 0, cells = 0;
  // Key block indices are int32, and so is every tensor's element count.
  if (Nb > INT32_MAX || __builtin_mul_overflow(LB, LH, &rows) ||
      __builtin_mul_overflow(rows, Mb, &rows) ||
      __builtin_mul_overflow(rows, Nb, &cells) || cells > INT32_MAX)
    return bad("LB * LH * Mb * Nb overflows the int32 tensors");
  if (!map)
    return bad("null map");
  CompressedBlockLayout out;
  out.LB = LB;
  out.LH = LH;
  out.Mb = Mb;
  out.Nb = Nb;
  out.kvNumBlocks.assign(size_t(rows), 0);
  out.fullKvNumBlocks.assign(size_t(rows), 0);
  out.kvIndices.assign(size_t(cells), -1);
  out.fullKvIndices.assign(size_t(cells), -1);
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t c = 0; c < Nb; ++c) {
      const uint8_t v = map[row * Nb + c];
      if (v == kBlockEmpty)
        continue;
      if (v != kBlockPartial && v != kBlockFull) {
        const int64_t r = row % Mb, h = row / Mb % LH, b = row / Mb / LH;
        return bad("byte [" + std::to_string(b) + ", " + std::to_string(h) +
                   ", " + std::to_string(r) + ", " + std::to_string(c) +
                   "] is " + std::to_string(int(v)) +
                   "; want 0 (empty), 1 (partial) or 2 (full)");
      }
      std::vector<int32_t> &count =
          v == kBlockFull ? out.fullKvNumBlocks : out.kvNumBlocks;
      std::vector<int32_t> &list =
          v == kBlockFull ? out.fullKvIndices : out.kvIndices;
      list[size_t(row * Nb + count[size_t(row)]++)] = int32_t(c);
    }
  return out;
}

} // namespace sattn
