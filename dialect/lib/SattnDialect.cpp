//===- SattnDialect.cpp - sattn dialect registration ----------------------===//
#include "sattn/IR/Sattn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sattn;

#include "sattn/IR/SattnDialect.cpp.inc"
#include "sattn/IR/SattnEnums.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "sattn/IR/SattnTypes.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "sattn/IR/SattnAttrs.cpp.inc"

void SattnDialect::initialize() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "sattn/IR/SattnTypes.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "sattn/IR/SattnAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "sattn/IR/SattnOps.cpp.inc"
      ,
#define GET_OP_LIST
#include "sattn/IR/SattnTileOps.cpp.inc"
      >();
}
