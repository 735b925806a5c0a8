//===- SattnTileOps.td - The tiled flash form ---------------*- tablegen -*-===//
//
// The body of a generated kernel: one `sattn.program` instance per (query
// tile, batch*head), built from tile ops. Buffers are flat 1-D memrefs
// (bare pointers at the kernel boundary); a row of a [.., S, D] buffer
// starts at `base + position * D`.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TILE_OPS_TD
#define SATTN_TILE_OPS_TD

include "sattn/IR/SattnBase.td"
include "sattn/IR/SattnTypes.td"
include "sattn/IR/SattnAttrs.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"

def Sattn_FlatBuffer : MemRefRankOf<[BF16, F16, F32], [1]>;

def Sattn_ProgramOp : Sattn_Op<"program", [
    SingleBlock, NoTerminator, RecursiveMemoryEffects]> {
  let summary = "A grid of independent program instances (query tile, batch*head)";
  let description = [{
    The region runs once per (x, y) in [0, grid_x) x [0, grid_y) with the two
    indices as block arguments. Instances share nothing and may run in any
    order (thread blocks on a GPU, loop iterations on the CPU). Inside,
    each instance works on `block_m` query rows.
  }];
  let arguments = (ins Index:$grid_x, Index:$grid_y, I64Attr:$block_m);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `grid` `(` $grid_x `,` $grid_y `)` `block_m` `=` $block_m attr-dict-with-keyword $body
  }];
  let hasVerifier = 1;
}

def Sattn_WorkLoopOp : Sattn_Op<"work_loop", [
    SingleBlock, NoTerminator, RecursiveMemoryEffects]> {
  let summary = "The program instances one block of a persistent grid runs";
  let description = [{
    In a `sattn.program` launched on a persistent grid (`#sattn.launch`'s
    `persistent`): the body runs once per program instance (x, y) that this
    thread block takes, with x and y as its block arguments. Of the
    grid_x * grid_y instances, numbered in `order` (`#sattn.work_order`),
    block b of a grid of n blocks takes b, b + n, b + 2n, ... Everything
    outside the loop is set up once per block and carries over from one
    instance to the next (a ring's mbarrier phases, the turns of two
    warpgroups), so a producer fills the stages of its next instance while
    the consumers finish the current one. The enclosing program's own (x, y)
    then name no instance and must be unused. Made by
    `sattn-persistent-grid`, lowered by `sattn-program-to-gpu`.
  }];
  let arguments = (ins Sattn_WorkOrderAttr:$order);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`order` `=` $order attr-dict-with-keyword $body";
  let hasVerifier = 1;
}

def Sattn_LaneIdOp : Sattn_Op<"lane_id", [Pure]> {
  let summary = "This lane's index within its program instance";
  let description = [{
    Produced by the tile lowerings. In the SIMT form (sattn-lower-tiles-simt)
    a program instance has block_m lanes and lane r owns query row r; in the
    tensor-core form (sattn-lower-tiles-mma) it has `sattn.threads` lanes,
    grouped in warps of 32. The GPU lowering maps it to the thread index,
    the CPU lowering to a loop induction variable.
  }];
  let results = (outs Index:$result);
  let assemblyFormat = "attr-dict";
  let hasVerifier = 1;
}

class Sattn_TileOp<string mnemonic, list<Trait> traits = []>
    : Sattn_Op<"tile." # mnemonic, traits>;

def Sattn_TileFillOp : Sattn_TileOp<"fill", [Pure]> {
  let summary = "A tile with every element equal to `value`";
  let arguments = (ins F32Attr:$value);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = "$value attr-dict `:` type($result)";
}

