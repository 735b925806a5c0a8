//===- AlibiSlopes.h - ALiBi's geometric slopes as IR -----------*- C++ -*-===//
#ifndef SATTN_TRANSFORMS_ALIBISLOPES_H
#define SATTN_TRANSFORMS_ALIBISLOPES_H

#include "mlir/IR/Builders.h"

namespace mlir::sattn {

/// The f32 slope of head `head` of `heads` (both i32, unsigned) in Press et
/// al.'s series, as sattn.attention defines it: n = 2^floor(log2 H),
/// 2^(-8(h+1)/n) for h < n, else 2^(-4(2(h-n)+1)/n). Arith and math ops
/// only, which every target lowers.
Value geometricAlibiSlope(OpBuilder &b, Location loc, Value head, Value heads);

} // namespace mlir::sattn

#endif // SATTN_TRANSFORMS_ALIBISLOPES_H
