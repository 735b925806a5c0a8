//===- Softmax.cpp - Mask and online softmax on fragments -----------------===//
//
// The key loop's element-wise and row-wise steps on the fragment layout
// (Fragment.h), shared by the mma.sync and wgmma mainloops: the mask as
// per-row thresholds, the online-softmax step (the score scale folded into
// the exponent's fma, exp2 per element, the row max as a tree then over the
// quad) and the accumulator rescale.
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/Transforms/TileLoweringCommon.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <limits>

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::fragment;

namespace {

/// The mask as thresholds on each element's column offset within the
/// lane's fragment. Element 4nb + 2h + c is key jBase + off (jBase = first
/// + 2t, off = 8nb + c, a constant) of row h, whose diagonal is d0[h] + off
/// (d0[h] = jBase - i'[h]). Every bound of a region is then one compare of
/// the constant off against a per-row scalar (e.g. diag <= hi iff off <=
/// hi - d0[h]), done in i32 with the scalar clamped to +-2^30 (off < 2^16,
/// so the clamp keeps every outcome): one 32-bit compare per element and
/// bound instead of 64-bit index arithmetic per element.
struct MaskLowering : FragmentPattern<TileMaskOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileMaskOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    VectorType frag = convertVec(op.getType());
    int64_t n = frag.getNumElements(), half = n / 2;
    Type i32 = rw.getI32Type();
    auto offType = VectorType::get({half}, i32);
    auto boolType = VectorType::get({half}, rw.getI1Type());
    // The column offsets of one row's elements (the same for both rows).
    SmallVector<int32_t> offs;
    for (int64_t e = 0; e < n; ++e)
      if ((e / 2) % 2 == 0)
        offs.push_back(int32_t(columnOffset(e)));
    Value off = arith::ConstantOp::create(
        rw, loc, DenseElementsAttr::get(offType, ArrayRef<int32_t>(offs)));
    auto threshold = [&](Value v) {
      Value lim = m.c(int64_t(1) << 30);
      Value clamped = m.max(m.min(v, lim), m.sub(m.c(0), lim));
      Value t = arith::IndexCastOp::create(rw, loc, i32, clamped);
      // An opaque 32-bit copy: LLVM's InstCombine otherwise sees through
      // the clamp and truncation and widens every per-element compare back
      // to 64 bits (two ISETP each in SASS); ptxas drops the mov.
      t = LLVM::InlineAsmOp::create(
              rw, loc, i32, ValueRange{t}, "mov.b32 $0, $1;", "=r,r",
              /*has_side_effects=*/false, /*is_align_stack=*/false,
              LLVM::tailcallkind::TailCallKind::None, LLVM::AsmDialectAttr(),
              ArrayAttr())
              .getRes();
      return vector::BroadcastOp::create(rw, loc, offType, t).getResult();
    };
    auto cmp = [&](arith::CmpIPredicate p, Value t) {
      return arith::CmpIOp::create(rw, loc, p, off, threshold(t)).getResult();
    };
    auto allOf = [&](bool v) {
      return arith::ConstantOp::create(
                 rw, loc, DenseElementsAttr::get(boolType, rw.getBoolAttr(v)))
          .getResult();
    };
    using P = arith::CmpIPredicate;
    // d0 + off is a multiple of n iff off = r (mod n), r = (-d0) mod n in
    // [0, n): where n exceeds every offset that is one compare against r;
    // otherwise (off + n - r) mod n == 0, all in i32 (off + n - r < 2n).
    int64_t maxOff = offs.empty() ? 0 : *llvm::max_element(offs);
    auto diagMultipleOf = [&](int64_t n, Value d0) -> Value {
      Value negD0 = m.sub(m.c(0), d0);
      Value r = m.sub(negD0, m.mul(m.floorDiv(negD0, n), n));
      if (n > maxOff)
        return cmp(P::eq, r);
      Value shifted =
          arith::AddIOp::create(rw, loc, off, threshold(m.sub(m.c(n), r)));
      Value nVec = arith::ConstantOp::create(
          rw, loc, DenseElementsAttr::get(offType, int32_t(n)));
      Value rem = arith::RemUIOp::create(rw, loc, shifted, nVec);
      Value zero = arith::ConstantOp::create(
          rw, loc, DenseElementsAttr::get(offType, int32_t(0)));
      return arith::CmpIOp::create(rw, loc, P::eq, rem, zero).getResult();
    };
    Value jBase = m.add(a.getFirst(), m.mul(wb.pair(), 2));
    Value shift = m.sub(a.getSeqK(), a.getSeqQ());
    Value keepRows[2];
    for (int64_t h = 0; h < 2; ++h) {
      Value iKey = m.add(rowPosition(wb, a.getStart(), a.getStep(), h), shift);
      Value d0 = m.sub(jBase, iKey);
      // d = d0 + off and j = jBase + off: "x + off pred bound" is
      // "off pred bound - x", a per-row threshold.
      Value any = keepByRegions(
          rw, loc, op.getRegions(), iKey, allOf,
          [&](RegionAxis axis, P p, Value bound) {
            return cmp(p, m.sub(bound, axis == RegionAxis::Diag ? d0 : jBase));
          },
          [&](int64_t n) { return diagMultipleOf(n, d0); });
      Value inSeq = cmp(P::slt, m.sub(a.getSeqK(), jBase));
      keepRows[h] = arith::AndIOp::create(rw, loc, any, inSeq);
    }
    // Interleave the rows back into the fragment order (free once LLVM
    // scalarises the vectors).
    SmallVector<int64_t> mask;
    for (int64_t e = 0; e < n; ++e)
      mask.push_back((e / 2) % 2 == 0 ? (e / 4) * 2 + e % 2
                                      : half + (e / 4) * 2 + e % 2);
    Value keep =
        vector::ShuffleOp::create(rw, loc, keepRows[0], keepRows[1], mask);
    Value negInf = wb.splat(frag, -std::numeric_limits<double>::infinity());
    rw.replaceOp(op, m.select(keep, a.getScores(), negInf));
    return success();
  }
};

