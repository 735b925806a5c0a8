//===- PatternSpec.h - A sparse-attention pattern, as the user wrote it ---===//
//
// The plain C++ form of a pattern spec (see README "Spec format"). It carries
// no MLIR types: the JSON parser, the double-precision reference and the
// importer into the `sattn` dialect all start from it.
//
// Semantics (docs/ARCHITECTURE.md, shared/notes/methods.md): queries i in
// [0,Sq), keys j in [0,Sk), and i' = i + (Sk - Sq) is the query's position in
// key coordinates (bottom-right alignment).
//   causal           j <= i'
//   window{L,R,d}    i' - L <= j <= i' + R and (i' - j) mod d == 0 (a
//                    causal window of W keys is {W-1, 0}; the dilation d,
//                    default 1, keeps every d-th key counted from the
//                    diagonal, as Longformer's dilated windows)
//   sink{N}          j < N
//   chunk{C}         floor(j / C) == floor(i' / C) (both in the same block
//                    of C positions; Llama 4's chunked local attention is
//                    chunk{C} intersected with causal)
//   prefix_lm{P}     j < P or j <= i' (bidirectional over the first P keys,
//                    causal after them: causal united with sink{P})
//   union / intersect of children.
//   documents        (read at launch) batch row b packs Nd documents: document
//                    d holds queries [cq[b][d], cq[b][d+1]) and keys
//                    [ck[b][d], ck[b][d+1]) of the int32 tensors
//                    "cu_seqlens_q" and "cu_seqlens_k" ([B, Nd+1], as
//                    FlashAttention's varlen API, one row a batch row: 0
//                    first, Sq / Sk last, never decreasing; an empty
//                    document repeats an offset, so batch rows may hold
//                    fewer). A query sees only keys of its own document, and
//                    every other mask applies in the document's coordinates:
//                    i - cq[d], j - ck[d], with the document's lengths as Sq
//                    and Sk (its queries aligned to the end of its keys, as
//                    chunked prefill has them). It is the whole mask or an
//                    operand of the outermost intersect, at most once.
//   block_layout{BM, BN, m}
//                    (read at launch) a block-sparse layout in
//                    FlexAttention's compressed form: query block r =
//                    floor(i / BM) lists key blocks c = floor(j / BN) in the
//                    int32 tensors "kv_num_blocks" [LB, LH, Mb] (how many)
//                    and "kv_indices" [LB, LH, Mb, Nb] (which, first ones
//                    counted), and likewise "full_kv_num_blocks" and
//                    "full_kv_indices"; Mb = ceil(Sq / BM), Nb = ceil(Sk /
//                    BN), LB is 1 or B and LH 1 or H (1: one layout shared
//                    by every batch row / head). Pairs of a full block are
//                    kept; pairs of a (partial) block in kv_indices are
//                    kept where the static mask m holds (FlexAttention's
//                    mask_mod; every pair without m). No block may be listed
//                    twice in a row. Positions are the rows' own (i, not
//                    i'). The whole mask or an operand of the outermost
//                    intersect, at most once; not with documents.
// Scores: s = scale * <q,k>; with softcap c: s = c * tanh(s / c).
// ALiBi: s_ij += m_h * (j - i') after the softcap, with per-head slopes m_h
// either the geometric series of Press et al. (n = the largest power of two
// <= H: m_h = 2^(-8(h+1)/n) for h < n, then 2^(-4(2(h-n)+1)/n)) or read at
// launch from the tensor "alibi_slopes" (f32 [H]).
// Learnable sinks (GPT-OSS): a per-head logit z_h, read at launch, joins each
// row's softmax denominator without a value:
//   o_i = sum_j exp(s_ij) v_j / (exp(z_h) + sum_j exp(s_ij)).
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_SPEC_PATTERNSPEC_H
#define SATTN_SPEC_PATTERNSPEC_H

#include "sattn/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sattn {

enum class DType { BF16, F16, F32 };

/// "bf16", "f16", "f32".
const char *dtypeName(DType t);
std::optional<DType> parseDType(const std::string &name);
/// Bytes per element.
int64_t dtypeSize(DType t);

