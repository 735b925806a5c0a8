//===- TileLoweringCommon.cpp - Tile lowering shared by SIMT and MMA ------===//
#include "Compiler/Transforms/TileLoweringCommon.h"
#include "Compiler/Transforms/IndexMath.h"
#include "Spec/PatternSpec.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::sattn;

Value mlir::sattn::keepByRegions(
    OpBuilder &b, Location loc, ArrayAttr regions, Value rowPos,
    function_ref<Value(bool)> allOf,
    function_ref<Value(RegionAxis, arith::CmpIPredicate, Value)> test,
    function_ref<Value(int64_t)> multipleOf) {
  using P = arith::CmpIPredicate;
  IndexMath m{b, loc};
  Value any = allOf(false);
  for (Attribute attr : regions) {
    auto r = cast<RegionAttr>(attr);
    Value in = allOf(true);
    auto andWith = [&](Value keep) {
      in = arith::AndIOp::create(b, loc, in, keep);
    };
    if (auto lo = r.getDiagLo())
      andWith(test(RegionAxis::Diag, P::sge, m.c(*lo)));
    if (auto hi = r.getDiagHi())
      andWith(test(RegionAxis::Diag, P::sle, m.c(*hi)));
    if (auto lo = r.getColLo())
      andWith(test(RegionAxis::Col, P::sge, m.c(*lo)));
    if (auto hi = r.getColHi())
      andWith(test(RegionAxis::Col, P::slt, m.c(*hi)));
    if (auto c = r.getChunk()) {
      Value start = m.mul(m.floorDiv(rowPos, *c), *c);
      andWith(test(RegionAxis::Col, P::sge, start));
      Value end = m.add(start, *c);
      andWith(test(RegionAxis::Col, P::slt, end));
    }
    if (auto d = r.getDilation())
      andWith(multipleOf(*d));
    any = arith::OrIOp::create(b, loc, any, in);
  }
  return any;
}

namespace {

Value splat(OpBuilder &b, Location loc, VectorType t, double v) {
  return arith::ConstantOp::create(
      b, loc, DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), v)));
}

struct ScoreModLowering : OpConversionPattern<TileScoreModOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileScoreModOp op, OpAdaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    double scale = op.getScale().convertToDouble();
    if (!::sattn::scoreFactorInRange(scale))
      return op.emitOpError("scale ")
             << scale << " is outside [2^-63, 2^63]: scaled scores would "
             << "leave the f32 range";
    auto cap = op.getSoftcap();
    if (cap && !::sattn::scoreFactorInRange(cap->convertToDouble()))
      return op.emitOpError("softcap ")
             << cap->convertToDouble()
             << " is outside [2^-63, 2^63]: its f32 constants would "
             << "overflow or vanish";
    auto vt = cast<VectorType>(getTypeConverter()->convertType(op.getType()));
    Value s = arith::MulFOp::create(rw, loc, a.getScores(),
                                    splat(rw, loc, vt, scale));
    if (cap) {
      if (vt.getRank() != 1)
        return rw.notifyMatchFailure(op, "softcap needs 1-D score vectors");
      double cv = cap->convertToDouble();
      Type f = vt.getElementType();
      auto c = [&](double v) -> Value {
        return arith::ConstantOp::create(rw, loc, rw.getFloatAttr(f, v));
      };
      auto mulf = [&](Value x, Value y) -> Value {
        return arith::MulFOp::create(rw, loc, x, y);
      };
      auto addf = [&](Value x, Value y) -> Value {
        return arith::AddFOp::create(rw, loc, x, y);
      };
      // c * tanh(s / c). NVPTX cannot select llvm.tanh, so tanh is built
      // from two forms, each accurate where the other is not:
      //  |x| >= 0.55: 1 - 2 / (exp(2x) + 1), exact at both saturations
      //    (exp2 -> inf gives 1, exp2 -> 0 gives -1); for small |x| it
      //    cancels (absolute error ~2^-24, so relative 2^-24 / |x|, which
      //    a large cap makes the common case);
      //  |x| < 0.55: x + x^3 P(x^2), P a degree-4 least-squares fit of
      //    (tanh(x) - x) / x^3 on [0, 0.55] (within 1.1 ulp of f32 there;
      //    tanh(0.55) ~ 0.5, where the first form is within a few ulp).
      // Element by element: on whole vectors every intermediate of both
      // forms is a live vector at once, and the tensor-core kernels spill.
      // The division may be approximate (afn; PTX div.approx, within 2 ulp):
      // its quotient is at most 0.5 and t at least 0.5 there, and the
      // IEEE division's longer sequence made the sm_80 f16 kernel spill.
      Value invCap = c(1.0 / cv), twoLog2E = c(2.0 * kLog2E), one = c(1.0),
            two = c(2.0), switchAt = c(0.55 * 0.55), capC = c(cv);
      SmallVector<Value> poly;
      for (double k : {-6.274243351072073e-03, 2.107168175280094e-02,
                       -5.385231226682663e-02, 1.3332585990428925e-01,
                       -3.3333316445350647e-01})
        poly.push_back(c(k));
      auto softcap = [&](Value si) -> Value {
        Value x = mulf(si, invCap);
        Value u = mulf(x, x);
        // u is inf (NaN) for infinite (NaN) scores: the first form.
        Value useSmall = arith::CmpFOp::create(
            rw, loc, arith::CmpFPredicate::OLT, u, switchAt);
        Value p = poly[0];
        for (Value k : ArrayRef<Value>(poly).drop_front())
          p = addf(mulf(p, u), k);
        Value small = addf(x, mulf(mulf(x, u), p));
        Value e = math::Exp2Op::create(rw, loc, mulf(x, twoLog2E));
        Value large = arith::SubFOp::create(
            rw, loc, one,
            arith::DivFOp::create(rw, loc, two, addf(e, one),
                                  arith::FastMathFlags::afn));
        return mulf(arith::SelectOp::create(rw, loc, useSmall, small, large),
                    capC);
      };
      SmallVector<Value> capped;
      for (int64_t i = 0; i < vt.getNumElements(); ++i)
        capped.push_back(softcap(
            vector::ExtractOp::create(rw, loc, s, ArrayRef<int64_t>{i})));
      s = vector::FromElementsOp::create(rw, loc, vt, capped);
    }
    rw.replaceOp(op, s);
    return success();
  }
};

template <typename Op, typename ArithOp>
struct ElementwiseLowering : OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Op op, typename Op::Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    rw.replaceOp(op, ArithOp::create(rw, op.getLoc(), a.getLhs(), a.getRhs()));
    return success();
  }
};

/// Elementwise, so the same in every layout: the converted vector holds
/// the same elements in the same places at either width.
struct TruncFLowering : OpConversionPattern<TileTruncFOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TileTruncFOp op, OpAdaptor a,
                  ConversionPatternRewriter &rw) const override {
    Type to = getTypeConverter()->convertType(op.getType());
    rw.replaceOp(op, arith::TruncFOp::create(rw, op.getLoc(), to, a.getTile()));
    return success();
  }
};

} // namespace

void mlir::sattn::populateLayoutIndependentTilePatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ScoreModLowering, TruncFLowering,
               ElementwiseLowering<TileAddOp, arith::AddFOp>,
               ElementwiseLowering<TileSubOp, arith::SubFOp>>(
      converter, patterns.getContext());
}
