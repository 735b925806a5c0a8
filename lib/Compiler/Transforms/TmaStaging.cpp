//===- TmaStaging.cpp - K/V stages filled by TMA on mbarriers (sm_90a) ----===//
//
// The sm_90a way sattn-lower-tiles-mma fills the K and V stages: thread 0
// issues one cp.async.bulk.tensor per 64-column box (the 128-byte swizzle
// span, so TMA writes the layout the wgmma descriptors read), completing on
// the stage's mbarrier; every thread waits on that barrier's phase. The
// tensor maps are kernel arguments passed by value (TensorMapParams.cpp).
// Emitted around each qk / pv pair before the pass converts the compute.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Transforms/MmaProgramLayout.h"
#include "Compiler/Transforms/WarpRoles.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/ScopeExit.h"

namespace mlir::sattn::mma {


/// Sk when `count` is min(Sk - first, blockN), in either operand order: the
/// tile is then clipped only by the sequence, so the rows past `count` are
/// exactly those TMA fills with zeros (rows >= Sk of the tensor map).
static Value sequenceClip(Value count, Value first, int64_t blockN) {
  auto min = count.getDefiningOp<arith::MinSIOp>();
  if (!min)
    return {};
  for (unsigned i = 0; i < 2; ++i) {
    APInt bound;
    if (!matchPattern(min->getOperand(1 - i), m_ConstantInt(&bound)) ||
        bound != blockN)
      continue;
    if (auto sub = min->getOperand(i).getDefiningOp<arith::SubIOp>())
      if (sub.getRhs() == first)
        return sub.getLhs();
  }
  return {};
}

/// Why the program's pairs cannot be staged with TMA, or the empty string
/// (and pl.seqK set).
std::string checkTma(func::FuncOp fn, ProgramLayout &pl) {
  if (!fn || !getKernelAttr(fn))
    return "not in a kernel function with #sattn.kernel";
  Block &entry = fn.getBody().front();
  auto isKernelArg = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == &entry;
  };
  for (auto [qk, pv] : pl.pairs) {
    if (!isKernelArg(qk.getKeys()) || !isKernelArg(pv.getValues()))
      return "a key or value buffer that is not a kernel argument";
    Value seqK = sequenceClip(qk.getCount(), qk.getFirst(), pl.blockN);
    if (!seqK || !isKernelArg(seqK))
      return "a key tile whose count is not min(Sk - first, block_n)";
    if (pl.seqK && pl.seqK != seqK)
      return "key tiles clipped to different sequence lengths";
    pl.seqK = seqK;
  }
  return "";
}

/// Appends a tensor-map argument for every key / value buffer the pairs
/// read ("<buffer>_map"); the kernel boundary passes it by value.
void addTensorMapArgs(func::FuncOp fn, ProgramLayout &pl) {
  MLIRContext *ctx = fn.getContext();
  SmallVector<Value> buffers;
  for (auto [qk, pv] : pl.pairs)
    for (Value buf : {qk.getKeys(), pv.getValues()})
      if (!llvm::is_contained(buffers, buf))
        buffers.push_back(buf);
  for (Value buf : buffers) {
    KernelAttr kernel = getKernelAttr(fn);
    unsigned argNo = cast<BlockArgument>(buf).getArgNumber();
    StringRef tensor = kernel.argName(argNo);
    // Another program of the same kernel may have added it already.
    if (TensorMapAttr map = kernel.tensorMapOf(tensor)) {
      pl.tensorMaps[buf] = fn.getArgument(map.getArg());
      continue;
    }
    unsigned index = fn.getNumArguments();
    if (failed(fn.insertArgument(index, LLVM::LLVMPointerType::get(ctx),
                                 DictionaryAttr::get(ctx), fn.getLoc())))
      llvm_unreachable("appending an argument cannot fail");
    auto map = TensorMapAttr::get(ctx, index, StringAttr::get(ctx, tensor),
                                  /*boxCols=*/64, /*boxRows=*/pl.blockN);
    fn->setAttr(attrs::kKernel,
                kernel.withTensorMap((tensor + "_map").str(), map));
    pl.tensorMaps[buf] = fn.getArgument(index);
  }
}

/// A shared-window byte address as the pointer NVVM's ops take.
static Value sharedPointer(OpBuilder &b, Location loc, Value address) {
  Value word = arith::IndexCastOp::create(b, loc, b.getI64Type(), address);
  return LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext(), 3), word);
}

static Value barrierOf(OpBuilder &b, Location loc, const ProgramLayout &pl,
                Value stage) {
  IndexMath m{b, loc};
  return sharedPointer(b, loc, m.add(pl.barriers, m.mul(stage, 8)));
}