/// ALiBi's slope * (j - i') on the fragment: element 4nb + 2h + c is key
/// jBase + off (off = 8nb + c, a constant) of row h, so its bias is
/// slope * (jBase - i'[h]) + slope * off: a per-row base and one fma per
/// element.
struct AlibiLowering : FragmentPattern<TileAlibiOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileAlibiOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    VectorType frag = convertVec(op.getType());
    VectorType rowType = VectorType::get({2}, rw.getF32Type());
    int64_t n = frag.getNumElements();
    SmallVector<float> offs;
    for (int64_t e = 0; e < n; ++e)
      offs.push_back(float(columnOffset(e)));
    Value off = arith::ConstantOp::create(
        rw, loc, DenseElementsAttr::get(frag, ArrayRef<float>(offs)));
    Value pair = wb.pair();
    Value jBase = m.add(a.getFirst(), m.mul(pair, 2));
    Value shift = m.sub(a.getSeqK(), a.getSeqQ());
    SmallVector<Value> bases;
    for (int64_t h = 0; h < 2; ++h) {
      Value row = rowPosition(wb, a.getStart(), a.getStep(), h);
      Value iKey = m.add(row, shift);
      Value dist = m.sub(jBase, iKey);
      Value dist64 = arith::IndexCastOp::create(rw, loc, rw.getI64Type(), dist);
      Value distF = arith::SIToFPOp::create(rw, loc, rw.getF32Type(), dist64);
      bases.push_back(wb.mulf(a.getSlope(), distF));
    }
    Value rowBias = wb.spreadRows(wb.pack(rowType, bases), frag);
    Value slope = vector::BroadcastOp::create(rw, loc, frag, a.getSlope());
    Value bias = LLVM::FMAOp::create(rw, loc, slope, off, rowBias);
    rw.replaceOp(op, wb.addf(a.getScores(), bias));
    return success();
  }
};

