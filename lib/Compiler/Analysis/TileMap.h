//===- TileMap.h - A pattern's tiles at one shape, on the host --*- C++ -*-===//
//
// What the kernels of a static pattern do at a given (Sq, Sk): per query
// tile x key tile, whether the key loop skips it (empty), masks it element
// by element (partial) or takes it whole (full), by the same closed-form
// rules sattn-tile-flash emits as IR (#sattn.tile_plan's description); and
// the number of (query, key) pairs the mask keeps, counted row by row from
// the regions. `sparse-opt --emit=tile-map` prints both.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_ANALYSIS_TILEMAP_H
#define SATTN_ANALYSIS_TILEMAP_H

#include "Compiler/Analysis/MaskRegions.h"

#include <cstdint>
#include <vector>

namespace mlir::sattn {

enum class TileClass : uint8_t { Empty, Partial, Full };

struct TileMap {
  int64_t seqQ = 0, seqK = 0, blockM = 0, blockN = 0;
  int64_t tilesM = 0, tilesN = 0; ///< ceil(Sq / block_m), ceil(Sk / block_n)
  std::vector<TileClass> classes; ///< tilesM x tilesN, row-major

  TileClass at(int64_t qt, int64_t kt) const {
    return classes[size_t(qt * tilesN + kt)];
  }
  int64_t count(TileClass c) const;
};

/// The tile classes the kernels use for `regions` at (seqQ, seqK) with
/// block_m x block_n tiles: a key tile is visited iff some region's key
/// range for the query tile's rows holds it, and taken unmasked iff one
/// region alone allows every pair of it (so a tile whose pairs several
/// regions cover between them is partial, as in the kernels).
TileMap classifyTileMap(ArrayRef<MaskRegion> regions, int64_t seqQ,
                        int64_t seqK, int64_t blockM, int64_t blockN);

/// The (query, key) pairs `regions` keep at (seqQ, seqK): per row the
/// union of each region's keys (an interval, thinned by its dilation).
/// Restricted to rows [rowLo, rowHi) and keys [colLo, colHi) where given
/// (-1: to the end), the pairs of one block.
int64_t countKeptPairs(ArrayRef<MaskRegion> regions, int64_t seqQ, int64_t seqK,
                       int64_t rowLo = 0, int64_t rowHi = -1, int64_t colLo = 0,
                       int64_t colHi = -1);

} // namespace mlir::sattn

#endif // SATTN_ANALYSIS_TILEMAP_H
