//===- SattnDialect.cpp - sattn dialect registration ----------------------===//
#include "sattn/IR/Sattn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
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

/// Lowering-internal marks that live only between two adjacent passes of
/// the tensor-core lowering (their removal is the next step of its
/// restructuring, issue 12).
static bool isTransitionalMark(StringRef name) {
  return llvm::is_contained(
      {"sattn.mma_skipped", "sattn.wgmma_skipped", "sattn.tma_skipped",
       "sattn.producer_op", "sattn.producer_entry", "sattn.dropped_result"},
      name);
}

LogicalResult SattnDialect::verifyOperationAttribute(Operation *op,
                                                     NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  auto onFunction = [&]() -> FunctionOpInterface {
    auto fn = dyn_cast<FunctionOpInterface>(op);
    if (!fn)
      op->emitOpError() << "'" << name << "' belongs on a kernel function";
    return fn;
  };
  if (name == attrs::kKernel) {
    auto kernel = dyn_cast<KernelAttr>(value);
    if (!kernel)
      return op->emitOpError()
             << "'" << name << "' must be a #sattn.kernel, got " << value;
    FunctionOpInterface fn = onFunction();
    if (!fn)
      return failure();
    // The conversions keep one parameter per argument (bare pointers).
    if (fn.getNumArguments() != kernel.getArgNames().size())
      return op->emitOpError()
             << "has " << fn.getNumArguments() << " parameters but '" << name
             << "' names " << kernel.getArgNames().size();
    return success();
  }
  if (name == attrs::kLaunch) {
    if (!isa<LaunchAttr>(value))
      return op->emitOpError()
             << "'" << name << "' must be a #sattn.launch, got " << value;
    return success(bool(onFunction()));
  }
  if (isTransitionalMark(name))
    return success();
  return op->emitOpError() << "unknown attribute '" << name
                           << "' (the sattn dialect declares "
                           << attrs::kKernel << " and " << attrs::kLaunch
                           << ")";
}
