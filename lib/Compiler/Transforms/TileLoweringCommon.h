//===- TileLoweringCommon.h - Tile lowering shared by SIMT and MMA -*- C++ -*-===//
//
// The tile ops whose lowering does not depend on how a lowering lays a tile
// out over lanes: score_mod and elementwise add / sub act on every element
// of whatever vector the type converter gives the tile, so the SIMT and the
// tensor-core lowerings share them.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TRANSFORMS_TILELOWERINGCOMMON_H
#define SATTN_TRANSFORMS_TILELOWERINGCOMMON_H

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace sattn {

/// log2(e): exponentials are emitted as exp2 with this factor folded in
/// (NVPTX selects llvm.exp2.f32 as one ex2.approx).
constexpr double kLog2E = 1.4426950408889634;

/// score_mod, tile.add and tile.sub as elementwise vector code.
void populateLayoutIndependentTilePatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);

} // namespace sattn
} // namespace mlir

#endif