struct MaskExpr {
  enum class Kind {
    Causal,
    Window,
    Sink,
    Chunk,
    PrefixLM,
    Documents,
    BlockLayout,
    Union,
    Intersect
  };
  Kind kind = Kind::Causal;
  int64_t left = 0;   ///< Window: keys before i' (inclusive distance).
  int64_t right = 0;  ///< Window: keys after i'.
  int64_t dilation = 1; ///< Window: every dilation-th key from the diagonal.
  /// Sink: number of leading keys; Chunk: positions per chunk; PrefixLM:
  /// keys of the bidirectional prefix.
  int64_t tokens = 0;
  /// BlockLayout: rows and columns of a layout block (multiples of 16).
  int64_t blockRows = 0, blockCols = 0;
  /// Union / Intersect operands (>= 1); BlockLayout: the mask of its
  /// partial blocks, if any (at most one).
  std::vector<MaskExpr> children;

  static MaskExpr causal() { return make(Kind::Causal); }
  static MaskExpr window(int64_t l, int64_t r, int64_t dilation = 1) {
    MaskExpr m = make(Kind::Window);
    m.left = l;
    m.right = r;
    m.dilation = dilation;
    return m;
  }
  static MaskExpr sink(int64_t n) { return sized(Kind::Sink, n); }
  static MaskExpr chunk(int64_t c) { return sized(Kind::Chunk, c); }
  static MaskExpr prefixLM(int64_t p) { return sized(Kind::PrefixLM, p); }
  static MaskExpr documents() { return make(Kind::Documents); }
  static MaskExpr blockLayout(int64_t rows, int64_t cols,
                              std::optional<MaskExpr> partial = {}) {
    MaskExpr m = make(Kind::BlockLayout);
    m.blockRows = rows;
    m.blockCols = cols;
    if (partial)
      m.children.push_back(std::move(*partial));
    return m;
  }
  static MaskExpr unite(std::vector<MaskExpr> c) {
    MaskExpr m = make(Kind::Union);
    m.children = std::move(c);
    return m;
  }
  static MaskExpr intersect(std::vector<MaskExpr> c) {
    MaskExpr m = make(Kind::Intersect);
    m.children = std::move(c);
    return m;
  }

private:
  static MaskExpr make(Kind k) {
    MaskExpr m;
    m.kind = k;
    return m;
  }
  static MaskExpr sized(Kind k, int64_t n) {
    MaskExpr m = make(k);
    m.tokens = n;
    return m;
  }
};

/// The delta correction of "Delta Attention" (shared/notes/methods.md):
/// cut = Sq mod gamma + max(tailMin, gamma), sp = Sq - cut; anchor rows
/// 0, gamma, 2gamma, ... < sp; rows >= sp are dense. "Dense" is the
/// reference pattern: causal by default, every key (`denseReference`), or a
/// static mask of the user's (`reference`), so that the correction moves a
/// sparse pattern towards the attention it approximates.
struct DeltaCorrection {
  int64_t gamma = 64;
  int64_t tailMin = 128;
  std::optional<MaskExpr> reference; ///< None: causal (or dense, below).
  bool denseReference = false;       ///< Every key; `reference` is unset.
};

struct PatternSpec {
  std::string name;
  DType dtype = DType::BF16;
  int64_t headDim = 128;
  std::optional<double> scale;   ///< Default 1/sqrt(headDim).
  std::optional<double> softcap; ///< None: no tanh softcap.
  std::optional<MaskExpr> mask;  ///< None: dense (every key).
  std::optional<DeltaCorrection> delta;
  /// ALiBi's slopes (see the header comment); none: no ALiBi.
  enum class AlibiSlopes { Geometric, Tensor };
  std::optional<AlibiSlopes> alibi;
  /// Each row's softmax denominator gains exp of its head's logit, read at
  /// launch from the tensor "sinks" (f32 [H]); see the header comment.
  bool learnableSinks = false;

  double effectiveScale() const;
};

/// Element types of the tensors a pattern reads at launch besides q, k, v.
enum class TensorDType { F32, I32 };
const char *tensorDTypeName(TensorDType t);

