//===- Wgmma.cpp - Staged products as wgmma.mma_async (sm_90a) ------------===//
//
// sattn-lower-mainloop-wgmma. Each warpgroup's 64 rows compute both
// products with wgmma.mma_async m64nNk16, B from the ring's wgmma_128b
// slots through shared-memory descriptors. Q.K^T takes A from the ring's Q
// tile (a staged query) through a descriptor as well, as NVVM's wgmma ops;
// otherwise A comes from registers (the fragment: Q, or P rounded to the
// values' type for P.V). NVVM's wgmma op takes A from shared memory only,
// so a register-A product is one inline-asm block (fence, the k-steps,
// commit, and unless the product is async the wait), which also keeps LLVM
// from touching the accumulators while the asynchronous products are in
// flight. An async product's results pass through sattn.tile.mma_wait's
// wgmma.wait_group, tied, so that nothing reads them before it (ptxas
// tracks the asynchronous registers between).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/TileToGPU/Mainloop/Mainloop.h"
#include "sattn/Transforms/Passes.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_LOWERMAINLOOPWGMMA
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::fragment;

namespace {

/// The wgmma shared-memory descriptors (PTX ISA "matrix descriptor", 128-byte
/// swizzle mode) of one operand's k-steps: start address, leading and stride
/// byte offsets, all in 16-byte units. The low word holds the 14-bit start
/// address and the leading offset. A shared-window address is below 2^18, so
/// the start field of `base + offset` is the base's plus offset / 16 and the
/// sum never carries into the leading offset: the base's low word is built
/// once (32-bit arithmetic) and each k-step adds a constant to it, where
/// building every descriptor from its 64-bit address costs a handful of
/// instructions per k-step in the key loop.
struct Descriptors {
  WarpBuilder &wb;
  Value low;    // i32: the base's start address, the leading offset
  int64_t high; // the high word: the stride offset, 128-byte swizzle

  Descriptors(WarpBuilder &wb, Value ringAddress, Value elementOffset,
              int64_t leadingBytes, int64_t strideBytes)
      : wb(wb) {
    IndexMath m = wb.im();
    OpBuilder &b = wb.b;
    Location loc = wb.loc;
    // One statement per op: the IR's order must not depend on the C++
    // compiler's order of evaluating arguments.
    Value byteOffset = m.mul(elementOffset, 2);
    Value addr = m.toU32(m.add(ringAddress, byteOffset));
    Value window = arith::AndIOp::create(b, loc, addr, c32(0x3FFFF));
    Value start = arith::ShRUIOp::create(b, loc, window, c32(4));
    low = arith::OrIOp::create(b, loc, start, c32((leadingBytes >> 4) << 16));
    high = (strideBytes >> 4) | (int64_t(1) << 30);
  }

  /// The descriptor `elementOffset` elements past the base.
  Value at(int64_t elementOffset) {
    OpBuilder &b = wb.b;
    Location loc = wb.loc;
    assert(elementOffset * 2 % 16 == 0 && "k-steps move by 16-byte units");
    Value lowK =
        elementOffset
            ? arith::AddIOp::create(b, loc, low, c32(elementOffset * 2 >> 4))
            : low;
    Value low64 = arith::ExtUIOp::create(b, loc, b.getI64Type(), lowK);
    Value high64 =
        arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(high << 32));
    return arith::OrIOp::create(b, loc, low64, high64);
  }

private:
  Value c32(int64_t v) {
    return arith::ConstantOp::create(wb.b, wb.loc, wb.b.getI32IntegerAttr(v));
  }
};

