//===- TileMapPicture.h - A tile map as text and as a PNG ---------*- C++
//-*-===//
#ifndef SATTN_TOOLS_TILEMAPPICTURE_H
#define SATTN_TOOLS_TILEMAPPICTURE_H

#include "Compiler/Analysis/TileMap.h"

#include <string>

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

} // namespace sattn

#endif
