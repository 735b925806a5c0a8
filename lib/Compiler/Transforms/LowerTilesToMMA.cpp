//===- LowerTilesToMMA.cpp - Tile ops -> warp-level tensor-core code -------===//
//
// The sm_80+ GPU lowering of the tiled form. A program instance of block_m
// query rows runs as block_m / 16 warps; warp w owns rows [16w, 16w + 16).
// Every tile<R x C> (C > 1) is held in the accumulator layout of
// mma.sync.m16n8k16: lane l (g = l / 4, t = l % 4) holds, for each group
// of 8 columns nb, the elements
//
//   (row g,     col 8nb + 2t + c) and (row g + 8, col 8nb + 2t + c), c = 0, 1
//
// flattened into a vector<C/2> at index 4nb + 2h + c (h: 0 for row g, 1 for
// row g + 8). The same set of elements, read as pairs, is the A-operand
// layout of a 16-column chunk, so the probabilities P of Q.K^T feed P.V
// straight from registers, and Q is loaded once into the same layout.
// A tile<R x 1> (row statistics) is a vector<2>: rows g and g + 8. Row
// sums are the exception: each lane holds its own columns' share until
// tile.normalize adds up the quad (SoftmaxStepLowering says why).
//
// Key and value tiles are staged in shared memory with cp.async (16-byte
// chunks, rows past `count` zero-filled) in a swizzled layout (chunk index
// XOR row % 8, so that the eight rows one ldmatrix reads hit distinct
// banks), and read with ldmatrix (K) and ldmatrix.trans (V). Each qk is
// paired with the pv of the same key tile, and the staging is emitted
// around the pair before the compute is lowered. In a key loop whose tile
// bounds follow from the induction variable, K is double-buffered: one
// iteration runs
//
//   wait for K[i]; barrier           (every warp is past P.V[i-1])
//   copy V[i]; copy K[i+1] (other buffer, if there is a next tile)
//   Q.K[i]^T, softmax                (V[i] and K[i+1] in flight)
//   wait for V[i]; barrier; P.V[i]
//
// with K of the first tile copied before the loop. Elsewhere K is copied
// and waited for in place.
//
// On sm_90a with `tma`, the stages are filled by TMA instead: thread 0
// issues one cp.async.bulk.tensor per 64-column box, completing on the
// stage's mbarrier, and every thread waits on that barrier's phase; see
// emitTmaStaging for why no CTA barrier is needed between fills.
//
// Row reductions combine a lane's values and then the four lanes of a quad
// (shuffle xor 1, 2), which hold the rest of the row.
//
// Programs this lowering cannot take (f32 inputs, sizes that are not
// multiples of the mma shape) are left alone for sattn-lower-tiles-simt.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Transforms/IndexMath.h"
#include "Compiler/Transforms/MmaProgramLayout.h"
#include "Compiler/Transforms/WarpRoles.h"
#include "Compiler/Transforms/TileLoweringCommon.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/DialectConversion.h"

#include <cmath>
#include <limits>

namespace mlir::sattn {
#define GEN_PASS_DEF_LOWERTILESTOMMA
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::mma;

namespace mlir::sattn::mma {

std::optional<KeyLoop> keyLoopOf(TileQKOp qk, ArrayRef<Value> invariants) {
  auto loop = dyn_cast<scf::ForOp>(qk->getParentOp());
  if (!loop || !llvm::all_of(invariants, [&](Value v) {
        return loop.isDefinedOutsideOfLoop(v);
      }))
    return std::nullopt;
  FailureOr<SmallVector<Operation *>> slice =
      inductionSlice(loop, {qk.getFirst(), qk.getCount()});
  if (failed(slice))
    return std::nullopt;
  return KeyLoop{loop, std::move(*slice)};
}

} // namespace mlir::sattn::mma

namespace {

/// Per-lane building blocks.
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
  /// two selects (a quarter of a softmax step's instructions).
  Value maxf(Value x, Value y) {
    return LLVM::MaxNumOp::create(b, loc, x, y);
  }
  Value exp2(Value v) { return math::Exp2Op::create(b, loc, v); }

  SmallVector<Value> unpack(Value vec) {
    auto vt = cast<VectorType>(vec.getType());
    SmallVector<Value> out;
    for (int64_t i = 0; i < vt.getNumElements(); ++i)
      out.push_back(vector::ExtractOp::create(b, loc, vec, ArrayRef<int64_t>{i}));
    return out;
  }
  Value pack(VectorType t, ArrayRef<Value> elts) {
    return vector::FromElementsOp::create(b, loc, t, elts);
  }
  /// A per-row vector<2> spread over a fragment: element 4nb + 2h + c
  /// takes rowValues[h].
  Value spreadRows(Value rowValues, VectorType frag) {
    SmallVector<int64_t> mask;
    for (int64_t e = 0; e < frag.getNumElements(); ++e)
      mask.push_back((e / 2) % 2);
    return vector::ShuffleOp::create(b, loc, rowValues, rowValues, mask);
  }