/// acc += sum over k-steps of A_k (registers, 4 per lane) x B_k (shared
/// memory, descriptors) with wgmma.mma_async m64nNk16, as one inline-asm
/// block (fence, the k-steps, commit, wait): MLIR's wgmma op takes A from
/// shared memory only, and one block keeps LLVM from touching the
/// accumulators while the asynchronous products are in flight.
/// Without `acc` the products start from zero (the first k-step does not
/// scale-add D), which spares initialising the accumulator registers.
/// With `wait` false the block ends after the commit: the products are
/// still in flight and the results must pass through wgmmaWait before use
/// (ptxas tracks the asynchronous registers in between).
SmallVector<Value> wgmma(WarpBuilder &wb, int64_t n, Type inputType,
                         ArrayRef<SmallVector<Value, 4>> aRegs,
                         ArrayRef<Value> descs, bool transposeB,
                         ArrayRef<Value> acc, bool wait = true) {
  OpBuilder &b = wb.b;
  int64_t numAcc = n / 2;
  bool accumulate = !acc.empty();
  assert((!accumulate || int64_t(acc.size()) == numAcc) &&
         aRegs.size() == descs.size());
  std::string type = inputType.isBF16() ? "bf16" : "f16";
  std::string accList;
  for (int64_t i = 0; i < numAcc; ++i)
    accList += (i ? ", $" : "$") + std::to_string(i);
  // Operands: outputs, the tied accumulator inputs, A registers,
  // descriptors, then a 1 from which the scale-d predicates are set.
  int64_t next = accumulate ? 2 * numAcc : numAcc;
  std::string one = "$" + std::to_string(next + 5 * int64_t(descs.size()));
  std::string body = "{\n.reg .pred p, z;\nsetp.ne.b32 p, " + one +
                     ", 0;\nsetp.eq.b32 z, " + one +
                     ", 0;\nwgmma.fence.sync.aligned;\n";
  for (size_t k = 0; k < descs.size(); ++k) {
    std::string a;
    for (int i = 0; i < 4; ++i)
      a += (i ? ", $" : "$") + std::to_string(next + 4 * k + i);
    body += "wgmma.mma_async.sync.aligned.m64n" + std::to_string(n) +
            "k16.f32." + type + "." + type + " {" + accList + "}, {" + a +
            "}, $" + std::to_string(next + 4 * descs.size() + k) +
            (k == 0 && !accumulate ? ", z, 1, 1, " : ", p, 1, 1, ") +
            (transposeB ? "1" : "0") + ";\n";
  }
  body += wait ? "wgmma.commit_group.sync.aligned;\n"
                 "wgmma.wait_group.sync.aligned 0;\n}"
               : "wgmma.commit_group.sync.aligned;\n}";
  std::string constraints;
  for (int64_t i = 0; i < numAcc; ++i)
    constraints += "=f,";
  if (accumulate)
    for (int64_t i = 0; i < numAcc; ++i)
      constraints += std::to_string(i) + ",";
  for (size_t i = 0; i < 4 * descs.size(); ++i)
    constraints += "r,";
  for (size_t i = 0; i < descs.size(); ++i)
    constraints += "l,";
  constraints += "r";

  SmallVector<Value> operands(acc.begin(), acc.end());
  for (const auto &regs : aRegs)
    for (Value r : regs) {
      // f16 pairs arrive as vector<2xf16>; the asm takes 32-bit words.
      if (isa<VectorType>(r.getType()))
        r = vector::ExtractOp::create(
            b, wb.loc,
            vector::BitCastOp::create(b, wb.loc,
                                      VectorType::get({1}, b.getI32Type()), r),
            ArrayRef<int64_t>{0});
      operands.push_back(r);
    }
  operands.append(descs.begin(), descs.end());
  operands.push_back(
      arith::ConstantOp::create(b, wb.loc, b.getI32IntegerAttr(1)));
  SmallVector<Type> f32s(numAcc, b.getF32Type());
  auto resultType = LLVM::LLVMStructType::getLiteral(b.getContext(), f32s);
  auto asmOp = LLVM::InlineAsmOp::create(
      b, wb.loc, resultType, operands, body, constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
  SmallVector<Value> out;
  for (int64_t i = 0; i < numAcc; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, wb.loc, asmOp.getRes(), i));
  return out;
}

