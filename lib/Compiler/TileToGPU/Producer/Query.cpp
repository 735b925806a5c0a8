//===- Query.cpp - The Q tile in the ring (wgmma's A from shared memory) --===//
//
// A ring with `query_rows` keeps the program's Q tile after its slots, as
// one block of 64 rows per consumer warpgroup in the wgmma_128b layout
// (column blocks of 64 elements, each 64 rows of 128 bytes), so that
// Q.K^T takes A through a descriptor as B, and Q costs no registers while
// the key loop runs. sattn.ring.stage_q is filled by the warpgroup that
// reads it: its 128 lanes copy their rows with cp.async (rows past the
// tile's count zero-filled), wait, make the copies visible to the async
// proxy wgmma reads through, and meet on the warpgroup's query_staged
// barrier. No other warpgroup is involved, so no CTA barrier is needed
// (the producer warpgroup never reaches this code).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Producer/Ring.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::staging;
using fragment::kChunk;

namespace {

constexpr int64_t kWarpgroupRows = 64;
constexpr int64_t kWarpgroupLanes = fragment::kWarpgroup;

/// Element offset of the ring's Q tile in its buffer.
Value queryOffset(IndexMath m, const RingStorage &st) {
  return st.slot(m, m.c(st.type.getSlots()));
}

void lowerStageQuery(RingStageQueryOp op, const RingStorage &st) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  IndexMath m{b, loc};
  RingType ring = st.type;
  int64_t headDim = ring.getCols();
  int64_t chunksPerRow = headDim / kChunk;
  int64_t chunks = kWarpgroupRows * chunksPerRow;
  Value lane = LaneIdOp::create(b, loc);
  Value warpgroup = m.div(lane, m.c(kWarpgroupLanes));
  Value wgLane = m.rem(lane, m.c(kWarpgroupLanes));
  // This warpgroup's block: rows [64w, 64w + 64) of the tile.
  Value blockRow = m.mul(warpgroup, kWarpgroupRows);
  Value block = m.add(queryOffset(m, st), m.mul(blockRow, headDim));
  for (int64_t c0 = 0; c0 < chunks; c0 += kWarpgroupLanes) {
    Value idx = m.add(wgLane, c0);
    Value row = m.div(idx, m.c(chunksPerRow));
    Value chunk = m.rem(idx, m.c(chunksPerRow));
    // A zero-filled row still names a valid address: the tile's first
    // (count >= 1 for every tile a program runs).
    Value tileRow = m.add(blockRow, row);
    Value valid = m.lt(tileRow, op.getCount());
    Value srcRow = m.add(op.getStart(),
                         m.mul(m.select(valid, tileRow, m.c(0)), op.getStep()));
    Value src = m.add(m.add(op.getBase(), m.mul(srcRow, headDim)),
                      m.mul(chunk, kChunk));
    Value dst =
        m.add(block, swizzledOffset(b, loc, SmemSwizzle::wgmma_128b,
                                    kWarpgroupRows, headDim, row, chunk));
    Value srcElems = m.select(valid, m.c(kChunk), m.c(0));
    auto copy = [&](OpBuilder &ob, Location l) {
      nvgpu::DeviceAsyncCopyOp::create(
          ob, l, nvgpu::DeviceAsyncTokenType::get(ob.getContext()), st.buffer,
          ValueRange{dst}, op.getBuffer(), ValueRange{src},
          ob.getIndexAttr(kChunk), srcElems, ob.getUnitAttr());
    };
    if (c0 + kWarpgroupLanes <= chunks)
      copy(b, loc);
    else
      ifThen(b, loc, m.lt(idx, m.c(chunks)), copy);
  }
  NVVM::CpAsyncCommitGroupOp::create(b, loc);
  NVVM::CpAsyncWaitGroupOp::create(b, loc, 0);
  NVVM::FenceProxyOp::create(
      b, loc,
      NVVM::ProxyKindAttr::get(b.getContext(), NVVM::ProxyKind::async_shared),
      NVVM::SharedSpaceAttr::get(b.getContext(),
                                 NVVM::SharedSpace::shared_cta));
  NamedBarrierSyncOp::create(b, loc, NamedBarrierKind::query_staged, warpgroup,
                             kWarpgroupLanes);
}

} // namespace

bool staging::isQueryOp(Operation *op) {
  return isa<RingStageQueryOp, RingQueryOffsetOp>(op);
}

void staging::lowerQueryOp(Operation *op, const RingStorage &st) {
  if (auto stage = dyn_cast<RingStageQueryOp>(op)) {
    lowerStageQuery(stage, st);
  } else {
    auto offset = cast<RingQueryOffsetOp>(op);
    OpBuilder b(op);
    offset.replaceAllUsesWith(queryOffset(IndexMath{b, op->getLoc()}, st));
  }
  op->erase();
}