  /// Combines `v` over the four lanes of a quad (one row of the tile).
  Value quadReduce(Value v, bool isMax) {
    for (int64_t offset : {1, 2}) {
      Value other = gpu::ShuffleOp::create(b, loc, v, offset, kWarp,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
      v = isMax ? maxf(v, other) : addf(v, other);
    }
    return v;
  }
  /// max or sum over each row h of a fragment: over the whole row, or with
  /// `acrossQuad` false over this lane's columns only.
  std::array<Value, 2> rowReduce(Value frag, bool isMax,
                                 bool acrossQuad = true) {
    SmallVector<Value> e = unpack(frag);
    std::array<Value, 2> acc;
    for (int64_t h = 0; h < 2; ++h) {
      SmallVector<Value> level;
      for (size_t i = 0; i < e.size(); ++i)
        if ((i / 2) % 2 == size_t(h))
          level.push_back(e[i]);
      // The max pairwise, not as a running chain: the row's 32 values of a
      // 64x128 tile reduce in 5 dependent steps instead of 31, and the
      // exponentials (hence P.V) wait for it; ptxas keeps the order we
      // give. The sum feeds only the loop-carried row sum, so it stays a
      // chain, which needs fewer registers (a tree spilled the sm_80 delta
      // kernels).
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

  /// A 32-bit mma.sync operand register from a vector<2> of 16-bit values:
  /// nvvm.mma.sync takes f16 pairs as vector<2xf16> and bf16 pairs as i32.
  Value operandRegister(Value pair) {
    if (cast<VectorType>(pair.getType()).getElementType().isF16())
      return pair;
    Value word = vector::BitCastOp::create(
        b, loc, VectorType::get({1}, b.getI32Type()), pair);
    return vector::ExtractOp::create(b, loc, word, ArrayRef<int64_t>{0});
  }
  Value packPair(Value lo, Value hi) {
    auto pairType = VectorType::get({2}, lo.getType());
    return operandRegister(
        vector::FromElementsOp::create(b, loc, pairType, ValueRange{lo, hi}));
  }
  /// Register `i` of an ldmatrix result vector<4x2xT>.
  Value ldmatrixReg(Value regs, int64_t i) {
    return operandRegister(
        vector::ExtractOp::create(b, loc, regs, ArrayRef<int64_t>{i}));
  }

  /// acc[0..3] += A . B for one m16n8k16 (A: 4 registers, B: 2).
  void mma(ArrayRef<Value> a, ArrayRef<Value> bRegs, Type inputType,
           MutableArrayRef<Value> acc) {
    Type f32 = b.getF32Type();
    auto resultType = LLVM::LLVMStructType::getLiteral(
        b.getContext(), {f32, f32, f32, f32});
    NVVM::MMATypes ptxType = inputType.isBF16() ? NVVM::MMATypes::bf16
                                                : NVVM::MMATypes::f16;
    auto op = NVVM::MmaOp::create(
        b, loc, resultType, a, bRegs, acc, ArrayRef<int64_t>{16, 8, 16},
        std::nullopt, std::nullopt,
        std::array<NVVM::MMATypes, 2>{ptxType, ptxType},
        std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                       NVVM::MMALayout::col});
    for (int64_t i = 0; i < 4; ++i)
      acc[i] = LLVM::ExtractValueOp::create(b, loc, op.getRes(), i);
  }

  /// The element offset of 16-byte chunk `chunk` of row `row` in a staged
  /// [blockN x headDim] tile. mma.sync (ldmatrix): rows of headDim with the
  /// chunk index XOR row % 8. wgmma: the canonical 128-byte-swizzle layout,
  /// column blocks of 64 elements, each blockN rows of 128 bytes, chunk
  /// XOR row % 8 within a row (the hardware applies the same XOR to the
  /// address bits, which is why stages start at 1024-byte boundaries).
  Value swizzled(const ProgramLayout &pl, Value row, Value chunk) {
    IndexMath m = im();
    if (pl.wgmma) {
      Value rowBits = arith::AndIOp::create(b, loc, row, m.c(7));
      Value block = m.div(chunk, m.c(8));
      Value c = arith::XOrIOp::create(b, loc, m.rem(chunk, m.c(8)), rowBits);
      return m.add(m.add(m.mul(block, pl.blockN * 64), m.mul(row, 64)),
                   m.mul(c, kChunk));
    }
    int64_t headDim = pl.headDim;
    int64_t chunks = headDim / kChunk;
    Value xorMask = m.c(std::min<int64_t>(8, chunks) - 1);
    Value rowBits = arith::AndIOp::create(b, loc, row, xorMask);
    Value c = arith::XOrIOp::create(b, loc, chunk, rowBits);
    return m.add(m.mul(row, headDim), m.mul(c, kChunk));
  }

  /// Issues the cp.async copies of rows [first, first + count) of a
  /// [.., S, D] buffer into the stage at element `stageOffset`; rows past
  /// count are zero-filled. L1 is bypassed (.cg): the tile is read once.
  void copyTile(const ProgramLayout &pl, Value stageOffset, Value buffer,
                Value base, Value first, Value count) {
    IndexMath m = im();
    int64_t chunksPerRow = pl.headDim / kChunk;
    int64_t chunks = pl.blockN * chunksPerRow;
    // Lane l copies chunk l % chunksPerRow of rows l / chunksPerRow + k *
    // rowsPerStep: addresses differ by constants between a lane's copies,
    // so they fold into immediate offsets. The swizzle term (row % 8) is
    // the same for all of them when rowsPerStep is a multiple of 8.
    bool regular = pl.threads % chunksPerRow == 0 && chunks % pl.threads == 0;
    int64_t rowsPerStep = pl.threads / chunksPerRow;
    auto copyChunk = [&](OpBuilder &ob, Location l, Value row, Value chunk,
                         bool fullTile) {
      WarpBuilder w{ob, l};
      IndexMath om = w.im();
      Value srcRow = row, srcElems;
      if (!fullTile) {
        // A zero-filled row still names a valid address: the tile's first.
        Value valid = om.lt(row, count);
        srcRow = om.select(valid, row, om.c(0));
        srcElems = om.select(valid, om.c(kChunk), om.c(0));
      }
      Value src = om.add(om.add(base, om.mul(om.add(first, srcRow),
                                             pl.headDim)),
                         om.mul(chunk, kChunk));
      Value dst = om.add(stageOffset, w.swizzled(pl, row, chunk));
      nvgpu::DeviceAsyncCopyOp::create(
          ob, l, nvgpu::DeviceAsyncTokenType::get(ob.getContext()),
          pl.stages, ValueRange{dst}, buffer, ValueRange{src},
          ob.getIndexAttr(kChunk), srcElems, ob.getUnitAttr());
    };
    if (regular) {
      Value laneRow = m.div(lane(), m.c(chunksPerRow));
      Value chunk = m.rem(lane(), m.c(chunksPerRow));
      auto copyAll = [&](OpBuilder &ob, Location l, bool fullTile) {
        IndexMath om{ob, l};
        for (int64_t k = 0; k < chunks / pl.threads; ++k)
          copyChunk(ob, l, om.add(laneRow, k * rowsPerStep), chunk, fullTile);
        scf::YieldOp::create(ob, l);
      };
      // Whole tiles (all but a sequence's last) need no row guards.
      scf::IfOp::create(
          b, loc, m.cmp(arith::CmpIPredicate::eq, count, m.c(pl.blockN)),
          [&](OpBuilder &tb, Location l) { copyAll(tb, l, true); },
          [&](OpBuilder &eb, Location l) { copyAll(eb, l, false); });
      return;
    }
    for (int64_t c0 = 0; c0 < chunks; c0 += pl.threads) {
      Value idx = m.add(lane(), c0);
      auto guarded = [&](OpBuilder &ob, Location l) {
        IndexMath om{ob, l};
        copyChunk(ob, l, om.div(idx, om.c(chunksPerRow)),
                  om.rem(idx, om.c(chunksPerRow)), false);
      };
      if (c0 + pl.threads <= chunks) {
        guarded(b, loc);
      } else {
        scf::IfOp::create(b, loc, m.lt(idx, m.c(chunks)),
                          [&](OpBuilder &tb, Location l) {
                            guarded(tb, l);
                            scf::YieldOp::create(tb, l);
                          });
      }
    }
  }
  /// Closes the lane's copies issued so far into one group.
  void commit() { NVVM::CpAsyncCommitGroupOp::create(b, loc); }
  /// Waits until at most `pending` of the lane's newest groups are in
  /// flight, then for every lane (the copies of the others).
  /// With wgmma, the copies (generic proxy) are made visible to the async
  /// proxy that wgmma reads shared memory through.
  void waitGroups(const ProgramLayout &pl, int32_t pending) {
    NVVM::CpAsyncWaitGroupOp::create(b, loc, pending);
    if (pl.wgmma)
      NVVM::FenceProxyOp::create(
          b, loc,
          NVVM::ProxyKindAttr::get(b.getContext(),
                                   NVVM::ProxyKind::async_shared),
          NVVM::SharedSpaceAttr::get(b.getContext(),
                                     NVVM::SharedSpace::shared_cta));
    gpu::BarrierOp::create(b, loc);
  }
};

template <typename Op>
struct TilePattern : public OpConversionPattern<Op> {
  TilePattern(const TypeConverter &tc, MLIRContext *ctx,
              const ProgramLayout &layout)
      : OpConversionPattern<Op>(tc, ctx), layout(layout) {}
  using Adaptor = typename Op::Adaptor;

  VectorType convertVec(Type t) const {
    return cast<VectorType>(this->getTypeConverter()->convertType(t));
  }
  const ProgramLayout &layout;
};

struct FillLowering : TilePattern<TileFillOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileFillOp op, Adaptor,
                  ConversionPatternRewriter &rw) const override {
    WarpBuilder wb{rw, op.getLoc()};
    rw.replaceOp(op, wb.splat(convertVec(op.getType()),
                              op.getValue().convertToDouble()));
    return success();
  }
};

/// Row h of this lane, as a position of a row set (start + r * step).
static Value rowPosition(WarpBuilder &wb, Value start, Value step, int64_t h) {
  IndexMath m = wb.im();
  return m.add(start, m.mul(wb.row(h), step));
}

struct LoadLowering : TilePattern<TileLoadOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileLoadOp op, Adaptor a,
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

struct StoreLowering : TilePattern<TileStoreOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileStoreOp op, Adaptor a,
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
      Value rowOff = m.add(m.add(a.getBase(), m.mul(pos, cols)),
                           m.mul(wb.pair(), 2));
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

/// The A operand of 16-column chunk kk of a fragment (in the A layout's
/// register order: rows g, g+8 at columns 2t; rows g, g+8 at 2t + 8).
static SmallVector<Value, 4> aOperand(WarpBuilder &wb, ArrayRef<Value> elts,
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


/// A wgmma shared-memory descriptor (PTX ISA "matrix descriptor") for the
/// 128-byte swizzle mode: start address, leading and stride byte offsets,
/// all in 16-byte units.
static Value wgmmaDescriptor(WarpBuilder &wb, const ProgramLayout &pl,
                             Value elementOffset, int64_t leadingBytes,
                             int64_t strideBytes) {
  IndexMath m = wb.im();
  OpBuilder &b = wb.b;
  Location loc = wb.loc;
  Value addr = m.add(pl.stagesAddress, m.mul(elementOffset, 2));
  Type i64 = b.getI64Type();
  Value a = arith::IndexCastOp::create(b, loc, i64, addr);
  auto c64 = [&](int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value start = arith::ShRUIOp::create(
      b, loc, arith::AndIOp::create(b, loc, a, c64(0x3FFFF)), c64(4));
  int64_t fixed = ((leadingBytes >> 4) << 16) | ((strideBytes >> 4) << 32) |
                  (int64_t(1) << 62);
  return arith::OrIOp::create(b, loc, start, c64(fixed));
}

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
static SmallVector<Value> wgmma(WarpBuilder &wb, int64_t n, Type inputType,
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
            vector::BitCastOp::create(
                b, wb.loc, VectorType::get({1}, b.getI32Type()), r),
            ArrayRef<int64_t>{0});
      operands.push_back(r);
    }
  operands.append(descs.begin(), descs.end());
  operands.push_back(arith::ConstantOp::create(b, wb.loc, b.getI32IntegerAttr(1)));
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

/// Waits until at most `pending` of the warpgroup's products are in flight
/// (they complete in issue order); `acc` are the results of an earlier
/// one, passed through (tied) so that nothing reads them before the wait.
static SmallVector<Value> wgmmaWait(WarpBuilder &wb, ArrayRef<Value> acc,
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

/// The results of a product issued without waiting (a pipelined key loop):
/// the wait goes where the staging put it, later in the block, so that the
/// product runs while the ops in between do. Returns them packed as `type`.
static Value deferredWait(WarpBuilder &wb, ProgramLayout::DeferredWait at,
                          ArrayRef<Value> results, VectorType type) {
  OpBuilder::InsertionGuard guard(wb.b);
  wb.b.setInsertionPoint(at.before);
  return wb.pack(type, wgmmaWait(wb, results, at.pending));
}

/// Ping-pong between two warpgroups: named barrier 1 + w is warpgroup w's
/// turn at the tensor cores. A warpgroup waits for its turn (its own bar.sync
/// plus the other's bar.arrive), runs its product and hands the turn over,
/// so the products alternate and each warpgroup's softmax runs while the
/// other's products do.
constexpr int32_t kPingPongThreads = 256;
static Value i32Constant(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
}
static Value warpgroupIndex(WarpBuilder &wb) {
  IndexMath m = wb.im();
  return arith::IndexCastOp::create(wb.b, wb.loc, wb.b.getI32Type(),
                                    m.div(wb.lane(), m.c(4 * kWarp)));
}
static void awaitTurn(WarpBuilder &wb) {
  Value id = arith::AddIOp::create(wb.b, wb.loc, warpgroupIndex(wb),
                                   i32Constant(wb.b, wb.loc, 1));
  NVVM::BarrierOp::create(wb.b, wb.loc, Type(), id,
                          i32Constant(wb.b, wb.loc, kPingPongThreads),
                          NVVM::BarrierReductionAttr(), Value());
}
static void passTurn(WarpBuilder &wb) {
  Value id = arith::SubIOp::create(wb.b, wb.loc, i32Constant(wb.b, wb.loc, 2),
                                   warpgroupIndex(wb));
  NVVM::BarrierArriveOp::create(wb.b, wb.loc, id,
                                i32Constant(wb.b, wb.loc, kPingPongThreads));
}

/// One ldmatrix.x4 (.trans for B stored N-major) at element `offset` of
/// the stages, whose four 8x8 matrices are the B operands of 8-column
/// groups 2 * pair and 2 * pair + 1, and the two mma.sync that consume
/// them into acc.
static void ldmatrixMma(WarpBuilder &wb, const ProgramLayout &pl,
                        Value offset, bool transpose, ArrayRef<Value> aRegs,
                        Type inputType, MutableArrayRef<Value> acc,
                        int64_t pair) {
  Value regs = nvgpu::LdMatrixOp::create(
      wb.b, wb.loc, VectorType::get({4, 2}, inputType), pl.stages,
      ValueRange{offset}, transpose, /*numTiles=*/4);
  for (int64_t half = 0; half < 2; ++half) {
    int64_t nb = 2 * pair + half;
    Value bRegs[2] = {wb.ldmatrixReg(regs, 2 * half),
                      wb.ldmatrixReg(regs, 2 * half + 1)};
    wb.mma(aRegs, bRegs, inputType, acc.slice(4 * nb, 4));
  }
}

struct QKLowering : TilePattern<TileQKOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileQKOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    const ProgramLayout &pl = layout;
    VectorType sFrag = convertVec(op.getType());
    int64_t keys = cast<TileType>(op.getType()).getCols();
    Type inputType = cast<MemRefType>(op.getKeys().getType()).getElementType();

    Value keyBuffer = pl.keyBuffer.lookup(op.getOperation());
    if (!keyBuffer)
      return rw.notifyMatchFailure(op, "no staged key tile");
    SmallVector<Value> qElts = wb.unpack(a.getQ());
    if (pl.wgmma) {
      // B = K^T, K-major: k-step kk reads 32 bytes at column kk * 16 of the
      // 64-element column block kk / 4; 8-row groups are 1024 bytes apart.
      SmallVector<SmallVector<Value, 4>> aRegs;
      SmallVector<Value> descs;
      for (int64_t kk = 0; kk < pl.headDim / 16; ++kk) {
        aRegs.push_back(aOperand(wb, qElts, kk, inputType));
        Value off = m.add(keyBuffer, (kk / 4) * (pl.blockN * 64) + (kk % 4) * 16);
        descs.push_back(wgmmaDescriptor(wb, pl, off, /*leading=*/16,
                                        /*stride=*/1024));
      }
      // Ping-pong: the turn passes once the products are issued, so the
      // other warpgroup's queue behind them while this one waits.
      auto deferred = pl.deferredWaits.find(op);
      if (deferred != pl.deferredWaits.end()) {
        SmallVector<Value> scores =
            wgmma(wb, keys, inputType, aRegs, descs, /*transposeB=*/false, {},
                  /*wait=*/false);
        rw.replaceOp(op, deferredWait(wb, deferred->second, scores, sFrag));
        return success();
      }
      if (pl.pingPong)
        awaitTurn(wb);
      SmallVector<Value> scores = wgmma(wb, keys, inputType, aRegs, descs,
                                        /*transposeB=*/false, {},
                                        /*wait=*/!pl.pingPong);
      if (pl.pingPong) {
        passTurn(wb);
        scores = wgmmaWait(wb, scores);
      }
      rw.replaceOp(op, wb.pack(sFrag, scores));
      return success();
    }
    SmallVector<Value> acc(sFrag.getNumElements(), wb.f32(0.0));
    // ldmatrix x4, lane l addresses row l % 8 of matrix l / 8: matrices
    // (keys +0, d +0), (keys +0, d +8), (keys +8, d +0), (keys +8, d +8).
    Value l = wb.laneInWarp();
    Value mat = m.div(l, m.c(8));
    Value rowInMat = m.rem(l, m.c(8));
    Value keyOff = m.add(m.mul(m.div(mat, m.c(2)), 8), rowInMat);
    Value chunkOff = m.rem(mat, m.c(2));
    for (int64_t kk = 0; kk < pl.headDim / 16; ++kk) {
      SmallVector<Value, 4> aRegs = aOperand(wb, qElts, kk, inputType);
      for (int64_t np = 0; np < keys / 16; ++np) {
        Value row = m.add(keyOff, np * 16);
        Value chunk = m.add(chunkOff, kk * 2);
        ldmatrixMma(wb, pl, m.add(keyBuffer, wb.swizzled(pl, row, chunk)),
                    /*transpose=*/false, aRegs, inputType, acc, np);
      }
    }
    rw.replaceOp(op, wb.pack(sFrag, acc));
    return success();
  }
};

struct PVLowering : TilePattern<TilePVOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TilePVOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    IndexMath m = wb.im();
    const ProgramLayout &pl = layout;
    int64_t keys = cast<TileType>(op.getProbs().getType()).getCols();
    Type inputType =
        cast<MemRefType>(op.getValues().getType()).getElementType();
    // The staging waited for this tile's values just before the pv.
    Value valueBuffer = pl.valueBuffer.lookup(op.getOperation());
    if (!valueBuffer)
      valueBuffer = pl.stage(m, pl.keyStages);
    SmallVector<Value> pElts = wb.unpack(a.getProbs());
    SmallVector<Value> acc = wb.unpack(a.getAcc());
    if (pl.wgmma) {
      // B = V, N-major (transposed): k-step kk reads key rows 16kk..16kk+15
      // (2048 bytes on); 64-element column blocks are blockN * 128 bytes
      // apart (leading), 8-key groups 1024 bytes (stride).
      SmallVector<SmallVector<Value, 4>> aRegs;
      SmallVector<Value> descs;
      for (int64_t kk = 0; kk < keys / 16; ++kk) {
        aRegs.push_back(aOperand(wb, pElts, kk, inputType));
        descs.push_back(wgmmaDescriptor(wb, pl, m.add(valueBuffer, kk * 16 * 64),
                                        /*leading=*/pl.blockN * 128,
                                        /*stride=*/1024));
      }
      auto deferred = pl.deferredWaits.find(op);
      if (deferred != pl.deferredWaits.end()) {
        SmallVector<Value> out =
            wgmma(wb, pl.headDim, inputType, aRegs, descs, /*transposeB=*/true,
                  acc, /*wait=*/false);
        rw.replaceOp(op, deferredWait(wb, deferred->second, out,
                                      convertVec(op.getType())));
        return success();
      }
      if (pl.pingPong)
        awaitTurn(wb);
      SmallVector<Value> out = wgmma(wb, pl.headDim, inputType, aRegs, descs,
                                     /*transposeB=*/true, acc,
                                     /*wait=*/!pl.pingPong);
      if (pl.pingPong) {
        passTurn(wb);
        out = wgmmaWait(wb, out);
      }
      rw.replaceOp(op, wb.pack(convertVec(op.getType()), out));
      return success();
    }
    // ldmatrix x4 .trans: matrices (keys +0, d +0), (keys +8, d +0),
    // (keys +0, d +8), (keys +8, d +8).
    Value l = wb.laneInWarp();
    Value mat = m.div(l, m.c(8));
    Value rowInMat = m.rem(l, m.c(8));
    Value keyOff = m.add(m.mul(m.rem(mat, m.c(2)), 8), rowInMat);
    Value chunkOff = m.div(mat, m.c(2));
    for (int64_t kk = 0; kk < keys / 16; ++kk) {
      SmallVector<Value, 4> aRegs = aOperand(wb, pElts, kk, inputType);
      for (int64_t dp = 0; dp < pl.headDim / 16; ++dp) {
        Value row = m.add(keyOff, kk * 16);
        Value chunk = m.add(chunkOff, dp * 2);
        ldmatrixMma(wb, pl, m.add(valueBuffer, wb.swizzled(pl, row, chunk)),
                    /*transpose=*/true, aRegs, inputType, acc, dp);
      }
    }
    rw.replaceOp(op, wb.pack(convertVec(op.getType()), acc));
    return success();
  }
};


