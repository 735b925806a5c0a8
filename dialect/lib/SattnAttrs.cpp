//===- SattnAttrs.cpp - sattn attribute verifiers -------------------------===//
#include "sattn/IR/Sattn.h"

using namespace mlir;
using namespace mlir::sattn;

LogicalResult
TilePlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                     int64_t blockM, int64_t blockN, ArrayAttr regions) {
  if (blockM <= 0 || blockN <= 0)
    return emitError() << "tile_plan block sizes must be positive, got "
                       << blockM << "x" << blockN;
  for (Attribute r : regions)
    if (!isa<RegionAttr>(r))
      return emitError() << "tile_plan regions must be #sattn.region, got "
                         << r;
  return success();
}

LogicalResult DeltaAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t gamma, int64_t tailMin) {
  if (gamma < 1)
    return emitError() << "delta gamma must be >= 1, got " << gamma;
  if (tailMin < 0)
    return emitError() << "delta tail_min must be >= 0, got " << tailMin;
  return success();
}
