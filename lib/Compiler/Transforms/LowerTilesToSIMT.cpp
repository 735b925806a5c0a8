//===- LowerTilesToSIMT.cpp - Tile ops -> one query row per lane ----------===//
//
// The portable lowering of the tiled form. Lane r of a program instance
// owns query row r: a tile<R x C x T> becomes that row, a vector<C x T> (a
// scalar T when C == 1). Key and value rows are read straight from the
// buffers, so lanes never communicate and the result is valid both as GPU
// threads and as an ordinary loop on the CPU.
//
// Within a key tile the lowering keeps loops over the tile's keys rolled:
// the scores of a row live in a vector<block_n> indexed by the loop
// counter, which is cheap next to the head_dim-wide products per key.
//
// Exponentials are exp2 with the log2(e) factor folded in: NVPTX turns
// llvm.exp2.f32 into one ex2.approx instruction, and tanh (softcap) is
// written in terms of exp2 because NVPTX cannot select llvm.tanh.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Transforms/IndexMath.h"
#include "Compiler/Transforms/TileLoweringCommon.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

namespace mlir::sattn {
#define GEN_PASS_DEF_LOWERTILESTOSIMT
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {


/// Vector/scalar building blocks shared by the patterns.
struct LaneBuilder {
  OpBuilder &b;
  Location loc;

  IndexMath im() { return IndexMath{b, loc}; }
  Value lane() { return LaneIdOp::create(b, loc); }

  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
  }
  Value splat(VectorType t, double v) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), v)));
  }
  Value broadcast(VectorType t, Value scalar) {
    return vector::BroadcastOp::create(b, loc, t, scalar);
  }
  /// [0, 1, ..., n-1] as vector<n x index>.
  Value iota(int64_t n) {
    SmallVector<APInt> vals;
    for (int64_t i = 0; i < n; ++i)
      vals.push_back(APInt(64, i));
    auto t = VectorType::get({n}, b.getIndexType());
    return arith::ConstantOp::create(b, loc, DenseElementsAttr::get(t, vals));
  }
  Value toF32(Value v) {
    auto vt = dyn_cast<VectorType>(v.getType());
    Type elt = vt ? vt.getElementType() : v.getType();
    if (elt.isF32())
      return v;
    Type f32 = b.getF32Type();
    Type target = vt ? Type(VectorType::get(vt.getShape(), f32)) : f32;
    return arith::ExtFOp::create(b, loc, target, v);
  }
  Value exp2(Value v) { return math::Exp2Op::create(b, loc, v); }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }

  /// Row `pos` of a [.., S, D] buffer starting at `base`.
  Value rowOffset(Value base, Value pos, int64_t d) {
    IndexMath m = im();
    return m.add(base, m.mul(pos, d));
  }
  /// Rows are head_dim elements of a buffer whose base the runtime checks to
  /// be 16-byte aligned (and head_dim * element size is a multiple of 16),
  /// so every row access can use 16-byte vector memory operations.
  Value loadRow(VectorType t, Value buffer, Value offset) {
    return vector::LoadOp::create(b, loc, t, buffer, ValueRange{offset},
                                  /*nontemporal=*/false, llvm::Align(16));
  }
  void storeRow(Value row, Value buffer, Value offset) {
    vector::StoreOp::create(b, loc, row, buffer, ValueRange{offset},
                            /*nontemporal=*/false, llvm::Align(16));
  }
};

template <typename Op>
struct TilePattern : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using Adaptor = typename Op::Adaptor;

  Type convert(Type t) const { return this->getTypeConverter()->convertType(t); }
  VectorType convertVec(Type t) const { return cast<VectorType>(convert(t)); }
};

struct FillLowering : TilePattern<TileFillOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileFillOp op, Adaptor,
                  ConversionPatternRewriter &rw) const override {
    LaneBuilder lb{rw, op.getLoc()};
    double v = op.getValue().convertToDouble();
    Type t = convert(op.getType());
    if (auto vt = dyn_cast<VectorType>(t))
      rw.replaceOp(op, lb.splat(vt, v));
    else
      rw.replaceOp(op, lb.f32(v));
    return success();
  }
};

struct LoadLowering : TilePattern<TileLoadOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileLoadOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    IndexMath m = lb.im();
    VectorType vt = convertVec(op.getType());
    Value r = lb.lane();
    Value valid = m.lt(r, a.getCount());
    Value pos = m.add(a.getStart(), m.mul(r, a.getStep()));
    if (op.getRowDivAttr().getInt() != 1)
      pos = m.div(pos, m.c(op.getRowDivAttr().getInt()));
    Value off = lb.rowOffset(a.getBase(), pos, vt.getShape()[0]);
    auto ifOp = scf::IfOp::create(
        rw, loc, valid,
        [&](OpBuilder &tb, Location l) {
          Value row = LaneBuilder{tb, l}.loadRow(vt, a.getBuffer(), off);
          scf::YieldOp::create(tb, l, row);
        },
        [&](OpBuilder &eb, Location l) {
          LaneBuilder eLb{eb, l};
          scf::YieldOp::create(eb, l, eLb.splat(vt, 0.0));
        });
    rw.replaceOp(op, ifOp.getResults());
    return success();
  }
};

