//===- Reference.h - Naive double-precision attention, the test oracle ----===//
//
// Written literally from the definitions (PatternSpec.h, shared/notes/
// methods.md section 1): per-element mask evaluation, one softmax per row,
// no tiling, no online softmax. It must not share logic with the compiler,
// so that a bug in one cannot hide behind the same bug in the other.
// Cost: O(B * H * Sq * Sk * D).
//
// Misuse (mismatched buffer sizes, H not a multiple of Hkv) throws
// std::invalid_argument: this library only runs inside tests, where a loud
// failure is what we want.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_REFERENCE_REFERENCE_H
#define SATTN_REFERENCE_REFERENCE_H

#include "Spec/PatternSpec.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace sattn::ref {

struct Problem {
  int64_t B, H, Hkv, Sq, Sk, D;
  /// Documents a batch row packs (patterns with a "documents" mask).
  int64_t Nd = 1;
  /// A block layout's batch rows and heads (1: shared by all; else B, H).
  int64_t LB = 1, LH = 1;
};

/// True iff query i may attend key j under `mask` (i' = i + Sk - Sq),
/// evaluated per element from the tree. A "documents" node allows every
/// pair: the caller passes one document's coordinates and lengths; so
/// does a "block_layout" node, which attention() evaluates from its
/// tensors.
bool maskAllows(const MaskExpr &mask, int64_t i, int64_t j, int64_t Sq, int64_t Sk);

/// The launch tensors of a pattern (launchTensors(spec)) by name, their
/// elements in double, row-major.
using Tensors = std::map<std::string, std::vector<double>>;

/// Full pattern semantics (mask, documents, scale, softcap, ALiBi,
/// learnable sinks, delta correction), inputs in double, layouts q,o
/// [B,H,Sq,D], k,v [B,Hkv,Sk,D] contiguous; GQA: head h reads kv head h /
/// (H/Hkv). Rows that see no key output 0. Returns o. The scale is
/// spec.effectiveScale() (from spec.headDim, not p.D, so small test problems
/// can use a small D). `tensors` holds every tensor launchTensors(spec) lists
/// (others are ignored). Learnable sinks join the denominator of every softmax,
/// the delta correction's dense rows included. Document offsets that do not
/// start at 0, decrease, or end elsewhere than Sq / Sk throw; so do layout
/// counts outside [0, Nb], block indices outside [0, Nb) and a block listed
/// twice in one query block's lists.
std::vector<double> attention(const PatternSpec &spec, const Problem &p,
                              const std::vector<double> &q,
                              const std::vector<double> &k,
                              const std::vector<double> &v,
                              const Tensors &tensors = {});

/// Error metrics used by every numeric test: relative L2 = ||a-b|| / ||b||
/// (0 when both are zero, +inf when only ref is), and max |a-b|. A NaN in
/// either input makes both metrics NaN, so `relL2 < tol` fails.
struct ErrorStats {
  double relL2, maxAbs;
};
ErrorStats compare(const std::vector<double> &got, const std::vector<double> &ref);

/// The relative L2 error a kernel with `t` inputs and f32 accumulation may
/// have against this reference: 2e-2 (bf16), 5e-3 (f16), 1e-4 (f32). One
/// table for sparse-run and every numeric suite.
double relL2Tolerance(DType t);

/// Rounds a double to the dtype's precision (bf16/f16 round-to-nearest-even,
/// directly from double, with subnormals and overflow to inf; f32 likewise).
/// Tests round random inputs through this so the kernel and the reference
/// see the same values.
double roundTo(DType t, double x);

/// Converts between double and the dtype's bit pattern (bf16/f16: uint16
/// storage; f32: float), for filling and reading kernel buffers. toStorage
/// rounds as roundTo does; dst holds src.size() * dtypeSize(t) bytes.
void toStorage(DType t, const std::vector<double> &src, void *dst);
std::vector<double> fromStorage(DType t, const void *src, size_t n);

} // namespace sattn::ref

#endif // SATTN_REFERENCE_REFERENCE_H