/// acc = sum over k-steps of A_k x B_k, both from shared memory
/// (descriptors), with NVVM's wgmma ops: fence, the k-steps (the first
/// does not scale-add D, which spares initialising the accumulators),
/// commit, and with `wait` the wait for it.
SmallVector<Value> wgmmaShared(WarpBuilder &wb, int64_t n, Type inputType,
                               ArrayRef<Value> aDescs, ArrayRef<Value> bDescs,
                               bool wait) {
  OpBuilder &b = wb.b;
  Location loc = wb.loc;
  MLIRContext *ctx = b.getContext();
  SmallVector<Type> f32s(n / 2, b.getF32Type());
  auto accType = LLVM::LLVMStructType::getLiteral(ctx, f32s);
  auto type = NVVM::WGMMATypesAttr::get(
      ctx, inputType.isBF16() ? NVVM::WGMMATypes::bf16 : NVVM::WGMMATypes::f16);
  auto one = NVVM::WGMMAScaleInAttr::get(ctx, NVVM::WGMMAScaleIn::one);
  NVVM::WgmmaFenceAlignedOp::create(b, loc);
  Value acc = LLVM::PoisonOp::create(b, loc, accType);
  for (size_t k = 0; k < aDescs.size(); ++k)
    acc = NVVM::WgmmaMmaAsyncOp::create(
        b, loc, accType, acc, aDescs[k], bDescs[k],
        NVVM::MMAShapeAttr::get(ctx, 64, n, 16), type, type,
        NVVM::WGMMATypesAttr::get(ctx, NVVM::WGMMATypes::f32),
        NVVM::WGMMAScaleOutAttr::get(ctx, k == 0 ? NVVM::WGMMAScaleOut::zero
                                                 : NVVM::WGMMAScaleOut::one),
        one, one,
        // Both K-major: A's rows and B's columns run along head_dim.
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::row),
        NVVM::MMALayoutAttr::get(ctx, NVVM::MMALayout::col),
        NVVM::MMAIntOverflowAttr());
  NVVM::WgmmaGroupSyncAlignedOp::create(b, loc);
  if (wait)
    NVVM::WgmmaWaitGroupSyncOp::create(b, loc, 0);
  SmallVector<Value> out;
  for (int64_t i = 0; i < n / 2; ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, loc, acc, i));
  return out;
}

/// Waits until at most `pending` of the warpgroup's products are in flight
/// (they complete in issue order); `acc` are the results of an earlier
/// one, passed through (tied) so that nothing reads them before the wait.
SmallVector<Value> wgmmaWait(WarpBuilder &wb, ArrayRef<Value> acc,
                             int64_t pending = 0) {
  OpBuilder &b = wb.b;
  std::string constraints;
  for (size_t i = 0; i < acc.size(); ++i)
    constraints += "=f,";
  for (size_t i = 0; i < acc.size(); ++i)
    constraints += std::to_string(i) + (i + 1 < acc.size() ? "," : "");
  SmallVector<Type> f32s(acc.size(), b.getF32Type());
  auto asmOp = LLVM::InlineAsmOp::create(
      b, wb.loc, LLVM::LLVMStructType::getLiteral(b.getContext(), f32s), acc,
      "wgmma.wait_group.sync.aligned " + std::to_string(pending) + ";",
      constraints,
      /*has_side_effects=*/true, /*is_align_stack=*/false,
      LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
      ArrayAttr());
  SmallVector<Value> out;
  for (size_t i = 0; i < acc.size(); ++i)
    out.push_back(LLVM::ExtractValueOp::create(b, wb.loc, asmOp.getRes(), i));
  return out;
}

