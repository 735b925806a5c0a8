//===- MmaSync.cpp - Staged products as ldmatrix + mma.sync (sm_80+) ------===//
//
// sattn-lower-mainloop-mma-sync. Q.K^T: for each 16-column chunk of Q (the
// A operand, straight from its fragment) and each 16 keys, one ldmatrix.x4
// of the staged keys gives the B operands of two m16n8k16 products. P.V:
// P (f32 fragment, rounded to the values' type) is the A operand and
// ldmatrix.trans reads the staged values N-major. The staged tiles are in
// the ring's xor_chunks layout (Ring.h).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/TileToGPU/Mainloop/Mainloop.h"
#include "Compiler/TileToGPU/Producer/Ring.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_LOWERMAINLOOPMMASYNC
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::fragment;

namespace {

/// Register `i` of an ldmatrix result vector<4x2xT>.
Value ldmatrixReg(WarpBuilder &wb, Value regs, int64_t i) {
  return wb.operandRegister(
      vector::ExtractOp::create(wb.b, wb.loc, regs, ArrayRef<int64_t>{i}));
}

/// acc[0..3] += A . B for one m16n8k16 (A: 4 registers, B: 2).
void mma(WarpBuilder &wb, ArrayRef<Value> a, ArrayRef<Value> bRegs,
         Type inputType, MutableArrayRef<Value> acc) {
  OpBuilder &b = wb.b;
  Type f32 = b.getF32Type();
  auto resultType =
      LLVM::LLVMStructType::getLiteral(b.getContext(), {f32, f32, f32, f32});
  NVVM::MMATypes ptxType =
      inputType.isBF16() ? NVVM::MMATypes::bf16 : NVVM::MMATypes::f16;
  auto op = NVVM::MmaOp::create(
      b, wb.loc, resultType, a, bRegs, acc, ArrayRef<int64_t>{16, 8, 16},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  for (int64_t i = 0; i < 4; ++i)
    acc[i] = LLVM::ExtractValueOp::create(b, wb.loc, op.getRes(), i);
}

/// One ldmatrix.x4 (.trans for B stored N-major) at element `offset` of
/// the ring's buffer, whose four 8x8 matrices are the B operands of
/// 8-column groups 2 * pair and 2 * pair + 1, and the two mma.sync that
/// consume them into acc.
void ldmatrixMma(WarpBuilder &wb, Value buffer, Value offset, bool transpose,
                 ArrayRef<Value> aRegs, Type inputType,
                 MutableArrayRef<Value> acc, int64_t pair) {
  Value regs = nvgpu::LdMatrixOp::create(
      wb.b, wb.loc, VectorType::get({4, 2}, inputType), buffer,
      ValueRange{offset}, transpose, /*numTiles=*/4);
  for (int64_t half = 0; half < 2; ++half) {
    int64_t nb = 2 * pair + half;
    Value bRegs[2] = {ldmatrixReg(wb, regs, 2 * half),
                      ldmatrixReg(wb, regs, 2 * half + 1)};
    mma(wb, aRegs, bRegs, inputType, acc.slice(4 * nb, 4));
  }
}

/// The ring's buffer (what ldmatrix addresses) and the element offset of
/// `slot` in it.
std::pair<Value, Value> slotOf(OpBuilder &b, Location loc, Value ring,
                               Value slot) {
  Value offset = RingSlotOffsetOp::create(b, loc, b.getIndexType(), ring, slot);
  Value buffer = RingBufferOp::create(
      b, loc, staging::bufferType(cast<RingType>(ring.getType())), ring);
  return {buffer, offset};
}

struct QKLowering : FragmentPattern<TileMmaQKOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileMmaQKOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    if (op.getAsync())
      return rw.notifyMatchFailure(op, "mma.sync products are synchronous");
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    RingType ring = cast<RingType>(op.getRing().getType());
    VectorType sFrag = convertVec(op.getType());
    int64_t keys = cast<TileType>(op.getType()).getCols();
    Type inputType = ring.getElementType();
    auto [buffer, keyBuffer] = slotOf(rw, loc, op.getRing(), op.getSlot());
    SmallVector<Value> qElts = wb.unpack(a.getQ());
    SmallVector<Value> acc(sFrag.getNumElements(), wb.f32(0.0));
    // ldmatrix x4, lane l addresses row l % 8 of matrix l / 8: matrices
    // (keys +0, d +0), (keys +0, d +8), (keys +8, d +0), (keys +8, d +8).
    Value l = wb.laneInWarp();
    Value mat = m.div(l, m.c(8));
    Value rowInMat = m.rem(l, m.c(8));
    Value keyOff = m.add(m.mul(m.div(mat, m.c(2)), 8), rowInMat);
    Value chunkOff = m.rem(mat, m.c(2));
    for (int64_t kk = 0; kk < ring.getCols() / 16; ++kk) {
      SmallVector<Value, 4> aRegs = aOperand(wb, qElts, kk, inputType);
      for (int64_t np = 0; np < keys / 16; ++np) {
        Value row = m.add(keyOff, np * 16);
        Value chunk = m.add(chunkOff, kk * 2);
        ldmatrixMma(wb, buffer,
                    m.add(keyBuffer,
                          staging::swizzledOffset(rw, loc, ring, row, chunk)),
                    /*transpose=*/false, aRegs, inputType, acc, np);
      }
    }
    rw.replaceOp(op, wb.pack(sFrag, acc));
    return success();
  }
};