/// A tensor a pattern reads at launch besides q, k, v: its name (the
/// kernels' parameter, the manifest's and the launch API's key), element
/// type, and shape as size names of the launch ("B", "H", "Hkv", "Sq",
/// "Sk"; "Nd+1": one more than the documents a batch row holds, which
/// the launch takes from the tensor; "LB" and "LH": a block layout's batch
/// rows and heads, 1 or B and 1 or H, taken from the tensors; "Sq/n" and
/// "Sk/n": ceil(Sq / n) and ceil(Sk / n), blocks of n positions), outermost
/// first. Contiguous, row-major.
struct LaunchTensor {
  std::string name;
  TensorDType dtype = TensorDType::F32;
  std::vector<std::string> shape;
};

/// Whether the pattern packs documents (a "documents" mask; see the header
/// comment for where it may appear).
bool hasDocuments(const PatternSpec &spec);

/// The mask that applies inside each document: the pattern's mask without
/// its "documents" operand (none: every key of the document). For a pattern
/// without documents, its mask.
std::optional<MaskExpr> maskWithinDocuments(const PatternSpec &spec);

/// The pattern's block layout (a "block_layout" mask: the mask itself or
/// an operand of its outermost intersect), or null.
const MaskExpr *blockLayoutOf(const PatternSpec &spec);

/// The mask of the pattern besides its block layout: the other operands of
/// the outermost intersect (none: every key). For a pattern without a
/// layout, its mask.
std::optional<MaskExpr> maskBesidesLayout(const PatternSpec &spec);

/// ALiBi's geometric slope of head h of H (the header comment's series).
double alibiGeometricSlope(int64_t h, int64_t H);

/// The launch tensors of a pattern, in kernel-parameter order.
std::vector<LaunchTensor> launchTensors(const PatternSpec &spec);

/// Limits on a spec, checked while it is read and before any work that grows
/// faster than the input (the compiler's mask normalisation is quadratic in
/// a union's children): mask nesting depth, masks in one union / intersect
/// list, mask nodes in all, and the size of the JSON text.
constexpr int kMaxMaskDepth = 32;
constexpr size_t kMaxMaskChildren = 64;
constexpr size_t kMaxMaskNodes = 256;
constexpr size_t kMaxSpecBytes = size_t(1) << 20;
/// The largest side of a block layout's block (positions).
constexpr int64_t kMaxLayoutBlock = 1 << 16;

/// A score scale or softcap must lie in [2^-63, 2^63]: the scores and the
/// factor then split f32's exponent range between them, so that for
/// |q.k| in [2^-63, 2^63] the scaled scores and every constant the kernels
/// fold the factor into (scale * log2 e, 1 / cap, 2 log2 e / cap) are
/// finite, normal f32 numbers (a scale of 1e-46 is 0 in f32, and 0 times a
/// masked score's -inf is NaN; 1e38 times a score of 4 is inf).
inline bool scoreFactorInRange(double v) { return v >= 0x1p-63 && v <= 0x1p63; }

/// Parses a spec from JSON text. `source` names the origin in messages
/// ("spec.json"); errors carry the JSON path, e.g.
///   spec.json: $.mask.of[1].left: expected a non-negative integer, got -3
Result<PatternSpec> parsePatternSpec(const std::string &jsonText,
                                     const std::string &source);
/// Checks a spec built in C++ against the rules parsePatternSpec enforces
/// on JSON (same JSON paths in the messages, ErrorKind::InvalidInput).
Status validatePatternSpec(const PatternSpec &spec,
                           const std::string &source = "spec");
/// Reads and parses a spec file.
Result<PatternSpec> loadPatternSpec(const std::string &path);
/// Canonical JSON (sorted keys, defaults filled in): equal specs give equal
/// text, so its hash identifies the pattern.
std::string canonicalSpecJson(const PatternSpec &spec);
/// 64-bit FNV-1a of canonicalSpecJson, as 16 hex digits.
std::string specHash(const PatternSpec &spec);

} // namespace sattn

#endif // SATTN_SPEC_PATTERNSPEC_H
