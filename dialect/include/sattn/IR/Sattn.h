//===- Sattn.h - The sattn dialect -------------------------------*- C++ -*-===//
#ifndef SATTN_IR_SATTN_H
#define SATTN_IR_SATTN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sattn/KernelRole.h"

namespace mlir {
class AsmParser;
namespace sattn {
/// `true` or `false` (the dialect's boolean attribute parameters).
FailureOr<bool> parseBoolKeyword(AsmParser &parser);
/// A kernel role by its manifest spelling (KernelRole.h).
FailureOr<::sattn::KernelRole> parseKernelRoleKeyword(AsmParser &parser);
} // namespace sattn
} // namespace mlir

#include "sattn/IR/SattnDialect.h.inc"

namespace mlir::sattn {
/// The K/V stages in a program's shared memory (sattn.ring.*): an effect
/// resource of its own, apart from the kernel's global buffers.
struct SharedStagesResource
    : public SideEffects::Resource::Base<SharedStagesResource> {
  StringRef getName() final { return "SharedStages"; }
};
} // namespace mlir::sattn
#include "sattn/IR/SattnEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "sattn/IR/SattnTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sattn/IR/SattnAttrs.h.inc"

#define GET_OP_CLASSES
#include "sattn/IR/SattnOps.h.inc"

#define GET_OP_CLASSES
#include "sattn/IR/SattnTileOps.h.inc"

#define GET_OP_CLASSES
#include "sattn/IR/SattnGpuOps.h.inc"

namespace mlir::sattn {

/// The names of the kernel-contract attributes (SattnAttrs.td) as they
/// appear on operations; the dialect verifies each by name.
namespace attrs {
/// #sattn.kernel on a kernel function (func.func, gpu.func, llvm.func).
inline constexpr ::llvm::StringLiteral kKernel = "sattn.kernel";
/// #sattn.launch on a kernel function, set by its tile lowering.
inline constexpr ::llvm::StringLiteral kLaunch = "sattn.launch";
/// #sattn.kernel_config on a kernel function, set by the GPU policy.
inline constexpr ::llvm::StringLiteral kConfig = "sattn.config";
/// A unit attribute on a key loop (scf.for) that sattn-pipeline-key-loops
/// rotated: tile i's Q.K^T beside tile i-1's P.V (the staging reads it).
inline constexpr ::llvm::StringLiteral kPipelinedLoop = "sattn.pipelined_loop";
} // namespace attrs

/// The #sattn.kernel of `op`, or null when it has none.
inline KernelAttr getKernelAttr(Operation *op) {
  return op->getAttrOfType<KernelAttr>(attrs::kKernel);
}
/// The #sattn.kernel_config of `op`, or null when it has none.
inline KernelConfigAttr getKernelConfig(Operation *op) {
  return op->getAttrOfType<KernelConfigAttr>(attrs::kConfig);
}
/// The #sattn.launch of `op`, or null when it has none.
inline LaunchAttr getLaunchAttr(Operation *op) {
  return op->getAttrOfType<LaunchAttr>(attrs::kLaunch);
}
/// Whether `op` holds a sattn.work_loop: its kernel is launched on a
/// persistent grid (#sattn.launch's `persistent`).
inline bool runsWorkLoop(Operation *op) {
  return op->walk([](WorkLoopOp) { return WalkResult::interrupt(); })
      .wasInterrupted();
}

} // namespace mlir::sattn

#endif // SATTN_IR_SATTN_H
