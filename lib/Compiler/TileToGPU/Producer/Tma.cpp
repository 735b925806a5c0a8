//===- Tma.cpp - K/V stages filled by TMA on mbarriers (sm_90a) -----------===//
//
// The schedule. One thread fills a slot with bulk tensor copies that
// complete on the slot's "full" mbarrier; every thread waits on that
// barrier's phase before reading the slot. Where slots are released (a
// producer warpgroup, two consumer warpgroups, or pipelined key loops), the
// consumers hand each slot back on its "empty" mbarrier once their last
// product reading it has completed, and a refill first acquires it.
// Otherwise one warpgroup both fills and reads, and a wgmma is collective
// over its warpgroup: once the filling thread is past the last product
// that read a slot, every warp's reads are done, so it may refill it
// without any barrier.
//  - outside a prefetching loop: K and V are filled in place, every thread
//    waits for K;
//  - in a key loop whose tile bounds follow from the induction variable:
//    K[first] is filled before the loop; iteration i fills V[i] and K[i+1]
//    (the next key slot) before waiting for K[i], so both copies land
//    during Q.K[i] and the softmax. With several value slots, V[first] goes
//    with K[first] before the loop and V[i+1] with K[i+1];
//  - P.V waits for V.
//
// The lowering: expect_tx of the slot's bytes, one cp.async.bulk.tensor per
// 64-column box (the 128-byte swizzle span, so TMA writes the layout the
// wgmma descriptors read) at (column, first key, head); the mbarrier waits
// track each barrier's parity in a per-thread word (LLVM keeps it in a
// register).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Producer/Ring.h"

#include "Compiler/Transforms/KeyLoopPipelining.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::staging;

//===----------------------------------------------------------------------===//
// Schedule
//===----------------------------------------------------------------------===//

namespace {

/// `head` when `base` is computed as (head * Sk) * D (operands in either
/// order), as sattn-tile-flash writes a head's offset: the TMA coordinate
/// then needs no 64-bit division.
Value headOfProduct(Value base, Value seqK, int64_t headDim) {
  auto isConstant = [](Value v, int64_t c) {
    APInt value;
    return matchPattern(v, m_ConstantInt(&value)) && value == c;
  };
  auto outer = base.getDefiningOp<arith::MulIOp>();
  if (!outer)
    return {};
  for (unsigned i = 0; i < 2; ++i) {
    if (!isConstant(outer->getOperand(1 - i), headDim))
      continue;
    auto inner = outer->getOperand(i).getDefiningOp<arith::MulIOp>();
    if (!inner)
      continue;
    if (inner.getRhs() == seqK)
      return inner.getLhs();
    if (inner.getLhs() == seqK)
      return inner.getRhs();
  }
  return {};
}

/// The head (B * Hkv index) of a buffer offset: base / (Sk * D), read off
/// the product that computes it where possible.
Value headOf(OpBuilder &b, Location loc, const StagingContext &ctx,
             Value base) {
  if (Value head = headOfProduct(base, ctx.seqK, ctx.headDim))
    return head;
  IndexMath m{b, loc};
  return m.div(base, m.mul(ctx.seqK, m.c(ctx.headDim)));
}

/// `body` on thread 0 only.
scf::IfOp onThreadZero(OpBuilder &b, Location loc, Value extraCondition,
                       function_ref<void(OpBuilder &, Location)> body) {
  IndexMath m{b, loc};
  Value zero = m.c(0);
  Value cond = m.cmp(arith::CmpIPredicate::eq, LaneIdOp::create(b, loc), zero);
  if (extraCondition)
    cond = m.land(cond, extraCondition);
  return ifThen(b, loc, cond, body);
}

bool releases(const StagingContext &ctx) {
  return cast<RingType>(ctx.ring.getType()).getReleases() > 0;
}

/// Fills `slot` with key rows [first, first + block_n) of `head`, acquiring
/// it first where slots are released.
void fill(OpBuilder &b, Location loc, const StagingContext &ctx, Value slot,
          Value tensorMap, Value head, Value first) {
  if (releases(ctx))
    RingAcquireOp::create(b, loc, ctx.ring, slot);
  RingLoadOp::create(b, loc, ctx.ring, slot, tensorMap, head, first);
}

/// Replaces the pair by staged products reading `keySlot` / `valueSlot`;
/// with released slots each is released right after its product.
void stageProducts(const StagingContext &ctx, TileQKOp qk, TilePVOp pv,
                   Value keySlot, Value valueSlot) {
  OpBuilder b(qk);
  RingWaitOp::create(b, qk.getLoc(), ctx.ring, keySlot);
  auto stagedQk =
      TileMmaQKOp::create(b, qk.getLoc(), qk.getType(), ctx.queryOf(qk),
                          ctx.ring, keySlot, /*async=*/false);
  if (releases(ctx))
    RingReleaseOp::create(b, qk.getLoc(), ctx.ring, keySlot);
  qk.replaceAllUsesWith(stagedQk.getScores());
  qk.erase();
  b.setInsertionPoint(pv);
  RingWaitOp::create(b, pv.getLoc(), ctx.ring, valueSlot);
  auto stagedPv =
      TileMmaPVOp::create(b, pv.getLoc(), pv.getType(), pv.getProbs(), ctx.ring,
                          valueSlot, pv.getAcc(), /*async=*/false);
  if (releases(ctx))
    RingReleaseOp::create(b, pv.getLoc(), ctx.ring, valueSlot);
  pv.replaceAllUsesWith(stagedPv.getResult());
  pv.erase();
}

} // namespace

