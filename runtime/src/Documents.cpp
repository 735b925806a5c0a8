//===- Documents.cpp - Packed documents from per-token ids, on the host ---===//

#include "sattn/Documents.h"

#include <algorithm>
#include <cstdint>
#include <string>

namespace sattn {

Result<std::vector<int32_t>>
documentOffsetsFromIds(const int32_t *ids, int64_t B, int64_t S, int64_t Nd) {
  auto bad = [](const std::string &why) {
    return Status::error(ErrorKind::InvalidArgument, "document ids: " + why);
  };
  if (B < 1 || S < 1 || S > INT32_MAX)
    return bad("sizes [B, S] = [" + std::to_string(B) + ", " +
               std::to_string(S) + "] must be positive, S at most 2^31 - 1");
  if (!ids)
    return bad("null ids");
  if (Nd < 0) {
    int32_t largest = -1;
    for (int64_t t = 0; t < B * S; ++t)
      largest = std::max(largest, ids[t]);
    Nd = int64_t(largest) + 1;
  }
  if (Nd < 1 || Nd > INT32_MAX - 1)
    return bad("the document count " + std::to_string(Nd) +
               " must be in [1, 2^31 - 2]");
  std::vector<int32_t> offsets(size_t(B * (Nd + 1)));
  for (int64_t b = 0; b < B; ++b) {
    const int32_t *row = ids + b * S;
    int32_t *cu = offsets.data() + b * (Nd + 1);
    int64_t next = 0; // the next document whose first token is unset
    for (int64_t t = 0; t < S; ++t) {
      const int64_t id = row[t];
      const std::string where = "batch row " + std::to_string(b) + ", token " +
                                std::to_string(t) + " (id " +
                                std::to_string(id) + "): ";
      if (id < 0 || id >= Nd)
        return bad(where + "outside [0, " + std::to_string(Nd) + ")");
      if (t > 0 && id < row[t - 1])
        return bad(where + "ids must not decrease (the one before is " +
                   std::to_string(row[t - 1]) + ")");
      for (; next <= id; ++next)
        cu[next] = int32_t(t);
    }
    for (; next <= Nd; ++next)
      cu[next] = int32_t(S);
  }
  return offsets;
}

} // namespace sattn
