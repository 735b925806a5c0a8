//===- MmaProgramLayout.h - Shared state of the tensor-core lowering ------===//
//
// What sattn-lower-tiles-mma knows about one program while it lowers it:
// the geometry, the shared-memory stages of K and V and how each qk / pv
// reads them. The pass (LowerTilesToMMA.cpp) fills it and converts the
// compute; the TMA staging (TmaStaging.cpp) is the sm_90a way of filling
// the stages.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_COMPILER_TRANSFORMS_MMAPROGRAMLAYOUT_H
#define SATTN_COMPILER_TRANSFORMS_MMAPROGRAMLAYOUT_H

#include "Compiler/Transforms/IndexMath.h"
#include "Compiler/Transforms/KeyLoopPipelining.h"
#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace mlir::sattn::mma {

constexpr int64_t kWarp = 32;
constexpr int64_t kRowsPerWarp = 16;
/// Elements of a 16-byte cp.async / ldmatrix row chunk (16-bit types).
constexpr int64_t kChunk = 8;

/// A program instance's shared-memory staging and its geometry.
struct ProgramLayout {
  int64_t threads = 0;
  int64_t headDim = 0;
  int64_t blockN = 0;
  /// wgmma (sm_90a) instead of mma.sync: one warpgroup of 64 rows, K and V
  /// in the 128-byte-swizzled layout its shared-memory descriptors read.
  bool wgmma = false;
  /// [K buffer 0][K buffer 1][V], blockN * headDim elements each, starting
  /// `pad` elements into `stages` (wgmma: at a 1024-byte boundary).
  Value stages;
  Value pad;
  /// The shared-window byte address of element 0 of `stages` (wgmma).
  Value stagesAddress;
  int64_t stageElems() const { return blockN * headDim; }
  /// Stages: key buffers [0, keyStages), then value buffers. cp.async and
  /// one-warpgroup TMA: 2 + 1. Two warpgroups: rings of 3 + 3, so that the
  /// warpgroups may drift apart by a tile before a refill waits for the
  /// slower one's release.
  int64_t keyStages = 2, valueStages = 1;
  int64_t numStages() const { return keyStages + valueStages; }
  /// Element offset of stage `i` (0, 1: K buffers, 2: V).
  Value stage(IndexMath m, Value i) const {
    return m.add(pad, m.mul(i, stageElems()));
  }
  Value stage(IndexMath m, int64_t i) const { return stage(m, m.c(i)); }
  /// Each qk with the pv of the same key tile, in program order.
  SmallVector<std::pair<TileQKOp, TilePVOp>> pairs;
  /// qk -> element offset of the K buffer it reads, pv -> of the V buffer
  /// (set by the staging; without an entry P.V reads the single V stage).
  DenseMap<Operation *, Value> keyBuffer, valueBuffer;

  /// TMA staging (wgmma only): thread 0 fills a stage with one
  /// cp.async.bulk.tensor per 64-column block, completing on the stage's
  /// mbarrier (8 bytes each, at shared-window address `barriers`).
  bool tma = false;
  Value barriers;
  /// memref<i32>: bit s is the parity of stage s's next completion. Every
  /// thread waits for every fill once, in the same order, so the bits stay
  /// uniform; LLVM promotes the word to a register.
  Value phases;
  /// Key / value buffer argument -> its tensor-map argument.
  DenseMap<Value, Value> tensorMaps;
  /// Sk, the sequence the key tiles are clipped to (TMA's zero fill).
  Value seqK;
  /// Warpgroups sharing the stages (computing ones, without the producer).
  /// With more than one, or a producer, a stage is refilled only after
  /// each warpgroup has released it on the stage's "empty" mbarrier
  /// (barriers numStages().., one arrival per warpgroup), and the filling
  /// thread keeps those barriers' parities in bits numStages().. of
  /// `phases`.
  int64_t warpgroups = 1;
  /// Two warpgroups take turns at the tensor cores (named barriers 1 and
  /// 2): one's softmax overlaps the other's products.
  bool pingPong = false;
  /// A producer warpgroup (threads [threads, threads + 128)) issues every
  /// fill, waiting for the stage's release first; the `warpgroups`
  /// consumers only wait for fills and release stages. The program body is
  /// duplicated for it (splitWarpRoles in LowerTilesToMMA.cpp).
  bool producer = false;
  /// Stages are handed back on "empty" mbarriers before a refill (rather
  /// than refilled by the one warpgroup that read them, in program order).
  bool releases() const { return warpgroups > 1 || producer; }
  /// Products issued without waiting (pipelined key loops): the op before
  /// which each one's wgmma.wait_group goes, and that wait's count of
  /// products still allowed in flight (1 for a qk, so that the P.V issued
  /// after it keeps running; 0 for that P.V).
  struct DeferredWait {
    Operation *before;
    int64_t pending;
  };
  DenseMap<Operation *, DeferredWait> deferredWaits;
  int64_t elemBytes = 2;
  int64_t stageBytes() const { return stageElems() * elemBytes; }
};

/// `body` under `cond`: an scf.if without results or else branch.
inline scf::IfOp ifThen(OpBuilder &b, Location loc, Value cond,
                        function_ref<void(OpBuilder &, Location)> body) {
  return scf::IfOp::create(b, loc, cond, [&](OpBuilder &tb, Location l) {
    body(tb, l);
    scf::YieldOp::create(tb, l);
  });
}

/// The key loop a qk can prefetch across: the scf.for directly around it
/// whose induction variable alone gives the tile bounds (`slice` computes
/// first and count from it), with `invariants` defined outside the loop.
struct KeyLoop {
  scf::ForOp loop;
  SmallVector<Operation *> slice;
};
std::optional<KeyLoop> keyLoopOf(TileQKOp qk, ArrayRef<Value> invariants);

//===----------------------------------------------------------------------===//
// TMA staging (TmaStaging.cpp)
//===----------------------------------------------------------------------===//

/// Shared memory of the TMA form: the mbarriers at offset 0, then the
/// stages (at a 1024-byte boundary, as wgmma's swizzle needs).
constexpr int64_t kBarrierBytes = 128; // up to 8 stages, full + empty

/// Why the program's pairs cannot be staged with TMA, or the empty string
/// (and pl.seqK set).
std::string checkTma(func::FuncOp fn, ProgramLayout &pl);
/// Appends a tensor-map argument for every key / value buffer the pairs
/// read ("<buffer>_map"); the kernel boundary passes it by value.
void addTensorMapArgs(func::FuncOp fn, ProgramLayout &pl);
/// Thread 0 initialises the stages' mbarriers; a CTA barrier makes them
/// visible before any thread waits or any copy arrives.
void initBarriers(OpBuilder &b, Location loc, const ProgramLayout &pl);
/// Emits the TMA staging of the pair's K and V tiles (see TmaStaging.cpp).
void emitTmaStaging(ProgramLayout &pl, TileQKOp qk, TilePVOp pv);
/// The same for a rotated key loop (KeyLoopPipelining.h), whose qk and the
/// previous tile's pv are in flight together; records their deferred
/// waits. Needs one warpgroup and three stages.
void emitPipelinedTmaStaging(ProgramLayout &pl, PipelinedKeyLoop p);

} // namespace mlir::sattn::mma

#endif // SATTN_COMPILER_TRANSFORMS_MMAPROGRAMLAYOUT_H
