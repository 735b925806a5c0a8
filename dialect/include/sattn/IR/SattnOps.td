//===- SattnOps.td - Pattern-level ops ----------------------*- tablegen -*-===//
#ifndef SATTN_OPS_TD
#define SATTN_OPS_TD

include "sattn/IR/SattnBase.td"
include "sattn/IR/SattnTypes.td"
include "sattn/IR/SattnAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

//===----------------------------------------------------------------------===//
// Masks
//===----------------------------------------------------------------------===//

class Sattn_MaskOp<string mnemonic, list<Trait> traits = []>
    : Sattn_Op<"mask." # mnemonic, !listconcat([Pure], traits)> {
  let results = (outs Sattn_MaskType:$result);
}

def Sattn_CausalMaskOp : Sattn_MaskOp<"causal"> {
  let summary = "Keys at or before the query: j <= i + Sk - Sq";
  let assemblyFormat = "attr-dict";
}

def Sattn_WindowMaskOp : Sattn_MaskOp<"window"> {
  let summary = "A band around the diagonal: i' - left <= j <= i' + right";
  let description = [{
    `left = W - 1, right = 0` is the causal sliding window of W keys. With
    `dilation` d (default 1) only every d-th key counted from the diagonal
    is kept: (i' - j) mod d == 0, as Longformer's dilated windows.
  }];
  let arguments = (ins I64Attr:$left, I64Attr:$right,
                       OptionalAttr<I64Attr>:$dilation);
  let assemblyFormat = [{
    `left` `=` $left `,` `right` `=` $right (`dilation` `=` $dilation^)?
    attr-dict
  }];
  let hasVerifier = 1;
}

def Sattn_ChunkMaskOp : Sattn_MaskOp<"chunk"> {
  let summary = "Query and key in the same chunk: floor(j / size) == floor(i' / size)";
  let description = [{
    Positions (keys j, queries at i' = i + Sk - Sq) fall into chunks of
    `size` consecutive positions; a pair is allowed when both lie in one
    chunk. Intersected with `sattn.mask.causal` this is chunked local
    attention (Llama 4's `attention_chunk`).
  }];
  let arguments = (ins I64Attr:$size);
  let assemblyFormat = "`size` `=` $size attr-dict";
  let hasVerifier = 1;
}

def Sattn_AllMaskOp : Sattn_MaskOp<"all"> {
  let summary = "Every pair";
  let description = [{
    The mask of dense attention, spelled out where an absent mask would mean
    something else: the delta correction's `reference` when its dense rows
    see every key.
  }];
  let assemblyFormat = "attr-dict";
}

def Sattn_SinkMaskOp : Sattn_MaskOp<"sink"> {
  let summary = "The first `tokens` keys: j < tokens";
  let arguments = (ins I64Attr:$tokens);
  let assemblyFormat = "`tokens` `=` $tokens attr-dict";
  let hasVerifier = 1;
}

def Sattn_DocumentsMaskOp : Sattn_MaskOp<"documents"> {
  let summary = "Packed documents, read at launch: a query sees its own document's keys";
  let description = [{
    Each batch row packs Nd documents. `cu_seqlens_q` and `cu_seqlens_k`
    hold, for batch row b, the Nd + 1 offsets at [b * (Nd + 1), (b + 1) *
    (Nd + 1)) (FlashAttention's varlen `cu_seqlens`, one row a batch row):
    document d has queries [cq[d], cq[d + 1]) and keys [ck[d], ck[d + 1]).
    A query sees only keys of its own document, and the other masks of the
    pattern apply in the document's coordinates (positions from its start,
    its lengths as Sq and Sk). So it may only be the attention's mask
    itself or an operand of its outermost `sattn.mask.intersect`, once
    (`sattn.attention` verifies it). The tensors are the manifest's
    "cu_seqlens_q" and "cu_seqlens_k", int32 [B, Nd + 1].
  }];
  let arguments = (ins MemRefRankOf<[I32], [1]>:$cu_seqlens_q,
                       MemRefRankOf<[I32], [1]>:$cu_seqlens_k);
  let assemblyFormat = [{
    $cu_seqlens_q `,` $cu_seqlens_k attr-dict `:` type($cu_seqlens_q) `,`
    type($cu_seqlens_k)
  }];
}

def Sattn_BlockLayoutMaskOp : Sattn_MaskOp<"block_layout"> {
  let summary = "A block-sparse layout, read at launch (FlexAttention's BlockMask)";
  let description = [{
    Queries fall into blocks of `block_m` rows (r = floor(i / block_m)),
    keys into blocks of `block_n` (c = floor(j / block_n)); both multiples
    of 16. For layout row `row = (lb * LH + lh) * Mb + r` (lb = b or 0 when
    the layout is shared by the batch, lh likewise for heads; Mb = ceil(Sq
    / block_m), Nb = ceil(Sk / block_n)), `kv_num_blocks[row]` key blocks
    are listed at `kv_indices[row * Nb ...]` and `full_kv_num_blocks[row]`
    at `full_kv_indices[row * Nb ...]`, in any order, none twice. Pairs of
    a full block are kept; pairs of a listed (partial) block are kept where
    `partial` holds (every pair without it), as FlexAttention's mask_mod
    applies only to its partial blocks. The tensors are the manifest's
    int32 "kv_num_blocks" [LB, LH, Mb], "kv_indices" [LB, LH, Mb, Nb] and
    their "full_" pair. Like documents, the layout may only be the
    attention's mask or an operand of its outermost intersect, once
    (`sattn.attention` verifies it); `partial` is static.
  }];
  let arguments = (ins MemRefRankOf<[I32], [1]>:$kv_num_blocks,
                       MemRefRankOf<[I32], [1]>:$kv_indices,
                       MemRefRankOf<[I32], [1]>:$full_kv_num_blocks,
                       MemRefRankOf<[I32], [1]>:$full_kv_indices,
                       Optional<Sattn_MaskType>:$partial,
                       I64Attr:$block_m, I64Attr:$block_n);
  let assemblyFormat = [{
    $kv_num_blocks `,` $kv_indices `,` $full_kv_num_blocks `,`
    $full_kv_indices `block` `=` $block_m `x` $block_n
    (`partial` `(` $partial^ `)`)? attr-dict `:` type($kv_num_blocks) `,`
    type($kv_indices) `,` type($full_kv_num_blocks) `,`
    type($full_kv_indices)
  }];
  let hasVerifier = 1;
}

def Sattn_UnionMaskOp : Sattn_MaskOp<"union"> {
  let summary = "Pairs allowed by any operand";
  let arguments = (ins Variadic<Sattn_MaskType>:$masks);
  let assemblyFormat = "$masks attr-dict";
  let hasVerifier = 1;
}

def Sattn_IntersectMaskOp : Sattn_MaskOp<"intersect"> {
  let summary = "Pairs allowed by every operand";
  let arguments = (ins Variadic<Sattn_MaskType>:$masks);
  let assemblyFormat = "$masks attr-dict";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

def Sattn_AttentionOp : Sattn_Op<"attention", [
    AllTypesMatch<["q", "o"]>, AllTypesMatch<["k", "v"]>, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "o = activation(mask(score_mod(q k^T))) v, plus corrections";
  let description = [{
    Buffers are 4-D memrefs [batch, heads, seq, head_dim]: q and o have H
    heads and Sq rows, k and v have Hkv heads (H % Hkv == 0, grouped-query
    attention: head h reads kv head h / (H / Hkv)) and Sk rows. Batch,
    heads and sequence lengths may be dynamic; head_dim is static (64 or
    128). Element types bf16, f16 or f32; accumulation is in f32.

    `scale` multiplies q.k (default 1/sqrt(head_dim)); `softcap` c applies
    c * tanh(s / c). Without `mask` every key is allowed. Rows that see no
    key produce zeros. `delta` adds the delta correction stage.
    `alibi` adds m_h * (j - i') to each score after the softcap: slopes
    `geometric` (Press et al.: n the largest power of two <= H, m_h =
    2^(-8(h+1)/n) for h < n, then 2^(-4(2(h-n)+1)/n)), computed in the
    kernel from H, or `tensor`: the operand `alibi_slopes`, a 1-D f32 buffer
    of H slopes read at launch (the manifest's tensor "alibi_slopes").
    `sinks` (learnable attention sinks, as GPT-OSS has them): a 1-D f32
    buffer of H logits read at launch (the manifest's tensor "sinks",
    shape [H]); head h's logit z joins the denominator of every softmax
    of its rows (the delta correction's dense rows too) as exp(z), with no
    value: o = sum_j exp(s_j) v_j / (exp(z) + sum_j exp(s_j)).
    `reference` (only with `delta`): the pattern of the correction's dense
    rows (anchors and tail), a static mask; absent, causal.
    `tile_plan` is attached by `sattn-classify-tiles`.

    Example:
    ```mlir
    %c = sattn.mask.causal
    %w = sattn.mask.window left = 2047, right = 0
    %s = sattn.mask.sink tokens = 128
    %u = sattn.mask.union %w, %s
    %m = sattn.mask.intersect %c, %u
    sattn.attention %q, %k, %v, %o mask(%m) {delta = #sattn.delta<gamma = 64, tail_min = 128>}
        : memref<?x?x?x128xbf16>, memref<?x?x?x128xbf16>
    ```
  }];
  let arguments = (ins
      AnyMemRef:$q, AnyMemRef:$k, AnyMemRef:$v, AnyMemRef:$o,
      Optional<Sattn_MaskType>:$mask,
      Optional<Sattn_MaskType>:$reference,
      Optional<MemRefRankOf<[F32], [1]>>:$alibi_slopes,
      Optional<MemRefRankOf<[F32], [1]>>:$sinks,
      OptionalAttr<F64Attr>:$scale,
      OptionalAttr<F64Attr>:$softcap,
      DefaultValuedAttr<Sattn_ActivationAttr,
                        "::mlir::sattn::ActivationKind::softmax">:$activation,
      OptionalAttr<Sattn_AlibiAttr>:$alibi,
      OptionalAttr<Sattn_DeltaAttr>:$delta,
      OptionalAttr<Sattn_TilePlanAttr>:$tile_plan);
  let assemblyFormat = [{
    $q `,` $k `,` $v `,` $o (`mask` `(` $mask^ `)`)?
    (`reference` `(` $reference^ `)`)?
    (`alibi_slopes` `(` $alibi_slopes^ `:` type($alibi_slopes) `)`)?
    (`sinks` `(` $sinks^ `:` type($sinks) `)`)? attr-dict
    `:` type($q) `,` type($k)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// head_dim (the static last dimension).
    int64_t getHeadDim();
    /// The element type of the buffers.
    ::mlir::Type getElementType();
    /// scale, or 1/sqrt(head_dim) when absent.
    double getEffectiveScale();
    /// The operands the kernels read at launch besides q, k, v (its own and
    /// its documents mask's), each with the name its kernel parameter and
    /// manifest tensor take, in parameter order.
    ::llvm::SmallVector<std::pair<::llvm::StringRef, ::mlir::Value>>
    getLaunchTensors();
    /// The documents mask: the mask itself or an operand of its outermost
    /// intersect (the only places the verifier allows); null if none.
    DocumentsMaskOp getDocuments();
    /// The block layout, found as getDocuments finds documents.
    BlockLayoutMaskOp getBlockLayout();
  }];
}

#endif // SATTN_OPS_TD
