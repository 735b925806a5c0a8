//===- MaskRegions.h - Masks as unions of convex regions --------*- C++ -*-===//
//
// Every mask of the dialect (causal, window, sink, chunk, and unions and
// intersections of them) is a union of regions
//   { (i, j) : diagLo <= j - i' <= diagHi, colLo <= j < colHi,
//              floor(j / chunk) == floor(i' / chunk),
//              (j - i') mod dilation == 0 },
// i' = i + Sk - Sq. Intersections of regions are regions (tightest bounds;
// the finer of two chunkings when one size divides the other; the least
// common multiple of two dilations), so a mask normalises to disjunctive
// normal form. The tile classification reads emptiness and fullness of a
// tile off these bounds in closed form.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_ANALYSIS_MASKREGIONS_H
#define SATTN_ANALYSIS_MASKREGIONS_H

#include "Spec/PatternSpec.h"
#include "sattn/IR/Sattn.h"

#include <optional>

namespace mlir::sattn {

struct MaskRegion {
  std::optional<int64_t> diagLo, diagHi, colLo, colHi;
  /// Positions per chunk; none: no chunking.
  std::optional<int64_t> chunk;
  /// Keep every dilation-th diagonal (>= 2); none: every diagonal.
  std::optional<int64_t> dilation;

  /// The whole (i, j) plane.
  static MaskRegion all() { return {}; }
  /// The pairs in both, or none when that is not one region: two chunkings
  /// neither of whose sizes divides the other (their common refinement has
  /// chunks of several sizes).
  std::optional<MaskRegion> intersect(const MaskRegion &o) const;
  /// True when no (i, j) can satisfy the bounds, whatever Sq and Sk are.
  bool isEmpty() const;
  /// True when every pair of `o` is also in this region.
  bool contains(const MaskRegion &o) const;
  bool operator==(const MaskRegion &o) const;

  RegionAttr toAttr(MLIRContext *ctx) const;
  static MaskRegion fromAttr(RegionAttr attr);
};

/// Upper bound on regions after normalisation; intersections of unions
/// multiply, and a kernel evaluates every region on partial tiles.
constexpr size_t kMaxMaskRegions = 16;

/// Upper bound on the size of a mask DAG (its ops plus their operands),
/// checked before normalisation, whose cost grows faster than the DAG's
/// size. A spec's mask stays below it (Spec/PatternSpec.h: at most
/// ::sattn::kMaxMaskNodes nodes, so fewer than twice as many ops and
/// operands).
constexpr size_t kMaxMaskDagSize = 2 * ::sattn::kMaxMaskNodes;

/// Normalises the mask DAG rooted at `mask` (null: dense), each op once,
/// without recursion. Emits an error at `user` and fails if the mask is not
/// built from sattn.mask ops or is larger than kMaxMaskDagSize, or at the
/// combiner whose result has more than kMaxMaskRegions regions. An empty
/// result means nothing is allowed.
FailureOr<SmallVector<MaskRegion>> normalizeMask(Value mask, Operation *user);

/// The pairs in both region lists, simplified; fails (diagnosed at `at`)
/// as an intersect op of them would.
FailureOr<SmallVector<MaskRegion>>
intersectRegions(ArrayRef<MaskRegion> a, ArrayRef<MaskRegion> b, Operation *at);

/// The regions of dense causal attention (the delta correction's reference).
SmallVector<MaskRegion> denseCausalRegions();

SmallVector<MaskRegion> regionsFromAttr(ArrayAttr regions);
ArrayAttr regionsToAttr(MLIRContext *ctx, ArrayRef<MaskRegion> regions);

} // namespace mlir::sattn

#endif // SATTN_ANALYSIS_MASKREGIONS_H
