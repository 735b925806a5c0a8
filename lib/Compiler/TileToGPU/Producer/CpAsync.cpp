//===- CpAsync.cpp - K/V stages filled by cp.async (sm_80+) ---------------===//
//
// The schedule: each qk is paired with the pv of the same key tile, so V's
// copy overlaps Q.K^T and the softmax. In a key loop whose tile bounds
// follow from the induction variable, K is double-buffered: one iteration
// runs
//
//   wait for K[i]; barrier           (every warp is past P.V[i-1])
//   copy V[i]; copy K[i+1] (other buffer, if there is a next tile)
//   Q.K[i]^T, softmax                (V[i] and K[i+1] in flight)
//   wait for V[i]; barrier; P.V[i]
//
// with K of the first tile copied before the loop. Elsewhere K is copied
// and waited for in place. Slots: K in 0 and 1, V in 2.
//
// The lowering: every lane copies 16-byte chunks (rows past `count`
// zero-filled by a source size of 0) into the ring's swizzled layout,
// bypassing L1 (the tile is read once).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Producer/Ring.h"

#include "Compiler/Transforms/KeyLoopPipelining.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::staging;
using fragment::kChunk;

//===----------------------------------------------------------------------===//
// Schedule
//===----------------------------------------------------------------------===//

void staging::stageWithCpAsync(StagingContext &ctx, TileQKOp qk, TilePVOp pv) {
  Location loc = qk.getLoc();
  OpBuilder b(qk);
  IndexMath m{b, loc};
  Value ring = ctx.ring;
  Value first = qk.getFirst(), count = qk.getCount();
  auto copy = [&](OpBuilder &ob, Location l, Value slot, Value buffer,
                  Value base, Value from, Value rows) {
    RingCopyOp::create(ob, l, ring, slot, buffer, base, from, rows);
  };
  auto copyValues = [&] {
    copy(b, loc, m.c(ctx.keyStages), pv.getValues(), pv.getBase(), first,
         count);
    RingCommitOp::create(b, loc, ring);
  };
  auto waitCopies = [&](OpBuilder &ob, Location l, int64_t pending) {
    RingWaitCopiesOp::create(ob, l, ring, pending);
  };

  Value keySlot;
  std::optional<KeyLoop> keyLoop = keyLoopOf(qk, {qk.getKeys(), qk.getBase()});
  if (!keyLoop) {
    // K copied and waited for in place; the barrier also retires the
    // previous P.V's reads of the values slot.
    copy(b, loc, m.c(0), qk.getKeys(), qk.getBase(), first, count);
    RingCommitOp::create(b, loc, ring);
    waitCopies(b, loc, 0);
    copyValues();
    keySlot = m.c(0);
  } else {
    scf::ForOp loop = keyLoop->loop;
    ArrayRef<Operation *> slice = keyLoop->slice;
    // Before the loop: K of the first tile into slot 0.
    {
      OpBuilder pb(loop);
      IndexMath pm{pb, loc};
      Value any = pm.lt(loop.getLowerBound(), loop.getUpperBound());
      ifThen(pb, loc, any, [&](OpBuilder &tb, Location l) {
        SmallVector<Value> at =
            evaluateAt(tb, loop, slice, loop.getLowerBound(), {first, count});
        copy(tb, l, IndexMath{tb, l}.c(0), qk.getKeys(), qk.getBase(), at[0],
             at[1]);
      });
      RingCommitOp::create(pb, loc, ring);
    }
    Value iter = m.div(m.sub(loop.getInductionVar(), loop.getLowerBound()),
                       loop.getStep());
    Value parity = m.remU32(iter, 2);
    Value other = m.sub(m.c(1), parity);
    // Only K[i] is in flight here; after the barrier every warp is past
    // Q.K[i-1] and P.V[i-1], so the other K slot and V are free.
    waitCopies(b, loc, 0);
    copyValues();
    Value nextIv = m.add(loop.getInductionVar(), loop.getStep());
    ifThen(b, loc, m.lt(nextIv, loop.getUpperBound()),
           [&](OpBuilder &tb, Location l) {
             SmallVector<Value> at =
                 evaluateAt(tb, loop, slice, nextIv, {first, count});
             copy(tb, l, other, qk.getKeys(), qk.getBase(), at[0], at[1]);
           });
    // Committed even when empty, so that the pv's wait counts one group.
    RingCommitOp::create(b, loc, ring);
    keySlot = parity;
  }
  OpBuilder pvb(pv);
  // The newest group is K[i+1] (possibly empty) when prefetching.
  waitCopies(pvb, pv.getLoc(), keyLoop ? 1 : 0);
  Value valueSlot = IndexMath{pvb, pv.getLoc()}.c(ctx.keyStages);

  OpBuilder qb(qk);
  qb.setInsertionPoint(qk);
  auto staged = TileMmaQKOp::create(qb, loc, qk.getType(), ctx.queryOf(qk),
                                    ring, keySlot, /*async=*/false);
  qk.replaceAllUsesWith(staged.getScores());
  qk.erase();
  auto stagedPv =
      TileMmaPVOp::create(pvb, pv.getLoc(), pv.getType(), pv.getProbs(), ring,
                          valueSlot, pv.getAcc(), /*async=*/false);
  pv.replaceAllUsesWith(stagedPv.getResult());
  pv.erase();
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

namespace {

/// Issues the cp.async copies of rows [first, first + count) of a
/// [.., S, D] buffer into the slot at element `slotOffset`; rows past count
/// are zero-filled.
void copyTile(OpBuilder &b, Location loc, const RingStorage &st,
              Value slotOffset, Value buffer, Value base, Value first,
              Value count) {
  RingType ring = st.type;
  IndexMath m{b, loc};
  int64_t headDim = ring.getCols(), blockN = ring.getRows();
  int64_t chunksPerRow = headDim / kChunk;
  int64_t chunks = blockN * chunksPerRow;
  int64_t lanes = st.lanes;
  // Lane l copies chunk l % chunksPerRow of rows l / chunksPerRow + k *
  // rowsPerStep: addresses differ by constants between a lane's copies,
  // so they fold into immediate offsets. The swizzle term (row % 8) is
  // the same for all of them when rowsPerStep is a multiple of 8.
  bool regular = lanes % chunksPerRow == 0 && chunks % lanes == 0;
  int64_t rowsPerStep = lanes / chunksPerRow;
  auto copyChunk = [&](OpBuilder &ob, Location l, Value row, Value chunk,
                       bool fullTile) {
    IndexMath om{ob, l};
    Value srcRow = row, srcElems;
    if (!fullTile) {
      // A zero-filled row still names a valid address: the tile's first.
      Value valid = om.lt(row, count);
      srcRow = om.select(valid, row, om.c(0));
      srcElems = om.select(valid, om.c(kChunk), om.c(0));
    }
    Value src = om.add(om.add(base, om.mul(om.add(first, srcRow), headDim)),
                       om.mul(chunk, kChunk));
    Value dst = om.add(slotOffset, swizzledOffset(ob, l, ring, row, chunk));
    nvgpu::DeviceAsyncCopyOp::create(
        ob, l, nvgpu::DeviceAsyncTokenType::get(ob.getContext()), st.buffer,
        ValueRange{dst}, buffer, ValueRange{src}, ob.getIndexAttr(kChunk),
        srcElems, ob.getUnitAttr());
  };
  if (regular) {
    Value rowChunks = m.c(chunksPerRow);
    Value laneRow = m.div(LaneIdOp::create(b, loc), rowChunks);
    Value rowChunks2 = m.c(chunksPerRow);
    Value chunk = m.rem(LaneIdOp::create(b, loc), rowChunks2);
    auto copyAll = [&](OpBuilder &ob, Location l, bool fullTile) {
      IndexMath om{ob, l};
      for (int64_t k = 0; k < chunks / lanes; ++k)
        copyChunk(ob, l, om.add(laneRow, k * rowsPerStep), chunk, fullTile);
      scf::YieldOp::create(ob, l);
    };
    // Whole tiles (all but a sequence's last) need no row guards.
    scf::IfOp::create(
        b, loc, m.cmp(arith::CmpIPredicate::eq, count, m.c(blockN)),
        [&](OpBuilder &tb, Location l) { copyAll(tb, l, true); },
        [&](OpBuilder &eb, Location l) { copyAll(eb, l, false); });
    return;
  }
  for (int64_t c0 = 0; c0 < chunks; c0 += lanes) {
    Value idx = m.add(LaneIdOp::create(b, loc), c0);
    auto guarded = [&](OpBuilder &ob, Location l) {
      IndexMath om{ob, l};
      copyChunk(ob, l, om.div(idx, om.c(chunksPerRow)),
                om.rem(idx, om.c(chunksPerRow)), false);
    };
    if (c0 + lanes <= chunks) {
      guarded(b, loc);
    } else {
      scf::IfOp::create(b, loc, m.lt(idx, m.c(chunks)),
                        [&](OpBuilder &tb, Location l) {
                          guarded(tb, l);
                          scf::YieldOp::create(tb, l);
                        });
    }
  }
}

} // namespace

LogicalResult staging::lowerCpAsyncOp(Operation *op, const RingStorage &st) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  if (auto copy = dyn_cast<RingCopyOp>(op)) {
    copyTile(b, loc, st, st.slot(IndexMath{b, loc}, copy.getSlot()),
             copy.getBuffer(), copy.getBase(), copy.getFirst(),
             copy.getCount());
  } else if (isa<RingCommitOp>(op)) {
    NVVM::CpAsyncCommitGroupOp::create(b, loc);
  } else if (auto wait = dyn_cast<RingWaitCopiesOp>(op)) {
    NVVM::CpAsyncWaitGroupOp::create(b, loc, wait.getPending());
    // wgmma reads shared memory through the async proxy: the copies
    // (generic proxy) are made visible to it.
    if (st.type.getSwizzle() == SmemSwizzle::wgmma_128b)
      NVVM::FenceProxyOp::create(
          b, loc,
          NVVM::ProxyKindAttr::get(b.getContext(),
                                   NVVM::ProxyKind::async_shared),
          NVVM::SharedSpaceAttr::get(b.getContext(),
                                     NVVM::SharedSpace::shared_cta));
    gpu::BarrierOp::create(b, loc);
  } else {
    return failure();
  }
  op->erase();
  return success();
}
