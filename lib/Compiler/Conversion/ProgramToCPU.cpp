//===- ProgramToCPU.cpp - SIMT kernels -> loop nests ----------------------===//
//
// On the CPU a program instance is a loop iteration and its lanes are the
// innermost loop: legal because the SIMT form has no communication between
// lanes. Kernel functions keep their parameter order (the manifest's ABI),
// with buffers as pointers as on the GPU (KernelBoundary.h).
//
//===----------------------------------------------------------------------===//
#include "Compiler/Conversion/KernelBoundary.h"
#include "Compiler/Transforms/IndexMath.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/IR/Builders.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_PROGRAMTOCPU
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

void expandProgramOnCPU(ProgramOp program) {
  OpBuilder b(program);
  Location loc = program.getLoc();
  IndexMath m{b, loc};
  Value zero = m.c(0), one = m.c(1);
  Block &body = program.getBody().front();
  auto outer = scf::ForOp::create(b, loc, zero, program.getGridY(), one);
  b.setInsertionPointToStart(outer.getBody());
  auto middle = scf::ForOp::create(b, loc, zero, program.getGridX(), one);
  b.setInsertionPointToStart(middle.getBody());
  auto inner = scf::ForOp::create(b, loc, zero, m.c(program.getBlockMAttr().getInt()), one);

  body.getArgument(0).replaceAllUsesWith(middle.getInductionVar());
  body.getArgument(1).replaceAllUsesWith(outer.getInductionVar());
  body.walk([&](LaneIdOp lane) {
    lane.replaceAllUsesWith(inner.getInductionVar());
    lane.erase();
  });
  Block *innerBody = inner.getBody();
  innerBody->getOperations().splice(Block::iterator(innerBody->getTerminator()),
                                    body.getOperations());
  program.erase();
}

struct ProgramToCPUPass : public mlir::sattn::impl::ProgramToCPUBase<ProgramToCPUPass> {
  void runOnOperation() override {
    WalkResult persistent = getOperation().walk([](WorkLoopOp loop) {
      loop.emitOpError("is lowered for GPUs only (a persistent grid); the "
                       "CPU backend runs every program instance as a loop "
                       "iteration");
      return WalkResult::interrupt();
    });
    if (persistent.wasInterrupted())
      return signalPassFailure();
    SmallVector<ProgramOp> programs;
    getOperation().walk([&](ProgramOp p) { programs.push_back(p); });
    for (ProgramOp p : programs)
      expandProgramOnCPU(p);
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (!getKernelAttr(fn) || fn.isExternal())
        continue;
      convertBufferArgsToPointers(fn.getBody().front());
      fn.setType(FunctionType::get(&getContext(),
                                   pointerParams(fn.getArgumentTypes()), {}));
    }
  }
};

} // namespace