/// The mask as thresholds on each element's column offset within the
/// lane's fragment. Element 4nb + 2h + c is key jBase + off (jBase = first
/// + 2t, off = 8nb + c, a constant) of row h, whose diagonal is d0[h] + off
/// (d0[h] = jBase - i'[h]). Every bound of a region is then one compare of
/// the constant off against a per-row scalar (e.g. diag <= hi iff off <=
/// hi - d0[h]), done in i32 with the scalar clamped to +-2^30 (off < 2^16,
/// so the clamp keeps every outcome): one 32-bit compare per element and
/// bound instead of 64-bit index arithmetic per element.
struct MaskLowering : TilePattern<TileMaskOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileMaskOp op, Adaptor a,
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
        offs.push_back(int32_t(8 * (e / 4) + e % 2));
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
    Value jBase = m.add(a.getFirst(), m.mul(wb.pair(), 2));
    Value shift = m.sub(a.getSeqK(), a.getSeqQ());
    Value keepRows[2];
    for (int64_t h = 0; h < 2; ++h) {
      Value iKey = m.add(rowPosition(wb, a.getStart(), a.getStep(), h), shift);
      Value d0 = m.sub(jBase, iKey);
      // d = d0 + off and j = jBase + off: "x + off pred bound" is
      // "off pred bound - x", a per-row threshold.
      Value any = keepByRegions(
          rw, loc, op.getRegions(), allOf,
          [&](RegionAxis axis, P p, int64_t bound) {
            return cmp(p, m.sub(m.c(bound),
                                axis == RegionAxis::Diag ? d0 : jBase));
          });
      Value inSeq = cmp(P::slt, m.sub(a.getSeqK(), jBase));
      keepRows[h] = arith::AndIOp::create(rw, loc, any, inSeq);
    }
    // Interleave the rows back into the fragment order (free once LLVM
    // scalarises the vectors).
    SmallVector<int64_t> mask;
    for (int64_t e = 0; e < n; ++e)
      mask.push_back((e / 2) % 2 == 0 ? (e / 4) * 2 + e % 2
                                      : half + (e / 4) * 2 + e % 2);
    Value keep = vector::ShuffleOp::create(rw, loc, keepRows[0], keepRows[1],
                                           mask);
    Value negInf = wb.splat(frag, -std::numeric_limits<double>::infinity());
    rw.replaceOp(op, m.select(keep, a.getScores(), negInf));
    return success();
  }
};

