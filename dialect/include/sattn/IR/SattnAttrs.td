//===- SattnAttrs.td - sattn attributes ---------------------*- tablegen -*-===//
#ifndef SATTN_ATTRS_TD
#define SATTN_ATTRS_TD

include "sattn/IR/SattnBase.td"
include "mlir/IR/EnumAttr.td"

class Sattn_Attr<string name, string attrMnemonic, list<Trait> traits = []>
    : AttrDef<Sattn_Dialect, name, traits> {
  let mnemonic = attrMnemonic;
}

def Sattn_ActivationKind : I32EnumAttr<"ActivationKind",
    "How scores become weights", [
      I32EnumAttrCase<"softmax", 0>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}
def Sattn_ActivationAttr : EnumAttr<Sattn_Dialect, Sattn_ActivationKind,
                                    "activation">;

def Sattn_AlibiSlopes : I32EnumAttr<"AlibiSlopes",
    "Where ALiBi's per-head slopes come from", [
      I32EnumAttrCase<"geometric", 0>,
      I32EnumAttrCase<"tensor", 1>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}
def Sattn_AlibiAttr : EnumAttr<Sattn_Dialect, Sattn_AlibiSlopes, "alibi">;

def Sattn_RegionAttr : Sattn_Attr<"Region", "region"> {
  let summary = "A convex set of (query, key) pairs: a diagonal band and a column range";
  let description = [{
    With i' = i + Sk - Sq (the query's position in key coordinates), the
    region holds the pairs with
      diag_lo <= j - i' <= diag_hi   and   col_lo <= j < col_hi,
    and, when given,
      floor(j / chunk) == floor(i' / chunk)      (chunk >= 1)
      (j - i') mod dilation == 0                 (dilation >= 2).
    An absent bound is unbounded (col_lo: 0, col_hi: Sk). Every mask of
    the dialect normalises to a union of such regions, which is what makes
    tile classification closed-form: for each row the allowed keys are
    an interval (the chunk bounds it by C floor(i'/C) and that plus C),
    thinned by the dilation.
  }];
  let parameters = (ins
      OptionalParameter<"std::optional<int64_t>">:$diag_lo,
      OptionalParameter<"std::optional<int64_t>">:$diag_hi,
      OptionalParameter<"std::optional<int64_t>">:$col_lo,
      OptionalParameter<"std::optional<int64_t>">:$col_hi,
      OptionalParameter<"std::optional<int64_t>">:$chunk,
      OptionalParameter<"std::optional<int64_t>">:$dilation);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sattn_LayoutPlanAttr : Sattn_Attr<"LayoutPlan", "layout_plan"> {
  let summary = "How a tile plan walks a block layout's lists";
  let description = [{
    The tile plan of a pattern with a `sattn.mask.block_layout`: its blocks
    are `block_m` x `block_n` (multiples of the plan's tile, so a query tile
    lies in one layout row and a listed key block is block_n / tile_n key
    tiles). A program visits the key tiles of its row's full blocks,
    classified by the plan's `regions` (the rest of the mask), and of its
    partial blocks, classified by `partial` (the layout's partial-block mask
    intersected with the rest).
  }];
  let parameters = (ins "int64_t":$block_m, "int64_t":$block_n,
                        "::mlir::ArrayAttr":$partial);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sattn_TilePlanAttr : Sattn_Attr<"TilePlan", "tile_plan"> {
  let summary = "The tile classification of a pattern";
  let description = [{
    Attached by `sattn-classify-tiles`. `regions` is the mask in disjunctive
    normal form. For a query tile whose rows have key-coordinate positions
    in [r0, r1] and a key tile [j0, j0 + block_n):
      * the tile is empty for region R iff it misses R's key interval
        [max(col_lo, r0 + diag_lo), min(col_hi, r1 + diag_hi + 1));
      * it is full for R iff j0 >= col_lo, j0 + block_n <= min(col_hi, Sk),
        j0 - r1 >= diag_lo and j0 + block_n - 1 - r0 <= diag_hi;
      * empty overall iff empty for every region, full iff full for one,
        partial otherwise (the element mask is evaluated only there).
    `reference` (with the delta correction): the regions of its reference
    mask, the pattern of its dense rows; absent, causal.
    `documents` (a `sattn.mask.documents` in the mask) says the regions
    apply inside each document, in its coordinates: the kernels take one
    document's query tile per program and its key range, and classify in
    the document's positions with its lengths as Sq and Sk.
    `layout` (a `sattn.mask.block_layout` in the mask): the key tiles come
    from the layout's lists at launch (see `#sattn.layout_plan`), and
    `regions` classify those of full blocks.
  }];
  let parameters = (ins "int64_t":$block_m, "int64_t":$block_n,
                        "::mlir::ArrayAttr":$regions,
                        DefaultValuedParameter<"bool", "false">:$documents,
                        OptionalParameter<"::mlir::ArrayAttr">:$reference,
                        OptionalParameter<"::mlir::sattn::LayoutPlanAttr">:$layout);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sattn_DeltaAttr : Sattn_Attr<"Delta", "delta"> {
  let summary = "The delta correction stage (Delta Attention)";
  let description = [{
    cut = Sq mod gamma + max(tail_min, gamma), sp = Sq - cut. Rows i < sp get
    O_sp(i) + (O_dense(a) - O_sp(a)) with a = gamma * floor(i / gamma);
    rows i >= sp get dense causal attention. The delta is kept in f32.
  }];
  let parameters = (ins "int64_t":$gamma, "int64_t":$tail_min);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

//===----------------------------------------------------------------------===//
// Kernel contracts: what one pass hands the next (and the driver the
// runtime) about a kernel function. Each is a discardable attribute whose
// name the dialect verifies (SattnDialect::verifyOperationAttribute): the
// name says which attribute class it must hold, and unknown `sattn.*` names
// are rejected.
//===----------------------------------------------------------------------===//

/// A yes/no parameter spelled `true` / `false`.
def Sattn_BoolParameter : AttrParameter<"bool", "true or false"> {
  let parser = [{ ::mlir::sattn::parseBoolKeyword($_parser) }];
  let printer = [{ $_printer << ($_self ? "true" : "false") }];
  let defaultValue = "false";
}

/// The runtime's KernelRole (runtime/include/sattn/KernelRole.h): one enum
/// for the IR and the manifest.
def Sattn_KernelRoleParameter : AttrParameter<"::sattn::KernelRole",
                                              "kernel role"> {
  let parser = [{ ::mlir::sattn::parseKernelRoleKeyword($_parser) }];
  let printer = [{ $_printer << ::sattn::kernelRoleName($_self) }];
}

def Sattn_TensorMapAttr : Sattn_Attr<"TensorMap", "tensor_map"> {
  let summary = "A kernel parameter that is a TMA tensor map of a K or V buffer";
  let description = [{
    Parameter `arg` of the kernel is a 128-byte CUtensorMap (passed by value,
    `__grid_constant__`) describing buffer parameter `tensor` as 3-D
    {D, Sk, B*Hkv}, loaded in boxes of `box_cols` x `box_rows` elements with
    the 128-byte swizzle (runtime/include/sattn/Manifest.h has the exact
    encoding the runtime uses).
  }];
  let parameters = (ins "int64_t":$arg, "::mlir::StringAttr":$tensor,
                        "int64_t":$box_cols, "int64_t":$box_rows);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sattn_KernelAttr : Sattn_Attr<"Kernel", "kernel"> {
  let summary = "A generated kernel: its role, tile shape and parameters";
  let description = [{
    Set by `sattn-tile-flash` on every kernel function as `sattn.kernel`; read
    by every later pass and by the driver, which turns it into the manifest.
    `arg_names` names each parameter in order (the manifest's ABI: buffers,
    then B, H, Hkv, Sq, Sk, then tensor maps); `tensor_maps` lists the
    parameters the TMA staging added. Kept through the GPU conversions
    (gpu.func, llvm.func), which drop argument attributes.
  }];
  let parameters = (ins Sattn_KernelRoleParameter:$role,
                        "int64_t":$block_m, "int64_t":$block_n,
                        "::mlir::ArrayAttr":$arg_names,
                        DefaultValuedParameter<"::mlir::ArrayAttr",
                            "::mlir::ArrayAttr::get($_ctxt, {})">:$tensor_maps);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    /// The name of parameter `i`.
    ::llvm::StringRef argName(unsigned i) const {
      return ::llvm::cast<::mlir::StringAttr>(getArgNames()[i]).getValue();
    }
    /// The tensor map describing parameter `tensor`, or null.
    TensorMapAttr tensorMapOf(::llvm::StringRef tensor) const;
    /// This attribute with `map` appended and `name` added to the names.
    KernelAttr withTensorMap(::llvm::StringRef name, TensorMapAttr map) const;
  }];
}

def Sattn_LaunchAttr : Sattn_Attr<"Launch", "launch"> {
  let summary = "How a kernel is launched: threads per block, shared memory, occupancy";
  let description = [{
    Set by the tile lowering that decides it (`sattn.launch`): `threads` per
    block (block_m lanes in the SIMT form, 32 per 16 rows with tensor cores,
    plus 128 for a producer warpgroup), the dynamic shared memory in bytes,
    `min_ctas_per_sm` (0: none), the launch bound that gives ptxas the
    register cap `setmaxnreg` needs, and `persistent`: the kernel's program
    runs a `sattn.work_loop`, so it is launched on a one-dimensional grid of
    as many blocks as are resident at once (at most one per program
    instance), each working through instances until none is left, instead
    of one block per instance.
  }];
  let parameters = (ins "int64_t":$threads,
                        DefaultValuedParameter<"int64_t", "0">:$shared_memory_bytes,
                        DefaultValuedParameter<"int64_t", "0">:$min_ctas_per_sm,
                        Sattn_BoolParameter:$persistent);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
}

def Sattn_TileLayout : I32EnumAttr<"TileLayout",
    "How a tile's elements are spread over a program's lanes", [
      // Not chosen yet: the tiled form before a lowering, and the SIMT
      // lowering's tiles (lane r holds row r).
      I32EnumAttrCase<"none", 0>,
      // The accumulator layout of mma.sync.m16n8k16 (also each warp's share
      // of a wgmma m64nNk16 accumulator): warp w holds rows [16w, 16w + 16),
      // lane l rows l / 4 and l / 4 + 8, columns 8nb + 2(l % 4) + {0, 1};
      // a one-column tile holds its two rows (lib/Compiler/TileToGPU/
      // Fragment/Fragment.h).
      I32EnumAttrCase<"m16n8k16", 1>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}

def Sattn_MainloopKind : I32EnumAttr<"MainloopKind",
    "How a kernel's two products (Q.K^T, P.V) run", [
      I32EnumAttrCase<"simt", 0>,
      I32EnumAttrCase<"mma_sync", 1>,
      I32EnumAttrCase<"wgmma", 2>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}

def Sattn_StagingKind : I32EnumAttr<"StagingKind",
    "How K and V tiles reach shared memory", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"cp_async", 1>,
      I32EnumAttrCase<"tma", 2>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}

def Sattn_WorkOrder : I32EnumAttr<"WorkOrder",
    "The order in which a persistent grid's blocks take program instances", [
      // Instance t is (x, y) = (t mod grid_x, t / grid_x): every query tile
      // of one batch*head before the next, the order in which the hardware
      // starts the blocks of a non-persistent grid. Blocks running at once
      // read the same K/V.
      I32EnumAttrCase<"query_tile_fastest", 0>,
      // Instance t is (x, y) = (t / grid_y, t mod grid_y): query tile x of
      // every batch*head before tile x + 1. sattn-tile-flash numbers query
      // tiles heaviest first under causal masks, so this hands out the
      // longest key loops of all heads first and leaves the shortest for
      // the end, where blocks run out of work at different times.
      I32EnumAttrCase<"head_fastest", 1>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}

def Sattn_WorkOrderAttr
    : EnumAttr<Sattn_Dialect, Sattn_WorkOrder, "work_order">;

def Sattn_KernelConfigAttr : Sattn_Attr<"KernelConfig", "kernel_config"> {
  let summary = "The GPU policy's decisions for one kernel";
  let description = [{
    Set by `sattn-choose-kernel-config` (the policy, one pure function of
    the chip, head_dim, dtype, role and mask: lib/Compiler/TileToGPU/Policy)
    as `sattn.config`; every later GPU pass reads its part and decides
    nothing of its own.
      * `mainloop`: `simt` (one lane per query row), `mma_sync` (warps of 16
        rows, sm_80+) or `wgmma` (warpgroups of 64 rows, sm_90a);
      * `staging`: how K/V tiles reach shared memory, `cp_async` (every
        lane copies 16-byte chunks) or `tma` (one thread, bulk tensor
        copies completing on mbarriers); `none` for simt;
      * `key_stages` / `value_stages`: shared-memory buffers of each;
      * `producer`: a producer warpgroup issues the fills, with
        `producer_registers` / `consumer_registers` (setmaxnreg) and the
        launch bound `min_ctas_per_sm` that gives ptxas its register cap;
      * `pipeline`: Q.K^T of key tile i is issued beside P.V of tile i-1
        (FlashAttention-3's intra-warpgroup overlap);
      * `ping_pong`: two consumer warpgroups take turns at the tensor
        cores;
      * `stage_query`: Q.K^T reads Q from shared memory (wgmma's A through
        a descriptor), copied there once per tile by the consumer
        warpgroups, instead of from a register fragment (wgmma only);
      * `persistent`: a grid of resident blocks, each running program
        instances in turn in `work_order` (sattn-persistent-grid), so that a
        producer fills the next instance's stages while the consumers
        finish the last one;
      * `conditional_rescale`: the accumulator is rescaled only where the
        factors of some row of the warp differ from 1 (a row's maximum
        grew), decided by a vote across the warp (FlashAttention-4's
        conditional rescaling, without its stale maximum: the result is
        bit-identical); tensor-core mainloops only;
      * `note`: why the policy did not give the kernel what the chip or the
        caller's options would have asked for (reported as a warning).
  }];
  let parameters = (ins
      EnumParameter<Sattn_MainloopKind>:$mainloop,
      DefaultValuedParameter<"::mlir::sattn::StagingKind",
                             "::mlir::sattn::StagingKind::none">:$staging,
      DefaultValuedParameter<"int64_t", "0">:$key_stages,
      DefaultValuedParameter<"int64_t", "0">:$value_stages,
      Sattn_BoolParameter:$producer,
      DefaultValuedParameter<"int64_t", "0">:$producer_registers,
      DefaultValuedParameter<"int64_t", "0">:$consumer_registers,
      DefaultValuedParameter<"int64_t", "0">:$min_ctas_per_sm,
      Sattn_BoolParameter:$pipeline,
      Sattn_BoolParameter:$ping_pong,
      Sattn_BoolParameter:$stage_query,
      Sattn_BoolParameter:$persistent,
      DefaultValuedParameter<"::mlir::sattn::WorkOrder",
                             "::mlir::sattn::WorkOrder::query_tile_fastest">:$work_order,
      Sattn_BoolParameter:$conditional_rescale,
      OptionalParameter<"::mlir::StringAttr">:$note);
  let assemblyFormat = "`<` struct(params) `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    int64_t numStages() const { return getKeyStages() + getValueStages(); }
    /// Stages are handed back on "empty" mbarriers before a refill (several
    /// consumer warpgroups or a producer) rather than refilled in program
    /// order by the one warpgroup that read them.
    bool releasesStages(int64_t consumerWarpgroups) const {
      return getProducer() || getPipeline() || consumerWarpgroups > 1;
    }
  }];
}

def Sattn_SmemSwizzle : I32EnumAttr<"SmemSwizzle",
    "How a staged tile's 16-byte chunks are laid out in shared memory", [
      // Rows of head_dim elements, chunk index XOR (row mod 8): the eight
      // rows one ldmatrix reads hit distinct banks (mma.sync).
      I32EnumAttrCase<"xor_chunks", 0>,
      // wgmma's 128-byte swizzle: column blocks of 64 elements, each
      // `rows` rows of 128 bytes, chunk XOR (row mod 8); what TMA writes and
      // the wgmma descriptors read (stages 1024-byte aligned).
      I32EnumAttrCase<"wgmma_128b", 1>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}

def Sattn_NamedBarrierKind : I32EnumAttr<"NamedBarrierKind",
    "The named barriers (bar.sync ids) the kernels use", [
      // One per consumer warpgroup: warpgroup w's turn at the tensor cores
      // (ping-pong), ids 1 + w. Id 0 is __syncthreads.
      I32EnumAttrCase<"warp_scheduler", 1>,
      // One per consumer warpgroup: its rows of the Q tile are in shared
      // memory (sattn.ring.stage_q), ids 3 + w.
      I32EnumAttrCase<"query_staged", 3>,
    ]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::sattn";
}

def Sattn_NamedBarrierKindAttr
    : EnumAttr<Sattn_Dialect, Sattn_NamedBarrierKind, "named_barrier">;

#endif // SATTN_ATTRS_TD
