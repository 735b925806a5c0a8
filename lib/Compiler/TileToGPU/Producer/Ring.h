//===- Ring.h - K/V stages in shared memory ---------------------*- C++ -*-===//
//
// A tensor-core program stages its key and value tiles in one ring of
// shared-memory slots (!sattn.ring): slots [0, key_stages) hold keys, the
// next value_stages hold values, and with query_rows the Q tile follows
// (Query.cpp). sattn-stage-kv decides when each slot is
// filled, waited for and released (CpAsync.cpp, Tma.cpp: the schedules) and
// replaces the products by ones that read the slots; sattn-lower-rings
// turns the ring ops into NVVM (the same files: the lowerings).
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TILETOGPU_PRODUCER_RING_H
#define SATTN_TILETOGPU_PRODUCER_RING_H

#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/Transforms/IndexMath.h"
#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::sattn::staging {

/// Bytes of mbarriers before a TMA ring's slots: a "full" and an "empty"
/// barrier of 8 bytes for each of up to 8 slots.
constexpr int64_t kBarrierBytes = 128;
/// wgmma's 128-byte swizzle repeats every 1024 bytes of the shared window,
/// so a wgmma_128b ring's slots start at such a boundary.
constexpr int64_t kSwizzleAlignBytes = 1024;

/// Dynamic shared memory a program with `ring` needs.
int64_t sharedMemoryBytes(RingType ring);
/// The ring's slots (and alignment pad) as one workgroup memref: what
/// sattn.ring.buffer gives.
MemRefType bufferType(RingType ring);

//===----------------------------------------------------------------------===//
// Schedules (sattn-stage-kv)
//===----------------------------------------------------------------------===//

/// What a schedule needs of the program it stages.
struct StagingContext {
  KernelConfigAttr config;
  Value ring;
  /// Key and value slots of the ring.
  int64_t keyStages = 0, valueStages = 0;
  /// TMA: the tensor map parameter of each key / value buffer, and Sk (the
  /// sequence every key tile is clipped to).
  DenseMap<Value, Value> tensorMaps;
  Value seqK;
  int64_t headDim = 0;
  /// Q.K^T reads the ring's Q tile (sattn.ring.stage_q) rather than a
  /// register tile: the staged products get no q operand.
  bool stagedQuery = false;

  /// The q operand of a staged product replacing `qk`.
  Value queryOf(TileQKOp qk) const { return stagedQuery ? Value() : qk.getQ(); }
};

/// `body` under `cond`: an scf.if without results or else branch.
scf::IfOp ifThen(OpBuilder &b, Location loc, Value cond,
                 function_ref<void(OpBuilder &, Location)> body);

/// The key loop a qk can prefetch across: the scf.for directly around it
/// whose induction variable alone gives the tile bounds (`slice` computes
/// first and count from it), with `invariants` defined outside the loop.
struct KeyLoop {
  scf::ForOp loop;
  SmallVector<Operation *> slice;
};
std::optional<KeyLoop> keyLoopOf(TileQKOp qk, ArrayRef<Value> invariants);

/// cp.async: K double-buffered in a key loop (the next tile's copy issued
/// before this tile's products), V copied after the barrier that retires
/// the previous P.V (CpAsync.cpp has the exact schedule).
void stageWithCpAsync(StagingContext &ctx, TileQKOp qk, TilePVOp pv);
/// TMA: one thread fills, every thread waits on the slot's mbarrier; with
/// released slots every refill first acquires the slot (Tma.cpp).
void stageWithTma(StagingContext &ctx, TileQKOp qk, TilePVOp pv);
/// TMA, a key loop rotated by sattn-pipeline-key-loops (its scf.for
/// marked sattn.pipelined_loop): Q.K^T of tile i and P.V of tile i-1 issued
/// together, each waited for where its result is first needed.
LogicalResult stagePipelinedWithTma(StagingContext &ctx, scf::ForOp loop);

//===----------------------------------------------------------------------===//
// Lowering (sattn-lower-rings)
//===----------------------------------------------------------------------===//

/// A lowered ring: the values every ring op's lowering reads.
struct RingStorage {
  RingType type;
  /// memref<N x elt, workgroup> over the slots (and their alignment pad).
  Value buffer;
  /// Element offset of slot 0 in `buffer` (0, or the pad up to the next
  /// 1024-byte boundary for wgmma_128b).
  Value pad;
  /// Shared-window byte address of element 0 of `buffer` (wgmma_128b).
  Value address;
  /// TMA: shared-window byte address of the mbarriers (full: slot s, empty:
  /// slots + s), and this thread's parity bit of each (memref<i32>).
  Value barriers, phases;
  /// Lanes that copy with cp.async (the program's consumer threads).
  int64_t lanes = 0;

  /// Element offset of slot `i` in `buffer`.
  Value slot(IndexMath m, Value i) const {
    return m.add(pad, m.mul(i, type.slotElements()));
  }
};

/// Element offset, within a slot, of 16-byte chunk `chunk` of row `row`,
/// in the ring's swizzle (the address ldmatrix, cp.async and TMA agree on).
Value swizzledOffset(OpBuilder &b, Location loc, RingType ring, Value row,
                     Value chunk);
/// The same within a block of `rows` x `cols` elements in `swizzle`.
Value swizzledOffset(OpBuilder &b, Location loc, SmemSwizzle swizzle,
                     int64_t rows, int64_t cols, Value row, Value chunk);

/// The cp.async ops (CpAsync.cpp) and the TMA ops (Tma.cpp) of a ring.
LogicalResult lowerCpAsyncOp(Operation *op, const RingStorage &storage);
LogicalResult lowerTmaOp(Operation *op, const RingStorage &storage);
/// The ring's Q tile (Query.cpp): sattn.ring.stage_q and
/// sattn.ring.query_offset.
bool isQueryOp(Operation *op);
void lowerQueryOp(Operation *op, const RingStorage &storage);
/// Thread 0 initialises a TMA ring's mbarriers; a CTA barrier makes them
/// visible before any thread waits or any copy arrives.
void initBarriers(OpBuilder &b, Location loc, const RingStorage &storage);

} // namespace mlir::sattn::staging

#endif // SATTN_TILETOGPU_PRODUCER_RING_H