def Sattn_TileLoadOp : Sattn_TileOp<"load", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Loads rows of a [.., S, D] buffer into a tile";
  let description = [{
    Row r < count of the result reads the D = cols elements at
    `buffer[base + ((start + r * step) floordiv row_div) * D]`; rows >= count
    are zero. `row_div` gathers one row per group (the delta of an anchor).
  }];
  let arguments = (ins Sattn_FlatBuffer:$buffer, Index:$base, Index:$start,
                       Index:$step, Index:$count,
                       DefaultValuedAttr<I64Attr, "1">:$row_div);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $buffer `[` $base `]` `rows` `(` $start `,` $step `,` $count `)` attr-dict
    `:` type($buffer) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Sattn_TileStoreOp : Sattn_TileOp<"store", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Stores rows r < count of a tile, converted to the buffer's type";
  let description = [{
    Row r < count goes to `buffer[base + (start + r * step) * D]`.
  }];
  let arguments = (ins Sattn_TileType:$tile, Sattn_FlatBuffer:$buffer,
                       Index:$base, Index:$start, Index:$step, Index:$count);
  let assemblyFormat = [{
    $tile `,` $buffer `[` $base `]` `rows` `(` $start `,` $step `,` $count `)`
    attr-dict `:` type($tile) `,` type($buffer)
  }];
  let hasVerifier = 1;
}

def Sattn_TileQKOp : Sattn_TileOp<"qk", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>]> {
  let summary = "Scores of a key tile: s[r][c] = q[r] . k[first + c] (f32)";
  let description = [{
    Key rows are read from `keys[base + (first + c) * D]` for c < count;
    columns c >= count are 0. The inner tile computation a tensor-core
    lowering replaces.
  }];
  let arguments = (ins Sattn_TileType:$q, Sattn_FlatBuffer:$keys, Index:$base,
                       Index:$first, Index:$count);
  let results = (outs Sattn_TileType:$scores);
  let assemblyFormat = [{
    $q `,` $keys `[` $base `]` `keys` `(` $first `,` $count `)` attr-dict
    `:` type($q) `,` type($keys) `->` type($scores)
  }];
  let hasVerifier = 1;
}

def Sattn_TileScoreModOp : Sattn_TileOp<"score_mod", [Pure,
    AllTypesMatch<["scores", "result"]>]> {
  let summary = "s * scale, then softcap * tanh(s / softcap) when given";
  let arguments = (ins Sattn_TileType:$scores, F64Attr:$scale,
                       OptionalAttr<F64Attr>:$softcap);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = "$scores attr-dict `:` type($scores)";
}

def Sattn_TileAlibiOp : Sattn_TileOp<"alibi", [Pure,
    AllTypesMatch<["scores", "result"]>]> {
  let summary = "Adds slope * (j - i') to every score (ALiBi)";
  let description = [{
    Row r of the tile is query position i = start + r * step, column c is
    key j = first + c, i' = i + Sk - Sq. The scores are the scaled (and
    softcapped) ones: the softmax step that follows takes scale 1.
  }];
  let arguments = (ins Sattn_TileType:$scores, F32:$slope, Index:$start,
                       Index:$step, Index:$first, Index:$seq_q, Index:$seq_k);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $scores `slope` `(` $slope `)` `rows` `(` $start `,` $step `)`
    `keys` `(` $first `)` `seq` `(` $seq_q `,` $seq_k `)` attr-dict
    `:` type($scores)
  }];
}

def Sattn_TileMaskOp : Sattn_TileOp<"mask", [Pure,
    AllTypesMatch<["scores", "result"]>]> {
  let summary = "Sets scores outside the mask (or past Sk) to -inf";
  let description = [{
    Row r of the tile is query position i = start + r * step, column c is
    key j = first + c. The element (r, c) is kept iff j < Sk and (i, j) lies
    in one of `regions` (#sattn.region, with i' = i + Sk - Sq).
  }];
  let arguments = (ins Sattn_TileType:$scores, Index:$start, Index:$step,
                       Index:$first, Index:$seq_q, Index:$seq_k,
                       TypedArrayAttrBase<Sattn_RegionAttr,
                                          "region list">:$regions);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $scores `rows` `(` $start `,` $step `)` `keys` `(` $first `)`
    `seq` `(` $seq_q `,` $seq_k `)` attr-dict `:` type($scores)
  }];
}

