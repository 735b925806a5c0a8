//===- Fragment.h - The tensor-core fragment layout of a tile ---*- C++ -*-===//
//
// How the tensor-core lowerings lay a tile out over lanes. A program of
// block_m query rows runs as block_m / 16 warps; warp w owns rows
// [16w, 16w + 16). Every tile<R x C> (C > 1) is held in the accumulator
// layout of mma.sync.m16n8k16 (which is also each warp's share of a wgmma
// m64nNk16 accumulator): lane l (g = l / 4, t = l % 4) holds, for each group
// of 8 columns nb, the elements
//
//   (row g,     col 8nb + 2t + c) and (row g + 8, col 8nb + 2t + c), c = 0, 1
//
// flattened into a vector<C/2> at index 4nb + 2h + c (h: 0 for row g, 1 for
// row g + 8). The same set of elements, read as pairs, is the A-operand
// layout of a 16-column chunk, so the probabilities P of Q.K^T feed P.V
// straight from registers, and Q is loaded once into the same layout.
// A tile<R x 1> (row statistics) is a vector<2>: rows g and g + 8.
//
// Row reductions combine a lane's values and then the four lanes of a quad
// (shuffle xor 1, 2), which hold the rest of the row.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TILETOGPU_FRAGMENT_FRAGMENT_H
#define SATTN_TILETOGPU_FRAGMENT_FRAGMENT_H

#include "Compiler/Transforms/IndexMath.h"
#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include <array>

namespace mlir::sattn::fragment {

constexpr int64_t kWarp = 32;
constexpr int64_t kRowsPerWarp = 16;
constexpr int64_t kWarpgroup = 4 * kWarp;
/// Elements of a 16-byte cp.async / ldmatrix row chunk (16-bit types).
constexpr int64_t kChunk = 8;

/// Lanes of a tensor-core program of `blockM` rows.
inline int64_t threadsFor(int64_t blockM) {
  return blockM / kRowsPerWarp * kWarp;
}

/// The fragment type of a tile: vector<C/2>, or vector<2> for one column.
Type fragmentType(TileType tile);
/// A type converter that maps tiles to fragments (everything else as is).
void addFragmentConversion(TypeConverter &converter);

/// Per-lane building blocks at one insertion point.
struct WarpBuilder {
  OpBuilder &b;
  Location loc;

  IndexMath im() { return IndexMath{b, loc}; }
  Value lane() { return LaneIdOp::create(b, loc); }
  Value warp() { return im().div(lane(), im().c(kWarp)); }
  Value laneInWarp() { return im().rem(lane(), im().c(kWarp)); }
  /// Row group g (0..7) and column pair t (0..3) of the mma layouts.
  Value group() { return im().div(laneInWarp(), im().c(4)); }
  Value pair() { return im().rem(laneInWarp(), im().c(4)); }
  /// The tile row of this lane's half h: 16 * warp + g + 8h.
  Value row(int64_t h) {
    IndexMath m = im();
    return m.add(m.add(m.mul(warp(), kRowsPerWarp), group()), h * 8);
  }

  Value f32(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(float(v)));
  }
  Value splat(VectorType t, double v) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(t, b.getFloatAttr(t.getElementType(), v)));
  }
  Value mulf(Value x, Value y) { return arith::MulFOp::create(b, loc, x, y); }
  Value addf(Value x, Value y) { return arith::AddFOp::create(b, loc, x, y); }
  Value subf(Value x, Value y) { return arith::SubFOp::create(b, loc, x, y); }
  Value divf(Value x, Value y) { return arith::DivFOp::create(b, loc, x, y); }
  /// maxNum as the LLVM intrinsic: NVPTX selects one max.f32, whereas the
  /// GPU pipeline's arith-expand turns arith.maxnumf into two compares and
  /// two selects.
  Value maxf(Value x, Value y) { return LLVM::MaxNumOp::create(b, loc, x, y); }
  Value exp2(Value v) { return math::Exp2Op::create(b, loc, v); }

  SmallVector<Value> unpack(Value vec);
  Value pack(VectorType t, ArrayRef<Value> elts) {
    return vector::FromElementsOp::create(b, loc, t, elts);
  }
  /// A per-row vector<2> spread over a fragment: element 4nb + 2h + c
  /// takes rowValues[h].
  Value spreadRows(Value rowValues, VectorType frag);
  /// Combines `v` over the four lanes of a quad (one row of the tile).
  Value quadReduce(Value v, bool isMax);
  /// max or sum over each row h of a fragment: over the whole row, or with
  /// `acrossQuad` false over this lane's columns only.
  std::array<Value, 2> rowReduce(Value frag, bool isMax,
                                 bool acrossQuad = true);

  /// A 32-bit tensor-core operand register from a vector<2> of 16-bit
  /// values: nvvm.mma.sync takes f16 pairs as vector<2xf16> and bf16 pairs
  /// as i32.
  Value operandRegister(Value pair);
  Value packPair(Value lo, Value hi);
};

/// A conversion pattern over tile ops with the fragment type converter.
template <typename Op> struct FragmentPattern : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using Adaptor = typename Op::Adaptor;
  VectorType convertVec(Type t) const {
    return cast<VectorType>(this->getTypeConverter()->convertType(t));
  }
};

/// Row h of this lane as a position of a row set (start + row * step).
Value rowPosition(WarpBuilder &wb, Value start, Value step, int64_t h);

/// The column of element e = 4nb + 2h + c of a lane's fragment, less the
/// lane's first column 2t: 8nb + c (the same for both of its rows).
inline int64_t columnOffset(int64_t e) { return 8 * (e / 4) + e % 2; }

/// The A operand of 16-column chunk kk of a fragment (in the A layout's
/// register order: rows g, g+8 at columns 2t; rows g, g+8 at 2t + 8),
/// rounded to `inputType`.
SmallVector<Value, 4> aOperand(WarpBuilder &wb, ArrayRef<Value> elts,
                               int64_t kk, Type inputType);

/// The tile ops whose lowering is the same for every tensor-core mainloop:
/// fill, load, store and normalize (Epilogue), mask, softmax_step and
/// scale_rows (Softmax), and the elementwise ops.
void populateFragmentPatterns(TypeConverter &converter,
                              RewritePatternSet &patterns);
void populateEpiloguePatterns(TypeConverter &converter,
                              RewritePatternSet &patterns);
void populateSoftmaxPatterns(TypeConverter &converter,
                             RewritePatternSet &patterns);

} // namespace mlir::sattn::fragment

#endif // SATTN_TILETOGPU_FRAGMENT_FRAGMENT_H
