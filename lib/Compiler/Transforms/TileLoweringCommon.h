//===- TileLoweringCommon.h - Tile lowering shared by SIMT and MMA -*- C++ -*-===//
//
// The tile ops whose lowering does not depend on how a lowering lays a tile
// out over lanes: score_mod and elementwise add / sub act on every element
// of whatever vector the type converter gives the tile, so the SIMT and the
// tensor-core lowerings share them; and the region logic of tile.mask,
// which both lowerings apply to their own element layout.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TRANSFORMS_TILELOWERINGCOMMON_H
#define SATTN_TRANSFORMS_TILELOWERINGCOMMON_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace sattn {

/// A #sattn.region bound tests either the diagonal offset d = j - i' or
/// the key column j.
enum class RegionAxis { Diag, Col };

/// The keep mask of one row of a tile.mask: OR over `regions`
/// (#sattn.region attributes) of the AND of each region's bounds, d in
/// [diag_lo, diag_hi], j in [col_lo, col_hi), j in i'`s chunk
/// [C floor(i'/C), C floor(i'/C) + C), d a multiple of the dilation.
/// `rowPos` is the row's i' (index). `test(axis, pred, bound)` emits the i1
/// (vector) for "axis pred bound", bound an index value constant or per
/// row; `multipleOf(n)` the i1 (vector) for "d mod n == 0"; `allOf(v)` a
/// constant of the same shape. The bounds' meaning lives here; how a
/// lowering lays the elements out lives in its callbacks.
Value keepByRegions(
    OpBuilder &b, Location loc, ArrayAttr regions, Value rowPos,
    function_ref<Value(bool)> allOf,
    function_ref<Value(RegionAxis, arith::CmpIPredicate, Value)> test,
    function_ref<Value(int64_t)> multipleOf);

/// log2(e): exponentials are emitted as exp2 with this factor folded in
/// (NVPTX selects llvm.exp2.f32 as one ex2.approx).
constexpr double kLog2E = 1.4426950408889634;

/// score_mod, tile.truncf, tile.add and tile.sub as elementwise vector code.
void populateLayoutIndependentTilePatterns(const TypeConverter &converter,
                                           RewritePatternSet &patterns);

} // namespace sattn
} // namespace mlir

#endif