struct StoreLowering : TilePattern<TileStoreOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileStoreOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    IndexMath m = lb.im();
    Value row = a.getTile();
    auto vt = cast<VectorType>(row.getType());
    Type bufElt = cast<MemRefType>(op.getBuffer().getType()).getElementType();
    if (vt.getElementType() != bufElt)
      row = arith::TruncFOp::create(
          rw, loc, VectorType::get(vt.getShape(), bufElt), row);
    Value r = lb.lane();
    Value valid = m.lt(r, a.getCount());
    Value pos = m.add(a.getStart(), m.mul(r, a.getStep()));
    Value off = lb.rowOffset(a.getBase(), pos, vt.getShape()[0]);
    scf::IfOp::create(rw, loc, valid, [&](OpBuilder &tb, Location l) {
      LaneBuilder{tb, l}.storeRow(row, a.getBuffer(), off);
      scf::YieldOp::create(tb, l);
    });
    rw.eraseOp(op);
    return success();
  }
};

struct QKLowering : TilePattern<TileQKOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileQKOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    IndexMath m = lb.im();
    auto qType = cast<VectorType>(a.getQ().getType());
    int64_t d = qType.getShape()[0];
    VectorType st = convertVec(op.getType());
    Value last = m.sub(m.add(a.getFirst(), a.getCount()), m.c(1));
    // A rolled loop over the tile's keys: unrolling it multiplies the code
    // by block_n and the live key rows with it.
    auto loop = scf::ForOp::create(
        rw, loc, m.c(0), m.c(st.getShape()[0]), m.c(1),
        ValueRange{lb.splat(st, 0.0)},
        [&](OpBuilder &nb, Location l, Value c, ValueRange iter) {
          LaneBuilder b{nb, l};
          IndexMath bm = b.im();
          Value j = bm.min(bm.add(a.getFirst(), c), last);
          Value k = b.loadRow(qType, a.getKeys(), b.rowOffset(a.getBase(), j, d));
          Value dot = vector::ReductionOp::create(
              nb, l, vector::CombiningKind::ADD,
              b.mulf(b.toF32(a.getQ()), b.toF32(k)),
              arith::FastMathFlags::reassoc);
          // Columns past `count` are defined as 0.
          dot = bm.select(bm.lt(c, a.getCount()), dot, b.f32(0.0));
          Value next = vector::InsertOp::create(nb, l, dot, iter[0],
                                                OpFoldResult(c));
          scf::YieldOp::create(nb, l, next);
        });
    rw.replaceOp(op, loop.getResults());
    return success();
  }
};

/// The lane's query position in key coordinates: i' = start + lane * step
/// + Sk - Sq.
Value laneKeyPosition(LaneBuilder &lb, Value start, Value step, Value seqQ,
                      Value seqK) {
  IndexMath m = lb.im();
  Value i = m.add(start, m.mul(lb.lane(), step));
  return m.add(i, m.sub(seqK, seqQ));
}

struct MaskLowering : TilePattern<TileMaskOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileMaskOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    IndexMath m = lb.im();
    VectorType vt = convertVec(op.getType());
    int64_t cols = vt.getShape()[0];
    auto idxVec = VectorType::get({cols}, rw.getIndexType());
    auto boolVec = VectorType::get({cols}, rw.getI1Type());
    // Query position in key coordinates, and the keys of this tile.
    Value iKey = laneKeyPosition(lb, a.getStart(), a.getStep(), a.getSeqQ(),
                                 a.getSeqK());
    Value j = arith::AddIOp::create(rw, loc, lb.broadcast(idxVec, a.getFirst()),
                                    lb.iota(cols));
    Value diag = arith::SubIOp::create(rw, loc, j, lb.broadcast(idxVec, iKey));
    auto allOf = [&](bool v) -> Value {
      return arith::ConstantOp::create(
          rw, loc, DenseElementsAttr::get(boolVec, rw.getBoolAttr(v)));
    };
    Value any = keepByRegions(
        rw, loc, op.getRegions(), iKey, allOf,
        [&](RegionAxis axis, arith::CmpIPredicate p, Value bound) -> Value {
          Value bv = lb.broadcast(idxVec, bound);
          return arith::CmpIOp::create(
              rw, loc, p, axis == RegionAxis::Diag ? diag : j, bv);
        },
        [&](int64_t n) -> Value {
          Value rem = arith::RemSIOp::create(rw, loc, diag,
                                             lb.broadcast(idxVec, m.c(n)));
          Value zero = lb.broadcast(idxVec, m.c(0));
          return arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::eq, rem,
                                       zero);
        });
    Value inSeq = arith::CmpIOp::create(rw, loc, arith::CmpIPredicate::slt, j,
                                        lb.broadcast(idxVec, a.getSeqK()));
    Value keep = arith::AndIOp::create(rw, loc, any, inSeq);
    Value negInf = lb.splat(vt, -std::numeric_limits<double>::infinity());
    rw.replaceOp(op, m.select(keep, a.getScores(), negInf));
    return success();
  }
};

