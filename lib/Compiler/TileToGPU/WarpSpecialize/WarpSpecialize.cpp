//===- WarpSpecialize.cpp - A producer warpgroup for the K/V fills --------===//
//
// sattn-warp-specialize: a program whose #sattn.kernel_config asks for a
// producer becomes, after its ring's allocation,
//
//   sattn.warp_specialize consumers(N, registers = R) producer(registers = P)
//     { the program: products, softmax, waits for and releases of slots }
//   producer
//     { the same control flow with only the fills (acquire, load) }
//
// Both regions start as the whole program, so the producer fills the slots
// in exactly the order the consumers wait for them; then each loses the
// other role's work. The consumers' copy drops the fills. The producer's
// keeps what the fills need: a liveness walk from them marks the ops,
// loop-carried values and branch results they read (the key loops' trip
// counts and tile bounds); the key loops' other carried values (row
// statistics, accumulators) become pass-through and fold away, and
// everything else is erased. If a fill would read a value only the
// consumers compute (one with effects of its own), that is an error: the
// producer would have to wait for the consumers.
//
//===----------------------------------------------------------------------===//
#include "sattn/IR/Sattn.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/SetVector.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_WARPSPECIALIZE
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

bool isFill(Operation *op) { return isa<RingAcquireOp, RingLoadOp>(op); }

/// Effects beyond reads and allocations (unknown effects count).
bool writes(Operation *op) {
  if (op->getNumRegions() != 0 || op->hasTrait<OpTrait::IsTerminator>() ||
      isMemoryEffectFree(op))
    return false;
  auto iface = dyn_cast<MemoryEffectOpInterface>(op);
  if (!iface)
    return true;
  SmallVector<MemoryEffects::EffectInstance> effects;
  iface.getEffects(effects);
  return llvm::any_of(effects, [](const MemoryEffects::EffectInstance &e) {
    return !isa<MemoryEffects::Read, MemoryEffects::Allocate>(e.getEffect());
  });
}

/// What the producer's fills need, within `region`.
class FillLiveness {
public:
  explicit FillLiveness(Region &region) : region(region) {}

  /// Marks from every fill; fails (with a diagnostic) if a fill needs a
  /// value produced by an op with effects of its own.
  LogicalResult run() {
    region.walk([&](Operation *op) {
      if (isFill(op))
        markOp(op);
    });
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      if (!isFill(op) && writes(op))
        return op->emitOpError("is needed by the producer's fills but is "
                               "the consumers' work");
      // The control flow around a live op runs in the producer too.
      for (Operation *p = op->getParentOp();
           p && region.isAncestor(p->getParentRegion()); p = p->getParentOp())
        markOp(p);
      if (auto loop = dyn_cast<scf::ForOp>(op)) {
        markValue(loop.getLowerBound());
        markValue(loop.getUpperBound());
        markValue(loop.getStep());
      } else if (auto branch = dyn_cast<scf::IfOp>(op)) {
        markValue(branch.getCondition());
      } else if (!op->hasTrait<OpTrait::IsTerminator>()) {
        for (Value v : op->getOperands())
          markValue(v);
      }
    }
    return success();
  }

  bool isLive(Operation *op) const { return live.contains(op); }
  /// Keeps an op made after the walk (a stand-in).
  void keep(Operation *op) { live.insert(op); }
  bool isLiveCarried(scf::ForOp loop, unsigned i) const {
    return liveCarried.contains({loop, i});
  }
  bool isLiveResult(scf::IfOp branch, unsigned i) const {
    return liveResults.contains({branch, i});
  }

private:
  void markOp(Operation *op) {
    if (live.insert(op))
      work.push_back(op);
  }
  void markCarried(scf::ForOp loop, unsigned i) {
    if (!liveCarried.insert({loop, i}).second)
      return;
    markOp(loop);
    markValue(loop.getInitArgs()[i]);
    markValue(loop.getBody()->getTerminator()->getOperand(i));
  }
  void markValue(Value v) {
    if (auto result = dyn_cast<OpResult>(v)) {
      Operation *def = result.getOwner();
      if (!region.isAncestor(def->getParentRegion()))
        return;
      if (auto loop = dyn_cast<scf::ForOp>(def))
        return markCarried(loop, result.getResultNumber());
      if (auto branch = dyn_cast<scf::IfOp>(def)) {
        unsigned i = result.getResultNumber();
        markOp(branch);
        if (liveResults.insert({branch, i}).second) {
          markValue(branch.thenYield().getOperand(i));
          if (!branch.getElseRegion().empty())
            markValue(branch.elseYield().getOperand(i));
        }
        return;
      }
      return markOp(def);
    }
    auto arg = cast<BlockArgument>(v);
    Operation *owner = arg.getOwner()->getParentOp();
    if (!owner || !region.isAncestor(owner->getParentRegion()))
      return;
    if (auto loop = dyn_cast<scf::ForOp>(owner)) {
      if (arg == loop.getInductionVar())
        return markOp(loop);
      return markCarried(loop, arg.getArgNumber() - 1);
    }
    markOp(owner);
  }

  Region &region;
  llvm::SetVector<Operation *> live;
  SmallVector<Operation *> work;
  DenseSet<std::pair<Operation *, unsigned>> liveCarried, liveResults;
};

