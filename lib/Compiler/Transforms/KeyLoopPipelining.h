//===- KeyLoopPipelining.h - Q.K^T of tile i beside P.V of tile i-1 -------===//
//
// A key loop of the tiled form runs, per key tile, Q.K^T, the mask and the
// softmax step, then P.V. On sm_90a both products are asynchronous
// (wgmma), but P.V needs the probabilities the softmax has just made, so
// in that order the tensor cores idle during the softmax and the softmax
// waits for the products. Rotating the loop by one P.V (FlashAttention-3's
// intra-warpgroup pipelining) gives each iteration two independent
// products:
//
//   prologue (tile 0):   S = Q.K[0]^T; softmax -> P[0]; O *= alpha
//   iteration i >= 1:    S = Q.K[i]^T; O += P[i-1].V[i-1]   (both issued)
//                        softmax of S -> P[i]               (P.V running)
//                        O *= alpha
//   epilogue:            O += P[n-1].V[n-1]
//
// P is carried across the back edge rounded to the values' type
// (sattn.tile.truncf), the precision P.V reads it in anyway.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_COMPILER_TRANSFORMS_KEYLOOPPIPELINING_H
#define SATTN_COMPILER_TRANSFORMS_KEYLOOPPIPELINING_H

#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

namespace mlir::sattn {

/// The ops of `loop`'s body that compute `values` from the induction
/// variable and loop-invariant values, in program order; failure when one
/// depends on an iter_arg or is not a pure, region-free op or a load of a
/// kernel parameter nothing writes (a block layout's lists: the key tile of
/// iteration t + 1 is known at iteration t).
FailureOr<SmallVector<Operation *>> inductionSlice(scf::ForOp loop,
                                                   ArrayRef<Value> values);
/// `values` as the slice computes them for induction variable `iv`.
SmallVector<Value> evaluateAt(OpBuilder &b, scf::ForOp loop,
                              ArrayRef<Operation *> slice, Value iv,
                              ArrayRef<Value> values);

/// The pv of the same key tile (same first and count) later in the qk's
/// block, or null.
TilePVOp pvOfSameKeyTile(TileQKOp qk);

/// A rotated key loop, all of it inside one scf.if (lb < ub) that replaced
/// the original loop.
struct PipelinedKeyLoop {
  /// Q.K^T of the first tile, before the loop.
  TileQKOp firstQk;
  /// The loop over tiles 1..n-1 (induction variable from lb + step).
  scf::ForOp loop;
  /// In its body: Q.K^T of tile i and, right after it, P.V of tile i-1.
  TileQKOp loopQk;
  TilePVOp loopPv;
  /// P.V of the last tile, after the loop.
  TilePVOp lastPv;
  /// The original loop bounds.
  Value lowerBound, upperBound, step;
};

/// Rotates the scf.for directly around `qk` and `pv` (a pair of the same
/// key tile) as above. Fails, leaving the IR untouched, unless the loop's
/// tile bounds follow from its induction variable, the values buffer is
/// loop-invariant, the pv's result feeds only the loop's yield, the
/// accumulator iter_arg is used only after the qk, and nothing in the body
/// writes memory.
FailureOr<PipelinedKeyLoop> pipelineKeyLoop(TileQKOp qk, TilePVOp pv);

} // namespace mlir::sattn

#endif // SATTN_COMPILER_TRANSFORMS_KEYLOOPPIPELINING_H