struct QKLowering : FragmentPattern<TileMmaQKOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileMmaQKOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    auto ring = cast<RingType>(op.getRing().getType());
    VectorType sFrag = convertVec(op.getType());
    int64_t keys = cast<TileType>(op.getType()).getCols();
    Type inputType = ring.getElementType();
    // The operands are prepared before a warpgroup waits for its turn at
    // the tensor cores (sattn-ping-pong), so that the other's products
    // hide the work.
    OpBuilder::InsertionGuard guard(rw);
    if (auto turn = dyn_cast_or_null<NamedBarrierSyncOp>(op->getPrevNode()))
      rw.setInsertionPoint(turn);
    Value keyBuffer = RingSlotOffsetOp::create(rw, loc, rw.getIndexType(),
                                               op.getRing(), op.getSlot());
    Value address =
        RingBaseAddressOp::create(rw, loc, rw.getIndexType(), op.getRing());
    // B = K^T, K-major: k-step kk reads 32 bytes at column kk * 16 of the
    // 64-element column block kk / 4; 8-row groups are 1024 bytes apart.
    // A staged Q is read the same way from this warpgroup's 64-row block
    // of the ring's Q tile.
    Value queryBlock;
    if (!a.getQ()) {
      Value warpgroup = m.div(wb.lane(), m.c(fragment::kWarpgroup));
      queryBlock = m.add(
          RingQueryOffsetOp::create(rw, loc, rw.getIndexType(), op.getRing()),
          m.mul(warpgroup, 64 * ring.getCols()));
    }
    SmallVector<Value> qElts;
    if (a.getQ())
      qElts = wb.unpack(a.getQ());
    SmallVector<SmallVector<Value, 4>> aRegs;
    SmallVector<Value> aDescs, descs;
    std::optional<Descriptors> queryDescs;
    if (queryBlock)
      queryDescs.emplace(wb, address, queryBlock, /*leading=*/16,
                         /*stride=*/1024);
    Descriptors keyDescs(wb, address, keyBuffer, /*leading=*/16,
                         /*stride=*/1024);
    for (int64_t kk = 0; kk < ring.getCols() / 16; ++kk) {
      int64_t column = (kk % 4) * 16;
      if (queryDescs)
        aDescs.push_back(queryDescs->at((kk / 4) * 64 * 64 + column));
      else
        aRegs.push_back(aOperand(wb, qElts, kk, inputType));
      descs.push_back(keyDescs.at((kk / 4) * (ring.getRows() * 64) + column));
    }
    rw.setInsertionPoint(op);
    SmallVector<Value> scores =
        queryBlock
            ? wgmmaShared(wb, keys, inputType, aDescs, descs, !op.getAsync())
            : wgmma(wb, keys, inputType, aRegs, descs, /*transposeB=*/false, {},
                    /*wait=*/!op.getAsync());
    rw.replaceOp(op, wb.pack(sFrag, scores));
    return success();
  }
};

struct PVLowering : FragmentPattern<TileMmaPVOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileMmaPVOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    auto ring = cast<RingType>(op.getRing().getType());
    int64_t keys = cast<TileType>(op.getProbs().getType()).getCols();
    Type inputType = ring.getElementType();
    OpBuilder::InsertionGuard guard(rw);
    if (auto turn = dyn_cast_or_null<NamedBarrierSyncOp>(op->getPrevNode()))
      rw.setInsertionPoint(turn);
    Value valueBuffer = RingSlotOffsetOp::create(rw, loc, rw.getIndexType(),
                                                 op.getRing(), op.getSlot());
    Value address =
        RingBaseAddressOp::create(rw, loc, rw.getIndexType(), op.getRing());
    SmallVector<Value> pElts = wb.unpack(a.getProbs());
    SmallVector<Value> acc = wb.unpack(a.getAcc());
    // B = V, N-major (transposed): k-step kk reads key rows 16kk..16kk+15
    // (2048 bytes on); 64-element column blocks are rows * 128 bytes apart
    // (leading), 8-key groups 1024 bytes (stride).
    SmallVector<SmallVector<Value, 4>> aRegs;
    SmallVector<Value> descs;
    Descriptors valueDescs(wb, address, valueBuffer,
                           /*leading=*/ring.getRows() * 128, /*stride=*/1024);
    for (int64_t kk = 0; kk < keys / 16; ++kk) {
      aRegs.push_back(aOperand(wb, pElts, kk, inputType));
      descs.push_back(valueDescs.at(kk * 16 * 64));
    }
    rw.setInsertionPoint(op);
    SmallVector<Value> out =
        wgmma(wb, ring.getCols(), inputType, aRegs, descs,
              /*transposeB=*/true, acc, /*wait=*/!op.getAsync());
    rw.replaceOp(op, wb.pack(convertVec(op.getType()), out));
    return success();
  }
};

struct WaitLowering : FragmentPattern<TileMmaWaitOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileMmaWaitOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    WarpBuilder wb{rw, op.getLoc()};
    SmallVector<Value> results = wb.unpack(a.getPendingResult());
    rw.replaceOp(op, wb.pack(convertVec(op.getType()),
                             wgmmaWait(wb, results, op.getPending())));
    return success();
  }
};

struct LowerMainloopWgmmaPass
    : public mlir::sattn::impl::LowerMainloopWgmmaBase<LowerMainloopWgmmaPass> {
  void runOnOperation() override {
    if (failed(mainloop::lowerMainloop(
            getOperation(), MainloopKind::wgmma,
            [](TypeConverter &converter, RewritePatternSet &patterns) {
              patterns.add<QKLowering, PVLowering, WaitLowering>(
                  converter, patterns.getContext());
            })))
      signalPassFailure();
  }
};

} // namespace