struct SoftmaxStepLowering : TilePattern<TileSoftmaxStepOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileSoftmaxStepOp op, Adaptor a,
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
    Value p = wb.exp2(LLVM::FMAOp::create(rw, loc, a.getScores(),
                                          wb.splat(frag, scale * kLog2E),
                                          shift));
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

struct ScaleRowsLowering : TilePattern<TileScaleRowsOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileScaleRowsOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    WarpBuilder wb{rw, op.getLoc()};
    VectorType vt = convertVec(op.getType());
    rw.replaceOp(op, wb.mulf(a.getTile(), wb.spreadRows(a.getFactors(), vt)));
    return success();
  }
};

struct NormalizeLowering : TilePattern<TileNormalizeOp> {
  using TilePattern::TilePattern;
  LogicalResult
  matchAndRewrite(TileNormalizeOp op, Adaptor a,
                  ConversionPatternRewriter &rw) const override {
    Location loc = op.getLoc();
    WarpBuilder wb{rw, loc};
    VectorType vt = convertVec(op.getType());
    VectorType rowType = convertVec(op.getRowSum().getType());
    SmallVector<Value> inv;
    for (Value partial : wb.unpack(a.getRowSum())) {
      Value l = wb.quadReduce(partial, /*isMax=*/false);
      Value noKey = arith::CmpFOp::create(rw, loc, arith::CmpFPredicate::OEQ,
                                          l, wb.f32(0));
      inv.push_back(
          wb.im().select(noKey, wb.f32(0), wb.divf(wb.f32(1.0), l)));
    }
    rw.replaceOp(op, wb.mulf(a.getAcc(),
                             wb.spreadRows(wb.pack(rowType, inv), vt)));
    return success();
  }
};


