//===- MaskRegions.cpp - Masks as unions of convex regions ----------------===//
#include "Compiler/Analysis/MaskRegions.h"

#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::sattn;

using OptInt = std::optional<int64_t>;

static OptInt tighterLower(OptInt a, OptInt b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return std::max(*a, *b);
}
static OptInt tighterUpper(OptInt a, OptInt b) {
  if (!a)
    return b;
  if (!b)
    return a;
  return std::min(*a, *b);
}

MaskRegion MaskRegion::intersect(const MaskRegion &o) const {
  return {tighterLower(diagLo, o.diagLo), tighterUpper(diagHi, o.diagHi),
          tighterLower(colLo, o.colLo), tighterUpper(colHi, o.colHi)};
}

bool MaskRegion::isEmpty() const {
  if (diagLo && diagHi && *diagLo > *diagHi)
    return true;
  if (colHi && *colHi <= std::max<int64_t>(colLo.value_or(0), 0))
    return true;
  return false;
}

// `outer` is at most as tight as `inner` on one side.
static bool looserLower(OptInt outer, OptInt inner) {
  return !outer || (inner && *outer <= *inner);
}
static bool looserUpper(OptInt outer, OptInt inner) {
  return !outer || (inner && *outer >= *inner);
}

bool MaskRegion::contains(const MaskRegion &o) const {
  return looserLower(diagLo, o.diagLo) && looserUpper(diagHi, o.diagHi) &&
         looserLower(colLo, o.colLo) && looserUpper(colHi, o.colHi);
}

bool MaskRegion::operator==(const MaskRegion &o) const {
  return diagLo == o.diagLo && diagHi == o.diagHi && colLo == o.colLo &&
         colHi == o.colHi;
}

RegionAttr MaskRegion::toAttr(MLIRContext *ctx) const {
  return RegionAttr::get(ctx, diagLo, diagHi, colLo, colHi);
}

MaskRegion MaskRegion::fromAttr(RegionAttr a) {
  return {a.getDiagLo(), a.getDiagHi(), a.getColLo(), a.getColHi()};
}

SmallVector<MaskRegion> mlir::sattn::denseCausalRegions() {
  MaskRegion r;
  r.diagHi = 0;
  return {r};
}

/// Drops empty regions and regions another region contains.
static SmallVector<MaskRegion> simplify(ArrayRef<MaskRegion> in) {
  SmallVector<MaskRegion> out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i].isEmpty())
      continue;
    bool redundant = false;
    for (size_t j = 0; j < in.size() && !redundant; ++j) {
      if (i == j || in[j].isEmpty() || !in[j].contains(in[i]))
        continue;
      // Of two equal regions keep the first.
      redundant = !(in[i] == in[j]) || j < i;
    }
    if (!redundant)
      out.push_back(in[i]);
  }
  return out;
}

namespace {
/// Recursive normaliser with a size guard.
struct Normalizer {
  Operation *user;

  FailureOr<SmallVector<MaskRegion>> visit(Value mask) {
    Operation *def = mask.getDefiningOp();
    if (!def) {
      user->emitOpError("mask must be produced by a sattn.mask op, got a "
                        "block argument");
      return failure();
    }
    return llvm::TypeSwitch<Operation *, FailureOr<SmallVector<MaskRegion>>>(
               def)
        .Case([](CausalMaskOp) -> FailureOr<SmallVector<MaskRegion>> {
          return denseCausalRegions();
        })
        .Case([](WindowMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
          MaskRegion r;
          r.diagLo = -op.getLeftAttr().getInt();
          r.diagHi = op.getRightAttr().getInt();
          return SmallVector<MaskRegion>{r};
        })
        .Case([](SinkMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
          MaskRegion r;
          r.colHi = op.getTokensAttr().getInt();
          return SmallVector<MaskRegion>{r};
        })
        .Case([&](UnionMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
          SmallVector<MaskRegion> all;
          for (Value m : op.getMasks()) {
            auto sub = visit(m);
            if (failed(sub))
              return failure();
            all.append(sub->begin(), sub->end());
          }
          return checkSize(simplify(all), op);
        })
        .Case([&](IntersectMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
          SmallVector<MaskRegion> acc{MaskRegion::all()};
          for (Value m : op.getMasks()) {
            auto sub = visit(m);
            if (failed(sub))
              return failure();
            SmallVector<MaskRegion> next;
            for (const MaskRegion &a : acc)
              for (const MaskRegion &b : *sub)
                next.push_back(a.intersect(b));
            auto simplified = checkSize(simplify(next), op);
            if (failed(simplified))
              return failure();
            acc = std::move(*simplified);
          }
          return acc;
        })
        .Default([&](Operation *op) -> FailureOr<SmallVector<MaskRegion>> {
          user->emitOpError("mask must be produced by a sattn.mask op, got '")
              << op->getName() << "'";
          return failure();
        });
  }

  FailureOr<SmallVector<MaskRegion>> checkSize(SmallVector<MaskRegion> r,
                                               Operation *at) {
    if (r.size() > kMaxMaskRegions) {
      at->emitOpError("mask normalises to ")
          << r.size() << " regions, more than the supported "
          << kMaxMaskRegions;
      return failure();
    }
    return r;
  }
};
} // namespace

FailureOr<SmallVector<MaskRegion>> mlir::sattn::normalizeMask(Value mask,
                                                              Operation *user) {
  if (!mask)
    return SmallVector<MaskRegion>{MaskRegion::all()};
  return Normalizer{user}.visit(mask);
}

SmallVector<MaskRegion> mlir::sattn::regionsFromAttr(ArrayAttr regions) {
  SmallVector<MaskRegion> out;
  for (Attribute a : regions)
    out.push_back(MaskRegion::fromAttr(cast<RegionAttr>(a)));
  return out;
}

ArrayAttr mlir::sattn::regionsToAttr(MLIRContext *ctx,
                                     ArrayRef<MaskRegion> regions) {
  SmallVector<Attribute> attrs;
  for (const MaskRegion &r : regions)
    attrs.push_back(r.toAttr(ctx));
  return ArrayAttr::get(ctx, attrs);
}
