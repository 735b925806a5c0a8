//===- ProgramToGPU.cpp - SIMT kernels -> gpu.func kernels ----------------===//
//
// Each kernel function becomes a `gpu.func` in one `gpu.module`: the program
// grid maps to block ids (x: query tiles, y: batch*head), or, in a
// persistent kernel, each work loop to a loop over instances from the block
// id by the grid size; lanes map to threads, as many per block as the tile
// lowering's #sattn.launch says. Arguments keep their order, which is
// the manifest's ABI; with the bare-pointer convention each flat buffer is
// one pointer parameter.
//
// Buffers enter as !llvm.ptr (KernelBoundary.h says why). The warp roles
// (sattn.warp_specialize) become one branch on the thread index, and named
// barriers bar.sync / bar.arrive.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Conversion/KernelBoundary.h"
#include "Compiler/Transforms/IndexMath.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"


namespace mlir::sattn {
#define GEN_PASS_DEF_PROGRAMTOGPU
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

/// The warp roles as one branch on the thread: the consumers raise their
/// register budget and run their region; the producer warpgroup lowers its
/// own, and its first thread runs the producer region. setmaxnreg needs each
/// role to be one branch of a single if/else (and a register cap at entry:
/// the kernel's launch bound).
void lowerWarpSpecialize(WarpSpecializeOp split) {
  OpBuilder b(split);
  Location loc = split.getLoc();
  int64_t consumerThreads = split.getConsumerWarpgroups() * 128;
  auto index = [&](OpBuilder &ob, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ob, loc, v);
  };
  Value consumerLanes = index(b, consumerThreads);
  Value isConsumer =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt,
                            LaneIdOp::create(b, loc), consumerLanes);
  auto branch = scf::IfOp::create(b, loc, TypeRange{}, isConsumer,
                                  /*withElseRegion=*/true);
  Block *consumer = branch.thenBlock(), *producer = branch.elseBlock();
  OpBuilder cb = OpBuilder::atBlockBegin(consumer);
  NVVM::SetMaxRegisterOp::create(cb, loc, split.getConsumerRegisters(),
                                 NVVM::SetMaxRegisterAction::increase);
  consumer->getOperations().splice(
      consumer->getTerminator()->getIterator(),
      split.getConsumers().front().getOperations());
  OpBuilder pb(producer->getTerminator());
  NVVM::SetMaxRegisterOp::create(pb, loc, split.getProducerRegisters(),
                                 NVVM::SetMaxRegisterAction::decrease);
  Value firstProducerLane = index(pb, consumerThreads);
  Value isFirst =
      arith::CmpIOp::create(pb, loc, arith::CmpIPredicate::eq,
                            LaneIdOp::create(pb, loc), firstProducerLane);
  auto elected = scf::IfOp::create(pb, loc, TypeRange{}, isFirst,
                                   /*withElseRegion=*/false);
  elected.thenBlock()->getOperations().splice(
      elected.thenBlock()->getTerminator()->getIterator(),
      split.getProducer().front().getOperations());
  split.erase();
}

/// bar.sync / bar.arrive on the named barrier's id (NamedBarrierKind's value
/// plus the index).
template <typename BarrierOp>
Value namedBarrierId(OpBuilder &b, BarrierOp op) {
  Location loc = op.getLoc();
  Value base = arith::ConstantIndexOp::create(
      b, loc, static_cast<int64_t>(op.getKind()));
  Value id = arith::AddIOp::create(b, loc, base, op.getIndex());
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), id);
}
void lowerNamedBarriers(Operation *root) {
  root->walk([](Operation *op) {
    OpBuilder b(op);
    Location loc = op->getLoc();
    auto threads = [&](int64_t n) -> Value {
      return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(n));
    };
    if (auto sync = dyn_cast<NamedBarrierSyncOp>(op)) {
      Value count = threads(sync.getThreads());
      Value id = namedBarrierId(b, sync);
      NVVM::BarrierOp::create(b, loc, Type(), id, count,
                              NVVM::BarrierReductionAttr(), Value());
      op->erase();
    } else if (auto arrive = dyn_cast<NamedBarrierArriveOp>(op)) {
      Value count = threads(arrive.getThreads());
      Value id = namedBarrierId(b, arrive);
      NVVM::BarrierArriveOp::create(b, loc, id, count);
      op->erase();
    }
  });
}

