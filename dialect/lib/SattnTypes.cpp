//===- SattnTypes.cpp - !sattn.tile ---------------------------------------===//
#include "sattn/IR/Sattn.h"

#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace mlir::sattn;

// !sattn.tile<64x128xf32>: the builtin dimension-list syntax.
Type TileType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false) ||
      parser.parseType(elementType) || parser.parseGreater())
    return {};
  return TileType::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), ArrayRef<int64_t>(shape), elementType);
}

void TileType::print(AsmPrinter &printer) const {
  printer << "<";
  printer.printDimensionList(getShape());
  printer << "x" << getElementType() << ">";
}

LogicalResult TileType::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> shape, Type elementType) {
  if (shape.size() != 2)
    return emitError() << "tile must have 2 dimensions (rows x cols), got "
                       << shape.size();
  if (shape[0] <= 0 || shape[1] <= 0)
    return emitError() << "tile dimensions must be positive";
  if (!elementType.isF32() && !elementType.isF16() && !elementType.isBF16())
    return emitError() << "tile element type must be f32, f16 or bf16, got "
                       << elementType;
  return success();
}
