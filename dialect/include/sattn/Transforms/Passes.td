//===- Passes.td - sattn passes -----------------------------*- tablegen -*-===//
#ifndef SATTN_PASSES_TD
#define SATTN_PASSES_TD

include "mlir/Pass/PassBase.td"

def ClassifyTiles : Pass<"sattn-classify-tiles", "::mlir::ModuleOp"> {
  let summary = "Classify query-tile x key-tile blocks as empty, full or partial";
  let description = [{
    Normalises each `sattn.attention` mask into a union of convex regions
    (#sattn.region: a diagonal band and a column range) and attaches
    `tile_plan`, from which empty/full/partial follows in closed form for
    any sequence lengths (see #sattn.tile_plan). Never enumerates S x S.
    Block sizes are chosen per head_dim unless given.
  }];
  let options = [
    Option<"blockM", "block-m", "int64_t", "0",
           "Query rows per tile (0: choose per head_dim)">,
    Option<"blockN", "block-n", "int64_t", "0",
           "Keys per tile (0: choose per head_dim)">,
    Option<"tensorCores", "tensor-cores", "std::string", "\"\"",
           "Choose the sizes for sattn-lower-tiles-mma: 'mma' (mma.sync), "
           "'wgmma' (sm_90a); empty for the SIMT lowering">,
  ];
  let dependentDialects = ["::mlir::sattn::SattnDialect"];
}

def TileFlash : Pass<"sattn-tile-flash", "::mlir::ModuleOp"> {
  let summary = "Tile classified attention into flash kernels with online softmax";
  let description = [{
    Replaces each function holding a classified `sattn.attention` by kernel
    functions (flat buffers + int sizes) whose body is a `sattn.program` of
    tile ops: the key loop visits only non-empty key tiles and applies the
    element mask only on partial ones. The delta correction becomes two
    kernels: `<f>_delta_anchor` (packed anchor rows: dense minus sparse, f32,
    plus the dense tail rows) and `<f>_delta_main` (sparse rows plus their
    anchor's delta in the epilogue).

    With `split-full-tiles`, each key loop is split in three: the tiles
    before those its region allows entirely, those (no mask, no branch:
    the form sattn-lower-tiles-mma{pipeline=1} rotates), and the tiles
    after. Off by default: on sm_90a the new loop boundaries break the
    K/V prefetch chain (measured in bench/RESULTS.md).
  }];
  let options = [
    Option<"splitFullTiles", "split-full-tiles", "bool", "false",
           "Give each key loop's full tiles a loop of their own, without "
           "the mask">,
  ];
  let dependentDialects = ["::mlir::sattn::SattnDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def LowerTilesToSIMT : Pass<"sattn-lower-tiles-simt", "::mlir::ModuleOp"> {
  let summary = "Lower tile ops to one query row per lane (vector code)";
  let description = [{
    The portable lowering: each lane (GPU thread / CPU loop iteration) owns
    one query row; a tile<R x C> becomes a vector<C> per lane (a scalar when
    C == 1). Lanes never communicate, so the result runs on any target.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect"];
}

def PipelineKeyLoops : Pass<"sattn-pipeline-key-loops", "::mlir::ModuleOp"> {
  let summary = "Rotate key loops so that Q.K^T of tile i runs beside P.V of tile i-1";
  let description = [{
    FlashAttention-3's intra-warpgroup pipelining on the tiled form: a key
    loop `for i: S = qk(i); ...softmax -> P; O = pv(P, i, O * alpha)`
    becomes a prologue (tile lb up to its P), a loop over the other tiles
    whose body runs qk(i) and then pv(P[i-1], i-1) before the softmax of
    tile i, and an epilogue pv of the last tile, all under `scf.if lb < ub`.
    P crosses the back edge rounded to the values' element type
    (`sattn.tile.truncf`). sattn-lower-tiles-mma{pipeline=1} applies the
    same rotation to sm_90a programs and issues both products of an
    iteration before waiting for either; this pass exposes it on its own so
    that the CPU backend can check the rotated form's numerics. Loops it
    cannot rotate (a pv that is not the last use of the accumulator, a body
    that writes memory, tile bounds not given by the induction variable)
    are left alone.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowerTilesToMMA : Pass<"sattn-lower-tiles-mma", "::mlir::ModuleOp"> {
  let summary = "Lower tile ops to warp-level tensor-core code (mma.sync, sm_80+)";
  let description = [{
    The GPU lowering: block_m / 16 warps per program instance, each owning
    16 query rows held in the m16n8k16 accumulator layout. Q.K^T and P.V
    are mma.sync with P reused from registers; K and V tiles are staged in
    swizzled shared memory with cp.async and read with ldmatrix; row
    statistics reduce across the four lanes of a quad with shuffles.
    Sets `sattn.threads` and `sattn.shared_memory_bytes` on the kernel.
    Programs it cannot lower (f32 inputs, shapes off the mma grid) are
    marked `sattn.mma_skipped` with the reason and left for
    sattn-lower-tiles-simt.

    With `wgmma` (sm_90a), programs of 64 rows (one warpgroup) compute
    Q.K^T and P.V with wgmma.mma_async m64nNk16 instead: A from registers
    (the same fragment), B from shared memory through descriptors, K and V
    staged in the 128-byte-swizzle layout.

    With `tma` as well, those programs fill the K and V stages with TMA
    (cp.async.bulk.tensor, one 64-column box per copy) completing on one
    mbarrier per stage, issued by thread 0; the kernel gains one
    tensor-map argument per key / value buffer (`!llvm.ptr` marked
    `sattn.tensor_map = {tensor, box}`, passed by value). Programs whose
    key tiles are not clipped to the sequence (count = min(Sk - first,
    block_n)) or whose buffers are not kernel arguments keep cp.async and
    are marked `sattn.tma_skipped`.
  }];
  let options = [
    Option<"useWgmma", "wgmma", "bool", "false",
           "Use wgmma (sm_90a) for programs of one warpgroup">,
    Option<"useTma", "tma", "bool", "false",
           "With wgmma: load K and V tiles with TMA completing on mbarriers">,
    Option<"usePipeline", "pipeline", "bool", "false",
           "With TMA and one warpgroup: rotate key loops "
           "(sattn-pipeline-key-loops) and issue Q.K^T of tile i and P.V of "
           "tile i-1 together, waiting for P.V only after the softmax">,
    Option<"usePingPong", "ping-pong", "bool", "false",
           "With TMA and two warpgroups (block_m 128): alternate their "
           "products through named barriers">,
    Option<"useProducer", "producer", "bool", "false",
           "With TMA: one more warpgroup issues every K / V fill, the "
           "computing warpgroups release each stage after their last read "
           "of it, and setmaxnreg moves the producer's registers to them "
           "(sattn-split-warp-roles separates the two roles' code)">,
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def ProgramToGPU : Pass<"sattn-program-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Turn SIMT kernels into gpu.func kernels in a gpu.module";
  let description = [{
    grid x / y become block ids x / y, lanes become threads (block_m per
    block). Kernel arguments keep their order (the manifest's ABI).
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::vector::VectorDialect"];
}

def SplitWarpRoles : Pass<"sattn-split-warp-roles", "::mlir::gpu::GPUFuncOp"> {
  let summary = "Reduce a warp-specialised kernel's producer and consumer copies to their own work";
  let description = [{
    sattn-lower-tiles-mma{producer=1} gives a program two copies of its
    body: the consumers' (the whole computation) and the producer
    warpgroup's, the blocks dominated by the one holding the op marked
    `sattn.producer_entry` (the producer's setmaxnreg). Both keep the
    program's control flow, so the producer issues the fills (ops marked
    `sattn.producer_op`) in exactly the order the consumers wait for them.
    This pass runs once that control flow is plain blocks
    (after convert-scf-to-cf): in the producer copy it erases every op
    with memory effects (other than reads) that is not a fill, in the
    consumers' every fill; region simplification then drops what fed
    only the erased ops, loop-carried values included (the accumulators
    of the producer's copy of a key loop are block arguments nothing live
    reads). Fails if the producer's remaining code reads a value it had to
    erase: its fills would depend on the consumers' computation.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def TensorMapParams : Pass<"sattn-tensor-map-params", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Pass a kernel's TMA tensor maps by value (__grid_constant__)";
  let description = [{
    Runs after convert-gpu-to-nvvm, which keeps function attributes but not
    argument attributes other than `llvm.align`. The arguments that
    `sattn.tensor_map_args` (set by sattn-program-to-gpu) lists become
    128-byte parameters passed by value (`llvm.byval = !llvm.array<128 x
    i8>`, 64-byte aligned) that the kernel may address
    (`nvvm.grid_constant`), the form cp.async.bulk.tensor reads a tensor
    map from. Only NVVM kernels take grid constants.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::NVVM::NVVMDialect"];
}

def ProgramToCPU : Pass<"sattn-program-to-cpu", "::mlir::ModuleOp"> {
  let summary = "Turn SIMT kernels into loop nests over the grid and the lanes";
  let description = [{
    The CPU backend's form: the program grid and the lanes become scf.for
    loops (lanes innermost, legal because lanes never communicate).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect", "::mlir::LLVM::LLVMDialect"];
}

#endif // SATTN_PASSES_TD
