//===- ChooseKernelConfig.cpp - The GPU policy as a pass ------------------===//
//
// Attaches the policy's decisions (KernelPolicy.h) to every kernel as
// #sattn.kernel_config, so that the passes after it carry them out and
// --mlir-print-ir-after shows them. Options the caller asked for that a
// kernel cannot have are reported as warnings, not dropped in silence.
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Policy/KernelPolicy.h"
#include "sattn/Transforms/Passes.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_CHOOSEKERNELCONFIG
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

KernelConfigAttr toAttr(MLIRContext *ctx, const policy::KernelConfig &c) {
  return KernelConfigAttr::get(
      ctx, c.mainloop, c.staging, c.keyStages, c.valueStages, c.producer,
      c.producerRegisters, c.consumerRegisters, c.minCtasPerSm, c.pipeline,
      c.pingPong, c.stageQuery, c.persistent, c.workOrder, c.conditionalRescale,
      c.note.empty() ? StringAttr() : StringAttr::get(ctx, c.note));
}

struct ChooseKernelConfigPass
    : public mlir::sattn::impl::ChooseKernelConfigBase<ChooseKernelConfigPass> {
  using Base::Base;

  void runOnOperation() override {
    std::optional<policy::Target> target = policy::targetOf(chip);
    if (!target) {
      getOperation().emitError("sattn-choose-kernel-config: unknown chip '")
          << chip << "' (host, sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)";
      return signalPassFailure();
    }
    policy::ScheduleRequest request{producer,   pingPong,   pipeline,
                                    stageQuery, persistent, conditionalRescale};
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      if (!getKernelAttr(fn) || fn.isExternal())
        continue;
      auto programs = fn.getBody().getOps<ProgramOp>();
      if (!llvm::hasSingleElement(programs)) {
        fn.emitOpError("a kernel needs exactly one sattn.program for "
                       "sattn-choose-kernel-config");
        return signalPassFailure();
      }
      KernelFacts facts = analyzeKernel(fn, *programs.begin());
      policy::KernelConfig config =
          policy::chooseKernelConfig(*target, facts, request);
      for (const std::string &what : config.dropped)
        fn.emitWarning("option not applied to this kernel: ") << what;
      fn->setAttr(attrs::kConfig, toAttr(&getContext(), config));
    }
  }
};

} // namespace
