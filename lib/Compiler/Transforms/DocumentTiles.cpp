//===- DocumentTiles.cpp - A program's query tile over documents ----------===//
#include "Compiler/Transforms/DocumentTiles.h"
#include "Compiler/Transforms/IndexMath.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace mlir::sattn;

Value DocumentTiles::offset(Value buffer, Value d) {
  IndexMath m{b, loc};
  Value row = m.mul(batch, m.add(documents, m.c(1)));
  Value raw = memref::LoadOp::create(b, loc, buffer, ValueRange{m.add(row, d)});
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
}

DocumentTile DocumentTiles::tileOf(Value x) {
  IndexMath m{b, loc};
  auto tileBase = [&](Value d) {
    return m.add(d, m.floorDiv(offset(cuSeqlensQ, d), blockM));
  };
  // lower_bound: lo becomes the first d in [0, Nd) with tileBase(d) > x.
  // 32 halvings cover Nd < 2^32 (the launch takes at most 2^31 - 1); a
  // halving of an empty range does no load.
  Type index = b.getIndexType();
  auto search = scf::ForOp::create(
      b, loc, m.c(0), m.c(32), m.c(1), ValueRange{m.c(0), documents},
      [&](OpBuilder &nb, Location, Value, ValueRange iter) {
        OpBuilder::InsertionGuard g(b);
        b.setInsertionPointToStart(nb.getInsertionBlock());
        IndexMath bm{b, loc};
        Value lo = iter[0], len = iter[1];
        auto halve = scf::IfOp::create(b, loc, TypeRange{index, index},
                                       bm.gt(len, bm.c(0)),
                                       /*withElseRegion=*/true);
        {
          OpBuilder::InsertionGuard g2(b);
          b.setInsertionPointToStart(&halve.getThenRegion().front());
          IndexMath tm{b, loc};
          Value half = tm.floorDiv(len, 2);
          Value mid = tm.add(lo, half);
          Value below = tm.le(tileBase(mid), x);
          scf::YieldOp::create(
              b, loc,
              ValueRange{
                  tm.select(below, tm.add(mid, 1), lo),
                  tm.select(below, tm.sub(tm.sub(len, half), tm.c(1)), half)});
          b.setInsertionPointToStart(&halve.getElseRegion().front());
          scf::YieldOp::create(b, loc, iter);
        }
        scf::YieldOp::create(b, loc, halve.getResults());
      });
  // One op-creating argument per call below, so that the IR is the same
  // whichever order a compiler evaluates arguments in.
  Value zero = m.c(0), one = m.c(1), rowsPerTile = m.c(blockM);
  Value d = m.max(m.sub(search.getResult(0), one), zero);
  Value next = m.add(d, one);
  auto clamp = [&](Value v, Value lo, Value hi) {
    return m.min(m.max(v, lo), hi);
  };
  Value qStart = clamp(offset(cuSeqlensQ, d), zero, seqQ);
  Value qEnd = clamp(offset(cuSeqlensQ, next), qStart, seqQ);
  Value kStart = clamp(offset(cuSeqlensK, d), zero, seqK);
  Value kEnd = clamp(offset(cuSeqlensK, next), kStart, seqK);
  Value tile = m.sub(x, tileBase(d));
  Value pos = m.mul(tile, blockM);
  Value qLen = m.sub(qEnd, qStart);
  Value rowsLeft = clamp(m.sub(qLen, pos), zero, rowsPerTile);
  Value count = m.select(m.ge(tile, zero), rowsLeft, zero);
  // An idle program (past its document's last tile) sees no key tile.
  Value kLen = m.sub(kEnd, kStart);
  Value keys = m.select(m.gt(count, zero), kLen, zero);
  Value rowStart = m.add(qStart, pos);
  return {rowStart, pos, count, qLen, keys, kStart};
}
