//===- SattnDoc.td - Every sattn definition, for the generated docs -*- tablegen -*-===//
//
// Only the documentation target reads this file (dialect/CMakeLists.txt:
// sattn-doc): it includes each op file so that one dialect reference lists
// the pattern ops, the tiled form and the GPU structure together.
//
//===----------------------------------------------------------------------===//
include "sattn/IR/SattnOps.td"
include "sattn/IR/SattnTileOps.td"
include "sattn/IR/SattnGpuOps.td"