void staging::stageWithTma(StagingContext &ctx, TileQKOp qk, TilePVOp pv) {
  Location loc = qk.getLoc();
  OpBuilder b(qk);
  IndexMath m{b, loc};
  Value kMap = ctx.tensorMaps.lookup(qk.getKeys());
  Value vMap = ctx.tensorMaps.lookup(pv.getValues());
  Value first = qk.getFirst();
  int64_t keyStages = ctx.keyStages, valueStages = ctx.valueStages;

  // The heads are computed before the loop, so both bases must be
  // invariant (the buffers are kernel arguments).
  std::optional<KeyLoop> keyLoop = keyLoopOf(qk, {qk.getBase(), pv.getBase()});
  Value keySlot, valueSlot;
  if (!keyLoop) {
    Value kHead = headOf(b, loc, ctx, qk.getBase());
    Value vHead = headOf(b, loc, ctx, pv.getBase());
    keySlot = m.c(0);
    valueSlot = m.c(keyStages);
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      fill(tb, l, ctx, keySlot, kMap, kHead, first);
      fill(tb, l, ctx, valueSlot, vMap, vHead, first);
    });
  } else {
    bool valueRing = valueStages > 1;
    scf::ForOp loop = keyLoop->loop;
    ArrayRef<Operation *> slice = keyLoop->slice;
    OpBuilder pb(loop);
    IndexMath pm{pb, loc};
    Value kHead = headOf(pb, loc, ctx, qk.getBase());
    Value vHead = headOf(pb, loc, ctx, pv.getBase());
    onThreadZero(pb, loc, pm.lt(loop.getLowerBound(), loop.getUpperBound()),
                 [&](OpBuilder &tb, Location l) {
                   IndexMath tm{tb, l};
                   SmallVector<Value> at = evaluateAt(
                       tb, loop, slice, loop.getLowerBound(), {first});
                   fill(tb, l, ctx, tm.c(0), kMap, kHead, at[0]);
                   if (valueRing)
                     fill(tb, l, ctx, tm.c(keyStages), vMap, vHead, at[0]);
                 });
    Value iter = m.div(m.sub(loop.getInductionVar(), loop.getLowerBound()),
                       loop.getStep());
    keySlot = m.remU32(iter, keyStages);
    valueSlot = m.add(m.c(keyStages), m.remU32(iter, valueStages));
    Value nextIv = m.add(loop.getInductionVar(), loop.getStep());
    Value hasNext = m.lt(nextIv, loop.getUpperBound());
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      if (!valueRing)
        fill(tb, l, ctx, valueSlot, vMap, vHead, first);
      ifThen(tb, l, hasNext, [&](OpBuilder &nb, Location nl) {
        IndexMath nm{nb, nl};
        SmallVector<Value> at = evaluateAt(nb, loop, slice, nextIv, {first});
        Value nextIter = nm.add(iter, nm.c(1));
        fill(nb, nl, ctx, nm.remU32(nextIter, keyStages), kMap, kHead, at[0]);
        if (valueRing)
          fill(nb, nl, ctx,
               nm.add(nm.c(keyStages), nm.remU32(nextIter, valueStages)), vMap,
               vHead, at[0]);
      });
    });
  }
  stageProducts(ctx, qk, pv, keySlot, valueSlot);
}