/// Why `program` cannot take the mma lowering, or the empty string. Fills
/// the layout's sizes and the qk -> pv pairing on success.
std::string checkProgram(ProgramOp program, ProgramLayout &pl) {
  int64_t blockM = program.getBlockMAttr().getInt();
  if (blockM % kRowsPerWarp != 0)
    return "block_m is not a multiple of 16";
  pl.threads = blockM / kRowsPerWarp * kWarp;
  if (pl.threads > 1024)
    return "more than 1024 threads";
  DominanceInfo dom(program);
  std::string why;
  program.walk([&](Operation *op) {
    if (!why.empty())
      return WalkResult::interrupt();
    for (Type t : op->getResultTypes())
      if (auto tile = dyn_cast<TileType>(t)) {
        if (tile.getRows() != blockM)
          why = "a tile with other than block_m rows";
        else if (tile.getCols() != 1 && tile.getCols() % 16 != 0)
          why = "a tile whose columns are not a multiple of 16";
      }
    if (auto qk = dyn_cast<TileQKOp>(op)) {
      Type elt = cast<MemRefType>(qk.getKeys().getType()).getElementType();
      if (!elt.isBF16() && !elt.isF16())
        why = "keys that are not bf16 or f16";
      int64_t d = cast<TileType>(qk.getQ().getType()).getCols();
      int64_t n = cast<TileType>(qk.getType()).getCols();
      if ((pl.headDim && pl.headDim != d) || (pl.blockN && pl.blockN != n))
        why = "key tiles of different shapes";
      pl.headDim = d;
      pl.blockN = n;
      // The pv of the same key tile, later in the same block.
      TilePVOp pv = pvOfSameKeyTile(qk);
      if (!pv)
        why = "a qk without the pv of the same key tile";
      else if (!dom.properlyDominates(pv.getValues(), op) ||
               !dom.properlyDominates(pv.getBase(), op))
        why = "values not available at the qk";
      else if (cast<MemRefType>(pv.getValues().getType()).getElementType() !=
               elt)
        why = "values and keys of different types";
      else
        pl.pairs.push_back({qk, pv});
    }
    if (auto pv = dyn_cast<TilePVOp>(op)) {
      bool paired = llvm::any_of(pl.pairs, [&](auto &qkPv) {
        return qkPv.second == pv;
      });
      if (!paired)
        why = "a pv without a qk of the same key tile before it";
    }
    return WalkResult::advance();
  });
  if (why.empty() && pl.headDim == 0)
    why = "no qk";
  return why;
}

