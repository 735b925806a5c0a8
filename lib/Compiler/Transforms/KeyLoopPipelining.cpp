//===- KeyLoopPipelining.cpp - Q.K^T of tile i beside P.V of tile i-1 -----===//
//
// See KeyLoopPipelining.h for the rotation. It works on the tiled form, so
// that the CPU backend can run it (sattn-pipeline-key-loops) against the
// reference; sattn-lower-tiles-mma applies it to sm_90a programs and stages
// the rotated loop itself.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Transforms/KeyLoopPipelining.h"
#include "Compiler/Transforms/IndexMath.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_PIPELINEKEYLOOPS
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

/// Whether `op` reads a kernel parameter that nothing in the kernel writes
/// or passes on (a launch tensor: a block layout's lists): such a load gives
/// the same value wherever and however often it runs.
static bool isReadOnlyParameterLoad(Operation *op) {
  auto load = dyn_cast<memref::LoadOp>(op);
  if (!load)
    return false;
  auto arg = dyn_cast<BlockArgument>(load.getMemRef());
  if (!arg || !isa<func::FuncOp>(arg.getOwner()->getParentOp()))
    return false;
  return llvm::all_of(arg.getUsers(), [](Operation *user) {
    return isa<memref::LoadOp>(user);
  });
}

/// The ops of `loop`'s body that compute `values` from the induction
/// variable and loop-invariant values, in program order; failure when one
/// depends on an iter_arg or is not a pure, region-free op (or a load of a
/// read-only kernel parameter).
FailureOr<SmallVector<Operation *>>
mlir::sattn::inductionSlice(scf::ForOp loop, ArrayRef<Value> values) {
  llvm::SmallPtrSet<Operation *, 16> slice;
  SmallVector<Value> work(values.begin(), values.end());
  while (!work.empty()) {
    Value v = work.pop_back_val();
    if (v == loop.getInductionVar() || loop.isDefinedOutsideOfLoop(v))
      continue;
    Operation *def = v.getDefiningOp();
    if (!def || def->getBlock() != loop.getBody() ||
        def->getNumRegions() != 0 ||
        !(isMemoryEffectFree(def) || isReadOnlyParameterLoad(def)))
      return failure();
    if (slice.insert(def).second)
      work.append(def->operand_begin(), def->operand_end());
  }
  SmallVector<Operation *> ordered;
  for (Operation &op : *loop.getBody())
    if (slice.contains(&op))
      ordered.push_back(&op);
  return ordered;
}

/// `values` as the slice computes them for induction variable `iv`.
SmallVector<Value> mlir::sattn::evaluateAt(OpBuilder &b, scf::ForOp loop,
                                           ArrayRef<Operation *> slice,
                                           Value iv, ArrayRef<Value> values) {
  IRMapping map;
  map.map(loop.getInductionVar(), iv);
  for (Operation *op : slice)
    b.clone(*op, map);
  SmallVector<Value> out;
  for (Value v : values)
    out.push_back(map.lookupOrDefault(v));
  return out;
}

TilePVOp mlir::sattn::pvOfSameKeyTile(TileQKOp qk) {
  for (Operation *next = qk->getNextNode(); next; next = next->getNextNode())
    if (auto pv = dyn_cast<TilePVOp>(next))
      if (pv.getFirst() == qk.getFirst() && pv.getCount() == qk.getCount())
        return pv;
  return {};
}

/// Whether `op` or anything nested in it may write memory (unknown
/// effects count as writes).
static bool mayWrite(Operation *op) {
  std::optional<SmallVector<MemoryEffects::EffectInstance>> effects =
      getEffectsRecursively(op);
  return !effects ||
         llvm::any_of(*effects, [](const MemoryEffects::EffectInstance &e) {
           return isa<MemoryEffects::Write>(e.getEffect());
         });
}

