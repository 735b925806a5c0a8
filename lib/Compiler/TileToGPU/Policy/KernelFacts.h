//===- KernelFacts.h - What the GPU policy reads off a kernel ---*- C++ -*-===//
//
// The facts about one kernel of the tiled form that the policy's decisions
// depend on, read off the IR once: its role and shapes, whether its tiles
// fit the tensor-core lowerings and its K/V tiles the TMA staging (with the
// reason where not), and what its masks bound. KernelPolicy.h decides from
// these alone.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TILETOGPU_POLICY_KERNELFACTS_H
#define SATTN_TILETOGPU_POLICY_KERNELFACTS_H

#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>

namespace mlir::sattn {

/// What a kernel's masks bound. `masked`: some key of a row (a mask of one
/// region without bounds only clips the sequence). `boundedKeys`: the key
/// range from below or in pieces (windows, sinks), not just [0, diagonal).
struct MaskBounds {
  bool masked = false, boundedKeys = false;
};

struct KernelFacts {
  ::sattn::KernelRole role = ::sattn::KernelRole::Attention;
  int64_t blockM = 0, blockN = 0, headDim = 0;
  /// Why the tensor-core lowerings cannot take the kernel's program (f32
  /// inputs, tiles off the mma grid, a qk without the pv of the same key
  /// tile), or empty.
  std::string whyNotTensorCores;
  /// Why its K/V tiles cannot be filled by TMA (a buffer that is not a
  /// kernel parameter, a key tile not clipped to the sequence alone), or
  /// empty.
  std::string whyNotTma;
  MaskBounds masks;
  /// Its scores are capped (softcap * tanh(s / softcap)).
  bool softcap = false;
  /// Its key loops walk lists read at launch (a block layout's key blocks):
  /// their trip counts and key tiles are loads, and every tile may need the
  /// mask.
  bool listedKeyTiles = false;
};

/// The facts of kernel function `fn` (one with #sattn.kernel and one
/// sattn.program of tile ops).
KernelFacts analyzeKernel(func::FuncOp fn, ProgramOp program);

/// Each qk of `program` with the pv of the same key tile, in program order,
/// or the reason they do not pair up as the tensor-core lowerings need (the
/// pv later in the qk's block, its values and base available at the qk).
std::string pairProducts(ProgramOp program,
                         SmallVectorImpl<std::pair<TileQKOp, TilePVOp>> &pairs);

/// Sk when `count` is min(Sk - first, blockN), in either operand order: the
/// tile is then clipped only by the sequence, so the rows past `count` are
/// exactly those TMA fills with zeros (rows >= Sk of the tensor map).
Value sequenceClip(Value count, Value first, int64_t blockN);

} // namespace mlir::sattn

#endif // SATTN_TILETOGPU_POLICY_KERNELFACTS_H
