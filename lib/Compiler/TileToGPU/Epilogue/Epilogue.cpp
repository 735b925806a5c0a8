//===- Epilogue.cpp - Tiles in and out of a fragment ----------------------===//
//
// The tile ops that move rows between global memory and the fragment
// layout (Fragment.h), the same for every tensor-core mainloop: fill, the
// query load (two rows per lane, 32-bit pairs), the output store and the
// final normalisation, which sums the quad's partial row sums (the key loop
// keeps them per lane, see Softmax.cpp).
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Fragment/Fragment.h"
#include "Compiler/Transforms/TileLoweringCommon.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::fragment;

namespace {

struct FillLowering : FragmentPattern<TileFillOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileFillOp op, Adaptor,
                                ConversionPatternRewriter &rw) const override {
    WarpBuilder wb{rw, op.getLoc()};
    rw.replaceOp(op, wb.splat(convertVec(op.getType()),
                              op.getValue().convertToDouble()));
    return success();
  }
};

struct LoadLowering : FragmentPattern<TileLoadOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileLoadOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    VectorType frag = convertVec(op.getType());
    auto tile = cast<TileType>(op.getType());
    int64_t cols = tile.getCols();
    if (cols == 1)
      return rw.notifyMatchFailure(op, "row-vector loads are not generated");
    Type elt = frag.getElementType();
    auto pairType = VectorType::get({2}, elt);
    SmallVector<Value> elts(frag.getNumElements());
    for (int64_t h = 0; h < 2; ++h) {
      Value valid = m.lt(wb.row(h), a.getCount());
      Value pos = rowPosition(wb, a.getStart(), a.getStep(), h);
      if (op.getRowDivAttr().getInt() != 1)
        pos = m.div(pos, m.c(op.getRowDivAttr().getInt()));
      Value rowOff = m.add(a.getBase(), m.mul(pos, cols));
      Value colOff = m.mul(wb.pair(), 2);
      auto rowType = VectorType::get({cols / 4}, elt);
      auto ifOp = scf::IfOp::create(
          rw, loc, valid,
          [&](OpBuilder &tb, Location l) {
            WarpBuilder t{tb, l};
            IndexMath tm = t.im();
            SmallVector<Value> vals;
            for (int64_t nb = 0; nb < cols / 8; ++nb) {
              Value off = tm.add(tm.add(rowOff, colOff), nb * 8);
              Value v = vector::LoadOp::create(
                  tb, l, pairType, a.getBuffer(), ValueRange{off},
                  /*nontemporal=*/false,
                  llvm::Align(2 * elt.getIntOrFloatBitWidth() / 8));
              for (Value x : t.unpack(v))
                vals.push_back(x);
            }
            scf::YieldOp::create(tb, l, t.pack(rowType, vals));
          },
          [&](OpBuilder &eb, Location l) {
            scf::YieldOp::create(eb, l, WarpBuilder{eb, l}.splat(rowType, 0));
          });
      SmallVector<Value> rowVals = wb.unpack(ifOp.getResult(0));
      for (int64_t nb = 0; nb < cols / 8; ++nb)
        for (int64_t c = 0; c < 2; ++c)
          elts[4 * nb + 2 * h + c] = rowVals[2 * nb + c];
    }
    rw.replaceOp(op, wb.pack(frag, elts));
    return success();
  }
};

struct StoreLowering : FragmentPattern<TileStoreOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileStoreOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    int64_t cols = cast<TileType>(op.getTile().getType()).getCols();
    if (cols == 1)
      return rw.notifyMatchFailure(op, "row-vector stores are not generated");
    Type bufElt = cast<MemRefType>(op.getBuffer().getType()).getElementType();
    SmallVector<Value> elts = wb.unpack(a.getTile());
    auto pairType = VectorType::get({2}, bufElt);
    for (int64_t h = 0; h < 2; ++h) {
      Value valid = m.lt(wb.row(h), a.getCount());
      Value pos = rowPosition(wb, a.getStart(), a.getStep(), h);
      Value rowOff =
          m.add(m.add(a.getBase(), m.mul(pos, cols)), m.mul(wb.pair(), 2));
      scf::IfOp::create(rw, loc, valid, [&](OpBuilder &tb, Location l) {
        WarpBuilder t{tb, l};
        IndexMath tm = t.im();
        for (int64_t nb = 0; nb < cols / 8; ++nb) {
          SmallVector<Value> two;
          for (int64_t c = 0; c < 2; ++c) {
            Value x = elts[4 * nb + 2 * h + c];
            if (x.getType() != bufElt)
              x = arith::TruncFOp::create(tb, l, bufElt, x);
            two.push_back(x);
          }
          vector::StoreOp::create(
              tb, l, t.pack(pairType, two), a.getBuffer(),
              ValueRange{tm.add(rowOff, nb * 8)}, /*nontemporal=*/false,
              llvm::Align(2 * bufElt.getIntOrFloatBitWidth() / 8));
        }
        scf::YieldOp::create(tb, l);
      });
    }
    rw.eraseOp(op);
    return success();
  }
};

struct NormalizeLowering : FragmentPattern<TileNormalizeOp> {
  using FragmentPattern::FragmentPattern;
  LogicalResult matchAndRewrite(TileNormalizeOp op, Adaptor a,
                                ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    VectorType vt = convertVec(op.getType());
    VectorType rowType = convertVec(op.getRowSum().getType());
    SmallVector<Value> inv;
    SmallVector<Value> rowMax =
        a.getRowMax() ? wb.unpack(a.getRowMax()) : SmallVector<Value>();
    for (auto [h, partial] : llvm::enumerate(wb.unpack(a.getRowSum()))) {
      Value l = wb.quadReduce(partial, /*isMax=*/false);
      Value noKey = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OEQ, l,
                                          wb.f32(0));
      // A sink adds exp(z - m) to the row's denominator (after the quad's
      // sum: once per row). An overflow to inf puts the row's weight on
      // the sink, whose output is 0.
      // One op per statement: the order of the ops must not depend on the
      // compiler's order of evaluating arguments.
      Value denominator = l;
      if (a.getSink()) {
        Value log2e = wb.f32(kLog2E);
        Value shifted = wb.subf(a.getSink(), rowMax[h]);
        Value sink = wb.exp2(wb.mulf(shifted, log2e));
        denominator = wb.addf(l, sink);
      }
      inv.push_back(
          wb.im().select(noKey, wb.f32(0), wb.divf(wb.f32(1.0), denominator)));
    }
    rw.replaceOp(op,
                 wb.mulf(a.getAcc(), wb.spreadRows(wb.pack(rowType, inv), vt)));
    return success();
  }
};

} // namespace

void fragment::populateEpiloguePatterns(TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  patterns.add<FillLowering, LoadLowering, StoreLowering, NormalizeLowering>(
      converter, patterns.getContext());
}
