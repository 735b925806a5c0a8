//===- IndexMath.h - Terse index arithmetic for IR generation ----*- C++ -*-===//
#ifndef SATTN_TRANSFORMS_INDEXMATH_H
#define SATTN_TRANSFORMS_INDEXMATH_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir::sattn {

/// Signed index arithmetic at one insertion point. Key and query positions
/// can go negative (i + Sk - Sq with Sq > Sk), so everything is signed.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value add(Value x, int64_t y) { return add(x, c(y)); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value mul(Value x, int64_t y) { return mul(x, c(y)); }
  Value div(Value x, Value y) { return arith::DivSIOp::create(b, loc, x, y); }
  Value rem(Value x, Value y) { return arith::RemSIOp::create(b, loc, x, y); }
  Value floorDiv(Value x, int64_t y) {
    return arith::FloorDivSIOp::create(b, loc, x, c(y));
  }
  Value ceilDiv(Value x, int64_t y) {
    return arith::CeilDivSIOp::create(b, loc, x, c(y));
  }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value cmp(arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value lt(Value x, Value y) { return cmp(arith::CmpIPredicate::slt, x, y); }
  Value le(Value x, Value y) { return cmp(arith::CmpIPredicate::sle, x, y); }
  Value ge(Value x, Value y) { return cmp(arith::CmpIPredicate::sge, x, y); }
  Value gt(Value x, Value y) { return cmp(arith::CmpIPredicate::sgt, x, y); }
  Value land(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value lor(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value lnot(Value x) {
    return arith::XOrIOp::create(
        b, loc, x, arith::ConstantIntOp::create(b, loc, 1, /*width=*/1));
  }
  Value boolean(bool v) {
    return arith::ConstantIntOp::create(b, loc, v ? 1 : 0, /*width=*/1);
  }
  Value select(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  /// An index known to fit 32 unsigned bits as i32, and back: where 64-bit
  /// arithmetic would cost (a 64-bit division is a call on NVPTX).
  Value toU32(Value x) {
    return arith::IndexCastUIOp::create(b, loc, b.getI32Type(), x);
  }
  Value fromU32(Value x) {
    return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), x);
  }
  /// x mod n for 0 <= x < 2^32 (a count, such as a key loop's tiles), in
  /// 32 unsigned bits: a 64-bit signed remainder by a constant costs about
  /// ten more instructions on NVPTX, in the key loop.
  Value remU32(Value x, int64_t n) {
    // Sequenced: the IR's order must not depend on the compiler's order of
    // evaluating arguments (lit tests check it).
    Value x32 = toU32(x);
    Value divisor = arith::ConstantIntOp::create(b, loc, n, 32);
    return fromU32(arith::RemUIOp::create(b, loc, x32, divisor));
  }
};

} // namespace mlir::sattn

#endif
