//===- PingPong.cpp - Two consumer warpgroups take turns ------------------===//
//
// sattn-ping-pong, for kernels whose #sattn.kernel_config asks for it (two
// consumer warpgroups): warpgroup w's turn at the tensor cores is named
// barrier warp_scheduler[w] (NamedBarrierKind). A warpgroup waits for its
// turn (bar.sync on its own barrier, which the other's bar.arrive
// completes), issues its products and hands the turn over before waiting
// for them, so the products alternate and each warpgroup's softmax runs
// while the other's products do:
//
//   named_barrier.sync warp_scheduler[w]
//   %s = mma_qk ... {async}            (more products may follow, e.g. a
//   ...                                 pipelined loop's P.V)
//   named_barrier.arrive warp_scheduler[1 - w]
//   %r = mma_wait %s pending = 0
//
// Warpgroup 0 takes the first turn (warpgroup 1 hands it over at the
// start); at the end warpgroup 0 consumes the turn warpgroup 1 handed over
// after its last product, so that no named barrier is left half-arrived.
// Every product is executed by both warpgroups (a program's control flow
// is uniform), so the turns pair up.
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/TileToGPU/Producer/Ring.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_PINGPONG
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

constexpr int64_t kPingPongThreads = 2 * fragment::kWarpgroup;

bool isProduct(Operation *op) { return isa<TileMmaQKOp, TileMmaPVOp>(op); }

Value warpgroupIndex(OpBuilder &b, Location loc) {
  IndexMath m{b, loc};
  Value lanes = m.c(fragment::kWarpgroup);
  Value lane = LaneIdOp::create(b, loc);
  return m.div(lane, lanes);
}

void sync(OpBuilder &b, Location loc, Value index) {
  NamedBarrierSyncOp::create(b, loc, NamedBarrierKind::warp_scheduler, index,
                             kPingPongThreads);
}
void arrive(OpBuilder &b, Location loc, Value index) {
  NamedBarrierArriveOp::create(b, loc, NamedBarrierKind::warp_scheduler, index,
                               kPingPongThreads);
}

bool isAsync(Operation *op) {
  if (auto qk = dyn_cast<TileMmaQKOp>(op))
    return qk.getAsync();
  return cast<TileMmaPVOp>(op).getAsync();
}

/// Makes a synchronous product asynchronous, waited for right after it;
/// returns the wait.
TileMmaWaitOp makeAsync(Operation *product) {
  OpBuilder b(product->getContext());
  b.setInsertionPointAfter(product);
  Value result = product->getResult(0);
  auto wait =
      TileMmaWaitOp::create(b, product->getLoc(), result.getType(), result, 0);
  result.replaceAllUsesExcept(wait.getResult(), wait);
  if (auto qk = dyn_cast<TileMmaQKOp>(product))
    qk.setAsync(true);
  else
    cast<TileMmaPVOp>(product).setAsync(true);
  return wait;
}

/// Wraps each run of products of `block` in a turn: it starts before a
/// product and ends before the first wait for a product after it.
void takeTurns(Block &block) {
  SmallVector<Operation *> ops;
  for (Operation &op : block)
    ops.push_back(&op);
  bool open = false;
  auto handOver = [&](Operation *before) {
    OpBuilder b(before);
    IndexMath m{b, before->getLoc()};
    arrive(b, before->getLoc(),
           m.sub(m.c(1), warpgroupIndex(b, before->getLoc())));
    open = false;
  };
  for (Operation *op : ops) {
    for (Region &r : op->getRegions())
      for (Block &nested : r)
        takeTurns(nested);
    if (isProduct(op)) {
      if (!open) {
        OpBuilder b(op);
        sync(b, op->getLoc(), warpgroupIndex(b, op->getLoc()));
        open = true;
      }
      if (!isAsync(op))
        handOver(makeAsync(op));
    } else if (isa<TileMmaWaitOp>(op) && open) {
      handOver(op);
    }
  }
}

/// The first turn to warpgroup 0, and the last hand-over consumed.
void openAndCloseTurns(Block &body, Location loc) {
  auto onWarpgroup = [&](OpBuilder &b, int64_t wg,
                         function_ref<void(OpBuilder &)> then) {
    IndexMath m{b, loc};
    Value which = m.c(wg);
    Value is = m.cmp(arith::CmpIPredicate::eq, warpgroupIndex(b, loc), which);
    staging::ifThen(b, loc, is, [&](OpBuilder &tb, Location) { then(tb); });
  };
  OpBuilder start = OpBuilder::atBlockBegin(&body);
  if (!body.empty() && isa<RingAllocOp>(body.front()))
    start.setInsertionPointAfter(&body.front());
  onWarpgroup(start, 1, [&](OpBuilder &tb) {
    arrive(tb, loc, IndexMath{tb, loc}.c(0));
  });
  OpBuilder end = OpBuilder::atBlockEnd(&body);
  onWarpgroup(end, 0, [&](OpBuilder &tb) {
    sync(tb, loc, IndexMath{tb, loc}.c(0));
  });
}

struct PingPongPass : public mlir::sattn::impl::PingPongBase<PingPongPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      KernelConfigAttr config = getKernelConfig(fn);
      if (!config || !config.getPingPong())
        continue;
      for (auto program : fn.getBody().getOps<ProgramOp>()) {
        if (program.getBlockMAttr().getInt() != 128) {
          program.emitOpError("ping-pong needs two consumer warpgroups "
                              "(block_m 128)");
          return signalPassFailure();
        }
        // The consumers' code: the warp_specialize's region, or the body.
        Block *consumers = &program.getBody().front();
        program.walk([&](WarpSpecializeOp split) {
          consumers = &split.getConsumers().front();
        });
        takeTurns(*consumers);
        openAndCloseTurns(*consumers, program.getLoc());
      }
    }
  }
};

} // namespace
