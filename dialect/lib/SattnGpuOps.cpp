//===- SattnGpuOps.cpp - Rings, staged products, warp roles ---------------===//
#include "sattn/IR/Sattn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::sattn;

#define GET_OP_CLASSES
#include "sattn/IR/SattnGpuOps.cpp.inc"

static RingType ringOf(Value v) { return cast<RingType>(v.getType()); }

/// `op` needs a ring filled by `fill`.
static LogicalResult needFill(Operation *op, Value ring, StagingKind fill) {
  if (ringOf(ring).getFill() != fill)
    return op->emitOpError("needs a ring filled by ")
           << stringifyStagingKind(fill) << ", got " << ring.getType();
  return success();
}

/// `op` copies from `buffer` into `ring`: their element types match.
static LogicalResult sameElements(Operation *op, Value ring, Value buffer) {
  Type elt = cast<MemRefType>(buffer.getType()).getElementType();
  if (elt != ringOf(ring).getElementType())
    return op->emitOpError("buffer element type ")
           << elt << " must match the ring's " << ringOf(ring).getElementType();
  return success();
}

LogicalResult RingCopyOp::verify() {
  if (failed(needFill(*this, getRing(), StagingKind::cp_async)))
    return failure();
  return sameElements(*this, getRing(), getBuffer());
}

LogicalResult RingCommitOp::verify() {
  return needFill(*this, getRing(), StagingKind::cp_async);
}

LogicalResult RingWaitCopiesOp::verify() {
  if (getPending() < 0)
    return emitOpError("pending must be >= 0, got ") << getPending();
  return needFill(*this, getRing(), StagingKind::cp_async);
}

LogicalResult RingAcquireOp::verify() {
  if (failed(needFill(*this, getRing(), StagingKind::tma)))
    return failure();
  if (ringOf(getRing()).getReleases() == 0)
    return emitOpError("needs a ring whose slots are released (releases > 0)");
  return success();
}

LogicalResult RingLoadOp::verify() {
  return needFill(*this, getRing(), StagingKind::tma);
}

LogicalResult RingWaitOp::verify() {
  return needFill(*this, getRing(), StagingKind::tma);
}

LogicalResult RingReleaseOp::verify() {
  if (ringOf(getRing()).getReleases() == 0)
    return emitOpError("needs a ring whose slots are released (releases > 0)");
  return success();
}

/// `op` needs a ring that holds a Q tile.
static LogicalResult needQueryTile(Operation *op, Value ring) {
  if (ringOf(ring).getQueryRows() == 0)
    return op->emitOpError("needs a ring that holds the Q tile "
                           "(query_rows > 0), got ")
           << ring.getType();
  return success();
}

LogicalResult RingStageQueryOp::verify() {
  if (failed(needQueryTile(*this, getRing())))
    return failure();
  return sameElements(*this, getRing(), getBuffer());
}

LogicalResult RingQueryOffsetOp::verify() {
  return needQueryTile(*this, getRing());
}

/// An asynchronous product's only use is the wait for it.
static LogicalResult verifyAsyncUse(Operation *op, bool async) {
  if (!async)
    return success();
  if (!op->getResult(0).hasOneUse() ||
      !isa<TileMmaWaitOp>(*op->getResult(0).getUsers().begin()))
    return op->emitOpError("async result must have one use, a "
                           "sattn.tile.mma_wait");
  return success();
}

LogicalResult TileMmaQKOp::verify() {
  auto s = cast<TileType>(getScores().getType());
  RingType ring = ringOf(getRing());
  if (!s.getElementType().isF32() || s.getCols() != ring.getRows())
    return emitOpError("scores must be f32 with one column per slot row, "
                       "got ")
           << s << " for ring slots " << ring.getRows() << "x"
           << ring.getCols();
  if (!getQ()) {
    // Q from the ring: its Q tile has the scores' rows.
    if (failed(needQueryTile(*this, getRing())))
      return failure();
    if (ring.getQueryRows() != s.getRows())
      return emitOpError("scores have ")
             << s.getRows() << " rows but the ring's Q tile has "
             << ring.getQueryRows();
    return verifyAsyncUse(*this, getAsync());
  }
  auto q = cast<TileType>(getQ().getType());
  if (q.getRows() != s.getRows() || q.getCols() != ring.getCols())
    return emitOpError("shapes do not match: q ")
           << q << ", scores " << s << ", ring slots " << ring.getRows() << "x"
           << ring.getCols();
  if (q.getElementType() != ring.getElementType())
    return emitOpError("q must have the ring's element type");
  return verifyAsyncUse(*this, getAsync());
}

LogicalResult TileMmaPVOp::verify() {
  auto p = cast<TileType>(getProbs().getType());
  auto acc = cast<TileType>(getAcc().getType());
  RingType ring = ringOf(getRing());
  if (p.getRows() != acc.getRows() || p.getCols() != ring.getRows() ||
      acc.getCols() != ring.getCols())
    return emitOpError("shapes do not match: probs ")
           << p << ", acc " << acc << ", ring slots " << ring.getRows() << "x"
           << ring.getCols();
  if ((!p.getElementType().isF32() &&
       p.getElementType() != ring.getElementType()) ||
      !acc.getElementType().isF32())
    return emitOpError("probs must be f32 or the ring's element type, acc "
                       "f32");
  return verifyAsyncUse(*this, getAsync());
}

LogicalResult TileMmaWaitOp::verify() {
  if (getPending() < 0)
    return emitOpError("pending must be >= 0, got ") << getPending();
  Operation *def = getPendingResult().getDefiningOp();
  bool async =
      (isa_and_nonnull<TileMmaQKOp>(def) &&
       cast<TileMmaQKOp>(def).getAsync()) ||
      (isa_and_nonnull<TileMmaPVOp>(def) && cast<TileMmaPVOp>(def).getAsync());
  if (!async)
    return emitOpError("waits for the result of an async sattn.tile.mma_qk "
                       "or sattn.tile.mma_pv");
  return success();
}

LogicalResult WarpSpecializeOp::verify() {
  if (getConsumerWarpgroups() < 1 || getConsumerWarpgroups() > 7)
    return emitOpError("consumer_warpgroups must be in [1, 7], got ")
           << getConsumerWarpgroups();
  for (int64_t r : {getConsumerRegisters(), getProducerRegisters()})
    if (r < 24 || r > 256 || r % 8)
      return emitOpError("register counts must be multiples of 8 in "
                         "[24, 256], got ")
             << r;
  if (!(*this)->getParentOfType<ProgramOp>())
    return emitOpError("must be nested in a sattn.program");
  return success();
}

static LogicalResult verifyNamedBarrier(Operation *op, int64_t threads) {
  if (threads < 32 || threads > 1024 || threads % 32)
    return op->emitOpError("threads must be a multiple of 32 in [32, 1024], "
                           "got ")
           << threads;
  return success();
}

LogicalResult NamedBarrierSyncOp::verify() {
  return verifyNamedBarrier(*this, getThreads());
}

LogicalResult NamedBarrierArriveOp::verify() {
  return verifyNamedBarrier(*this, getThreads());
}
