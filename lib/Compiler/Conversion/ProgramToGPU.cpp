//===- ProgramToGPU.cpp - SIMT kernels -> gpu.func kernels ----------------===//
//
// Each kernel function becomes a `gpu.func` in one `gpu.module`: the program
// grid maps to block ids (x: query tiles, y: batch*head) and lanes to
// threads: `sattn.threads` per block when the tile lowering set it
// (tensor-core form), block_m otherwise (SIMT form). Arguments keep their order, which is
// the manifest's ABI; with the bare-pointer convention each flat buffer is
// one pointer parameter.
//
// Buffers enter as !llvm.ptr (KernelBoundary.h says why).
//
//===----------------------------------------------------------------------===//
#include "Compiler/Conversion/KernelBoundary.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"


namespace mlir::sattn {
#define GEN_PASS_DEF_PROGRAMTOGPU
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

/// Threads per block: `sattn.threads` (tensor-core form) or `sattn.block_m`
/// (SIMT form); nullopt when missing or outside [1, 1024].
std::optional<int32_t> threadsPerBlock(func::FuncOp fn) {
  auto attr = fn->getAttrOfType<IntegerAttr>("sattn.threads");
  if (!attr)
    attr = fn->getAttrOfType<IntegerAttr>("sattn.block_m");
  if (!attr || attr.getInt() <= 0 || attr.getInt() > 1024)
    return std::nullopt;
  return static_cast<int32_t>(attr.getInt());
}

/// Lists the tensor-map arguments (`sattn.tensor_map`, set by the TMA
/// staging) in `sattn.tensor_map_args`: convert-gpu-to-nvvm drops argument
/// attributes, so sattn-tensor-map-params marks them after it.
void recordTensorMapArgs(func::FuncOp fn, gpu::GPUFuncOp kernel) {
  SmallVector<int64_t> indices;
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    if (fn.getArgAttr(i, "sattn.tensor_map"))
      indices.push_back(i);
  if (!indices.empty())
    kernel->setAttr("sattn.tensor_map_args",
                    DenseI64ArrayAttr::get(fn.getContext(), indices));
}

/// Replaces `program` by its body run once per thread block.
void expandProgramOnGPU(ProgramOp program) {
  OpBuilder b(program);
  Location loc = program.getLoc();
  Block &body = program.getBody().front();
  Value x = gpu::BlockIdOp::create(b, loc, gpu::Dimension::x);
  Value y = gpu::BlockIdOp::create(b, loc, gpu::Dimension::y);
  body.getArgument(0).replaceAllUsesWith(x);
  body.getArgument(1).replaceAllUsesWith(y);
  body.walk([&](LaneIdOp lane) {
    OpBuilder lb(lane);
    lane.replaceAllUsesWith(
        gpu::ThreadIdOp::create(lb, lane.getLoc(), gpu::Dimension::x)
            .getResult());
    lane.erase();
  });
  program->getBlock()->getOperations().splice(Block::iterator(program),
                                              body.getOperations());
  program.erase();
}

/// math.exp2 -> the llvm.exp2 intrinsic, which NVPTX selects to one
/// ex2.approx.f32 per element; convert-gpu-to-nvvm would otherwise route it
/// to libdevice's __nv_exp2f.
void useHardwareExp2(gpu::GPUFuncOp kernel) {
  kernel.walk([](math::Exp2Op op) {
    OpBuilder b(op);
    auto call = LLVM::CallIntrinsicOp::create(
        b, op.getLoc(), op.getType(), b.getStringAttr("llvm.exp2"),
        ValueRange{op.getOperand()});
    op.replaceAllUsesWith(call.getResults());
    op.erase();
  });
}

struct ProgramToGPUPass : public mlir::sattn::impl::ProgramToGPUBase<ProgramToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn->hasAttr("sattn.kernel_role"))
        kernels.push_back(fn);
    if (kernels.empty())
      return;
    // Check every kernel before changing anything.
    for (func::FuncOp fn : kernels) {
      if (!threadsPerBlock(fn)) {
        fn.emitOpError("kernel needs 'sattn.threads' or 'sattn.block_m' "
                       "(threads per block), an integer in [1, 1024]");
        return signalPassFailure();
      }
    }

    MLIRContext *ctx = &getContext();
    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto gpuModule =
        gpu::GPUModuleOp::create(b, module.getLoc(), "sattn_kernels");
    module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                    b.getUnitAttr());

    for (func::FuncOp fn : kernels) {
      Block *moduleBody = gpuModule.getBody();
      if (!moduleBody->empty() &&
          moduleBody->back().hasTrait<OpTrait::IsTerminator>())
        b.setInsertionPoint(&moduleBody->back());
      else
        b.setInsertionPointToEnd(moduleBody);
      auto kernel = gpu::GPUFuncOp::create(
          b, fn.getLoc(), fn.getSymName(),
          b.getFunctionType(pointerParams(fn.getArgumentTypes()), {}));
      kernel->setAttr(gpu::GPUDialect::getKernelFuncAttrName(),
                      b.getUnitAttr());
      for (NamedAttribute attr : fn->getAttrs())
        if (attr.getName().getValue().starts_with("sattn."))
          kernel->setAttr(attr.getName(), attr.getValue());
      recordTensorMapArgs(fn, kernel);
      int32_t threads = *threadsPerBlock(fn);
      kernel.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({threads, 1, 1}));
      kernel->setAttr(NVVM::NVVMDialect::getMaxntidAttrName(),
                      b.getDenseI32ArrayAttr({threads, 1, 1}));

      Block &src = fn.getBody().front();
      Block &dst = kernel.getBody().front();
      OpBuilder entry = OpBuilder::atBlockBegin(&dst);
      for (auto [from, to] :
           llvm::zip(src.getArguments(), dst.getArguments())) {
        Value replacement = to;
        if (auto memref = dyn_cast<MemRefType>(from.getType()))
          replacement = bufferFromPointer(entry, fn.getLoc(), to, memref);
        from.replaceAllUsesWith(replacement);
      }
      dst.getOperations().splice(dst.end(), src.getOperations());
      Operation *ret = dst.getTerminator();
      OpBuilder rb(ret);
      gpu::ReturnOp::create(rb, ret->getLoc());
      ret->erase();

      SmallVector<ProgramOp> programs;
      kernel.walk([&](ProgramOp p) { programs.push_back(p); });
      for (ProgramOp p : programs)
        expandProgramOnGPU(p);
      useHardwareExp2(kernel);
      fn.erase();
    }
  }
};

} // namespace
