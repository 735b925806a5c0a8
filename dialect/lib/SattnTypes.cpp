//===- SattnTypes.cpp - !sattn.tile ---------------------------------------===//
#include "sattn/IR/Sattn.h"

#include "mlir/IR/DialectImplementation.h"

using namespace mlir;
using namespace mlir::sattn;

// !sattn.tile<64x128xf32[, layout]>: the builtin dimension-list syntax, then
// the layout unless it is none.
Type TileType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  TileLayout layout = TileLayout::none;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false) ||
      parser.parseType(elementType))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    StringRef word;
    SMLoc at = parser.getCurrentLocation();
    if (parser.parseKeyword(&word))
      return {};
    std::optional<TileLayout> parsed = symbolizeTileLayout(word);
    if (!parsed) {
      parser.emitError(at, "expected a tile layout (none, m16n8k16), got '")
          << word << "'";
      return {};
    }
    layout = *parsed;
  }
  if (parser.parseGreater())
    return {};
  return TileType::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), ArrayRef<int64_t>(shape), elementType, layout);
}

void TileType::print(AsmPrinter &printer) const {
  printer << "<";
  printer.printDimensionList(getShape());
  printer << "x" << getElementType();
  if (getLayout() != TileLayout::none)
    printer << ", " << stringifyTileLayout(getLayout());
  printer << ">";
}

LogicalResult TileType::verify(function_ref<InFlightDiagnostic()> emitError,
                               ArrayRef<int64_t> shape, Type elementType,
                               TileLayout layout) {
  if (shape.size() != 2)
    return emitError() << "tile must have 2 dimensions (rows x cols), got "
                       << shape.size();
  if (shape[0] <= 0 || shape[1] <= 0)
    return emitError() << "tile dimensions must be positive";
  if (!elementType.isF32() && !elementType.isF16() && !elementType.isBF16())
    return emitError() << "tile element type must be f32, f16 or bf16, got "
                       << elementType;
  // Warps of 16 rows; lanes hold column pairs of 8-column groups.
  if (layout == TileLayout::m16n8k16 &&
      (shape[0] % 16 || (shape[1] != 1 && shape[1] % 8)))
    return emitError() << "an m16n8k16 tile needs rows in whole 16-row warps "
                          "and one column or whole 8-column groups, got "
                       << shape[0] << "x" << shape[1];
  return success();
}

// !sattn.ring<3 x 128x128xbf16, wgmma_128b, tma, releases = 2>
Type RingType::parse(AsmParser &parser) {
  int64_t slots = 0;
  SmallVector<int64_t> shape;
  Type elementType;
  StringRef swizzleWord, fillWord;
  int64_t releases = 0, queryRows = 0;
  if (parser.parseLess() || parser.parseInteger(slots) ||
      parser.parseKeyword("x") ||
      parser.parseDimensionList(shape, /*allowDynamic=*/false) ||
      parser.parseType(elementType) || parser.parseComma() ||
      parser.parseKeyword(&swizzleWord) || parser.parseComma() ||
      parser.parseKeyword(&fillWord))
    return {};
  // Optional `, releases = N` and `, query_rows = M`, in that order.
  while (succeeded(parser.parseOptionalComma())) {
    StringRef key;
    if (parser.parseKeyword(&key) || parser.parseEqual())
      return {};
    int64_t *value = key == "releases" && !queryRows ? &releases
                     : key == "query_rows"           ? &queryRows
                                                     : nullptr;
    if (!value) {
      parser.emitError(parser.getCurrentLocation(),
                       "expected 'releases' or 'query_rows' (in that order)");
      return {};
    }
    if (parser.parseInteger(*value))
      return {};
  }
  if (parser.parseGreater())
    return {};
  std::optional<SmemSwizzle> swizzle = symbolizeSmemSwizzle(swizzleWord);
  std::optional<StagingKind> fill = symbolizeStagingKind(fillWord);
  if (!swizzle || !fill || shape.size() != 2) {
    parser.emitError(parser.getNameLoc(),
                     "expected !sattn.ring<slots x rows x cols x type, "
                     "xor_chunks|wgmma_128b, cp_async|tma[, releases = N]"
                     "[, query_rows = M]>");
    return {};
  }
  return RingType::getChecked(
      [&] { return parser.emitError(parser.getNameLoc()); },
      parser.getContext(), slots, shape[0], shape[1], elementType, *swizzle,
      *fill, releases, queryRows);
}

void RingType::print(AsmPrinter &printer) const {
  printer << "<" << getSlots() << " x " << getRows() << "x" << getCols() << "x"
          << getElementType() << ", " << stringifySmemSwizzle(getSwizzle())
          << ", " << stringifyStagingKind(getFill());
  if (getReleases())
    printer << ", releases = " << getReleases();
  if (getQueryRows())
    printer << ", query_rows = " << getQueryRows();
  printer << ">";
}

LogicalResult RingType::verify(function_ref<InFlightDiagnostic()> emitError,
                               int64_t slots, int64_t rows, int64_t cols,
                               Type elementType, SmemSwizzle swizzle,
                               StagingKind fill, int64_t releases,
                               int64_t queryRows) {
  if (slots < 1 || slots > 8)
    return emitError() << "ring slots must be in [1, 8], got " << slots;
  if (rows < 1 || cols < 1 || rows % 8 || cols % 8)
    return emitError() << "ring slots must be rows x cols multiples of 8, got "
                       << rows << "x" << cols;
  if (!elementType.isBF16() && !elementType.isF16())
    return emitError() << "ring elements must be bf16 or f16, got "
                       << elementType;
  if (fill == StagingKind::none)
    return emitError() << "a ring is filled by cp_async or tma";
  if (fill == StagingKind::tma && swizzle != SmemSwizzle::wgmma_128b)
    return emitError() << "TMA fills the wgmma_128b layout only";
  if (swizzle == SmemSwizzle::wgmma_128b && cols % 64)
    return emitError() << "the wgmma_128b layout needs cols in whole 64-"
                          "element blocks, got "
                       << cols;
  if (releases < 0 || (releases > 0 && fill != StagingKind::tma))
    return emitError() << "releases (empty mbarriers) need a tma ring, got "
                       << releases;
  if (queryRows < 0 || queryRows % 64 ||
      (queryRows > 0 && swizzle != SmemSwizzle::wgmma_128b))
    return emitError() << "query_rows must be whole 64-row warpgroup blocks "
                          "in the wgmma_128b layout, got "
                       << queryRows;
  return success();
}