FailureOr<PipelinedKeyLoop> mlir::sattn::pipelineKeyLoop(TileQKOp qk,
                                                         TilePVOp pv) {
  auto loop = dyn_cast<scf::ForOp>(qk->getParentOp());
  if (!loop || pv->getBlock() != qk->getBlock() || !qk->isBeforeInBlock(pv))
    return failure();
  if (!loop.isDefinedOutsideOfLoop(pv.getValues()) ||
      !loop.isDefinedOutsideOfLoop(pv.getBase()))
    return failure();
  FailureOr<SmallVector<Operation *>> slice =
      inductionSlice(loop, {pv.getFirst(), pv.getCount()});
  if (failed(slice))
    return failure();
  Block *body = loop.getBody();
  auto yield = cast<scf::YieldOp>(body->getTerminator());
  if (!pv->hasOneUse() || *pv->getUsers().begin() != yield)
    return failure();
  unsigned accIndex = pv->getUses().begin()->getOperandNumber();
  BlockArgument accArg = loop.getRegionIterArgs()[accIndex];
  for (Operation *user : accArg.getUsers()) {
    Operation *inBody = body->findAncestorOpInBlock(*user);
    if (!inBody || !qk->isBeforeInBlock(inBody))
      return failure();
  }
  for (Operation &op : body->without_terminator())
    if (mayWrite(&op))
      return failure();

  Location loc = loop.getLoc();
  MLIRContext *ctx = loop.getContext();
  Value lb = loop.getLowerBound(), ub = loop.getUpperBound(),
        step = loop.getStep();
  auto probsType = cast<TileType>(pv.getProbs().getType());
  Type valueType = cast<MemRefType>(pv.getValues().getType()).getElementType();
  auto carriedType = TileType::get(ctx, probsType.getShape(), valueType);
  auto carry = [&](OpBuilder &b, Value probs) -> Value {
    if (probs.getType() == carriedType)
      return probs;
    return TileTruncFOp::create(b, loc, carriedType, probs);
  };
  // The body without its pv, for induction variable and iter_args as
  // `map` has them; `afterQk` runs once the qk's clone is in place.
  auto cloneHead = [&](OpBuilder &b, IRMapping &map,
                       function_ref<void()> afterQk) {
    for (Operation &op : body->without_terminator()) {
      if (&op == pv.getOperation())
        continue;
      b.clone(op, map);
      if (&op == qk.getOperation())
        afterQk();
    }
  };
  // The rotated loop's state after a head: the yield's operands with the
  // accumulator as it was before the pv, then the head's probabilities
  // (carried to the next iteration's P.V).
  auto carriedState = [&](OpBuilder &b, IRMapping &map) {
    SmallVector<Value> state;
    for (Value v : yield.getOperands())
      state.push_back(map.lookupOrDefault(v));
    state[accIndex] = map.lookupOrDefault(pv.getAcc());
    state.push_back(carry(b, map.lookup(pv.getProbs())));
    return state;
  };

  PipelinedKeyLoop out;
  out.lowerBound = lb;
  out.upperBound = ub;
  out.step = step;
  OpBuilder b(loop);
  IndexMath m{b, loc};
  auto guarded = scf::IfOp::create(b, loc, loop.getResultTypes(),
                                   m.lt(lb, ub), /*withElseRegion=*/true);
  OpBuilder eb = guarded.getElseBodyBuilder();
  scf::YieldOp::create(eb, loc, loop.getInitArgs());

  OpBuilder tb = guarded.getThenBodyBuilder();
  IndexMath tm{tb, loc};
  // The second tile's induction value, before the prologue: the staging
  // prefetches that tile's keys there.
  Value second = tm.add(lb, step);
  // Prologue: tile lb up to its probabilities.
  IRMapping first;
  first.map(loop.getInductionVar(), lb);
  first.map(loop.getRegionIterArgs(), loop.getInitArgs());
  cloneHead(tb, first, [&] {
    out.firstQk = cast<TileQKOp>(first.lookup(qk.getResult()).getDefiningOp());
  });
  SmallVector<Value> inits = carriedState(tb, first);

  // Tiles lb + step ..: Q.K^T of this tile, then P.V of the previous one.
  auto rotated = scf::ForOp::create(
      tb, loc, second, ub, step, inits,
      [&](OpBuilder &lbld, Location l, Value iv, ValueRange args) {
        IndexMath lm{lbld, l};
        IRMapping map;
        map.map(loop.getInductionVar(), iv);
        map.map(loop.getRegionIterArgs(), args.drop_back());
        cloneHead(lbld, map, [&] {
          out.loopQk = cast<TileQKOp>(map.lookup(qk.getResult()).getDefiningOp());
          SmallVector<Value> prev = evaluateAt(
              lbld, loop, *slice, lm.sub(iv, step),
              {pv.getFirst(), pv.getCount()});
          out.loopPv = TilePVOp::create(lbld, l, pv.getType(), args.back(),
                                        pv.getValues(), pv.getBase(), prev[0],
                                        prev[1], args[accIndex]);
          // The head's uses of the accumulator (all after the qk) see the
          // previous tile's P.V added.
          map.map(accArg, out.loopPv.getResult());
        });
        scf::YieldOp::create(lbld, l, carriedState(lbld, map));
      });
  out.loop = rotated;

  // Epilogue: P.V of the last tile, lb + floor((ub - lb - 1) / step) * step.
  Value lastIv = tm.add(
      lb, tm.mul(tm.div(tm.sub(tm.sub(ub, lb), tm.c(1)), step), step));
  SmallVector<Value> last = evaluateAt(tb, loop, *slice, lastIv,
                                            {pv.getFirst(), pv.getCount()});
  out.lastPv = TilePVOp::create(tb, loc, pv.getType(),
                                rotated.getResults().back(), pv.getValues(),
                                pv.getBase(), last[0], last[1],
                                rotated.getResult(accIndex));
  SmallVector<Value> results(rotated.getResults().drop_back());
  results[accIndex] = out.lastPv.getResult();
  scf::YieldOp::create(tb, loc, results);

  loop.replaceAllUsesWith(guarded.getResults());
  loop.erase();
  return out;
}

