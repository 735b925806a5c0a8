//===- MaskRegions.cpp - Masks as unions of convex regions ----------------===//
#include "Compiler/Analysis/MaskRegions.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
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

static bool isMaskOp(Operation *op) {
  return isa<CausalMaskOp, WindowMaskOp, SinkMaskOp, UnionMaskOp,
             IntersectMaskOp>(op);
}

namespace {

/// The mask ops `mask` depends on, each once, operands before users; or
/// failure (diagnosed at `user`) when the DAG is not made of mask ops or is
/// larger than kMaxMaskDagSize. Iterative: a chain of nested masks is as
/// deep as it is long, and its length is not known before it is walked.
FailureOr<SmallVector<Operation *>> maskOpsInPostOrder(Value mask,
                                                       Operation *user) {
  enum class Mark { Open, Done };
  DenseMap<Operation *, Mark> marks;
  SmallVector<Operation *> order;
  // (op, index of the next operand to visit)
  SmallVector<std::pair<Operation *, unsigned>> stack;
  size_t size = 0; // ops + operands seen so far
  auto tooLarge = [&] {
    user->emitOpError("mask DAG has more than ")
        << kMaxMaskDagSize
        << " ops and operands in all (the supported maximum)";
    return failure();
  };
  auto enter = [&](Value v) -> LogicalResult {
    Operation *def = v.getDefiningOp();
    if (!def) {
      user->emitOpError("mask must be produced by a sattn.mask op, got a "
                        "block argument");
      return failure();
    }
    if (!isMaskOp(def)) {
      user->emitOpError("mask must be produced by a sattn.mask op, got '")
          << def->getName() << "'";
      return failure();
    }
    auto [it, inserted] = marks.try_emplace(def, Mark::Open);
    if (!inserted) {
      if (it->second == Mark::Open) {
        def->emitOpError("is its own operand, through its mask operands");
        return failure();
      }
      return success();
    }
    size += 1 + def->getNumOperands();
    if (size > kMaxMaskDagSize)
      return tooLarge();
    stack.push_back({def, 0});
    return success();
  };
  if (failed(enter(mask)))
    return failure();
  while (!stack.empty()) {
    auto &[op, next] = stack.back();
    if (next < op->getNumOperands()) {
      Value operand = op->getOperand(next++);
      // `enter` may grow `stack`; `op` and `next` are not used after it.
      if (failed(enter(operand)))
        return failure();
      continue;
    }
    marks[op] = Mark::Done;
    order.push_back(op);
    stack.pop_back();
  }
  return order;
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

} // namespace

FailureOr<SmallVector<MaskRegion>> mlir::sattn::normalizeMask(Value mask,
                                                              Operation *user) {
  if (!mask)
    return SmallVector<MaskRegion>{MaskRegion::all()};
  // The whole DAG is walked and its size checked before any normalisation,
  // whose cost grows faster than the DAG.
  FailureOr<SmallVector<Operation *>> order = maskOpsInPostOrder(mask, user);
  if (failed(order))
    return failure();
  // Each op is normalised once, after its operands (a DAG that reuses a
  // value would otherwise be visited once per path, exponentially often).
  DenseMap<Operation *, SmallVector<MaskRegion>> done;
  auto regionsOf = [&](Value v) -> ArrayRef<MaskRegion> {
    return done.find(v.getDefiningOp())->second;
  };
  for (Operation *op : *order) {
    // An operand repeated in a union or intersection adds nothing.
    SmallVector<Value> operands;
    llvm::SmallPtrSet<Operation *, 8> seen;
    for (Value m : op->getOperands())
      if (seen.insert(m.getDefiningOp()).second)
        operands.push_back(m);
    FailureOr<SmallVector<MaskRegion>> result =
        llvm::TypeSwitch<Operation *, FailureOr<SmallVector<MaskRegion>>>(op)
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
              for (Value m : operands)
                llvm::append_range(all, regionsOf(m));
              return checkSize(simplify(all), op);
            })
            .Case([&](IntersectMaskOp op)
                      -> FailureOr<SmallVector<MaskRegion>> {
              SmallVector<MaskRegion> acc{MaskRegion::all()};
              for (Value m : operands) {
                SmallVector<MaskRegion> next;
                for (const MaskRegion &a : acc)
                  for (const MaskRegion &b : regionsOf(m))
                    next.push_back(a.intersect(b));
                auto simplified = checkSize(simplify(next), op);
                if (failed(simplified))
                  return failure();
                acc = std::move(*simplified);
              }
              return acc;
            });
    if (failed(result))
      return failure();
    done[op] = std::move(*result);
  }
  return done[mask.getDefiningOp()];
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