/// The rotated loop (KeyLoopPipelining.h) sits in the then-branch of its
/// guard with the prologue's qk before it and the epilogue's pv after it.
/// Tile t (counted from the loop's lower bound) has key slot t mod
/// key_stages and value slot key_stages + t mod value_stages; K is filled
/// one tile ahead and V[t] at the top of iteration t:
///
///   prologue:     fill K[0], K[1], V[0]; wait K[0]; Q.K[0]^T; release
///   iteration t:  fill K[t+1], V[t]
///                 wait K[t]; issue Q.K[t]^T
///                 wait V[t-1]; issue P[t-1].V[t-1]
///                 Q.K[t]^T done (wait_group 1); release K[t]; softmax
///                 P.V done where O is next used (wait_group 0); release
///   epilogue:     wait V[n-1]; P[n-1].V[n-1]; release
///
/// Every slot is released (the ring's `releases`), so a refill waits for
/// the consumers; the fills of K[t+1] and V[t] land while iteration t-1's
/// products and softmax run.
LogicalResult staging::stagePipelinedWithTma(StagingContext &ctx,
                                             scf::ForOp loop) {
  auto fail = [&](const Twine &why) {
    return loop.emitOpError("is marked sattn.pipelined_loop but ") << why;
  };
  if (!releases(ctx) || ctx.valueStages < 2)
    return fail("its ring does not release slots or has one value slot");
  auto guard = dyn_cast<scf::IfOp>(loop->getParentOp());
  if (!guard || loop->getBlock() != guard.thenBlock())
    return fail("is not in the then-branch of its guard");
  TileQKOp firstQk, loopQk;
  TilePVOp loopPv, lastPv;
  for (Operation &op : *guard.thenBlock()) {
    if (auto qk = dyn_cast<TileQKOp>(op); qk && op.isBeforeInBlock(loop))
      firstQk = qk;
    if (auto pv = dyn_cast<TilePVOp>(op); pv && loop->isBeforeInBlock(&op))
      lastPv = pv;
  }
  for (Operation &op : *loop.getBody()) {
    if (auto qk = dyn_cast<TileQKOp>(op))
      loopQk = qk;
    if (auto pv = dyn_cast<TilePVOp>(op))
      loopPv = pv;
  }
  if (!firstQk || !loopQk || !loopPv || !lastPv)
    return fail("its prologue, body or epilogue lacks a product");
  Location loc = loop.getLoc();
  Value kMap = ctx.tensorMaps.lookup(loopQk.getKeys());
  Value vMap = ctx.tensorMaps.lookup(loopPv.getValues());
  if (!kMap || !vMap)
    return fail("its buffers have no tensor maps");
  FailureOr<SmallVector<Operation *>> slice =
      inductionSlice(loop, {loopQk.getFirst()});
  if (failed(slice))
    return fail("its key tile bounds do not follow from the induction "
                "variable");
  auto firstKeyAt = [&](OpBuilder &b, Value iv) {
    return evaluateAt(b, loop, *slice, iv, {loopQk.getFirst()})[0];
  };
  int64_t ks = ctx.keyStages, vs = ctx.valueStages;
  auto keySlot = [&](IndexMath &m, Value t) { return m.remU32(t, ks); };
  auto valueSlot = [&](IndexMath &m, Value t) {
    return m.add(m.c(ks), m.remU32(t, vs));
  };
  // The guard's condition is lb < ub; the rotated loop runs from lb + step.
  Value step = loop.getStep(), ub = loop.getUpperBound();
  OpBuilder gb(guard);
  Value kHead = headOf(gb, loc, ctx, loopQk.getBase());
  Value vHead = headOf(gb, loc, ctx, loopPv.getBase());

  // Prologue.
  {
    OpBuilder b(firstQk);
    IndexMath m{b, loc};
    Value second = loop.getLowerBound();
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      IndexMath tm{tb, l};
      fill(tb, l, ctx, tm.c(0), kMap, kHead, firstQk.getFirst());
      ifThen(tb, l, tm.lt(second, ub), [&](OpBuilder &nb, Location nl) {
        fill(nb, nl, ctx, IndexMath{nb, nl}.c(1 % ks), kMap, kHead,
             firstKeyAt(nb, second));
      });
      fill(tb, l, ctx, tm.c(ks), vMap, vHead, firstQk.getFirst());
    });
    Value slot = m.c(0);
    RingWaitOp::create(b, loc, ctx.ring, slot);
    auto qk =
        TileMmaQKOp::create(b, loc, firstQk.getType(), ctx.queryOf(firstQk),
                            ctx.ring, slot, /*async=*/false);
    RingReleaseOp::create(b, loc, ctx.ring, slot);
    firstQk.replaceAllUsesWith(qk.getScores());
    firstQk.erase();
  }
  // The loop: tile t = (iv - lb) / step >= 1, with lb = loop lb - step.
  {
    Block *body = loop.getBody();
    OpBuilder b = OpBuilder::atBlockBegin(body);
    IndexMath m{b, loc};
    Value iv = loop.getInductionVar();
    Value tile = m.add(m.div(m.sub(iv, loop.getLowerBound()), step), m.c(1));
    Value prev = m.sub(tile, m.c(1));
    Value nextIv = m.add(iv, step);
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      IndexMath tm{tb, l};
      ifThen(tb, l, tm.lt(nextIv, ub), [&](OpBuilder &nb, Location nl) {
        IndexMath nm{nb, nl};
        fill(nb, nl, ctx, keySlot(nm, nm.add(tile, nm.c(1))), kMap, kHead,
             firstKeyAt(nb, nextIv));
      });
      fill(tb, l, ctx, valueSlot(tm, tile), vMap, vHead, firstKeyAt(tb, iv));
    });
    Value kSlot = keySlot(m, tile), vSlot = valueSlot(m, prev);
    b.setInsertionPoint(loopQk);
    RingWaitOp::create(b, loc, ctx.ring, kSlot);
    auto qk = TileMmaQKOp::create(b, loc, loopQk.getType(), ctx.queryOf(loopQk),
                                  ctx.ring, kSlot, /*async=*/true);
    b.setInsertionPoint(loopPv);
    RingWaitOp::create(b, loc, ctx.ring, vSlot);
    auto pv = TileMmaPVOp::create(b, loc, loopPv.getType(), loopPv.getProbs(),
                                  ctx.ring, vSlot, loopPv.getAcc(),
                                  /*async=*/true);
    // Q.K^T completes first (products complete in issue order).
    auto scores = TileMmaWaitOp::create(b, loc, qk.getType(), qk, 1);
    RingReleaseOp::create(b, loc, ctx.ring, kSlot);
    loopQk.replaceAllUsesWith(scores.getResult());
    loopQk.erase();
    // P.V is waited for where its result is first used.
    Operation *firstUse = body->getTerminator();
    for (Operation *user : loopPv->getUsers())
      if (Operation *inBody = body->findAncestorOpInBlock(*user))
        if (inBody->isBeforeInBlock(firstUse))
          firstUse = inBody;
    b.setInsertionPoint(firstUse);
    auto out = TileMmaWaitOp::create(b, loc, pv.getType(), pv, 0);
    RingReleaseOp::create(b, loc, ctx.ring, vSlot);
    loopPv.replaceAllUsesWith(out.getResult());
    loopPv.erase();
  }
  // Epilogue: V of the last tile, (ub - lb - 1) / step.
  {
    OpBuilder b(lastPv);
    IndexMath m{b, loc};
    Value lb = m.sub(loop.getLowerBound(), step);
    Value last = m.div(m.sub(m.sub(ub, lb), m.c(1)), step);
    Value slot = valueSlot(m, last);
    RingWaitOp::create(b, loc, ctx.ring, slot);
    auto pv = TileMmaPVOp::create(b, loc, lastPv.getType(), lastPv.getProbs(),
                                  ctx.ring, slot, lastPv.getAcc(),
                                  /*async=*/false);
    RingReleaseOp::create(b, loc, ctx.ring, slot);
    lastPv.replaceAllUsesWith(pv.getResult());
    lastPv.erase();
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Lowering
//===----------------------------------------------------------------------===//

namespace {

/// A shared-window byte address as the pointer NVVM's ops take.
Value sharedPointer(OpBuilder &b, Location loc, Value address) {
  Value word = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext(), 3), word);
}

