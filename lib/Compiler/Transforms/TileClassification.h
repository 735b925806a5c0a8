//===- TileClassification.h - #sattn.tile_plan's rules as IR ----*- C++ -*-===//
//
// The closed-form tile classification of #sattn.tile_plan, emitted as index
// arithmetic for a query tile whose rows have positions [rowFirst, rowLast]
// (keyOffset = Sk - Sq turns them into key coordinates): which key tiles a
// region can touch, which it covers whole, and whether one tile is full.
// sattn-tile-flash builds its key loops from these; Analysis/TileMap
// evaluates the same rules on the host for the tile map.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TRANSFORMS_TILECLASSIFICATION_H
#define SATTN_TRANSFORMS_TILECLASSIFICATION_H

#include "Compiler/Analysis/MaskRegions.h"

#include "mlir/IR/Builders.h"

#include <utility>

namespace mlir::sattn {

struct TileClassifier {
  OpBuilder &b;
  Location loc;
  Value keyOffset; ///< Sk - Sq
  Value seqK;
  int64_t blockN;

  /// Key tiles [lo, hi) that can hold a pair of `r` for the rows.
  std::pair<Value, Value> tileRange(const MaskRegion &r, Value rowFirst,
                                    Value rowLast);
  /// Key tiles [lo, hi) every pair of which `r` alone allows for the rows
  /// (an empty range when lo >= hi).
  std::pair<Value, Value> fullTileRange(const MaskRegion &r, Value rowFirst,
                                        Value rowLast);
  /// True when one of `regions` allows every pair of key tile `kt` for the
  /// rows (conservative, never wrong: a tile classified partial is masked
  /// element by element).
  Value tileFull(ArrayRef<MaskRegion> regions, Value rowFirst, Value rowLast,
                 Value kt);
};

} // namespace mlir::sattn

#endif // SATTN_TRANSFORMS_TILECLASSIFICATION_H