/// Emits the cp.async staging of the pair's K and V tiles (see the file
/// comment) and records which K buffer the qk reads.
void emitStaging(ProgramLayout &pl, TileQKOp qk, TilePVOp pv) {
  Location loc = qk.getLoc();
  OpBuilder b(qk);
  WarpBuilder wb{b, loc};
  IndexMath m = wb.im();
  Value first = qk.getFirst(), count = qk.getCount();
  auto copyValues = [&] {
    wb.copyTile(pl, pl.stage(m, 2), pv.getValues(), pv.getBase(),
                first, count);
    wb.commit();
  };

  std::optional<KeyLoop> keyLoop = keyLoopOf(qk, {qk.getKeys(), qk.getBase()});
  if (!keyLoop) {
    // K copied and waited for in place; the barrier also retires the
    // previous P.V's reads of the values stage.
    wb.copyTile(pl, pl.stage(m, 0), qk.getKeys(), qk.getBase(), first,
                count);
    wb.commit();
    wb.waitGroups(pl, 0);
    copyValues();
    pl.keyBuffer[qk] = pl.stage(m, 0);
  } else {
    scf::ForOp loop = keyLoop->loop;
    ArrayRef<Operation *> slice = keyLoop->slice;
    // Before the loop: K of the first tile into buffer 0.
    {
      OpBuilder pb(loop);
      WarpBuilder pw{pb, loc};
      IndexMath pm = pw.im();
      Value any = pm.lt(loop.getLowerBound(), loop.getUpperBound());
      ifThen(pb, loc, any, [&](OpBuilder &tb, Location l) {
        SmallVector<Value> at =
            evaluateAt(tb, loop, slice, loop.getLowerBound(), {first, count});
        WarpBuilder{tb, l}.copyTile(pl, pl.stage(IndexMath{tb, l}, 0), qk.getKeys(),
                                    qk.getBase(), at[0], at[1]);
      });
      pw.commit();
    }
    Value iter = m.div(m.sub(loop.getInductionVar(), loop.getLowerBound()),
                       loop.getStep());
    Value parity = m.rem(iter, m.c(2));
    Value current = pl.stage(m, parity);
    Value other = pl.stage(m, m.sub(m.c(1), parity));
    // Only K[i] is in flight here; after the barrier every warp is past
    // Q.K[i-1] and P.V[i-1], so the other K buffer and V are free.
    wb.waitGroups(pl, 0);
    copyValues();
    Value nextIv = m.add(loop.getInductionVar(), loop.getStep());
    ifThen(b, loc, m.lt(nextIv, loop.getUpperBound()),
           [&](OpBuilder &tb, Location l) {
             SmallVector<Value> at =
                 evaluateAt(tb, loop, slice, nextIv, {first, count});
             WarpBuilder{tb, l}.copyTile(pl, other, qk.getKeys(), qk.getBase(),
                                         at[0], at[1]);
           });
    // Committed even when empty, so that the pv's wait counts one group.
    wb.commit();
    pl.keyBuffer[qk] = current;
  }
  OpBuilder pvb(pv);
  // The newest group is K[i+1] (possibly empty) when prefetching.
  WarpBuilder{pvb, pv.getLoc()}.waitGroups(pl, keyLoop ? 1 : 0);
}

/// Warpgroup 0 takes the first turn (warpgroup 1 hands it over at the
/// start); at the end warpgroup 0 consumes the turn warpgroup 1 handed over
/// after its last product, so that no named barrier is left half-arrived.
/// Every product is executed by both warpgroups (the control flow of a
/// program is uniform), so the turns pair up.
void startPingPong(ProgramOp program, const ProgramLayout &pl) {
  Block &body = program.getBody().front();
  Location loc = program.getLoc();
  auto onWarpgroup = [&](OpBuilder &b, int64_t wg,
                         function_ref<void(OpBuilder &)> then) {
    IndexMath m{b, loc};
    Value is = m.cmp(arith::CmpIPredicate::eq,
                     m.div(LaneIdOp::create(b, loc), m.c(4 * kWarp)), m.c(wg));
    ifThen(b, loc, is, [&](OpBuilder &tb, Location) { then(tb); });
  };
  OpBuilder start(&body, body.begin());
  for (Operation &op : body)
    if (isa<gpu::BarrierOp>(op))
      start.setInsertionPointAfter(&op); // after the mbarrier initialisation
  onWarpgroup(start, 1, [&](OpBuilder &tb) {
    NVVM::BarrierArriveOp::create(tb, loc, i32Constant(tb, loc, 1),
                                  i32Constant(tb, loc, kPingPongThreads));
  });
  OpBuilder end(&body, body.end());
  if (!body.empty() && body.back().hasTrait<OpTrait::IsTerminator>())
    end.setInsertionPoint(&body.back());
  onWarpgroup(end, 0, [&](OpBuilder &tb) {
    NVVM::BarrierOp::create(tb, loc, Type(), i32Constant(tb, loc, 1),
                            i32Constant(tb, loc, kPingPongThreads),
                            NVVM::BarrierReductionAttr(), Value());
  });
}

/// What a program's masks bound. `masked`: some key of a row (a mask of one
/// region without bounds only clips the sequence). `boundedKeys`: the key
/// range from below or in pieces (windows, sinks), not just [0, diagonal).
struct MaskBounds {
  bool masked = false, boundedKeys = false;
};
static MaskBounds maskBounds(ProgramOp program) {
  MaskBounds mb;
  program.walk([&](TileMaskOp mask) {
    ArrayAttr regions = mask.getRegions();
    mb.boundedKeys |= regions.size() > 1;
    mb.masked |= regions.size() != 1;
    for (auto r : regions.getAsRange<RegionAttr>()) {
      bool fromBelow = r.getDiagLo() || r.getColLo() || r.getColHi();
      mb.boundedKeys |= fromBelow;
      mb.masked |= fromBelow || r.getDiagHi();
    }
  });
  return mb;
}

