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
    Block sizes are the policy's for the target chip and head_dim unless
    given.
  }];
  let options = [
    Option<"blockM", "block-m", "int64_t", "0",
           "Query rows per tile (0: choose per head_dim)">,
    Option<"blockN", "block-n", "int64_t", "0",
           "Keys per tile (0: choose per head_dim)">,
    Option<"chip", "chip", "std::string", "\"host\"",
           "The target whose tile shapes the policy chooses: host (the SIMT "
           "form, the CPU backend) or a GPU chip (sm_80 .. sm_90a)">,
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
                           "::mlir::memref::MemRefDialect",
                           "::mlir::math::MathDialect"];
}

def ChooseKernelConfig : Pass<"sattn-choose-kernel-config", "::mlir::ModuleOp"> {
  let summary = "Record the GPU policy's decisions for each kernel (#sattn.kernel_config)";
  let description = [{
    The first pass of the GPU lowering. For each kernel function (with
    #sattn.kernel and one sattn.program) it reads the facts the policy
    depends on (role, shapes, element type, whether the tiles fit the
    tensor cores and the K/V tiles TMA, what the masks bound) and attaches
    the decisions of lib/Compiler/TileToGPU/Policy as `sattn.config`:
    mainloop, staging, stage counts, producer warpgroup and register split,
    pipelining, ping-pong. The options are the caller's requests; a request
    a kernel cannot have is reported as a warning.
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"sm_90a\"",
           "The target chip (host, sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)">,
    Option<"producer", "producer", "bool", "true",
           "Allow a producer warpgroup where the policy finds it pays">,
    Option<"pingPong", "ping-pong", "bool", "true",
           "Let two consumer warpgroups take turns at the tensor cores">,
    Option<"pipeline", "pipeline", "bool", "false",
           "Ask for FA3's intra-warpgroup pipelining of key loops">,
    Option<"stageQuery", "stage-query", "bool", "true",
           "Let wgmma kernels read Q from shared memory where the policy "
           "finds it pays">,
    Option<"persistent", "persistent", "bool", "false",
           "Ask for a persistent grid (kernels of one block per SM)">,
    Option<"conditionalRescale", "conditional-rescale", "bool", "false",
           "Ask for the accumulator to be rescaled only where a row's "
           "maximum grew (tensor-core mainloops)">,
  ];
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
    (`sattn.tile.truncf`), and the rotated scf.for is marked
    `sattn.pipelined_loop` for sattn-stage-kv, which issues both products of
    an iteration before waiting for either. In kernels with a
    #sattn.kernel_config (the GPU pipeline) it rotates only where the config
    asks for pipelining, and only key loops without branches (ptxas waits
    for every product in flight where control flow merges); without one
    (the CPU backend, which checks the rotated form's numerics) every loop
    it can. Loops it cannot rotate (a pv that is not the last use of the
    accumulator, a body that writes memory, tile bounds not given by the
    induction variable) are left alone.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def StageKV : Pass<"sattn-stage-kv", "::mlir::ModuleOp"> {
  let summary = "Stage K and V tiles through a ring of shared-memory slots";
  let description = [{
    For each kernel whose #sattn.kernel_config gives it tensor cores: one
    `sattn.ring.alloc` at the program's start (key_stages + value_stages
    slots of block_n x head_dim, in the mainloop's swizzle, filled by the
    config's staging), the schedule of its fills (cp.async: sattn.ring.copy,
    commit, wait_copies; TMA: sattn.ring.acquire, load, wait, release), and
    `sattn.tile.mma_qk` / `mma_pv` reading the slots in place of
    `sattn.tile.qk` / `pv`. In a key loop whose tile bounds follow from the
    induction variable the next key tile is prefetched. Key loops marked
    `sattn.pipelined_loop` (rotated by sattn-pipeline-key-loops) get the
    pipelined schedule: Q.K^T of tile i and P.V of tile i-1 issued
    together, asynchronous, each waited for (sattn.tile.mma_wait) where its
    result is first needed. TMA kernels gain one tensor-map parameter per
    key / value buffer (recorded in #sattn.kernel's tensor_maps).
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def WarpSpecialize : Pass<"sattn-warp-specialize", "::mlir::ModuleOp"> {
  let summary = "Give kernels a producer warpgroup that issues the K/V fills";
  let description = [{
    For kernels whose config asks for a producer: everything after the
    ring's allocation becomes a `sattn.warp_specialize` whose consumers
    region is the program without its fills, and whose producer region is
    the program reduced to the fills (sattn.ring.acquire / load) and the
    control flow and index arithmetic they need (lane id 0: the producer's
    first thread runs it). Register budgets come from the config. Fails if
    a fill would need a value that only the consumers compute.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def PersistentGrid : Pass<"sattn-persistent-grid", "::mlir::ModuleOp"> {
  let summary = "Run program instances in a loop per resident thread block";
  let description = [{
    For kernels whose config asks for a persistent grid: the code after the
    ring's allocation (each region of a `sattn.warp_specialize`: the
    consumers' and the producer's) becomes the body of a `sattn.work_loop`
    in the config's work order, and the program's (x, y) inside it the
    loop's. What is set up before the loop (the ring, its mbarriers) is set
    up once per block, so the producer's fills of the next instance overlap
    the consumers' last products and epilogue of this one. Run before
    sattn-ping-pong, whose first and last turn then open and close around
    the loop, once per block. A warp_specialize that does not end the
    program is an error.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def PingPong : Pass<"sattn-ping-pong", "::mlir::ModuleOp"> {
  let summary = "Two consumer warpgroups take turns at the tensor cores";
  let description = [{
    For kernels whose config asks for it (two consumer warpgroups): each
    run of staged products is one turn, from `sattn.named_barrier.sync
    warp_scheduler[w]` to `sattn.named_barrier.arrive warp_scheduler[1 -
    w]` before the first wait for them (synchronous products become
    asynchronous with their wait after the hand-over), so one warpgroup's
    softmax overlaps the other's products. Warpgroup 1 hands warpgroup 0
    the first turn; warpgroup 0 consumes the last hand-over.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def LowerMainloopMmaSync : Pass<"sattn-lower-mainloop-mma-sync", "::mlir::ModuleOp"> {
  let summary = "Lower the tile ops of mma_sync kernels to warp-level tensor-core code";
  let description = [{
    For kernels whose config's mainloop is mma_sync (sm_80+): block_m / 16
    warps, each owning 16 query rows in the m16n8k16 accumulator layout
    (TileToGPU/Fragment). The staged products become ldmatrix (K) /
    ldmatrix.trans (V) from the ring's slots and mma.sync, with Q and P as
    A operands straight from their fragments; the softmax, mask and
    epilogue ops become fragment code (row reductions across the quad).
    Ring ops stay for sattn-lower-rings. Sets each kernel's #sattn.launch.
  }];
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

def AssignTileLayouts : Pass<"sattn-assign-tile-layouts", "::mlir::ModuleOp"> {
  let summary = "Give the tiles of tensor-core kernels their fragment layout";
  let description = [{
    The last pass before the mainloop lowerings: in every kernel whose
    config's mainloop is mma_sync or wgmma, every !sattn.tile value (op
    results and block arguments: loop-carried tiles too) gets layout
    m16n8k16, the accumulator layout both lowerings hold tiles in. The
    lowerings convert only tiles in that layout, so the IR says how each
    tile lives in registers. SIMT kernels keep layout none.
  }];
}

def LowerMainloopWgmma : Pass<"sattn-lower-mainloop-wgmma", "::mlir::ModuleOp"> {
  let summary = "Lower the tile ops of wgmma kernels to warpgroup tensor-core code";
  let description = [{
    For kernels whose config's mainloop is wgmma (sm_90a): one warpgroup
    per 64 rows computes both products with wgmma.mma_async m64nNk16, A
    from the fragment's registers (or, with a staged Q, from shared memory),
    B through shared-memory descriptors over
    the ring's wgmma_128b slots; an async product's results pass through
    wgmma.wait_group where its sattn.tile.mma_wait is. Softmax, mask and
    epilogue as in sattn-lower-mainloop-mma-sync (shared patterns). Sets
    each kernel's #sattn.launch.
  }];
  let dependentDialects = ["::mlir::vector::VectorDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect"];
}

def LowerRings : Pass<"sattn-lower-rings", "::mlir::ModuleOp"> {
  let summary = "Lower shared-memory rings and their fills to NVVM";
  let description = [{
    Each `sattn.ring.alloc` becomes a view of the program's dynamic shared
    memory (TMA: the mbarriers first, initialised by thread 0; wgmma_128b:
    slots from the next 1024-byte boundary) and a per-thread word of
    mbarrier parities; cp.async fills become per-lane 16-byte copies with
    zero fill, commit and wait groups; TMA fills become expect_tx and one
    bulk tensor copy per 64-column box, waits mbarrier try_wait loops on the
    parity, releases one arrival per consumer warpgroup.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::nvgpu::NVGPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def ProgramToGPU : Pass<"sattn-program-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Turn lowered kernels into gpu.func kernels in a gpu.module";
  let description = [{
    grid x / y become block ids x / y, lanes become threads (#sattn.launch
    per block). Kernel arguments keep their order (the manifest's ABI).
    A `sattn.warp_specialize` becomes one branch on the thread index
    (consumers: setmaxnreg.inc and their region; producer warpgroup:
    setmaxnreg.dec, its first thread runs its region), named barriers
    bar.sync / bar.arrive.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::NVVM::NVVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
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