namespace {

/// The rotation on every key loop that takes it, on the tiled form (any
/// backend): the CPU backend runs the rotated loops against the reference.
/// Whether the kernel around `op` asks for pipelining: kernels with a
/// #sattn.kernel_config say so (the GPU pipeline), others are all rotated
/// (the CPU backend checks the rotated form's numerics).
bool wantsPipelining(Operation *op) {
  auto fn = op->getParentOfType<func::FuncOp>();
  KernelConfigAttr config = fn ? getKernelConfig(fn) : KernelConfigAttr();
  return !config || config.getPipeline();
}

/// On the GPU only key loops without branches are rotated: ptxas waits for
/// every product in flight where control flow merges (e.g. after a partial
/// tile's mask), which would leave the rotation its cost and none of its
/// overlap.
bool worthRotating(TileQKOp qk) {
  auto fn = qk->getParentOfType<func::FuncOp>();
  if (!fn || !getKernelConfig(fn))
    return true;
  return llvm::none_of(qk->getBlock()->getOperations(), [](Operation &o) {
    return o.getNumRegions() != 0;
  });
}

struct PipelineKeyLoopsPass
    : public mlir::sattn::impl::PipelineKeyLoopsBase<PipelineKeyLoopsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<TileQKOp, TilePVOp>> pairs;
    getOperation().walk([&](TileQKOp qk) {
      if (!wantsPipelining(qk) || !worthRotating(qk))
        return;
      if (TilePVOp pv = pvOfSameKeyTile(qk))
        pairs.push_back({qk, pv});
    });
    for (auto [qk, pv] : pairs) {
      FailureOr<PipelinedKeyLoop> rotated = pipelineKeyLoop(qk, pv);
      if (succeeded(rotated))
        rotated->loop->setAttr(attrs::kPipelinedLoop,
                               UnitAttr::get(&getContext()));
    }
  }
};

} // namespace