def Sattn_TileSoftmaxStepOp : Sattn_TileOp<"softmax_step", [Pure,
    AllTypesMatch<["row_max", "row_sum", "new_max", "new_sum", "alpha"]>,
    AllTypesMatch<["scores", "probs"]>]> {
  let summary = "One online-softmax step over a score tile";
  let description = [{
    With x = scale * s (scale > 0, default 1): m' = max(m, rowmax(x));
    p = exp(x - m'); alpha = exp(m - m'); l' = l * alpha + rowsum(p). The
    row maxima are of the scaled scores. A row whose scores are all -inf
    keeps m' = -inf, p = 0, alpha = 1 (no NaN). `scale` lets the score
    scale fold into the exponent's multiply (sattn-tile-flash does so when
    there is no softcap).
  }];
  let arguments = (ins Sattn_TileType:$scores, Sattn_TileType:$row_max,
                       Sattn_TileType:$row_sum,
                       DefaultValuedAttr<F64Attr, "1.0">:$scale);
  let results = (outs Sattn_TileType:$new_max, Sattn_TileType:$new_sum,
                      Sattn_TileType:$probs, Sattn_TileType:$alpha);
  let assemblyFormat = [{
    $scores `,` $row_max `,` $row_sum attr-dict `:` type($scores) `,`
    type($row_max)
  }];
  let hasVerifier = 1;
}

def Sattn_TileScaleRowsOp : Sattn_TileOp<"scale_rows", [Pure,
    AllTypesMatch<["tile", "result"]>]> {
  let summary = "Multiplies row r of a tile by factors[r]";
  let arguments = (ins Sattn_TileType:$tile, Sattn_TileType:$factors);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = "$tile `,` $factors attr-dict `:` type($tile) `,` type($factors)";
}

def Sattn_TilePVOp : Sattn_TileOp<"pv", [
    DeclareOpInterfaceMethods<MemoryEffectsOpInterface>,
    AllTypesMatch<["acc", "result"]>]> {
  let summary = "acc + p . v over a key tile";
  let description = [{
    result[r] = acc[r] + sum_{c < count} p[r][c] * values[base + (first + c) * D].
    The other inner tile computation a tensor-core lowering replaces. `p`
    is f32, or already rounded to the values' element type (sattn.tile.truncf).
  }];
  let arguments = (ins Sattn_TileType:$probs, Sattn_FlatBuffer:$values,
                       Index:$base, Index:$first, Index:$count,
                       Sattn_TileType:$acc);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $probs `,` $values `[` $base `]` `keys` `(` $first `,` $count `)` `,` $acc
    attr-dict `:` type($probs) `,` type($values) `,` type($acc)
  }];
  let hasVerifier = 1;
}

def Sattn_TileTruncFOp : Sattn_TileOp<"truncf", [Pure]> {
  let summary = "Rounds each element of a tile to a narrower float type";
  let description = [{
    result[r][c] = tile[r][c] rounded (to nearest even) to the result's
    element type. A pipelined key loop carries the probabilities of one key
    tile to the next iteration's P.V rounded to the values' type, which is
    what the tensor-core product reads anyway, so that they take half the
    registers across the loop's back edge.
  }];
  let arguments = (ins Sattn_TileType:$tile);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = "$tile attr-dict `:` type($tile) `to` type($result)";
  let hasVerifier = 1;
}

def Sattn_TileNormalizeOp : Sattn_TileOp<"normalize", [Pure,
    AllTypesMatch<["acc", "result"]>, AttrSizedOperandSegments]> {
  let summary = "acc[r] / l[r], or 0 where l[r] == 0 (a row that saw no key)";
  let description = [{
    With `sink(z, m)` (learnable sinks): acc[r] / (l[r] + exp(z - m[r])),
    where m is the online softmax's row maximum of the scaled scores (acc
    and l are relative to it) and z a logit in the same units; still 0
    where l[r] == 0.
  }];
  let arguments = (ins Sattn_TileType:$acc, Sattn_TileType:$row_sum,
                       Optional<F32>:$sink, Optional<Sattn_TileType>:$row_max);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = [{
    $acc `,` $row_sum (`sink` `(` $sink^ `,` $row_max `:` type($row_max) `)`)?
    attr-dict `:` type($acc) `,` type($row_sum)
  }];
  let hasVerifier = 1;
}

class Sattn_TileElementwiseOp<string mnemonic, string what>
    : Sattn_TileOp<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what;
  let arguments = (ins Sattn_TileType:$lhs, Sattn_TileType:$rhs);
  let results = (outs Sattn_TileType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}
def Sattn_TileAddOp : Sattn_TileElementwiseOp<"add", "Elementwise lhs + rhs">;
def Sattn_TileSubOp : Sattn_TileElementwiseOp<"sub", "Elementwise lhs - rhs">;

#endif // SATTN_TILE_OPS_TD
