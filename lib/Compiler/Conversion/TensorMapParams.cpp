//===- TensorMapParams.cpp - TMA tensor maps as by-value kernel params ----===//
//
// A CUtensorMap is 128 bytes that cp.async.bulk.tensor reads by address.
// Passed by value as a __grid_constant__ parameter (as CUTLASS does), it
// needs no copy to device memory and no tensormap fence: the launch carries
// it. convert-gpu-to-nvvm does not keep argument attributes, so the
// arguments are found through the kernel's #sattn.kernel, which it keeps.
//
//===----------------------------------------------------------------------===//
#include "sattn/IR/Sattn.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_TENSORMAPPARAMS
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

constexpr int64_t kTensorMapBytes = 128;
constexpr int64_t kTensorMapAlign = 64;

struct TensorMapParamsPass
    : public mlir::sattn::impl::TensorMapParamsBase<TensorMapParamsPass> {
  void runOnOperation() override {
    LLVM::LLVMFuncOp fn = getOperation();
    KernelAttr kernel = getKernelAttr(fn);
    if (!kernel || kernel.getTensorMaps().empty())
      return;
    if (!fn->hasAttr(NVVM::NVVMDialect::getKernelFuncAttrName())) {
      fn.emitOpError("has tensor-map arguments but is not an NVVM kernel");
      return signalPassFailure();
    }
    MLIRContext *ctx = &getContext();
    Builder b(ctx);
    auto storage =
        LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8), kTensorMapBytes);
    for (auto map : kernel.getTensorMaps().getAsRange<TensorMapAttr>()) {
      int64_t i = map.getArg();
      if (i < 0 || i >= int64_t(fn.getNumArguments()) ||
          !isa<LLVM::LLVMPointerType>(fn.getArgumentTypes()[i])) {
        fn.emitOpError("tensor-map argument ")
            << i << " is not a pointer argument of the kernel";
        return signalPassFailure();
      }
      fn.setArgAttr(i, LLVM::LLVMDialect::getByValAttrName(),
                    TypeAttr::get(storage));
      fn.setArgAttr(i, LLVM::LLVMDialect::getAlignAttrName(),
                    b.getI64IntegerAttr(kTensorMapAlign));
      fn.setArgAttr(i, NVVM::NVVMDialect::getGridConstantAttrName(),
                    b.getUnitAttr());
    }
  }
};

} // namespace