static Value i32(OpBuilder &b, Location loc, Value index) {
  return arith::IndexCastOp::create(b, loc, b.getI32Type(), index);
}

/// Every thread: waits for the current phase of mbarrier `index` (a
/// stage's fill below numStages(), its release from there on) and flips the
/// phase bit.
static void waitPhase(OpBuilder &b, Location loc, const ProgramLayout &pl,
                      Value index) {
  Value bits = memref::LoadOp::create(b, loc, pl.phases, ValueRange{});
  Value shift = i32(b, loc, index);
  Value one = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(1));
  Value parity = arith::AndIOp::create(
      b, loc, arith::ShRUIOp::create(b, loc, bits, shift), one);
  // The suspend-time hint CUTLASS uses (ns); the loop around try_wait
  // retries until the phase completes.
  NVVM::MBarrierTryWaitParityOp::create(
      b, loc, barrierOf(b, loc, pl, index), parity,
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(0x989680)));
  Value flipped = arith::XOrIOp::create(
      b, loc, bits, arith::ShLIOp::create(b, loc, one, shift));
  memref::StoreOp::create(b, loc, flipped, pl.phases, ValueRange{});
}

/// Every thread: waits for the stage's current fill.
static void waitFill(OpBuilder &b, Location loc, const ProgramLayout &pl,
                     Value stage) {
  waitPhase(b, loc, pl, stage);
}

/// With several warpgroups or a producer: the first thread of each
/// computing warpgroup releases the stage once its wgmma that read it has
/// completed (a wgmma is collective over the warpgroup, so its completion
/// covers every warp's reads).
static void releaseStage(OpBuilder &b, Location loc, const ProgramLayout &pl,
                  Value stage) {
  if (!pl.releases())
    return;
  IndexMath m{b, loc};
  Value leader = m.cmp(arith::CmpIPredicate::eq,
                       m.rem(LaneIdOp::create(b, loc), m.c(4 * kWarp)), m.c(0));
  ifThen(b, loc, leader, [&](OpBuilder &tb, Location l) {
    IndexMath tm{tb, l};
    NVVM::MBarrierArriveOp::create(
        tb, l, Type(),
        barrierOf(tb, l, pl, tm.add(stage, tm.c(pl.numStages()))), Value());
  });
}

/// Thread 0 only: announces the stage's bytes on its mbarrier, then copies
/// rows [first, first + blockN) of head `head` into it, one box of 64
/// columns (128 bytes, the swizzle span) per copy. TMA writes the same
/// 128-byte-swizzle layout the wgmma descriptors read.
///
/// With a producer warpgroup every op it emits is marked
/// `sattn.producer_op`: sattn-split-warp-roles keeps these (and only these
/// of the ops with effects) in the producer's copy of the program and
/// erases them from the consumers'.
static void issueFill(OpBuilder &b, Location loc, const ProgramLayout &pl,
               Value stage, Value tensorMap, Value first, Value head) {
  MarkInserted mark(kProducerOpAttr);
  OpBuilder::Listener *outer = b.getListener();
  if (pl.producer)
    b.setListener(&mark);
  llvm::scope_exit restore([&] { b.setListener(outer); });
  IndexMath m{b, loc};
  if (pl.releases())
    waitPhase(b, loc, pl, m.add(stage, m.c(pl.numStages())));
  Value barrier = barrierOf(b, loc, pl, stage);
  NVVM::MBarrierArriveExpectTxOp::create(
      b, loc, Type(), barrier,
      arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(pl.stageBytes())),
      NVVM::MemScopeKind::CTA, /*relaxed=*/false, Value());
  Value stageAddress =
      m.add(pl.stagesAddress, m.mul(pl.stage(m, stage), pl.elemBytes));
  Value row = i32(b, loc, first), headIndex = i32(b, loc, head);
  for (int64_t block = 0; block < pl.headDim / 64; ++block) {
    // The instruction names a shared::cluster destination; this CTA's
    // shared window lies inside it.
    Value dst = LLVM::AddrSpaceCastOp::create(
        b, loc, LLVM::LLVMPointerType::get(b.getContext(), 7),
        sharedPointer(b, loc, m.add(stageAddress, block * pl.blockN * 128)));
    Value col = arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(64 * block));
    NVVM::CpAsyncBulkTensorGlobalToSharedClusterOp::create(
        b, loc, dst, tensorMap, ValueRange{col, row, headIndex}, barrier,
        ValueRange{}, Value(), Value(), NVVM::TMALoadMode::TILE,
        /*isCTAOnly=*/false, NVVM::CTAGroupKindAttr(), Value());
  }
}

