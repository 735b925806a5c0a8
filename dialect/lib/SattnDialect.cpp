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
      ,
#define GET_OP_LIST
#include "sattn/IR/SattnGpuOps.cpp.inc"
      >();
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
  if (name == attrs::kConfig) {
    if (!isa<KernelConfigAttr>(value))
      return op->emitOpError()
             << "'" << name << "' must be a #sattn.kernel_config, got "
             << value;
    return success(bool(onFunction()));
  }
  if (name == attrs::kPipelinedLoop) {
    if (!isa<UnitAttr>(value) || op->getName().getStringRef() != "scf.for")
      return op->emitOpError()
             << "'" << name << "' is a unit attribute of an scf.for";
    return success();
  }
  return op->emitOpError() << "unknown attribute '" << name
                           << "' (the sattn dialect declares "
                           << attrs::kKernel << ", " << attrs::kLaunch << ", "
                           << attrs::kConfig << " and "
                           << attrs::kPipelinedLoop << ")";
}