/// A persistent block's instances: t = blockIdx.x, + gridDim.x, ... below
/// grid_x * grid_y, each split into (x, y) in the loop's order. In 32 bits
/// (the runtime launches no more instances than that): the producer
/// warpgroup keeps the loop's values live beside its fills in a few dozen
/// registers, and a 64-bit division would be a call.
void lowerWorkLoop(WorkLoopOp loop, ProgramOp program) {
  OpBuilder b(loop);
  Location loc = loop.getLoc();
  IndexMath m{b, loc};
  Value gridX = m.toU32(program.getGridX()),
        gridY = m.toU32(program.getGridY());
  Value instances = arith::MulIOp::create(b, loc, gridX, gridY);
  Value first = m.toU32(gpu::BlockIdOp::create(b, loc, gpu::Dimension::x));
  Value blocks = m.toU32(gpu::GridDimOp::create(b, loc, gpu::Dimension::x));
  auto forOp = scf::ForOp::create(b, loc, first, instances, blocks,
                                  ValueRange{}, /*bodyBuilder=*/nullptr,
                                  /*unsignedCmp=*/true);
  b.setInsertionPointToStart(forOp.getBody());
  Value t = forOp.getInductionVar();
  bool headFastest = loop.getOrder() == WorkOrder::head_fastest;
  Value fastest = headFastest ? gridY : gridX;
  Value inner = m.fromU32(arith::RemUIOp::create(b, loc, t, fastest));
  Value outer = m.fromU32(arith::DivUIOp::create(b, loc, t, fastest));
  Block &body = loop.getBody().front();
  body.getArgument(0).replaceAllUsesWith(headFastest ? outer : inner);
  body.getArgument(1).replaceAllUsesWith(headFastest ? inner : outer);
  forOp.getBody()->getOperations().splice(
      Block::iterator(forOp.getBody()->getTerminator()), body.getOperations());
  loop.erase();
}

/// Replaces `program` by its body run once per thread block.
void expandProgramOnGPU(ProgramOp program) {
  SmallVector<WorkLoopOp> workLoops;
  program.walk([&](WorkLoopOp loop) { workLoops.push_back(loop); });
  for (WorkLoopOp loop : workLoops)
    lowerWorkLoop(loop, program);
  SmallVector<WarpSpecializeOp> splits;
  program.walk([&](WarpSpecializeOp split) { splits.push_back(split); });
  for (WarpSpecializeOp split : splits)
    lowerWarpSpecialize(split);
  lowerNamedBarriers(program);
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

/// math.exp2 -> NVVM's ex2.approx.ftz.f32: one MUFU.EX2 per element.
/// convert-gpu-to-nvvm would route math.exp2 to libdevice's __nv_exp2f, and
/// llvm.exp2 selects the non-ftz ex2.approx.f32, which ptxas expands to a
/// compare and two predicated multiplies around the MUFU to keep results
/// below 2^-126 subnormal: three extra instructions per score element in the
/// softmax, a quarter of a key loop's instructions. The exponents here are
/// of x - max <= 0, so flushing results under 2^-126 to zero changes no sum
/// beyond f32 rounding.
/// NVPTX cannot legalise the intrinsic on vectors, so vector operands are
/// taken element by element (the lowering's exp2 of a whole score tile).
void useHardwareExp2(gpu::GPUFuncOp kernel) {
  kernel.walk([](math::Exp2Op op) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    StringAttr ex2 = b.getStringAttr("llvm.nvvm.ex2.approx.ftz.f32");
    auto scalarEx2 = [&](Value x) -> Value {
      return LLVM::CallIntrinsicOp::create(b, loc, b.getF32Type(), ex2,
                                           ValueRange{x})
          .getResult(0);
    };
    Value result;
    if (auto vt = dyn_cast<VectorType>(op.getType())) {
      auto flat = VectorType::get({vt.getNumElements()}, vt.getElementType());
      Value in = op.getOperand();
      if (vt != flat)
        in = vector::ShapeCastOp::create(b, loc, flat, in);
      SmallVector<Value> elts;
      for (int64_t i = 0; i < vt.getNumElements(); ++i)
        elts.push_back(
            scalarEx2(vector::ExtractOp::create(b, loc, in, i).getResult()));
      result = vector::FromElementsOp::create(b, loc, flat, elts);
      if (vt != flat)
        result = vector::ShapeCastOp::create(b, loc, vt, result);
    } else {
      result = scalarEx2(op.getOperand());
    }
    op.replaceAllUsesWith(result);
    op.erase();
  });
}

struct ProgramToGPUPass : public mlir::sattn::impl::ProgramToGPUBase<ProgramToGPUPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (getKernelAttr(fn))
        kernels.push_back(fn);
    if (kernels.empty())
      return;
    // Check every kernel before changing anything.
    for (func::FuncOp fn : kernels) {
      if (!getLaunchAttr(fn)) {
        fn.emitOpError("kernel has no #sattn.launch (threads per block); "
                       "run a tile lowering first");
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
      LaunchAttr launch = getLaunchAttr(fn);
      auto threads = static_cast<int32_t>(launch.getThreads());
      kernel.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({threads, 1, 1}));
      kernel->setAttr(NVVM::NVVMDialect::getMaxntidAttrName(),
                      b.getDenseI32ArrayAttr({threads, 1, 1}));
      // Set with a producer warpgroup: with maxntid, the register cap at
      // entry that setmaxnreg moves registers within.
      if (launch.getMinCtasPerSm() > 0)
        kernel->setAttr(NVVM::NVVMDialect::getMinctasmAttrName(),
                        b.getI32IntegerAttr(launch.getMinCtasPerSm()));

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
