//===- LowerMainloop.cpp - The conversion both mainloops share ------------===//
#include "Compiler/TileToGPU/Mainloop/Mainloop.h"

#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/TileToGPU/Producer/Ring.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"

using namespace mlir;
using namespace mlir::sattn;

/// Threads, shared memory, launch bound and grid of a lowered kernel: its
/// consumers' warps (two per 32 rows) plus a producer warpgroup, the ring's
/// bytes, the config's CTAs per SM where setmaxnreg needs a register cap,
/// and whether its program loops over instances (a persistent grid).
static LaunchAttr launchOf(ProgramOp program, KernelConfigAttr config) {
  int64_t threads = fragment::threadsFor(program.getBlockMAttr().getInt());
  int64_t smem = 0;
  program.walk([&](WarpSpecializeOp) { threads += fragment::kWarpgroup; });
  program.walk([&](RingAllocOp alloc) {
    smem = staging::sharedMemoryBytes(alloc.getRing().getType());
  });
  return LaunchAttr::get(program.getContext(), threads, smem,
                         config.getProducer() ? config.getMinCtasPerSm() : 0,
                         runsWorkLoop(program));
}

LogicalResult mainloop::lowerMainloop(
    ModuleOp module, MainloopKind mainloop,
    function_ref<void(TypeConverter &, RewritePatternSet &)> addProducts) {
  MLIRContext *ctx = module.getContext();
  for (auto fn : module.getOps<func::FuncOp>()) {
    KernelConfigAttr config = getKernelConfig(fn);
    if (!config || config.getMainloop() != mainloop)
      continue;
    for (auto program : fn.getBody().getOps<ProgramOp>()) {
      // The layout the conversion reads is in the IR; a tile without it
      // would otherwise surface as an op that failed to legalize.
      WalkResult unassigned = program.walk([](Operation *op) {
        for (Value v : op->getResults()) {
          auto t = dyn_cast<TileType>(v.getType());
          if (!t || t.getLayout() == TileLayout::m16n8k16)
            continue;
          op->emitOpError("has a tile result not in the m16n8k16 layout "
                          "(sattn-assign-tile-layouts gives tensor-core "
                          "kernels theirs): ")
              << t;
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (unassigned.wasInterrupted())
        return failure();
      TypeConverter converter;
      fragment::addFragmentConversion(converter);
      RewritePatternSet patterns(ctx);
      ConversionTarget target(*ctx);
      fragment::populateFragmentPatterns(converter, patterns);
      addProducts(converter, patterns);
      scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                           target);
      target.addLegalDialect<arith::ArithDialect, vector::VectorDialect,
                             math::MathDialect, memref::MemRefDialect,
                             gpu::GPUDialect, nvgpu::NVGPUDialect,
                             NVVM::NVVMDialect, LLVM::LLVMDialect>();
      target.addLegalOp<ProgramOp, WorkLoopOp, LaneIdOp, WarpSpecializeOp,
                        NamedBarrierSyncOp, NamedBarrierArriveOp>();
      target.addLegalOp<RingAllocOp, RingCopyOp, RingCommitOp, RingWaitCopiesOp,
                        RingAcquireOp, RingLoadOp, RingWaitOp, RingReleaseOp,
                        RingBufferOp, RingSlotOffsetOp, RingBaseAddressOp,
                        RingStageQueryOp, RingQueryOffsetOp>();
      target.addIllegalOp<TileFillOp, TileLoadOp, TileStoreOp, TileQKOp,
                          TileScoreModOp, TileAlibiOp, TileMaskOp,
                          TileSoftmaxStepOp, TileScaleRowsOp, TilePVOp,
                          TileNormalizeOp, TileAddOp, TileSubOp, TileTruncFOp,
                          TileMmaQKOp, TileMmaPVOp, TileMmaWaitOp>();
      if (failed(applyPartialConversion(program, target, std::move(patterns))))
        return failure();
      fn->setAttr(attrs::kLaunch, launchOf(program, config));
    }
  }
  return success();
}
