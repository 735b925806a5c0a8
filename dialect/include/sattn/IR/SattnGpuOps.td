//===- SattnGpuOps.td - The GPU structure of a tiled program -*- tablegen -*-===//
//
// What the GPU passes hand each other, between the tiled form and NVVM:
// K/V stages in shared memory (`sattn.ring.*`, made by sattn-stage-kv),
// the tensor-core products that read them (`sattn.tile.mma_*`), the warp
// roles (`sattn.warp_specialize`, sattn-warp-specialize) and the named
// barriers two consumer warpgroups take turns through
// (`sattn.named_barrier.*`, sattn-ping-pong). Each is lowered to NVVM by
// the mainloop and staging conversions (lib/Compiler/TileToGPU).
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_GPU_OPS_TD
#define SATTN_GPU_OPS_TD

include "sattn/IR/SattnBase.td"
include "sattn/IR/SattnTypes.td"
include "sattn/IR/SattnAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/EnumAttr.td"
include "mlir/Dialect/LLVMIR/LLVMOpBase.td"

def Sattn_SmemResource : Resource<"::mlir::sattn::SharedStagesResource">;

class Sattn_RingOp<string mnemonic, list<Trait> traits = []>
    : Sattn_Op<"ring." # mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Shared-memory stages
//===----------------------------------------------------------------------===//

def Sattn_RingAllocOp : Sattn_RingOp<"alloc", [
    MemoryEffects<[MemAlloc<Sattn_SmemResource>]>]> {
  let summary = "The program's K/V stages (and their mbarriers)";
  let description = [{
    One per program, at its start: the stages live in the dynamic shared
    memory of the program's thread block. A TMA ring's mbarriers are
    initialised here (one thread, then a CTA barrier).
  }];
  let results = (outs Sattn_RingType:$ring);
  let assemblyFormat = "attr-dict `:` qualified(type($ring))";
}

def Sattn_RingCopyOp : Sattn_RingOp<"copy", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>, MemRead]>]> {
  let summary = "cp.async: every lane copies its chunks of a key tile into a slot";
  let description = [{
    Rows [first, first + count) of the [.., S, D] buffer (from element
    `base`) go to `slot`; rows past `count` are zero-filled. Collective over
    the program's lanes; the copies are asynchronous until a
    `sattn.ring.wait_copies` retires the group a `sattn.ring.commit` closed.
  }];
  let arguments = (ins Sattn_RingType:$ring, Index:$slot,
                       MemRefRankOf<[BF16, F16], [1]>:$buffer, Index:$base,
                       Index:$first, Index:$count);
  let assemblyFormat = [{
    $ring `[` $slot `]` `,` $buffer `[` $base `]` `keys` `(` $first `,` $count `)`
    attr-dict `:` qualified(type($ring)) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def Sattn_RingCommitOp : Sattn_RingOp<"commit", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "cp.async: closes this lane's copies issued so far into one group";
  let arguments = (ins Sattn_RingType:$ring);
  let assemblyFormat = "$ring attr-dict `:` qualified(type($ring))";
  let hasVerifier = 1;
}

def Sattn_RingWaitCopiesOp : Sattn_RingOp<"wait_copies", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "cp.async: waits until at most `pending` groups are in flight, then for every lane";
  let description = [{
    Groups complete in commit order. After the lane's wait, a CTA barrier
    makes every lane's copies visible (and, for a wgmma_128b ring, a proxy
    fence makes them visible to the tensor cores' asynchronous reads).
  }];
  let arguments = (ins Sattn_RingType:$ring, I64Attr:$pending);
  let assemblyFormat = "$ring `pending` `=` $pending attr-dict `:` qualified(type($ring))";
  let hasVerifier = 1;
}

def Sattn_RingAcquireOp : Sattn_RingOp<"acquire", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "TMA: the filling thread waits until every consumer has released `slot`";
  let arguments = (ins Sattn_RingType:$ring, Index:$slot);
  let assemblyFormat = "$ring `[` $slot `]` attr-dict `:` qualified(type($ring))";
  let hasVerifier = 1;
}

def Sattn_RingLoadOp : Sattn_RingOp<"load", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>, MemRead]>]> {
  let summary = "TMA: one thread fills `slot` with key rows [first, first + rows) of head `head`";
  let description = [{
    Announces the slot's bytes on its "full" mbarrier and issues one bulk
    tensor copy per 64-column box of `tensor_map` (a 128-byte CUtensorMap
    parameter of the kernel) at (column, first, head); rows past the
    sequence arrive as zeros. Executed by the thread that reaches it: the
    staging guards it to one thread.
  }];
  let arguments = (ins Sattn_RingType:$ring, Index:$slot,
                       LLVM_AnyPointer:$tensor_map, Index:$head, Index:$first);
  let assemblyFormat = [{
    $ring `[` $slot `]` `,` $tensor_map `[` $head `,` $first `]` attr-dict
    `:` qualified(type($ring)) `,` type($tensor_map)
  }];
  let hasVerifier = 1;
}

