//===- Ring.cpp - The ring's storage, and sattn-lower-rings ---------------===//
//
// A ring becomes a view of the program's dynamic shared memory: for TMA the
// mbarriers first (kBarrierBytes), then the slots, which for the wgmma
// layout start at the next 1024-byte boundary of the shared window (up to
// 1024 bytes of padding). Each ring op is then lowered in place by its fill
// engine's file (CpAsync.cpp, Tma.cpp).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Producer/Ring.h"

#include "Compiler/Transforms/KeyLoopPipelining.h"
#include "sattn/Transforms/Passes.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_LOWERRINGS
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::staging;

int64_t staging::sharedMemoryBytes(RingType ring) {
  int64_t bytes = ring.getSlots() * ring.slotBytes() +
                  ring.queryElements() * ring.elementBytes();
  if (ring.getSwizzle() == SmemSwizzle::wgmma_128b)
    bytes += kSwizzleAlignBytes;
  if (ring.getFill() == StagingKind::tma)
    bytes += kBarrierBytes;
  return bytes;
}

MemRefType staging::bufferType(RingType ring) {
  int64_t padBytes =
      ring.getSwizzle() == SmemSwizzle::wgmma_128b ? kSwizzleAlignBytes : 0;
  auto workgroup = gpu::AddressSpaceAttr::get(
      ring.getContext(), gpu::GPUDialect::getWorkgroupAddressSpace());
  return MemRefType::get(
      {ring.getSlots() * ring.slotElements() + ring.queryElements() +
       padBytes / ring.elementBytes()},
      ring.getElementType(), MemRefLayoutAttrInterface(), workgroup);
}

scf::IfOp staging::ifThen(OpBuilder &b, Location loc, Value cond,
                          function_ref<void(OpBuilder &, Location)> body) {
  return scf::IfOp::create(b, loc, cond, [&](OpBuilder &tb, Location l) {
    body(tb, l);
    scf::YieldOp::create(tb, l);
  });
}

std::optional<KeyLoop> staging::keyLoopOf(TileQKOp qk,
                                          ArrayRef<Value> invariants) {
  auto loop = dyn_cast<scf::ForOp>(qk->getParentOp());
  if (!loop || !llvm::all_of(invariants, [&](Value v) {
        return loop.isDefinedOutsideOfLoop(v);
      }))
    return std::nullopt;
  FailureOr<SmallVector<Operation *>> slice =
      inductionSlice(loop, {qk.getFirst(), qk.getCount()});
  if (failed(slice))
    return std::nullopt;
  return KeyLoop{loop, std::move(*slice)};
}

Value staging::swizzledOffset(OpBuilder &b, Location loc, RingType ring,
                              Value row, Value chunk) {
  return swizzledOffset(b, loc, ring.getSwizzle(), ring.getRows(),
                        ring.getCols(), row, chunk);
}

Value staging::swizzledOffset(OpBuilder &b, Location loc, SmemSwizzle swizzle,
                              int64_t rows, int64_t cols, Value row,
                              Value chunk) {
  IndexMath m{b, loc};
  using fragment::kChunk;
  if (swizzle == SmemSwizzle::wgmma_128b) {
    // Column blocks of 64 elements, each `rows` rows of 128 bytes; the
    // hardware applies the same XOR to the address bits.
    Value rowBits = arith::AndIOp::create(b, loc, row, m.c(7));
    Value block = m.div(chunk, m.c(8));
    Value c = arith::XOrIOp::create(b, loc, m.rem(chunk, m.c(8)), rowBits);
    return m.add(m.add(m.mul(block, rows * 64), m.mul(row, 64)),
                 m.mul(c, kChunk));
  }
  int64_t headDim = cols;
  int64_t chunks = headDim / kChunk;
  Value xorMask = m.c(std::min<int64_t>(8, chunks) - 1);
  Value rowBits = arith::AndIOp::create(b, loc, row, xorMask);
  Value c = arith::XOrIOp::create(b, loc, chunk, rowBits);
  return m.add(m.mul(row, headDim), m.mul(c, kChunk));
}