/// Registers per thread of a warp-specialised kernel. The CTA starts with
/// `entry` for every thread (ptxas's cap, from the launch bounds: threads
/// and CTAs per SM); the producer hands all but `producer` of its back and
/// the consumers split the pool. Counts are multiples of 8 (setmaxnreg's
/// granularity), in [24, 256]. The producer's copy of a program whose key
/// range has a lower end or several pieces (windows, sinks:
/// `boundedKeys`) spilled at 24 with one consumer, so it keeps 32 there;
/// for a range [0, diagonal) 24 suffice, and the consumer's 232 against 224
/// measured 4% on causal 64k (bench/RESULTS.md). Two consumers need all
/// they can get.
struct RegisterSplit {
  int64_t ctasPerSm, entry, producer, consumer;
};
static RegisterSplit registerSplit(const ProgramLayout &pl,
                                   bool boundedKeys) {
  constexpr int64_t kRegistersPerSm = 65536;
  auto down8 = [](int64_t r) { return r / 8 * 8; };
  // One computing warpgroup: two CTAs per SM, as without a producer (the
  // stages of two fit in shared memory); two: one CTA, their shared stages.
  int64_t ctas = pl.warpgroups == 1 ? 2 : 1;
  int64_t threads = pl.threads + 4 * kWarp;
  int64_t entry = std::min<int64_t>(
      248, down8(kRegistersPerSm / (threads * ctas)));
  int64_t producer = pl.warpgroups == 1 && boundedKeys ? 32 : 24;
  int64_t pool = entry * (pl.warpgroups + 1) - producer;
  int64_t consumer = std::min<int64_t>(248, down8(pool / pl.warpgroups));
  return {ctas, entry, producer, consumer};
}

/// Gives the program a producer warpgroup: everything after the barrier
/// initialisation becomes
///   if (lane < threads) { setmaxnreg.inc; body }
///   else { setmaxnreg.dec; if (lane == threads) { copy of body, lane 0 } }
/// so that the producer's first thread issues the fills as thread 0. Both
/// copies keep all of the program's control flow, so the producer fills the
/// stages in the order the consumers wait for them; sattn-split-warp-roles
/// later erases from each copy what is the other role's work (the marks say
/// which: WarpRoles.h). Duplicating the body and pruning it once it is
/// plain blocks keeps this pass free of any knowledge of which loop-carried
/// values the fills need.
static void splitWarpRoles(ProgramOp program, const ProgramLayout &pl,
                           const RegisterSplit &regs) {
  Block &body = program.getBody().front();
  Location loc = program.getLoc();
  Operation *initBarrier = nullptr;
  for (Operation &op : body)
    if (isa<gpu::BarrierOp>(op)) {
      initBarrier = &op;
      break;
    }
  assert(initBarrier && "initBarriers emits the CTA barrier");
  OpBuilder b(body.getParent()->getContext());
  b.setInsertionPointAfter(initBarrier);
  IndexMath m{b, loc};
  Value isConsumer = m.lt(LaneIdOp::create(b, loc), m.c(pl.threads));
  auto split = scf::IfOp::create(b, loc, TypeRange{}, isConsumer,
                                 /*withElseRegion=*/true);
  Block *consumer = split.thenBlock(), *producer = split.elseBlock();
  // sattn.program's body has no terminator.
  Block::iterator end = body.end();
  if (body.back().hasTrait<OpTrait::IsTerminator>())
    end = body.back().getIterator();
  consumer->getOperations().splice(consumer->getTerminator()->getIterator(),
                                   body.getOperations(),
                                   std::next(split->getIterator()), end);

  OpBuilder pb(producer->getTerminator());
  auto shrink = NVVM::SetMaxRegisterOp::create(
      pb, loc, regs.producer, NVVM::SetMaxRegisterAction::decrease);
  shrink->setAttr(kProducerOpAttr, b.getUnitAttr());
  shrink->setAttr(kProducerEntryAttr, b.getUnitAttr());
  // Only the producer's first thread runs the copy; the other 127 leave at
  // once rather than spend issue slots walking the key loops. In the copy
  // the lane id is that thread's, so its thread-0 tests fold away.
  IndexMath pm{pb, loc};
  auto elected = scf::IfOp::create(
      pb, loc, TypeRange{},
      pm.cmp(arith::CmpIPredicate::eq, LaneIdOp::create(pb, loc),
             pm.c(pl.threads)),
      /*withElseRegion=*/false);
  OpBuilder eb(elected.thenBlock()->getTerminator());
  Value firstLane = IndexMath{eb, loc}.c(0);
  IRMapping copies;
  for (Operation &op : consumer->without_terminator())
    eb.clone(op, copies);
  SmallVector<LaneIdOp> lanes;
  elected.thenBlock()->walk([&](LaneIdOp lane) { lanes.push_back(lane); });
  for (LaneIdOp lane : lanes) {
    lane.replaceAllUsesWith(firstLane);
    lane.erase();
  }
  OpBuilder cb = OpBuilder::atBlockBegin(consumer);
  NVVM::SetMaxRegisterOp::create(cb, loc, regs.consumer,
                                 NVVM::SetMaxRegisterAction::increase);
}