/// slope * (j - i') added to the lane's row: one convert and one fma per
/// element.
struct AlibiLowering : TilePattern<TileAlibiOp> {
  using TilePattern::TilePattern;
  LogicalResult matchAndRewrite(TileAlibiOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    IndexMath m = lb.im();
    VectorType vt = convertVec(op.getType());
    int64_t cols = vt.getShape()[0];
    auto idxVec = VectorType::get({cols}, rw.getIndexType());
    auto i64Vec = VectorType::get({cols}, rw.getI64Type());
    Value iKey = laneKeyPosition(lb, a.getStart(), a.getStep(), a.getSeqQ(),
                                 a.getSeqK());
    // j - i' = (first - i') + c for column c.
    Value first = m.sub(a.getFirst(), iKey);
    Value firstVec = lb.broadcast(idxVec, first);
    Value columns = lb.iota(cols);
    Value dist = arith::AddIOp::create(rw, loc, firstVec, columns);
    Value dist64 = arith::IndexCastOp::create(rw, loc, i64Vec, dist);
    Value distF = arith::SIToFPOp::create(rw, loc, vt, dist64);
    Value slope = lb.broadcast(vt, a.getSlope());
    rw.replaceOp(op, math::FmaOp::create(rw, loc, slope, distF, a.getScores()));
    return success();
  }
};

struct SoftmaxStepLowering : TilePattern<TileSoftmaxStepOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileSoftmaxStepOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    VectorType vt = convertVec(op.getScores().getType());
    Value s = a.getScores(), m = a.getRowMax(), l = a.getRowSum();
    if (double scale = op.getScale().convertToDouble(); scale != 1.0)
      s = lb.mulf(s, lb.splat(vt, scale));
    Value tileMax = vector::ReductionOp::create(
        rw, loc, vector::CombiningKind::MAXNUMF, s);
    Value newMax = arith::MaxNumFOp::create(rw, loc, m, tileMax);
    // A row with no allowed key so far keeps max -inf: subtract 0 instead
    // so that exp gives 0 (not NaN) and alpha is 1.
    Value noKey = arith::CmpFOp::create(
        rw, loc, arith::CmpFPredicate::OEQ, newMax,
        lb.f32(-std::numeric_limits<double>::infinity()));
    Value safeMax = lb.im().select(noKey, lb.f32(0.0), newMax);
    Value log2e = lb.splat(vt, kLog2E);
    Value p = lb.exp2(lb.mulf(lb.subf(s, lb.broadcast(vt, safeMax)), log2e));
    Value alpha = lb.im().select(
        noKey, lb.f32(1.0),
        lb.exp2(lb.mulf(lb.subf(m, safeMax), lb.f32(kLog2E))));
    Value rowSum = vector::ReductionOp::create(
        rw, loc, vector::CombiningKind::ADD, p, arith::FastMathFlags::reassoc);
    Value newSum = lb.addf(lb.mulf(l, alpha), rowSum);
    rw.replaceOp(op, {newMax, newSum, p, alpha});
    return success();
  }
};

struct ScaleRowsLowering : TilePattern<TileScaleRowsOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileScaleRowsOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    LaneBuilder lb{rw, op.getLoc()};
    VectorType vt = convertVec(op.getType());
    rw.replaceOp(op, lb.mulf(a.getTile(), lb.broadcast(vt, a.getFactors())));
    return success();
  }
};