struct SoftmaxStepLowering : FragmentPattern<TileSoftmaxStepOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileSoftmaxStepOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    VectorType frag = convertVec(op.getScores().getType());
    VectorType rowType = convertVec(op.getRowMax().getType());
    // Scores are scaled inside the exponent's fma; the row maximum of the
    // scaled scores is scale times the raw one (scale > 0).
    double scale = op.getScale().convertToDouble();
    std::array<Value, 2> tileMax = wb.rowReduce(a.getScores(), /*isMax=*/true);
    if (scale != 1.0)
      for (Value &v : tileMax)
        v = wb.mulf(v, wb.f32(scale));
    SmallVector<Value> oldMax = wb.unpack(a.getRowMax());
    SmallVector<Value> newMax(2), safeMax(2), alpha(2);
    Value negInf = wb.f32(-std::numeric_limits<double>::infinity());
    for (int64_t h = 0; h < 2; ++h) {
      newMax[h] = wb.maxf(oldMax[h], tileMax[h]);
      // A row with no allowed key so far keeps max -inf: subtract 0 so
      // that exp gives 0 (not NaN) and alpha is 1.
      Value noKey = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OEQ,
                                          newMax[h], negInf);
      safeMax[h] = m.select(noKey, wb.f32(0.0), newMax[h]);
      alpha[h] = m.select(
          noKey, wb.f32(1.0),
          wb.exp2(wb.mulf(wb.subf(oldMax[h], safeMax[h]), wb.f32(kLog2E))));
    }
    // exp(scale s - m) = exp2(s * scale log2e - m log2e): one fma each.
    SmallVector<Value> negScaledMax;
    for (Value v : safeMax)
      negScaledMax.push_back(wb.mulf(v, wb.f32(-kLog2E)));
    Value shift = wb.spreadRows(wb.pack(rowType, negScaledMax), frag);
    Value p = wb.exp2(LLVM::FMAOp::create(
        rw, loc, a.getScores(), wb.splat(frag, scale * kLog2E), shift));
    // Row sums stay per lane (its columns' share) until normalize sums the
    // quad: alpha is the same on the four lanes of a row, so the rescaled
    // partial sums add up to the rescaled row sum, and the key loop saves
    // the shuffles.
    std::array<Value, 2> tileSum =
        wb.rowReduce(p, /*isMax=*/false, /*acrossQuad=*/false);
    SmallVector<Value> oldSum = wb.unpack(a.getRowSum());
    SmallVector<Value> newSum(2);
    for (int64_t h = 0; h < 2; ++h)
      newSum[h] = wb.addf(wb.mulf(oldSum[h], alpha[h]), tileSum[h]);
    rw.replaceOp(op, {wb.pack(rowType, newMax), wb.pack(rowType, newSum), p,
                      wb.pack(rowType, alpha)});
    return success();
  }
};

/// The accumulator times its rows' factors. With the kernel config's
/// conditional_rescale, only where some factor of the warp differs from 1:
/// a vote, then a warp-uniform branch around the multiplies. A factor of
/// exactly 1 leaves its row unchanged, so skipping is exact. No product is
/// in flight at the rescale (P.V of the last tile has been waited for), so
/// the branch costs a pipelined loop no wait.
struct ScaleRowsLowering : FragmentPattern<TileScaleRowsOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileScaleRowsOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    VectorType vt = convertVec(op.getType());
    auto scaled = [&](OpBuilder &b) {
      WarpBuilder sb{b, loc};
      return sb.mulf(a.getTile(), sb.spreadRows(a.getFactors(), vt));
    };
    auto fn = op->getParentOfType<func::FuncOp>();
    KernelConfigAttr config = fn ? getKernelConfig(fn) : KernelConfigAttr();
    if (!config || !config.getConditionalRescale()) {
      rw.replaceOp(op, scaled(rw));
      return success();
    }
    Value one = wb.f32(1.0);
    Value changed;
    for (Value factor : wb.unpack(a.getFactors())) {
      Value ne = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::UNE,
                                       factor, one);
      changed = changed ? wb.im().lor(changed, ne) : ne;
    }
    Value allLanes = arith::ConstantIntOp::create(rw, loc, -1, 32);
    Value anyChanged = NVVM::VoteSyncOp::create(
        rw, loc, rw.getI1Type(), allLanes, changed, NVVM::VoteSyncKind::any);
    auto branch = scf::IfOp::create(
        rw, loc, anyChanged,
        [&](OpBuilder &b, Location) {
          scf::YieldOp::create(b, loc, scaled(b));
        },
        [&](OpBuilder &b, Location) {
          scf::YieldOp::create(b, loc, a.getTile());
        });
    rw.replaceOp(op, branch.getResults());
    return success();
  }
};

} // namespace

void fragment::populateSoftmaxPatterns(TypeConverter &converter,
                                       RewritePatternSet &patterns) {
  patterns
      .add<MaskLowering, AlibiLowering, SoftmaxStepLowering, ScaleRowsLowering>(
          converter, patterns.getContext());
}
