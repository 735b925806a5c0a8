//===- AlibiSlopes.cpp - ALiBi's geometric slopes as IR
//--------------------===//

#include "Compiler/Transforms/AlibiSlopes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

namespace mlir::sattn {

Value geometricAlibiSlope(OpBuilder &b, Location loc, Value head, Value heads) {
  Type i32 = b.getI32Type();
  auto ci = [&](int32_t v) {
    return arith::ConstantIntOp::create(b, loc, i32, v).getResult();
  };
  // n: every bit below H's highest set (x |= x >> s), then the top one
  // alone (x - x / 2); math.ctlz has no NVVM lowering in our pipeline.
  Value smeared = heads;
  for (int32_t shift : {1, 2, 4, 8, 16}) {
    Value shifted = arith::ShRUIOp::create(b, loc, smeared, ci(shift));
    smeared = arith::OrIOp::create(b, loc, smeared, shifted);
  }
  Value half = arith::ShRUIOp::create(b, loc, smeared, ci(1));
  Value n = arith::SubIOp::create(b, loc, smeared, half);
  Value early =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, head, n);
  // The exponent's numerators: 8(h+1), or 4(2(h-n)+1) past n.
  Value hPlus1 = arith::AddIOp::create(b, loc, head, ci(1));
  Value firstNum = arith::MulIOp::create(b, loc, hPlus1, ci(8));
  Value past = arith::SubIOp::create(b, loc, head, n);
  Value twice = arith::MulIOp::create(b, loc, past, ci(2));
  Value odd = arith::AddIOp::create(b, loc, twice, ci(1));
  Value laterNum = arith::MulIOp::create(b, loc, odd, ci(4));
  Value num = arith::SelectOp::create(b, loc, early, firstNum, laterNum);
  Value numF = arith::UIToFPOp::create(b, loc, b.getF32Type(), num);
  Value nF = arith::UIToFPOp::create(b, loc, b.getF32Type(), n);
  Value ratio = arith::DivFOp::create(b, loc, numF, nF);
  Value exponent = arith::NegFOp::create(b, loc, ratio);
  return math::Exp2Op::create(b, loc, exponent);
}

} // namespace mlir::sattn
