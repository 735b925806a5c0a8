//===- TileLoweringCommon.cpp - Tile lowering shared by SIMT and MMA ------===//
#include "Compiler/Transforms/TileLoweringCommon.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Transforms/DialectConversion.h"

using namespace mlir;
using namespace mlir::sattn;

Value mlir::sattn::keepByRegions(
    OpBuilder &b, Location loc, ArrayAttr regions,
    function_ref<Value(bool)> allOf,
    function_ref<Value(RegionAxis, arith::CmpIPredicate, int64_t)> test) {
  using P = arith::CmpIPredicate;
  Value any = allOf(false);
  for (Attribute attr : regions) {
    auto r = cast<RegionAttr>(attr);
    Value in = allOf(true);
    auto andWith = [&](RegionAxis axis, P p, int64_t bound) {
      in = arith::AndIOp::create(b, loc, in, test(axis, p, bound));
    };
    if (auto lo = r.getDiagLo())
      andWith(RegionAxis::Diag, P::sge, *lo);
    if (auto hi = r.getDiagHi())
      andWith(RegionAxis::Diag, P::sle, *hi);
    if (auto lo = r.getColLo())
      andWith(RegionAxis::Col, P::sge, *lo);
    if (auto hi = r.getColHi())
      andWith(RegionAxis::Col, P::slt, *hi);
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
    auto vt = cast<VectorType>(getTypeConverter()->convertType(op.getType()));
    auto mulf = [&](Value x, Value y) {
      return arith::MulFOp::create(rw, loc, x, y).getResult();
    };
    Value s = mulf(a.getScores(),
                   splat(rw, loc, vt, op.getScale().convertToDouble()));
    if (auto cap = op.getSoftcap()) {
      // c * tanh(s / c), tanh(x) = 1 - 2 / (exp(2x) + 1): exact at both
      // saturations (exp2 -> inf gives 1, exp2 -> 0 gives -1), and NVPTX
      // cannot select llvm.tanh.
      double c = cap->convertToDouble();
      Value e = math::Exp2Op::create(
          rw, loc, mulf(s, splat(rw, loc, vt, 2.0 * kLog2E / c)));
      Value denom = arith::AddFOp::create(rw, loc, e, splat(rw, loc, vt, 1.0));
      Value t = arith::SubFOp::create(
          rw, loc, splat(rw, loc, vt, 1.0),
          arith::DivFOp::create(rw, loc, splat(rw, loc, vt, 2.0), denom));
      s = mulf(t, splat(rw, loc, vt, c));
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