struct LowerTilesToMMAPass
    : public mlir::sattn::impl::LowerTilesToMMABase<LowerTilesToMMAPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<ProgramOp> programs;
    getOperation().walk([&](ProgramOp p) { programs.push_back(p); });
    for (ProgramOp p : programs)
      if (failed(lowerProgram(p)))
        return signalPassFailure();
  }

  LogicalResult lowerProgram(ProgramOp program) {
    ProgramLayout pl;
    if (std::string why = checkProgram(program, pl); !why.empty()) {
      // Not an error: sattn-lower-tiles-simt takes it.
      program->setAttr("sattn.mma_skipped",
                       StringAttr::get(program.getContext(), why));
      return success();
    }
    MLIRContext *ctx = &getContext();
    auto fn = program->getParentOfType<func::FuncOp>();
    // Read before the conversion lowers the masks.
    MaskBounds masks = maskBounds(program);
    // wgmma m64nNk16 with one warpgroup: 64 rows, head_dim in whole
    // 128-byte swizzle blocks, N <= 256. Other shapes keep mma.sync.
    // 128 rows: two warpgroups, each its own m64 products over shared
    // stages.
    int64_t blockM = program.getBlockMAttr().getInt();
    pl.wgmma = useWgmma && (blockM == 64 || blockM == 128) &&
               pl.headDim % 64 == 0 && pl.headDim <= 256 &&
               pl.blockN % 16 == 0 && pl.blockN <= 256;
    if (useWgmma && !pl.wgmma)
      program->setAttr("sattn.wgmma_skipped",
                       StringAttr::get(ctx, "needs block_m 64 or 128, head_dim a "
                                            "multiple of 64 up to 256, "
                                            "block_n a multiple of 16 up to "
                                            "256"));
    if (pl.wgmma && useTma) {
      if (std::string why = checkTma(fn, pl); !why.empty())
        program->setAttr("sattn.tma_skipped", StringAttr::get(ctx, why));
      else
        pl.tma = true;
      pl.warpgroups = pl.threads / (4 * kWarp);
      pl.pingPong = pl.tma && pl.warpgroups == 2 && usePingPong;
      // Where one warpgroup keeps filling its own stages (measured on an
      // H200, bench/RESULTS.md, seventh session):
      //  - programs without a mask (dense): their key loop is products
      //    and softmax only, and the producer's hand-over cost 2-3% at
      //    4k-64k (two warpgroups of 128 rows with a producer won 3.6% at
      //    64k but lost 3.5% at 16k: --block-m=128 asks for them);
      //  - the delta anchor kernel: its consumer needs 229 registers (two
      //    query row sets, three key loops), more than a producer leaves
      //    one warpgroup (224), and it spilled.
      KernelAttr kernel = fn ? getKernelAttr(fn) : KernelAttr();
      bool anchor =
          kernel && kernel.getRole() == ::sattn::KernelRole::DeltaAnchor;
      pl.producer = pl.tma && useProducer &&
                    (pl.warpgroups > 1 || (masks.masked && !anchor));
      if (pl.tma && pl.warpgroups > 1)
        pl.keyStages = pl.valueStages = 3;
    }
    Type elt = cast<MemRefType>(pl.pairs.front().second.getValues().getType())
                   .getElementType();
    pl.elemBytes = elt.getIntOrFloatBitWidth() / 8;
    int64_t stageBytes = pl.stageBytes();
    int64_t barrierBytes = pl.tma ? kBarrierBytes : 0;
    if (pl.tma)
      addTensorMapArgs(fn, pl);

    OpBuilder b = OpBuilder::atBlockBegin(&program.getBody().front());
    Location loc = program.getLoc();
    auto workgroup = gpu::AddressSpaceAttr::get(
        ctx, gpu::GPUDialect::getWorkgroupAddressSpace());
    auto raw = gpu::DynamicSharedMemoryOp::create(
        b, loc,
        MemRefType::get({ShapedType::kDynamic}, b.getI8Type(),
                        MemRefLayoutAttrInterface(), workgroup));
    IndexMath m{b, loc};
    // wgmma's swizzle repeats every 1024 bytes of the shared window, so its
    // stages start at such a boundary: up to 1024 bytes of padding.
    int64_t padBytes = pl.wgmma ? 1024 : 0;
    int64_t elemBytes = pl.elemBytes;
    auto stagesType = MemRefType::get(
        {pl.numStages() * pl.stageElems() + padBytes / elemBytes}, elt,
        MemRefLayoutAttrInterface(), workgroup);
    pl.stages = memref::ViewOp::create(b, loc, stagesType, raw,
                                       m.c(barrierBytes), ValueRange{});
    pl.pad = m.c(0);
    if (pl.wgmma) {
      pl.stagesAddress =
          memref::ExtractAlignedPointerAsIndexOp::create(b, loc, pl.stages);
      Value misalign = m.rem(pl.stagesAddress, m.c(1024));
      Value padding = m.rem(m.sub(m.c(1024), misalign), m.c(1024));
      pl.pad = m.div(padding, m.c(elemBytes));
    }
    if (pl.tma) {
      pl.barriers = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, raw);
      pl.phases = memref::AllocaOp::create(b, loc,
                                           MemRefType::get({}, b.getI32Type()));
      // The stages start empty: thread 0's first wait on each release
      // barrier is for the phase before its first (parity 1), which a fresh
      // barrier reports complete.
      int64_t n = pl.numStages();
      int64_t initialPhases = pl.releases() ? ((1 << n) - 1) << n : 0;
      memref::StoreOp::create(
          b, loc,
          arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(initialPhases)),
          pl.phases, ValueRange{});
      initBarriers(b, loc, pl);
      if (pl.pingPong)
        startPingPong(program, pl);
    }
    // Rotating a loop erases the pair's ops: nothing reads pl.pairs after.
    // Only straight-line bodies: ptxas waits for every product in flight
    // where control flow merges (e.g. after a partial tile's mask), which
    // would leave the rotation its cost and none of its overlap.
    bool pipeline = usePipeline && pl.tma && pl.warpgroups == 1 &&
                    !pl.producer && pl.numStages() == 3;
    auto straightLine = [](Operation *op) {
      return llvm::none_of(op->getBlock()->getOperations(), [](Operation &o) {
        return o.getNumRegions() != 0;
      });
    };
    for (auto [qk, pv] : pl.pairs) {
      if (pipeline && straightLine(qk) &&
          keyLoopOf(qk, {qk.getBase(), pv.getBase()})) {
        if (FailureOr<PipelinedKeyLoop> p = pipelineKeyLoop(qk, pv);
            succeeded(p)) {
          emitPipelinedTmaStaging(pl, *p);
          continue;
        }
      }
      if (pl.tma)
        emitTmaStaging(pl, qk, pv);
      else
        emitStaging(pl, qk, pv);
    }
    pl.pairs.clear();

    TypeConverter converter;
    converter.addConversion([](Type t) { return t; });
    converter.addConversion([](TileType t) -> Type {
      if (t.getCols() == 1)
        return VectorType::get({2}, t.getElementType());
      return VectorType::get({t.getCols() / 2}, t.getElementType());
    });
    RewritePatternSet patterns(ctx);
    ConversionTarget target(*ctx);
    patterns.add<FillLowering, LoadLowering, StoreLowering, QKLowering,
                 MaskLowering, SoftmaxStepLowering, ScaleRowsLowering,
                 PVLowering, NormalizeLowering>(converter, ctx, pl);
    populateLayoutIndependentTilePatterns(converter, patterns);
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);
    target.addLegalDialect<arith::ArithDialect, vector::VectorDialect,
                           math::MathDialect, memref::MemRefDialect,
                           gpu::GPUDialect, nvgpu::NVGPUDialect,
                           NVVM::NVVMDialect, LLVM::LLVMDialect>();
    target.addLegalOp<ProgramOp, LaneIdOp>();
    target.addIllegalOp<TileFillOp, TileLoadOp, TileStoreOp, TileQKOp,
                        TileScoreModOp, TileMaskOp, TileSoftmaxStepOp,
                        TileScaleRowsOp, TilePVOp, TileNormalizeOp, TileAddOp,
                        TileSubOp, TileTruncFOp>();
    if (failed(applyPartialConversion(program, target, std::move(patterns))))
      return failure();

    int64_t threads = pl.threads, minCtasPerSm = 0;
    if (pl.producer) {
      RegisterSplit regs = registerSplit(pl, masks.boundedKeys);
      splitWarpRoles(program, pl, regs);
      threads += 4 * kWarp;
      // The launch bound that gives ptxas its register cap at entry
      // (without one it ignores setmaxnreg, toolchain.md).
      minCtasPerSm = regs.ctasPerSm;
    }
    fn->setAttr(attrs::kLaunch,
                LaunchAttr::get(ctx, threads,
                                pl.numStages() * stageBytes + padBytes +
                                    barrierBytes,
                                minCtasPerSm));
    return success();
  }
};

} // namespace
