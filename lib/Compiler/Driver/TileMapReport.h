//===- TileMapReport.h - A pattern's tile map for people --------*- C++ -*-===//
//
// What `sparse-opt --emit=tile-map` and `sparse-run --show-tiles` print and
// write: the tile map of the launch variant that serves a shape (the tile
// plan sattn-classify-tiles makes for it, evaluated on the host: see
// Analysis/TileMap.h), as a terminal picture with counts, and as a PNG.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_DRIVER_TILEMAPREPORT_H
#define SATTN_DRIVER_TILEMAPREPORT_H

#include "Compiler/Analysis/TileMap.h"
#include "Compiler/Driver/Compiler.h"

#include <string>
#include <vector>

namespace sattn {

/// One character per cell, a cell being f x f tiles with the smallest f
/// that fits `maxColumns` key tiles across and as many query tiles down:
/// '#' every tile of the cell full, '.' every one empty, '+' otherwise.
/// Query tiles run down, key tiles across; a header line says f.
std::string renderTileMapText(const mlir::sattn::TileMap &map,
                              int64_t maxColumns = 64);

/// The map as an 8-bit palette PNG: one square of pixels per tile (at
/// least 1, scaled so that the image is about 512 pixels across), or one
/// pixel per f x f tiles past 2048 tiles; full tiles dark, partial ones
/// orange, empty ones white (a cell of several tiles shows its most
/// worked class). Compressed with zlib where LLVM has it, else stored.
std::string encodeTileMapPng(const mlir::sattn::TileMap &map);

struct TileMapReport {
  mlir::sattn::TileMap map;
  int64_t keptPairs = 0;
  /// Header, picture, legend, tile counts, kept pairs and density.
  std::string text;
  /// The PNG file's bytes (encodeTileMapPng).
  std::string png;
};

/// One batch row's documents: Nd + 1 query and key offsets (cu_seqlens).
struct DocumentOffsets {
  std::vector<int64_t> q, k;
};

/// One (batch row, head)'s block layout as the kernels read it: per query
/// block, the listed key blocks of its partial (lists[0]) and full
/// (lists[1]) blocks, in list order.
struct BlockLayoutLists {
  std::vector<std::vector<int64_t>> lists[2];
};

/// The tile map of the pattern in `module` (pattern level, not modified)
/// at (seqQ, seqK) for `target` ("host" or a chip), with the tile shape of
/// the launch variant compileVariants gives that Sq under `tiles`. A
/// pattern over documents needs their offsets: its kernels classify each
/// document's tiles in the document's coordinates, so the counts are of
/// those tiles, and the picture, in the sequence's tiles, shows each cell
/// as the most worked of the documents' tiles that overlap it. A pattern
/// with a block layout needs its lists: its kernels visit the key tiles of
/// the listed blocks, full or masked as the lists and the mask say (a
/// listed tile that holds no kept pair is still masked, so partial).
Result<TileMapReport>
reportTileMap(CompilerSession &session, mlir::ModuleOp module,
              const PatternInfo &info, const std::string &target,
              const TileOptions &tiles, int64_t seqQ, int64_t seqK,
              const DocumentOffsets *documents = nullptr,
              const BlockLayoutLists *layout = nullptr);

} // namespace sattn

#endif // SATTN_DRIVER_TILEMAPREPORT_H
