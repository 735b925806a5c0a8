//===- ClassifyTiles.cpp - Attach the closed-form tile plan ---------------===//
//
// Normalises the mask into regions and takes the tile shape from the policy
// (lib/Compiler/TileToGPU/Policy) for the target chip; the plan's regions
// decide empty / full / partial for every tile in closed form. With a block
// layout the tile shrinks to divide the layout's block (the gcd of the two),
// so that a query tile lies in one layout row and a key tile in one key
// block, and the plan records the regions of the layout's partial blocks.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Analysis/MaskRegions.h"
#include "Compiler/TileToGPU/Policy/KernelPolicy.h"
#include "sattn/Transforms/Passes.h"

#include <numeric>

namespace mlir::sattn {
#define GEN_PASS_DEF_CLASSIFYTILES
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

struct ClassifyTilesPass
    : public mlir::sattn::impl::ClassifyTilesBase<ClassifyTilesPass> {
  using Base::Base;

  void runOnOperation() override {
    auto result = getOperation().walk([&](AttentionOp op) {
      if (blockM < 0 || blockN < 0) {
        op.emitOpError("block sizes must be positive");
        return WalkResult::interrupt();
      }
      std::optional<policy::Target> target = policy::targetOf(chip);
      if (!target) {
        op.emitOpError("unknown chip '")
            << chip << "' (host, sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)";
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
      // The delta correction's dense rows follow the reference mask.
      ArrayAttr reference;
      if (Value mask = op.getReference()) {
        auto referenceRegions = normalizeMask(mask, op);
        if (failed(referenceRegions))
          return WalkResult::interrupt();
        reference = regionsToAttr(op.getContext(), *referenceRegions);
      }
      Type elt = op.getElementType();
      policy::TileShape shape = policy::chooseTileShape(
          *target, elt.isBF16() || elt.isF16(), op.getHeadDim());
      int64_t bm = blockM ? int64_t(blockM) : shape.blockM;
      int64_t bn = blockN ? int64_t(blockN) : shape.blockN;
      LayoutPlanAttr layoutPlan;
      if (BlockLayoutMaskOp layout = op.getBlockLayout()) {
        // Partial blocks keep the pairs of the layout's mask and the rest.
        SmallVector<MaskRegion> partial = *regions;
        if (Value m = layout.getPartial()) {
          auto own = normalizeMask(m, layout);
          if (failed(own))
            return WalkResult::interrupt();
          auto both = intersectRegions(*regions, *own, layout);
          if (failed(both))
            return WalkResult::interrupt();
          partial = std::move(*both);
        }
        bm = std::gcd(bm, layout.getBlockM());
        bn = std::gcd(bn, layout.getBlockN());
        layoutPlan = LayoutPlanAttr::get(
            op.getContext(), layout.getBlockM(), layout.getBlockN(),
            regionsToAttr(op.getContext(), partial));
      }
      op.setTilePlanAttr(TilePlanAttr::get(
          op.getContext(), bm, bn, regionsToAttr(op.getContext(), *regions),
          bool(op.getDocuments()), reference, layoutPlan));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