/// `body` on thread 0 only.
static scf::IfOp onThreadZero(OpBuilder &b, Location loc, Value extraCondition,
                  function_ref<void(OpBuilder &, Location)> body) {
  IndexMath m{b, loc};
  Value cond = m.cmp(arith::CmpIPredicate::eq, LaneIdOp::create(b, loc), m.c(0));
  if (extraCondition)
    cond = m.land(cond, extraCondition);
  return ifThen(b, loc, cond, body);
}

/// `head` when `base` is computed as (head * Sk) * D (operands in either
/// order), as sattn-tile-flash writes a head's offset: the TMA coordinate
/// then needs no 64-bit division.
static Value headOfProduct(Value base, Value seqK, int64_t headDim) {
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
static Value headOf(OpBuilder &b, Location loc, const ProgramLayout &pl,
                    Value base) {
  if (Value head = headOfProduct(base, pl.seqK, pl.headDim))
    return head;
  IndexMath m{b, loc};
  return m.div(base, m.mul(pl.seqK, m.c(pl.headDim)));
}

/// Emits the TMA staging of the pair's K and V tiles before the pass's
/// compute conversion. The program is one warpgroup and only wgmma reads
/// the stages; a wgmma is collective over the warpgroup, so once thread 0
/// has waited for one, every warp's reads of its operands are done. Thread
/// 0 may therefore refill a stage as soon as it is past the last product
/// that read it: the stages need no CTA barriers, only the mbarriers that
/// tell the readers a fill has landed.
///  - outside a prefetching loop: thread 0 fills K (buffer 0) and V, every
///    thread waits for K;
///  - in a key loop whose tile bounds follow from the induction variable:
///    before the loop thread 0 fills K[first] into buffer 0; each iteration
///    thread 0 first fills V[i] and K[i+1] (the other buffer, read last by
///    Q.K[i-1]), then every thread waits for K[i], so both copies land
///    during Q.K[i] and the softmax. With rings of value stages (two
///    warpgroups), V[first] goes with K[first] before the loop and V[i+1]
///    with K[i+1], into slot (j + 1) mod ring of iteration j;
///  - P.V waits for V.
/// With two warpgroups or a producer every refill first waits for the
/// slot's release.
/// The head (B * Hkv index) of a buffer offset is base / (Sk * D), read off
/// the product that computes it where possible.
void emitTmaStaging(ProgramLayout &pl, TileQKOp qk, TilePVOp pv) {
  Location loc = qk.getLoc();
  OpBuilder b(qk);
  IndexMath m{b, loc};
  Value kMap = pl.tensorMaps.lookup(qk.getKeys());
  Value vMap = pl.tensorMaps.lookup(pv.getValues());
  Value first = qk.getFirst();

  // The heads are computed before the loop, so both bases must be
  // invariant (the buffers are kernel arguments, see checkTma).
  std::optional<KeyLoop> keyLoop = keyLoopOf(qk, {qk.getBase(), pv.getBase()});
  // Stage indices: key slot k is stage k, value slot v is stage
  // keyStages + v.
  Value keyStage, valueStage;
  if (!keyLoop) {
    Value kHead = headOf(b, loc, pl, qk.getBase());
    Value vHead = headOf(b, loc, pl, pv.getBase());
    keyStage = m.c(0);
    valueStage = m.c(pl.keyStages);
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      issueFill(tb, l, pl, keyStage, kMap, first, kHead);
      issueFill(tb, l, pl, valueStage, vMap, first, vHead);
    });
  } else {
    // With one value stage V[i] is filled at the top of iteration i (the
    // stage is free once P.V[i-1] is done); with a ring, V[i+1] goes with
    // K[i+1] and V[first] with K[first] before the loop.
    bool valueRing = pl.valueStages > 1;
    scf::ForOp loop = keyLoop->loop;
    ArrayRef<Operation *> slice = keyLoop->slice;
    OpBuilder pb(loop);
    IndexMath pm{pb, loc};
    Value kHead = headOf(pb, loc, pl, qk.getBase());
    Value vHead = headOf(pb, loc, pl, pv.getBase());
    onThreadZero(pb, loc, pm.lt(loop.getLowerBound(), loop.getUpperBound()),
                 [&](OpBuilder &tb, Location l) {
                   IndexMath tm{tb, l};
                   SmallVector<Value> at = evaluateAt(
                       tb, loop, slice, loop.getLowerBound(), {first});
                   issueFill(tb, l, pl, tm.c(0), kMap, at[0], kHead);
                   if (valueRing)
                     issueFill(tb, l, pl, tm.c(pl.keyStages), vMap, at[0],
                               vHead);
                 });
    Value iter = m.div(m.sub(loop.getInductionVar(), loop.getLowerBound()),
                       loop.getStep());
    auto slot = [&](IndexMath &im, Value it, int64_t ring) {
      return im.rem(it, im.c(ring));
    };
    keyStage = slot(m, iter, pl.keyStages);
    valueStage = m.add(m.c(pl.keyStages), slot(m, iter, pl.valueStages));
    Value nextIv = m.add(loop.getInductionVar(), loop.getStep());
    Value hasNext = m.lt(nextIv, loop.getUpperBound());
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      if (!valueRing)
        issueFill(tb, l, pl, valueStage, vMap, first, vHead);
      ifThen(tb, l, hasNext, [&](OpBuilder &nb, Location nl) {
        IndexMath nm{nb, nl};
        SmallVector<Value> at = evaluateAt(nb, loop, slice, nextIv, {first});
        Value nextIter = nm.add(iter, nm.c(1));
        issueFill(nb, nl, pl, slot(nm, nextIter, pl.keyStages), kMap, at[0],
                  kHead);
        if (valueRing)
          issueFill(nb, nl, pl,
                    nm.add(nm.c(pl.keyStages),
                           slot(nm, nextIter, pl.valueStages)),
                    vMap, at[0], vHead);
      });
    });
  }
  waitFill(b, loc, pl, keyStage);
  pl.keyBuffer[qk] = pl.stage(m, keyStage);
  pl.valueBuffer[pv] = pl.stage(m, valueStage);
  OpBuilder pvb(pv);
  waitFill(pvb, pv.getLoc(), pl, valueStage);
  OpBuilder afterQk(qk->getBlock(), std::next(qk->getIterator()));
  releaseStage(afterQk, loc, pl, keyStage);
  OpBuilder afterPv(pv->getBlock(), std::next(pv->getIterator()));
  releaseStage(afterPv, pv.getLoc(), pl, valueStage);
}