/// A value of `type` for a dead position that must still be filled in: a
/// loop's initial value or a branch's yielded one, which canonicalization
/// then folds away.
FailureOr<Value> standIn(OpBuilder &b, Location loc, Type type) {
  if (auto tile = dyn_cast<TileType>(type))
    return TileFillOp::create(b, loc, tile, b.getF32FloatAttr(0.0f))
        .getResult();
  if (isa<IndexType, IntegerType, FloatType>(type))
    return arith::ConstantOp::create(b, loc, type,
                                     cast<TypedAttr>(b.getZeroAttr(type)))
        .getResult();
  return failure();
}

/// Reduces the producer's copy to the fills and what they need.
LogicalResult pruneProducer(Region &region) {
  FillLiveness liveness(region);
  if (failed(liveness.run()))
    return failure();
  // Dead carried values pass through their loop, dead branch results take
  // a stand-in, so that no live op uses a dead one.
  WalkResult filled = region.walk([&](Operation *op) -> WalkResult {
    if (!liveness.isLive(op))
      return WalkResult::advance();
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      Operation *yield = loop.getBody()->getTerminator();
      for (unsigned i = 0; i < loop.getNumResults(); ++i) {
        if (liveness.isLiveCarried(loop, i))
          continue;
        yield->setOperand(i, loop.getRegionIterArgs()[i]);
        OpBuilder b(loop);
        FailureOr<Value> init =
            standIn(b, loop.getLoc(), loop.getInitArgs()[i].getType());
        if (failed(init))
          return loop.emitOpError("carries a value of type ")
                 << loop.getInitArgs()[i].getType()
                 << " the producer cannot drop";
        liveness.keep(init->getDefiningOp());
        loop.getInitArgsMutable()[i].assign(*init);
      }
    }
    if (auto branch = dyn_cast<scf::IfOp>(op)) {
      for (unsigned i = 0; i < branch.getNumResults(); ++i) {
        if (liveness.isLiveResult(branch, i))
          continue;
        for (Region &r : branch->getRegions()) {
          if (r.empty())
            continue;
          Operation *yield = r.front().getTerminator();
          OpBuilder b(yield);
          FailureOr<Value> v =
              standIn(b, branch.getLoc(), branch.getResult(i).getType());
          if (failed(v))
            return branch.emitOpError("has a result of type ")
                   << branch.getResult(i).getType()
                   << " the producer cannot drop";
          liveness.keep(v->getDefiningOp());
          yield->setOperand(i, *v);
        }
      }
    }
    return WalkResult::advance();
  });
  if (filled.wasInterrupted())
    return failure();
  // Erase the dead ops: the outermost of each dead subtree, in reverse
  // program order (users before definitions).
  SmallVector<Operation *> dead;
  region.walk<WalkOrder::PreOrder>([&](Operation *op) {
    if (liveness.isLive(op) || op->hasTrait<OpTrait::IsTerminator>())
      return WalkResult::advance();
    dead.push_back(op);
    return WalkResult::skip();
  });
  for (Operation *op : llvm::reverse(dead)) {
    if (!op->use_empty())
      return op->emitOpError("is dead in the producer's copy but still used");
    op->erase();
  }
  // The pass-through carried values, unused branch results and stand-ins
  // fold away.
  RewritePatternSet patterns(region.getContext());
  scf::ForOp::getCanonicalizationPatterns(patterns, region.getContext());
  scf::IfOp::getCanonicalizationPatterns(patterns, region.getContext());
  (void)applyPatternsGreedily(region, std::move(patterns));
  return success();
}

struct WarpSpecializePass
    : public mlir::sattn::impl::WarpSpecializeBase<WarpSpecializePass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      KernelConfigAttr config = getKernelConfig(fn);
      if (!config || !config.getProducer())
        continue;
      for (auto program : fn.getBody().getOps<ProgramOp>())
        if (failed(specialize(program, config)))
          return signalPassFailure();
    }
  }

  LogicalResult specialize(ProgramOp program, KernelConfigAttr config) {
    Block &body = program.getBody().front();
    auto alloc = dyn_cast<RingAllocOp>(&body.front());
    if (!alloc)
      return program.emitOpError("needs its ring allocated first "
                                 "(sattn-stage-kv) to get a producer");
    Location loc = program.getLoc();
    OpBuilder b(program.getContext());
    b.setInsertionPointAfter(alloc);
    int64_t consumers = program.getBlockMAttr().getInt() / 64;
    auto split = WarpSpecializeOp::create(
        b, loc, b.getI64IntegerAttr(consumers),
        b.getI64IntegerAttr(config.getConsumerRegisters()),
        b.getI64IntegerAttr(config.getProducerRegisters()));
    Block *consumer = b.createBlock(&split.getConsumers());
    Block *producer = b.createBlock(&split.getProducer());
    consumer->getOperations().splice(consumer->end(), body.getOperations(),
                                     std::next(split->getIterator()),
                                     body.end());
    // The producer's copy runs on its warpgroup's first thread alone, whose
    // lane id there is 0 (so the one-thread guards of the fills fold).
    OpBuilder pb = OpBuilder::atBlockBegin(producer);
    IRMapping copies;
    for (Operation &op : *consumer)
      pb.clone(op, copies);
    SmallVector<LaneIdOp> lanes;
    producer->walk([&](LaneIdOp lane) { lanes.push_back(lane); });
    for (LaneIdOp lane : lanes) {
      OpBuilder lb(lane);
      lane.replaceAllUsesWith(
          arith::ConstantIndexOp::create(lb, lane.getLoc(), 0).getResult());
      lane.erase();
    }
    SmallVector<Operation *> fills;
    consumer->walk([&](Operation *op) {
      if (isFill(op))
        fills.push_back(op);
    });
    for (Operation *fill : fills)
      fill->erase();
    return pruneProducer(split.getProducer());
  }
};

} // namespace
