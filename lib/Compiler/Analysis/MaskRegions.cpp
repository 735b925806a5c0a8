//===- MaskRegions.cpp - Masks as unions of convex regions ----------------===//
#include "Compiler/Analysis/MaskRegions.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include <algorithm>
#include <numeric>

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

/// Any dilation above the largest |j - i'| keeps only the diagonal, as this
/// one does; the least common multiple of two dilations saturates here
/// rather than overflow.
constexpr int64_t kDilationCap = int64_t(1) << 42;

static OptInt lcmDilation(OptInt a, OptInt b) {
  if (!a || !b)
    return a ? a : b;
  int64_t g = std::gcd(*a, *b);
  int64_t x = *a / g;
  if (x > kDilationCap / *b)
    return kDilationCap;
  return std::min(x * *b, kDilationCap);
}

std::optional<MaskRegion> MaskRegion::intersect(const MaskRegion &o) const {
  MaskRegion r{
      tighterLower(diagLo, o.diagLo), tighterUpper(diagHi, o.diagHi),
      tighterLower(colLo, o.colLo),   tighterUpper(colHi, o.colHi),
      chunk ? chunk : o.chunk,        lcmDilation(dilation, o.dilation)};
  if (chunk && o.chunk) {
    // Same chunk under both sizes is same chunk under the smaller when it
    // divides the larger; otherwise the boundaries of both grids mix.
    int64_t fine = std::min(*chunk, *o.chunk),
            coarse = std::max(*chunk, *o.chunk);
    if (coarse % fine != 0)
      return std::nullopt;
    r.chunk = fine;
  }
  return r;
}

// The smallest multiple of d that is >= x.
static int64_t multipleAtOrAbove(int64_t x, int64_t d) {
  int64_t q = x / d;
  if (q * d < x)
    ++q;
  return q * d;
}

bool MaskRegion::isEmpty() const {
  if (diagLo && diagHi && *diagLo > *diagHi)
    return true;
  if (colHi && *colHi <= std::max<int64_t>(colLo.value_or(0), 0))
    return true;
  // A chunk holds diagonals -(chunk - 1) .. chunk - 1 only.
  if (chunk &&
      ((diagLo && *diagLo >= *chunk) || (diagHi && *diagHi <= -*chunk)))
    return true;
  // No kept diagonal in [diagLo, diagHi].
  if (dilation && diagLo && diagHi &&
      multipleAtOrAbove(*diagLo, *dilation) > *diagHi)
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

// `outer`'s grid (chunk size or dilation) admits everything `inner`'s
// does: none, or a divisor of inner's (a chunk of size c lies inside one
// of size k*c; a multiple of k*d is a multiple of d).
static bool coarserGrid(OptInt outer, OptInt inner) {
  return !outer || (inner && *inner % *outer == 0);
}

bool MaskRegion::contains(const MaskRegion &o) const {
  return looserLower(diagLo, o.diagLo) && looserUpper(diagHi, o.diagHi) &&
         looserLower(colLo, o.colLo) && looserUpper(colHi, o.colHi) &&
         // Chunks: o's chunk must lie inside one of ours, so our size is a
         // multiple of o's (the reverse of the dilation's divisibility).
         (!chunk || (o.chunk && *chunk % *o.chunk == 0)) &&
         coarserGrid(dilation, o.dilation);
}

bool MaskRegion::operator==(const MaskRegion &o) const {
  return diagLo == o.diagLo && diagHi == o.diagHi && colLo == o.colLo &&
         colHi == o.colHi && chunk == o.chunk && dilation == o.dilation;
}

RegionAttr MaskRegion::toAttr(MLIRContext *ctx) const {
  return RegionAttr::get(ctx, diagLo, diagHi, colLo, colHi, chunk, dilation);
}

MaskRegion MaskRegion::fromAttr(RegionAttr a) {
  return {a.getDiagLo(), a.getDiagHi(), a.getColLo(),
          a.getColHi(),  a.getChunk(),  a.getDilation()};
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
  return isa<CausalMaskOp, WindowMaskOp, SinkMaskOp, ChunkMaskOp, AllMaskOp,
             DocumentsMaskOp, BlockLayoutMaskOp, UnionMaskOp, IntersectMaskOp>(
      op);
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
      // The documents mask's offsets are buffers, not masks.
      if (!isa<MaskType>(operand.getType()))
        continue;
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
              if (IntegerAttr d = op.getDilationAttr(); d && d.getInt() > 1)
                r.dilation = std::min<int64_t>(d.getInt(), kDilationCap);
              return SmallVector<MaskRegion>{r};
            })
            .Case([](SinkMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
              MaskRegion r;
              r.colHi = op.getTokensAttr().getInt();
              return SmallVector<MaskRegion>{r};
            })
            // Inside its documents, where the other masks apply, the
            // documents mask allows every pair (sattn.attention keeps it
            // where that is its whole meaning: the tile plan's
            // `documents`).
            .Case([](AllMaskOp) -> FailureOr<SmallVector<MaskRegion>> {
              return SmallVector<MaskRegion>{MaskRegion::all()};
            })
            .Case([](DocumentsMaskOp) -> FailureOr<SmallVector<MaskRegion>> {
              return SmallVector<MaskRegion>{MaskRegion::all()};
            })
            // Likewise a block layout: the kernels visit only its listed
            // blocks, and classify those with the rest of the mask (full
            // blocks) or with its partial mask too (the tile plan's
            // `layout`), so as an operand of the outermost intersect it
            // allows every pair.
            .Case([](BlockLayoutMaskOp) -> FailureOr<SmallVector<MaskRegion>> {
              return SmallVector<MaskRegion>{MaskRegion::all()};
            })
            .Case([](ChunkMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
              MaskRegion r;
              r.chunk = op.getSizeAttr().getInt();
              return SmallVector<MaskRegion>{r};
            })
            .Case([&](UnionMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
              SmallVector<MaskRegion> all;
              for (Value m : operands)
                llvm::append_range(all, regionsOf(m));
              return checkSize(simplify(all), op);
            })
            .Case(
                [&](IntersectMaskOp op) -> FailureOr<SmallVector<MaskRegion>> {
                  SmallVector<MaskRegion> acc{MaskRegion::all()};
                  for (Value m : operands) {
                    auto next = intersectRegions(acc, regionsOf(m), op);
                    if (failed(next))
                      return failure();
                    acc = std::move(*next);
                  }
                  return acc;
                });
    if (failed(result))
      return failure();
    done[op] = std::move(*result);
  }
  return done[mask.getDefiningOp()];
}

FailureOr<SmallVector<MaskRegion>>
mlir::sattn::intersectRegions(ArrayRef<MaskRegion> a, ArrayRef<MaskRegion> b,
                              Operation *at) {
  SmallVector<MaskRegion> next;
  for (const MaskRegion &x : a)
    for (const MaskRegion &y : b) {
      std::optional<MaskRegion> both = x.intersect(y);
      if (!both) {
        at->emitOpError("intersects chunks of ")
            << *x.chunk << " and " << *y.chunk
            << " positions; supported only when one size divides the other";
        return failure();
      }
      next.push_back(*both);
    }
  return checkSize(simplify(next), at);
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
