//===- StageKV.cpp - K/V tiles through shared-memory stages ---------------===//
//
// sattn-stage-kv: for each kernel the policy gave tensor cores, one ring of
// shared-memory slots (!sattn.ring, shaped by #sattn.kernel_config), the
// schedule of its fills, waits and releases, and products that read the
// slots (sattn.tile.mma_qk / mma_pv) instead of global memory. The
// schedules are the staging kind's (CpAsync.cpp, Tma.cpp); key loops that
// sattn-pipeline-key-loops rotated get the pipelined TMA schedule. TMA
// kernels gain one tensor-map parameter per key / value buffer.
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Policy/KernelFacts.h"
#include "Compiler/TileToGPU/Producer/Ring.h"
#include "sattn/Transforms/Passes.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_STAGEKV
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::staging;

namespace {

/// The ring a program stages in, as its config says.
RingType ringTypeFor(KernelConfigAttr config, int64_t blockM, int64_t blockN,
                     int64_t headDim, Type element) {
  bool wgmma = config.getMainloop() == MainloopKind::wgmma;
  int64_t consumers = blockM / fragment::kRowsPerWarp / 4;
  bool released =
      config.getStaging() == StagingKind::tma &&
      (config.getProducer() || consumers > 1 || config.getPipeline());
  return RingType::get(
      config.getContext(), config.numStages(), blockN, headDim, element,
      wgmma ? SmemSwizzle::wgmma_128b : SmemSwizzle::xor_chunks,
      config.getStaging(), released ? std::max<int64_t>(consumers, 1) : 0,
      config.getStageQuery() ? blockM : 0);
}

/// With stage_query: the one Q tile every qk of `program` reads, copied
/// into the ring where it was loaded (sattn.ring.stage_q); the qks then
/// read the ring's copy (TileMmaQKOp without q).
LogicalResult stageQuery(ProgramOp program, Value ring) {
  Value q;
  WalkResult walk = program.walk([&](TileQKOp qk) {
    if (q && qk.getQ() != q)
      return WalkResult::interrupt();
    q = qk.getQ();
    return WalkResult::advance();
  });
  auto load = q ? q.getDefiningOp<TileLoadOp>() : TileLoadOp();
  if (walk.wasInterrupted() || !load || load.getRowDiv() != 1 ||
      !llvm::all_of(q.getUsers(),
                    [](Operation *u) { return isa<TileQKOp>(u); }))
    return program.emitOpError(
        "cannot stage Q (#sattn.kernel_config stage_query): its qks must "
        "all read one tile.load of whole rows (row_div 1) used by nothing "
        "else");
  OpBuilder b(load);
  RingStageQueryOp::create(b, load.getLoc(), ring, load.getBuffer(),
                           load.getBase(), load.getStart(), load.getStep(),
                           load.getCount());
  return success();
}

/// A tensor-map parameter for `buffer` (a kernel parameter), added to the
/// kernel unless another pair added it already.
Value tensorMapFor(func::FuncOp fn, Value buffer, int64_t blockN) {
  MLIRContext *ctx = fn.getContext();
  KernelAttr kernel = getKernelAttr(fn);
  StringRef tensor = kernel.argName(cast<BlockArgument>(buffer).getArgNumber());
  if (TensorMapAttr map = kernel.tensorMapOf(tensor))
    return fn.getArgument(map.getArg());
  unsigned index = fn.getNumArguments();
  if (failed(fn.insertArgument(index, LLVM::LLVMPointerType::get(ctx),
                               DictionaryAttr::get(ctx), fn.getLoc())))
    llvm_unreachable("appending an argument cannot fail");
  auto map = TensorMapAttr::get(ctx, index, StringAttr::get(ctx, tensor),
                                /*boxCols=*/64, /*boxRows=*/blockN);
  fn->setAttr(attrs::kKernel,
              kernel.withTensorMap((tensor + "_map").str(), map));
  return fn.getArgument(index);
}

struct StageKVPass : public mlir::sattn::impl::StageKVBase<StageKVPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      KernelConfigAttr config = getKernelConfig(fn);
      if (!config || config.getMainloop() == MainloopKind::simt)
        continue;
      for (auto program : fn.getBody().getOps<ProgramOp>())
        if (failed(stage(fn, program, config)))
          return signalPassFailure();
    }
  }

  LogicalResult stage(func::FuncOp fn, ProgramOp program,
                      KernelConfigAttr config) {
    SmallVector<scf::ForOp> pipelined;
    program.walk([&](scf::ForOp loop) {
      if (loop->hasAttr(attrs::kPipelinedLoop))
        pipelined.push_back(loop);
    });
    if (!pipelined.empty() && config.getStaging() != StagingKind::tma)
      return pipelined.front().emitOpError(
          "is pipelined, which needs TMA staging");
    // The rotated loops' products (tile i's qk beside tile i-1's pv) do not
    // pair up; the shapes are read off any product.
    TileQKOp someQk;
    program.walk([&](TileQKOp qk) {
      if (!someQk)
        someQk = qk;
    });
    if (!someQk)
      return program.emitOpError("has no qk to stage");
    auto q = cast<TileType>(someQk.getQ().getType());
    auto s = cast<TileType>(someQk.getType());
    StagingContext ctx;
    ctx.config = config;
    ctx.keyStages = config.getKeyStages();
    ctx.valueStages = config.getValueStages();
    ctx.headDim = q.getCols();
    RingType ringType =
        ringTypeFor(config, program.getBlockMAttr().getInt(), s.getCols(),
                    q.getCols(), q.getElementType());
    OpBuilder b = OpBuilder::atBlockBegin(&program.getBody().front());
    ctx.ring = RingAllocOp::create(b, program.getLoc(), ringType);
    ctx.stagedQuery = config.getStageQuery();
    Operation *queryLoad = someQk.getQ().getDefiningOp();
    if (ctx.stagedQuery && failed(stageQuery(program, ctx.ring)))
      return failure();

    if (config.getStaging() == StagingKind::tma) {
      // Every key tile is clipped by the same Sk (TMA zero-fills the rows
      // past it), read off each qk's count, and every buffer is a kernel
      // parameter that a tensor map can describe.
      std::string why;
      auto isParameter = [&](Value v) {
        auto arg = dyn_cast<BlockArgument>(v);
        return arg && arg.getOwner() == &fn.getBody().front();
      };
      auto mapBuffer = [&](Value buffer) {
        if (!isParameter(buffer))
          why = "a key or value buffer that is not a kernel parameter";
        else if (!ctx.tensorMaps.count(buffer))
          ctx.tensorMaps[buffer] = tensorMapFor(fn, buffer, s.getCols());
      };
      program.walk([&](TileQKOp qk) {
        Value seqK = sequenceClip(qk.getCount(), qk.getFirst(), s.getCols());
        if (!seqK || (ctx.seqK && ctx.seqK != seqK))
          why = "a key tile not clipped to the one sequence length Sk";
        ctx.seqK = seqK;
        mapBuffer(qk.getKeys());
      });
      program.walk([&](TilePVOp pv) { mapBuffer(pv.getValues()); });
      if (!why.empty())
        return program.emitOpError("cannot be staged with TMA: ") << why;
      for (scf::ForOp loop : pipelined)
        if (failed(stagePipelinedWithTma(ctx, loop)))
          return failure();
    }
    SmallVector<std::pair<TileQKOp, TilePVOp>> pairs;
    if (std::string why = pairProducts(program, pairs); !why.empty())
      return program.emitOpError("cannot be staged: ") << why;
    for (auto [qk, pv] : pairs) {
      if (config.getStaging() == StagingKind::tma)
        stageWithTma(ctx, qk, pv);
      else
        stageWithCpAsync(ctx, qk, pv);
    }
    // The Q tile now lives in the ring only.
    if (ctx.stagedQuery && queryLoad->use_empty())
      queryLoad->erase();
    return success();
  }
};

} // namespace