struct PVLowering : TilePattern<TilePVOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TilePVOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    IndexMath m = lb.im();
    VectorType accType = convertVec(op.getType());
    int64_t d = accType.getShape()[0];
    auto vt = VectorType::get(
        {d}, cast<MemRefType>(op.getValues().getType()).getElementType());
    int64_t cols = cast<TileType>(op.getProbs().getType()).getCols();
    Value last = m.sub(m.add(a.getFirst(), a.getCount()), m.c(1));
    auto loop = scf::ForOp::create(
        rw, loc, m.c(0), m.c(cols), m.c(1), ValueRange{a.getAcc()},
        [&](OpBuilder &nb, Location l, Value c, ValueRange iter) {
          LaneBuilder b{nb, l};
          IndexMath bm = b.im();
          Value j = bm.min(bm.add(a.getFirst(), c), last);
          Value v = b.loadRow(vt, a.getValues(), b.rowOffset(a.getBase(), j, d));
          Value p = vector::ExtractOp::create(nb, l, a.getProbs(),
                                              OpFoldResult(c));
          if (!p.getType().isF32()) // rounded by sattn.tile.truncf
            p = arith::ExtFOp::create(nb, l, nb.getF32Type(), p);
          // Columns past `count` contribute nothing.
          p = bm.select(bm.lt(c, a.getCount()), p, b.f32(0.0));
          Value acc = vector::FMAOp::create(nb, l, b.broadcast(accType, p),
                                            b.toF32(v), iter[0]);
          scf::YieldOp::create(nb, l, acc);
        });
    rw.replaceOp(op, loop.getResults());
    return success();
  }
};

struct NormalizeLowering : TilePattern<TileNormalizeOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileNormalizeOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    LaneBuilder lb{rw, loc};
    VectorType vt = convertVec(op.getType());
    Value l = a.getRowSum();
    Value noKey =
        arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OEQ, l, lb.f32(0));
    // A sink adds exp(z - m) to the denominator. Where it overflows to inf
    // the row's weight is all on the sink: the output is 0 (a row that saw
    // no key, m = -inf, is 0 through noKey).
    // One op per statement: the order of the ops must not depend on the
    // compiler's order of evaluating arguments.
    Value denominator = l;
    if (a.getSink()) {
      Value log2e = lb.f32(kLog2E);
      Value shifted = lb.subf(a.getSink(), a.getRowMax());
      Value sink = lb.exp2(lb.mulf(shifted, log2e));
      denominator = lb.addf(l, sink);
    }
    Value inv =
        lb.im().select(noKey, lb.f32(0), lb.divf(lb.f32(1.0), denominator));
    rw.replaceOp(op, lb.mulf(a.getAcc(), lb.broadcast(vt, inv)));
    return success();
  }
};


struct LowerTilesToSIMTPass
    : public mlir::sattn::impl::LowerTilesToSIMTBase<LowerTilesToSIMTPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    TypeConverter converter;
    converter.addConversion([](Type t) { return t; });
    converter.addConversion([](TileType t) -> Type {
      if (t.getCols() == 1)
        return t.getElementType();
      return VectorType::get({t.getCols()}, t.getElementType());
    });

    RewritePatternSet patterns(ctx);
    ConversionTarget target(*ctx);
    populateLowerTilesToSIMTPatterns(converter, patterns);
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);
    target.addLegalDialect<arith::ArithDialect, vector::VectorDialect,
                           math::MathDialect, memref::MemRefDialect>();
    target.addLegalOp<ProgramOp, LaneIdOp>();
    target.addIllegalOp<TileFillOp, TileLoadOp, TileStoreOp, TileQKOp,
                        TileScoreModOp, TileAlibiOp, TileMaskOp,
                        TileSoftmaxStepOp, TileScaleRowsOp, TilePVOp,
                        TileNormalizeOp, TileAddOp, TileSubOp, TileTruncFOp>();
    // The kernels this lowering takes run one lane per query row.
    SmallVector<std::pair<func::FuncOp, int64_t>> lanesPerKernel;
    getOperation().walk([&](ProgramOp program) {
      bool hasTiles = false;
      program.walk([&](Operation *op) {
        hasTiles |= op->getName().getStringRef().starts_with("sattn.tile.");
      });
      auto fn = program->getParentOfType<func::FuncOp>();
      if (hasTiles && fn && !getLaunchAttr(fn))
        lanesPerKernel.push_back({fn, program.getBlockM()});
    });
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      return signalPassFailure();
    for (auto [fn, lanes] : lanesPerKernel)
      fn->setAttr(attrs::kLaunch,
                  LaunchAttr::get(ctx, lanes, 0, 0, runsWorkLoop(fn)));
  }
};

} // namespace

void mlir::sattn::populateLowerTilesToSIMTPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<FillLowering, LoadLowering, StoreLowering, QKLowering,
               MaskLowering, AlibiLowering, SoftmaxStepLowering,
               ScaleRowsLowering, PVLowering, NormalizeLowering>(
      converter, patterns.getContext());
  populateLayoutIndependentTilePatterns(converter, patterns);
}