def Sattn_RingWaitOp : Sattn_RingOp<"wait", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "TMA: every thread waits for the current fill of `slot`";
  let description = [{
    Each thread tracks the parity of every slot's fills; all threads wait
    for all fills in the same order, so the parities stay uniform.
  }];
  let arguments = (ins Sattn_RingType:$ring, Index:$slot);
  let assemblyFormat = "$ring `[` $slot `]` attr-dict `:` qualified(type($ring))";
  let hasVerifier = 1;
}

def Sattn_RingReleaseOp : Sattn_RingOp<"release", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "Each consumer warpgroup hands `slot` back once its reads of it are done";
  let description = [{
    The first thread of each consumer warpgroup arrives on the slot's
    "empty" mbarrier; a wgmma is collective over its warpgroup, so once one
    thread has waited for it every warp's reads are done.
  }];
  let arguments = (ins Sattn_RingType:$ring, Index:$slot);
  let assemblyFormat = "$ring `[` $slot `]` attr-dict `:` qualified(type($ring))";
  let hasVerifier = 1;
}

def Sattn_RingStageQueryOp : Sattn_RingOp<"stage_q", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>, MemRead]>]> {
  let summary = "Each consumer warpgroup copies its 64 rows of the Q tile into the ring";
  let description = [{
    Row r < count of the ring's Q tile (`query_rows` rows) reads the
    elements at `buffer[base + (start + r * step) * D]`; rows >= count are
    zero. Warpgroup w copies rows [64w, 64w + 64) with cp.async, waits for
    them, makes them visible to wgmma (the async proxy) and meets its other
    warps on the `query_staged` named barrier w: afterwards its
    `sattn.tile.mma_qk` ops without a `q` operand read them.
  }];
  let arguments = (ins Sattn_RingType:$ring, MemRefRankOf<[BF16, F16], [1]>:$buffer,
                       Index:$base, Index:$start, Index:$step, Index:$count);
  let assemblyFormat = [{
    $ring `,` $buffer `[` $base `]` `rows` `(` $start `,` $step `,` $count `)`
    attr-dict `:` qualified(type($ring)) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def Sattn_RingBufferOp : Sattn_RingOp<"buffer", [Pure]> {
  let summary = "The ring's slots as one shared-memory buffer (what ldmatrix reads)";
  let arguments = (ins Sattn_RingType:$ring);
  let results = (outs MemRefRankOf<[BF16, F16], [1]>:$buffer);
  let assemblyFormat = "$ring attr-dict `:` qualified(type($ring)) `->` type($buffer)";
}

def Sattn_RingSlotOffsetOp : Sattn_RingOp<"slot_offset", [Pure]> {
  let summary = "Element offset of `slot`'s first element in sattn.ring.buffer";
  let arguments = (ins Sattn_RingType:$ring, Index:$slot);
  let results = (outs Index:$offset);
  let assemblyFormat = "$ring `[` $slot `]` attr-dict `:` qualified(type($ring))";
}

def Sattn_RingBaseAddressOp : Sattn_RingOp<"base_address", [Pure]> {
  let summary = "Shared-window byte address of element 0 of sattn.ring.buffer (wgmma descriptors)";
  let arguments = (ins Sattn_RingType:$ring);
  let results = (outs Index:$address);
  let assemblyFormat = "$ring attr-dict `:` qualified(type($ring))";
}

def Sattn_RingQueryOffsetOp : Sattn_RingOp<"query_offset", [Pure]> {
  let summary = "Element offset of the Q tile's first element in sattn.ring.buffer";
  let arguments = (ins Sattn_RingType:$ring);
  let results = (outs Index:$offset);
  let assemblyFormat = "$ring attr-dict `:` qualified(type($ring))";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Tensor-core products over staged tiles
//===----------------------------------------------------------------------===//

def Sattn_TileMmaQKOp : Sattn_Op<"tile.mma_qk", [
    MemoryEffects<[MemRead<Sattn_SmemResource>]>]> {
  let summary = "Scores of a staged key tile: s = q . K[slot]^T (f32)";
  let description = [{
    The staged form of `sattn.tile.qk`: the keys are the `rows` rows of
    ring slot `slot` (zero past the tile's count). Q is the `q` tile (in
    registers) or, without it, the ring's Q tile (`query_rows`, filled by
    `sattn.ring.stage_q`). With `async` the product is issued and not
    waited for: its only use is a `sattn.tile.mma_wait`.
  }];
  let arguments = (ins Optional<Sattn_TileType>:$q, Sattn_RingType:$ring,
                       Index:$slot, UnitAttr:$async);
  let results = (outs Sattn_TileType:$scores);
  let assemblyFormat = [{
    $ring `[` $slot `]` (`q` `(` $q^ `:` type($q) `)`)? attr-dict `:`
    qualified(type($ring)) `->` type($scores)
  }];
  let hasVerifier = 1;
}

def Sattn_TileMmaPVOp : Sattn_Op<"tile.mma_pv", [
    MemoryEffects<[MemRead<Sattn_SmemResource>]>,
    AllTypesMatch<["acc", "result"]>]> {
  let summary = "acc + p . V[slot] over a staged value tile";
  let description = [{
    The staged form of `sattn.tile.pv`. With `async`, as for
    `sattn.tile.mma_qk`.
  }];
  let arguments = (ins Sattn_TileType:$probs, Sattn_RingType:$ring,
                       Index:$slot, Sattn_TileType:$acc, UnitAttr:$async);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $probs `,` $ring `[` $slot `]` `,` $acc attr-dict `:` type($probs) `,`
    qualified(type($ring)) `,` type($acc)
  }];
  let hasVerifier = 1;
}

def Sattn_TileMmaWaitOp : Sattn_Op<"tile.mma_wait", [
    AllTypesMatch<["pending_result", "result"]>,
    MemoryEffects<[MemRead<Sattn_SmemResource>, MemWrite<Sattn_SmemResource>]>]> {
  let summary = "The result of an asynchronous product, once at most `pending` newer ones are in flight";
  let description = [{
    Products complete in issue order (wgmma.wait_group `pending`): the
    waited product's result is ready, and so is every older one's.
  }];
  let arguments = (ins Sattn_TileType:$pending_result, I64Attr:$pending);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $pending_result `pending` `=` $pending attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Warp roles and named barriers
//===----------------------------------------------------------------------===//

def Sattn_WarpSpecializeOp : Sattn_Op<"warp_specialize", [
    RecursiveMemoryEffects, NoTerminator]> {
  let summary = "A program split into consumer warpgroups and a producer";
  let description = [{
    Threads [0, 128 * consumer_warpgroups) run the `consumers` region with
    `consumer_registers` registers each (setmaxnreg.inc); the producer
    warpgroup gives its registers back down to `producer_registers`
    (setmaxnreg.dec) and its first thread alone runs the `producer` region,
    where `sattn.lane_id` is 0. The two regions talk only through the ring's
    mbarriers: the producer fills and acquires slots, the consumers wait
    for and release them, in the same order.
  }];
  let arguments = (ins I64Attr:$consumer_warpgroups,
                       I64Attr:$consumer_registers,
                       I64Attr:$producer_registers);
  let regions = (region SizedRegion<1>:$consumers, SizedRegion<1>:$producer);
  let assemblyFormat = [{
    `consumers` `(` $consumer_warpgroups `,` `registers` `=` $consumer_registers `)`
    `producer` `(` `registers` `=` $producer_registers `)`
    $consumers `producer` $producer attr-dict
  }];
  let hasVerifier = 1;
}

def Sattn_NamedBarrierSyncOp : Sattn_Op<"named_barrier.sync", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "bar.sync on named barrier `kind` + index with `threads` participants";
  let arguments = (ins Sattn_NamedBarrierKindAttr:$kind, Index:$index,
                       I64Attr:$threads);
  let assemblyFormat = [{
    $kind `[` $index `]` `threads` `=` $threads attr-dict
  }];
  let hasVerifier = 1;
}

def Sattn_NamedBarrierArriveOp : Sattn_Op<"named_barrier.arrive", [
    MemoryEffects<[MemWrite<Sattn_SmemResource>]>]> {
  let summary = "bar.arrive on named barrier `kind` + index with `threads` participants";
  let arguments = (ins Sattn_NamedBarrierKindAttr:$kind, Index:$index,
                       I64Attr:$threads);
  let assemblyFormat = [{
    $kind `[` $index `]` `threads` `=` $threads attr-dict
  }];
  let hasVerifier = 1;
}

#endif // SATTN_GPU_OPS_TD