Value barrierOf(OpBuilder &b, Location loc, const RingStorage &st,
                Value index) {
  IndexMath m{b, loc};
  return sharedPointer(b, loc, m.add(st.barriers, m.mul(index, 8)));
}

Value i32(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
}

/// Waits for the current phase of mbarrier `index` (a slot's fill below
/// `slots`, its release from there on) and flips this thread's parity bit.
void waitPhase(OpBuilder &b, Location loc, const RingStorage &st, Value index) {
  Value bits = memref::LoadOp::create(b, loc, st.phases, ValueRange{});
  Value shift = i32(b, loc, index);
  Value one = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1));
  Value parity = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, shift), one);
  // The suspend-time hint CUTLASS uses (ns); the loop around try_wait
  // retries until the phase completes.
  NVVM::MBarrierTryWaitParityOp::create(
      b, loc, barrierOf(b, loc, st, index), parity,
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0x989680)));
  Value flipped = arith::XOrIOp::create(
      b, loc, bits, arith::ShLIOp::create(b, loc, one, shift));
  memref::StoreOp::create(b, loc, flipped, st.phases, ValueRange{});
}

} // namespace

void staging::initBarriers(OpBuilder &b, Location loc, const RingStorage &st) {
  IndexMath m{b, loc};
  Value zero = m.c(0);
  Value cond = m.cmp(arith::CmpIPredicate::eq, LaneIdOp::create(b, loc), zero);
  ifThen(b, loc, cond, [&](OpBuilder &tb, Location l) {
    IndexMath tm{tb, l};
    auto i32c = [&](int64_t v) {
      return arith::ConstantOp::create(tb, l, tb.getI32IntegerAttr(v));
    };
    int64_t n = st.type.getSlots();
    for (int64_t s = 0; s < n; ++s)
      NVVM::MBarrierInitOp::create(tb, l, barrierOf(tb, l, st, tm.c(s)),
                                   i32c(1), Value());
    if (int64_t consumers = st.type.getReleases())
      for (int64_t s = 0; s < n; ++s)
        NVVM::MBarrierInitOp::create(tb, l, barrierOf(tb, l, st, tm.c(n + s)),
                                     i32c(consumers), Value());
    NVVM::FenceMbarrierInitOp::create(tb, l);
  });
  gpu::BarrierOp::create(b, loc);
}