namespace {

/// The storage of `alloc`'s ring, built where the alloc is.
RingStorage allocate(RingAllocOp alloc, int64_t lanes) {
  OpBuilder b(alloc);
  Location loc = alloc.getLoc();
  MLIRContext *ctx = b.getContext();
  RingStorage st;
  st.type = alloc.getRing().getType();
  st.lanes = lanes;
  RingType ring = st.type;
  bool tma = ring.getFill() == StagingKind::tma;
  bool aligned = ring.getSwizzle() == SmemSwizzle::wgmma_128b;
  auto workgroup = gpu::AddressSpaceAttr::get(
      ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
  auto raw = gpu::DynamicSharedMemoryOp::create(
      b, loc,
      MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                      MemRefLayoutAttrInterface(), workgroup));
  IndexMath m{b, loc};
  int64_t elemBytes = ring.elementBytes();
  st.buffer =
      memref::ViewOp::create(b, loc, bufferType(ring), raw,
                             m.c(tma ? kBarrierBytes : 0), ValueRange{});
  st.pad = m.c(0);
  if (aligned) {
    st.address =
        memref::ExtractAlignedPointerAsIndexOp::create(b, loc, st.buffer);
    Value misalign = m.rem(st.address, m.c(kSwizzleAlignBytes));
    Value padding = m.rem(m.sub(m.c(kSwizzleAlignBytes), misalign),
                          m.c(kSwizzleAlignBytes));
    st.pad = m.div(padding, m.c(elemBytes));
  }
  if (tma) {
    st.barriers = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, raw);
    st.phases =
        memref::AllocaOp::create(b, loc, MemRefType::get({}, b.getI32Type()));
    // The slots start empty: a filling thread's first wait on each release
    // barrier is for the phase before its first (parity 1), which a fresh
    // barrier reports complete.
    int64_t n = ring.getSlots();
    int64_t initialPhases = ring.getReleases() ? ((1 << n) - 1) << n : 0;
    memref::StoreOp::create(
        b, loc,
        arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(initialPhases)),
        st.phases, ValueRange{});
    initBarriers(b, loc, st);
  }
  return st;
}

LogicalResult lowerRingOp(Operation *op, const RingStorage &st) {
  OpBuilder b(op);
  IndexMath m{b, op->getLoc()};
  if (auto buffer = dyn_cast<RingBufferOp>(op)) {
    buffer.replaceAllUsesWith(st.buffer);
  } else if (auto offset = dyn_cast<RingSlotOffsetOp>(op)) {
    offset.replaceAllUsesWith(st.slot(m, offset.getSlot()));
  } else if (auto address = dyn_cast<RingBaseAddressOp>(op)) {
    if (!st.address)
      return op->emitOpError("needs a ring in the wgmma_128b layout");
    address.replaceAllUsesWith(st.address);
  } else if (isQueryOp(op)) {
    lowerQueryOp(op, st);
    return success();
  } else if (st.type.getFill() == StagingKind::cp_async) {
    return lowerCpAsyncOp(op, st);
  } else {
    return lowerTmaOp(op, st);
  }
  op->erase();
  return success();
}

struct LowerRingsPass
    : public mlir::sattn::impl::LowerRingsBase<LowerRingsPass> {
  void runOnOperation() override {
    SmallVector<RingAllocOp> allocs;
    getOperation().walk([&](RingAllocOp alloc) { allocs.push_back(alloc); });
    for (RingAllocOp alloc : allocs) {
      auto program = alloc->getParentOfType<ProgramOp>();
      if (!program) {
        alloc.emitOpError("must be in a sattn.program");
        return signalPassFailure();
      }
      RingStorage st =
          allocate(alloc, fragment::threadsFor(program.getBlockM()));
      SmallVector<Operation *> users(alloc->getUsers());
      for (Operation *user : users)
        if (failed(lowerRingOp(user, st))) {
          user->emitOpError("has no lowering for its ring");
          return signalPassFailure();
        }
      alloc.erase();
    }
  }
};

} // namespace
