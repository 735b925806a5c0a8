//===- ClassifyTiles.cpp - Attach the closed-form tile plan ---------------===//
//
// Chooses the tile shape and normalises the mask into regions; the plan's
// regions decide empty / full / partial for every tile in closed form.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Analysis/MaskRegions.h"
#include "sattn/Transforms/Passes.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_CLASSIFYTILES
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

/// Query rows per program: one lane per row in the SIMT lowering, four
/// warps of 16 rows in the tensor-core lowering.
constexpr int64_t kDefaultBlockM = 64;

/// Keys per tile. The SIMT lowering keeps a row of scores, the query row
/// and the accumulator in registers: at head_dim 128 a 32-key tile keeps
/// that under the 255-register limit. The tensor-core lowerings spread a
/// row over a quad of lanes, so wider tiles fit, and every key tile costs a
/// rescale of the accumulator and two barriers whatever its width. Measured
/// on an H200 (bench/RESULTS.md): mma.sync 64 keys (causal 16k 6.07 ->
/// 4.62 ms against 32), wgmma 128 keys at head_dim <= 128 (2.58 -> 2.10 ms
/// against 64, 245 registers, no spills).
int64_t defaultBlockN(int64_t headDim, StringRef tensorCores) {
  if (tensorCores == "wgmma")
    return headDim <= 128 ? 128 : 64;
  if (tensorCores == "mma")
    return 64;
  return headDim >= 128 ? 32 : 64;
}

struct ClassifyTilesPass
    : public mlir::sattn::impl::ClassifyTilesBase<ClassifyTilesPass> {
  using Base::Base;

  void runOnOperation() override {
    auto result = getOperation().walk([&](AttentionOp op) {
      if (blockM < 0 || blockN < 0) {
        op.emitOpError("block sizes must be positive");
        return WalkResult::interrupt();
      }
      if (!tensorCores.empty() && tensorCores != "mma" &&
          tensorCores != "wgmma") {
        op.emitOpError("tensor-cores must be '', 'mma' or 'wgmma', got '")
            << tensorCores << "'";
        return WalkResult::interrupt();
      }
      // Checked where the factors first matter: the lowerings fold them
      // into f32 constants (Spec/PatternSpec.h, scoreFactorInRange).
      for (auto [what, factor] : {std::pair{"scale", op.getScale()},
                                  std::pair{"softcap", op.getSoftcap()}})
        if (factor && !::sattn::scoreFactorInRange(factor->convertToDouble())) {
          op.emitOpError(what)
              << " " << factor->convertToDouble()
              << " is outside [2^-63, 2^63]: scaled scores would overflow or "
                 "vanish in f32";
          return WalkResult::interrupt();
        }
      auto regions = normalizeMask(op.getMask(), op);
      if (failed(regions))
        return WalkResult::interrupt();
      int64_t bm = blockM ? int64_t(blockM) : kDefaultBlockM;
      // f32 has no tensor-core path: the SIMT lowering takes it.
      Type elt = op.getElementType();
      StringRef lowering =
          elt.isBF16() || elt.isF16() ? StringRef(tensorCores) : "";
      int64_t bn =
          blockN ? int64_t(blockN) : defaultBlockN(op.getHeadDim(), lowering);
      op.setTilePlanAttr(TilePlanAttr::get(
          op.getContext(), bm, bn, regionsToAttr(op.getContext(), *regions)));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
