//===- Sattn.h - The sattn dialect -------------------------------*- C++ -*-===//
#ifndef SATTN_IR_SATTN_H
#define SATTN_IR_SATTN_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "sattn/IR/SattnDialect.h.inc"
#include "sattn/IR/SattnEnums.h.inc"

#define GET_TYPEDEF_CLASSES
#include "sattn/IR/SattnTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "sattn/IR/SattnAttrs.h.inc"

#define GET_OP_CLASSES
#include "sattn/IR/SattnOps.h.inc"

#define GET_OP_CLASSES
#include "sattn/IR/SattnTileOps.h.inc"

#endif // SATTN_IR_SATTN_H