LogicalResult staging::lowerTmaOp(Operation *op, const RingStorage &st) {
  OpBuilder b(op);
  Location loc = op->getLoc();
  IndexMath m{b, loc};
  int64_t slots = st.type.getSlots();
  if (auto acquire = dyn_cast<RingAcquireOp>(op)) {
    waitPhase(b, loc, st, m.add(acquire.getSlot(), m.c(slots)));
  } else if (auto load = dyn_cast<RingLoadOp>(op)) {
    RingType ring = st.type;
    Value barrier = barrierOf(b, loc, st, load.getSlot());
    NVVM::MBarrierArriveExpectTxOp::create(
        b, loc, Type(), barrier,
        arith::ConstantOp::create(b, loc,
                                  b.getI32IntegerAttr(ring.slotBytes())),
        NVVM::MemScopeKind::CTA, /*relaxed=*/false, Value());
    Value slotAddress = m.add(
        st.address, m.mul(st.slot(m, load.getSlot()), ring.elementBytes()));
    Value row = i32(b, loc, load.getFirst()),
          headIndex = i32(b, loc, load.getHead());
    for (int64_t block = 0; block < ring.getCols() / 64; ++block) {
      // The instruction names a shared::cluster destination; this CTA's
      // shared window lies inside it.
      Value dst = LLVM::AddrSpaceCastOp::create(
          b, loc, LLVM::LLVMPointerType::get(b.getContext(), 7),
          sharedPointer(b, loc,
                        m.add(slotAddress, block * ring.getRows() * 128)));
      Value col =
          arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(64 * block));
      NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
          b, loc, dst, load.getTensorMap(), ValueRange{col, row, headIndex},
          barrier, ValueRange{}, Value(), Value(), NVVM::TMALoadMode::TILE,
          /*isCTAOnly=*/false, NVVM::CTAGroupKindAttr(), Value());
    }
  } else if (auto wait = dyn_cast<RingWaitOp>(op)) {
    waitPhase(b, loc, st, wait.getSlot());
  } else if (auto release = dyn_cast<RingReleaseOp>(op)) {
    Value zero = m.c(0);
    Value lanes = m.c(fragment::kWarpgroup);
    Value leader = m.cmp(arith::CmpIPredicate::eq,
                         m.rem(LaneIdOp::create(b, loc), lanes), zero);
    ifThen(b, loc, leader, [&](OpBuilder &tb, Location l) {
      IndexMath tm{tb, l};
      NVVM::MBarrierArriveOp::create(
          tb, l, Type(),
          barrierOf(tb, l, st, tm.add(release.getSlot(), tm.c(slots))),
          Value());
    });
  } else {
    return failure();
  }
  op->erase();
  return success();
}