/// Staging of a rotated key loop. The three stages form one ring of slots,
/// slot i mod 3 holding K of tile i and then V of tile i (i counts tiles
/// from the loop's lower bound). Iteration i needs K[i] and V[i-1]:
///  - thread 0 fills K[i+1] at the top, into the slot of V[i-2], whose
///    P.V completed at the end of iteration i-1;
///  - every thread waits for K[i], issues Q.K[i]^T, waits for V[i-1] and
///    issues P[i-1].V[i-1];
///  - once Q.K[i]^T has completed (wait_group 1), thread 0 fills V[i] into
///    the slot K[i] leaves, so V has the softmax and the next Q.K^T to land;
///  - P.V is waited for (wait_group 0) where O is next used.
/// The prologue fills K of tiles 0 and 1, waits for K[0], and after
/// Q.K[0]^T fills V[0]; the epilogue waits for V of the last tile. Each
/// slot's fills complete in the order every thread waits for them (K[i],
/// V[i], K[i+3], ...), so the one parity bit per stage stays exact. As in
/// emitTmaStaging, one warpgroup's wgmma completion covers every warp's
/// reads, so no CTA barrier is needed.
void emitPipelinedTmaStaging(ProgramLayout &pl, PipelinedKeyLoop p) {
  assert(pl.warpgroups == 1 && !pl.producer && pl.numStages() == 3 &&
         "one warpgroup filling a ring of 3 slots itself");
  Location loc = p.loop.getLoc();
  Value kMap = pl.tensorMaps.lookup(p.loopQk.getKeys());
  Value vMap = pl.tensorMaps.lookup(p.loopPv.getValues());
  Operation *guard = p.loop->getParentOp();
  OpBuilder gb(guard);
  Value kHead = headOf(gb, loc, pl, p.loopQk.getBase());
  Value vHead = headOf(gb, loc, pl, p.loopPv.getBase());
  // The first key of tile iv, from the rotated loop's own slice (the qk's
  // bounds are its induction variable's, as they were the original's).
  FailureOr<SmallVector<Operation *>> slice =
      inductionSlice(p.loop, {p.loopQk.getFirst()});
  assert(succeeded(slice) && "the rotation keeps the qk's induction slice");
  auto firstKeyAt = [&](OpBuilder &b, Value iv) {
    return evaluateAt(b, p.loop, *slice, iv, {p.loopQk.getFirst()})[0];
  };
  auto slotOf = [](IndexMath &m, Value tile) { return m.rem(tile, m.c(3)); };

  // Prologue.
  {
    OpBuilder b(p.firstQk);
    IndexMath m{b, loc};
    Value second = m.add(p.lowerBound, p.step);
    onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
      IndexMath tm{tb, l};
      issueFill(tb, l, pl, tm.c(0), kMap, p.firstQk.getFirst(), kHead);
      ifThen(tb, l, tm.lt(second, p.upperBound),
             [&](OpBuilder &nb, Location nl) {
               issueFill(nb, nl, pl, IndexMath{nb, nl}.c(1), kMap,
                         firstKeyAt(nb, second), kHead);
             });
    });
    waitFill(b, loc, pl, m.c(0));
    pl.keyBuffer[p.firstQk] = pl.stage(m, 0);
    OpBuilder after(p.firstQk->getBlock(),
                    std::next(p.firstQk->getIterator()));
    onThreadZero(after, loc, Value(), [&](OpBuilder &tb, Location l) {
      issueFill(tb, l, pl, IndexMath{tb, l}.c(0), vMap, p.firstQk.getFirst(),
                vHead);
    });
  }
  // The loop: tile i = (iv - lb) / step >= 1.
  {
    Block *body = p.loop.getBody();
    OpBuilder b = OpBuilder::atBlockBegin(body);
    IndexMath m{b, loc};
    Value iv = p.loop.getInductionVar();
    Value tile = m.div(m.sub(iv, p.lowerBound), p.step);
    Value slot = slotOf(m, tile);
    Value prevSlot = slotOf(m, m.sub(tile, m.c(1)));
    Value nextIv = m.add(iv, p.step);
    onThreadZero(b, loc, m.lt(nextIv, p.upperBound),
                 [&](OpBuilder &tb, Location l) {
                   IndexMath tm{tb, l};
                   issueFill(tb, l, pl, slotOf(tm, tm.add(tile, tm.c(1))),
                             kMap, firstKeyAt(tb, nextIv), kHead);
                 });
    OpBuilder bq(p.loopQk);
    waitFill(bq, loc, pl, slot);
    pl.keyBuffer[p.loopQk] = pl.stage(m, slot);
    OpBuilder bp(p.loopPv);
    waitFill(bp, loc, pl, prevSlot);
    pl.valueBuffer[p.loopPv] = pl.stage(m, prevSlot);
    OpBuilder after(body, std::next(p.loopPv->getIterator()));
    scf::IfOp fillValues =
        onThreadZero(after, loc, Value(), [&](OpBuilder &tb, Location l) {
          issueFill(tb, l, pl, slot, vMap, p.loopQk.getFirst(), vHead);
        });
    pl.deferredWaits[p.loopQk] = {fillValues, 1};
    Operation *firstUse = body->getTerminator();
    for (Operation *user : p.loopPv->getUsers())
      if (Operation *inBody = body->findAncestorOpInBlock(*user))
        if (inBody->isBeforeInBlock(firstUse))
          firstUse = inBody;
    pl.deferredWaits[p.loopPv] = {firstUse, 0};
  }
  // Epilogue: V of the last tile, (ub - lb - 1) / step.
  {
    OpBuilder b(p.lastPv);
    IndexMath m{b, loc};
    Value last = m.div(m.sub(m.sub(p.upperBound, p.lowerBound), m.c(1)),
                       p.step);
    Value slot = slotOf(m, last);
    waitFill(b, loc, pl, slot);
    pl.valueBuffer[p.lastPv] = pl.stage(m, slot);
  }
}

/// Thread 0 initialises the stages' mbarriers; the CTA barrier makes them
/// visible before any thread waits or any copy arrives.
void initBarriers(OpBuilder &b, Location loc, const ProgramLayout &pl) {
  onThreadZero(b, loc, Value(), [&](OpBuilder &tb, Location l) {
    IndexMath tm{tb, l};
    auto i32c = [&](int64_t v) {
      return arith::ConstantOp::create(tb, l, tb.getI32IntegerAttr(v));
    };
    int64_t n = pl.numStages();
    for (int64_t s = 0; s < n; ++s)
      NVVM::MBarrierInitOp::create(tb, l, barrierOf(tb, l, pl, tm.c(s)),
                                   i32c(1), Value());
    if (pl.releases())
      for (int64_t s = 0; s < n; ++s)
        NVVM::MBarrierInitOp::create(
            tb, l, barrierOf(tb, l, pl, tm.c(n + s)),
            i32c(pl.warpgroups), Value());
    NVVM::FenceMbarrierInitOp::create(tb, l);
  });
  gpu::BarrierOp::create(b, loc);
}

} // namespace mlir::sattn::mma
