//===- Documents.h - Packed documents from per-token ids, on the host -----===//
//
// Patterns with a "documents" mask read FlashAttention's varlen offsets at
// launch (Manifest.h's "cu_seqlens_q" / "cu_seqlens_k", int32 [B, Nd+1]).
// Where documents are known as one id a token instead, this converts them,
// in host memory.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_DOCUMENTS_H
#define SATTN_DOCUMENTS_H

#include "sattn/Status.h"

#include <cstdint>
#include <vector>

namespace sattn {

/// The offsets [B, Nd + 1] of per-token document ids `ids` [B, S]: in each
/// batch row the ids must not decrease and lie in [0, Nd) (token t belongs
/// to document ids[t]; an id that no token has is an empty document), and
/// offset d is the first token whose id is at least d. `Nd` < 0 takes one
/// more than the largest id. Errors (InvalidArgument) name the batch row
/// and token.
Result<std::vector<int32_t>> documentOffsetsFromIds(const int32_t *ids,
                                                    int64_t B, int64_t S,
                                                    int64_t Nd = -1);

} // namespace sattn

#endif // SATTN_DOCUMENTS_H
