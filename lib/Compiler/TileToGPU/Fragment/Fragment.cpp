//===- Fragment.cpp - The tensor-core fragment layout of a tile -----------===//
#include "Compiler/TileToGPU/Fragment/Fragment.h"

#include "Compiler/Transforms/TileLoweringCommon.h"

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::fragment;

Type fragment::fragmentType(TileType t) {
  if (t.getCols() == 1)
    return VectorType::get({2}, t.getElementType());
  return VectorType::get({t.getCols() / 2}, t.getElementType());
}

void fragment::addFragmentConversion(TypeConverter &converter) {
  converter.addConversion([](Type t) { return t; });
  // Only tiles that sattn-assign-tile-layouts put in the m16n8k16 layout:
  // any other tile has no conversion, so its ops stay illegal.
  converter.addConversion([](TileType t) -> std::optional<Type> {
    if (t.getLayout() != TileLayout::m16n8k16)
      return std::nullopt;
    return fragmentType(t);
  });
}

SmallVector<Value> WarpBuilder::unpack(Value vec) {
  auto vt = cast<VectorType>(vec.getType());
  SmallVector<Value> out;
  for (int64_t i = 0; i < vt.getNumElements(); ++i)
    out.push_back(vector::ExtractOp::create(b, loc, vec, ArrayRef<int64_t>{i}));
  return out;
}

Value WarpBuilder::spreadRows(Value rowValues, VectorType frag) {
  SmallVector<int64_t> mask;
  for (int64_t e = 0; e < frag.getNumElements(); ++e)
    mask.push_back((e / 2) % 2);
  return vector::ShuffleOp::create(b, loc, rowValues, rowValues, mask);
}

Value WarpBuilder::quadReduce(Value v, bool isMax) {
  for (int64_t offset : {1, 2}) {
    Value other =
        gpu::ShuffleOp::create(b, loc, v, offset, kWarp, gpu::ShuffleMode::XOR)
            .getShuffleResult();
    v = isMax ? maxf(v, other) : addf(v, other);
  }
  return v;
}

std::array<Value, 2> WarpBuilder::rowReduce(Value frag, bool isMax,
                                            bool acrossQuad) {
  SmallVector<Value> e = unpack(frag);
  std::array<Value, 2> acc;
  for (int64_t h = 0; h < 2; ++h) {
    SmallVector<Value> level;
    for (size_t i = 0; i < e.size(); ++i)
      if ((i / 2) % 2 == size_t(h))
        level.push_back(e[i]);
    // The max pairwise, not as a running chain: the exponentials (hence
    // P.V) wait for it, and ptxas keeps the order given. The sum feeds only
    // the loop-carried row sum, so it stays a chain, which needs fewer
    // registers (a tree spilled the sm_80 delta kernels).
    Value a;
    if (isMax) {
      while (level.size() > 1) {
        SmallVector<Value> next;
        for (size_t i = 0; i + 1 < level.size(); i += 2)
          next.push_back(maxf(level[i], level[i + 1]));
        if (level.size() % 2)
          next.push_back(level.back());
        level = std::move(next);
      }
      a = level.front();
    } else {
      a = level.front();
      for (size_t i = 1; i < level.size(); ++i)
        a = addf(a, level[i]);
    }
    acc[h] = acrossQuad ? quadReduce(a, isMax) : a;
  }
  return acc;
}

Value WarpBuilder::operandRegister(Value pair) {
  if (cast<VectorType>(pair.getType()).getElementType().isF16())
    return pair;
  Value word = vector::BitCastOp::create(
      b, loc, VectorType::get({1}, b.getI32Type()), pair);
  return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
}

Value WarpBuilder::packPair(Value lo, Value hi) {
  auto pairType = VectorType::get({2}, lo.getType());
  return operandRegister(
      vector::FromElementsOp::create(b, loc, pairType, ValueRange{lo, hi}));
}

Value fragment::rowPosition(WarpBuilder &wb, Value start, Value step,
                            int64_t h) {
  IndexMath m = wb.im();
  return m.add(start, m.mul(wb.row(h), step));
}

SmallVector<Value, 4> fragment::aOperand(WarpBuilder &wb, ArrayRef<Value> elts,
                                         int64_t kk, Type inputType) {
  SmallVector<Value, 4> regs;
  for (int64_t nb : {2 * kk, 2 * kk + 1})
    for (int64_t h = 0; h < 2; ++h) {
      Value lo = elts[4 * nb + 2 * h], hi = elts[4 * nb + 2 * h + 1];
      if (lo.getType() != inputType) {
        lo = arith::TruncFOp::create(wb.b, wb.loc, inputType, lo);
        hi = arith::TruncFOp::create(wb.b, wb.loc, inputType, hi);
      }
      regs.push_back(wb.packPair(lo, hi));
    }
  return regs;
}

void fragment::populateFragmentPatterns(TypeConverter &converter,
                                        RewritePatternSet &patterns) {
  populateEpiloguePatterns(converter, patterns);
  populateSoftmaxPatterns(converter, patterns);
  populateLayoutIndependentTilePatterns(converter, patterns);
}