struct PVLowering : FragmentPattern<TileMmaPVOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileMmaPVOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    if (op.getAsync())
      return rw.notifyMatchFailure(op, "mma.sync products are synchronous");
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    RingType ring = cast<RingType>(op.getRing().getType());
    int64_t keys = cast<TileType>(op.getProbs().getType()).getCols();
    Type inputType = ring.getElementType();
    auto [buffer, valueBuffer] = slotOf(rw, loc, op.getRing(), op.getSlot());
    SmallVector<Value> pElts = wb.unpack(a.getProbs());
    SmallVector<Value> acc = wb.unpack(a.getAcc());
    // ldmatrix x4 .trans: matrices (keys +0, d +0), (keys +8, d +0),
    // (keys +0, d +8), (keys +8, d +8).
    Value l = wb.laneInWarp();
    Value mat = m.div(l, m.c(8));
    Value rowInMat = m.rem(l, m.c(8));
    Value keyOff = m.add(m.mul(m.rem(mat, m.c(2)), 8), rowInMat);
    Value chunkOff = m.div(mat, m.c(2));
    for (int64_t kk = 0; kk < keys / 16; ++kk) {
      SmallVector<Value, 4> aRegs = aOperand(wb, pElts, kk, inputType);
      for (int64_t dp = 0; dp < ring.getCols() / 16; ++dp) {
        Value row = m.add(keyOff, kk * 16);
        Value chunk = m.add(chunkOff, dp * 2);
        ldmatrixMma(wb, buffer,
                    m.add(valueBuffer,
                          staging::swizzledOffset(rw, loc, ring, row, chunk)),
                    /*transpose=*/true, aRegs, inputType, acc, dp);
      }
    }
    rw.replaceOp(op, wb.pack(convertVec(op.getType()), acc));
    return success();
  }
};

struct LowerMainloopMmaSyncPass
    : public mlir::sattn::impl::LowerMainloopMmaSyncBase<
          LowerMainloopMmaSyncPass> {
  void runOnOperation() override {
    if (failed(mainloop::lowerMainloop(
            getOperation(), MainloopKind::mma_sync,
            [](TypeConverter &converter, RewritePatternSet &patterns) {
              patterns.add<QKLowering, PVLowering>(converter,
                                                   patterns.getContext());
            })))
      signalPassFailure();
  }
};

} // namespace
