//===- PersistentGrid.cpp - Program instances in a loop per block ---------===//
//
// sattn-persistent-grid: a program whose #sattn.kernel_config asks for a
// persistent grid keeps its setup (the ring's allocation: shared memory
// and mbarriers) once per thread block and runs the rest in a
// `sattn.work_loop` over the instances the block takes:
//
//   sattn.program grid(%gx, %gy) {
//   ^bb0(%x, %y):
//     %ring = sattn.ring.alloc
//     sattn.warp_specialize consumers(...) {
//       sattn.work_loop order = query_tile_fastest {
//       ^bb0(%x1, %y1):   the consumers' code, on instance (%x1, %y1)
//       }
//     } producer {
//       sattn.work_loop order = query_tile_fastest {
//       ^bb0(%x2, %y2):   the producer's fills, on the same instances
//       }
//     }
//   }
//
// Both roles walk the same instances in the same order and the ring's
// slots are used in the same sequence within each, so the mbarrier phases
// carry over and the producer runs ahead into the next instance as far as
// the released slots allow: its loads overlap the consumers' last products
// and epilogue (the point of the persistent grid on a GPU whose thread
// blocks take a whole SM each).
//
//===----------------------------------------------------------------------===//
#include "sattn/IR/Sattn.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_PERSISTENTGRID
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

/// Moves the ops of `block` from `first` to its end into a new work loop,
/// whose (x, y) replace the program's there.
void wrapInWorkLoop(Block &block, Block::iterator first, ProgramOp program,
                    WorkOrder order) {
  OpBuilder b(program.getContext());
  b.setInsertionPoint(&block, first);
  auto loop = WorkLoopOp::create(b, program.getLoc(), order);
  Block *body = b.createBlock(&loop.getBody());
  Location loc = program.getLoc();
  Value x = body->addArgument(b.getIndexType(), loc);
  Value y = body->addArgument(b.getIndexType(), loc);
  body->getOperations().splice(body->end(), block.getOperations(),
                               std::next(loop->getIterator()), block.end());
  Block &programBody = program.getBody().front();
  auto inLoop = [&](OpOperand &use) {
    return loop->isProperAncestor(use.getOwner());
  };
  programBody.getArgument(0).replaceUsesWithIf(x, inLoop);
  programBody.getArgument(1).replaceUsesWithIf(y, inLoop);
}

LogicalResult makePersistent(ProgramOp program, WorkOrder order) {
  Block &body = program.getBody().front();
  Block::iterator first = body.begin();
  if (first != body.end() && isa<RingAllocOp>(*first))
    ++first;
  auto split = first != body.end() ? dyn_cast<WarpSpecializeOp>(*first)
                                   : WarpSpecializeOp();
  if (split && std::next(first) != body.end())
    return split.emitOpError(
        "must end the program for sattn-persistent-grid to loop over it");
  // Only the ring's allocation (which reads no instance) stays outside.
  if (first == body.end())
    return success();
  if (split) {
    for (Region *region : {&split.getConsumers(), &split.getProducer()}) {
      Block &roleBody = region->front();
      wrapInWorkLoop(roleBody, roleBody.begin(), program, order);
    }
  } else {
    wrapInWorkLoop(body, first, program, order);
  }
  return success();
}

struct PersistentGridPass
    : public mlir::sattn::impl::PersistentGridBase<PersistentGridPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      KernelConfigAttr config = getKernelConfig(fn);
      if (!config || !config.getPersistent())
        continue;
      for (auto program : fn.getBody().getOps<ProgramOp>())
        if (failed(makePersistent(program, config.getWorkOrder())))
          return signalPassFailure();
    }
  }
};

} // namespace
