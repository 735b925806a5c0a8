//===- AssignTileLayouts.cpp - Tiles of tensor-core kernels as fragments --===//
//
// sattn-assign-tile-layouts: every !sattn.tile value of a kernel whose
// mainloop is mma.sync or wgmma gets the m16n8k16 layout (Fragment.h), in
// place: op results and block arguments, so loop-carried tiles and the
// values they are yielded from agree. It runs right before the mainloop
// lowerings, after every pass that builds new tiles.
//
//===----------------------------------------------------------------------===//
#include "sattn/IR/Sattn.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_ASSIGNTILELAYOUTS
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

void assign(Value v) {
  if (auto tile = dyn_cast<TileType>(v.getType()))
    v.setType(tile.withLayout(TileLayout::m16n8k16));
}

struct AssignTileLayoutsPass
    : public mlir::sattn::impl::AssignTileLayoutsBase<AssignTileLayoutsPass> {
  void runOnOperation() override {
    for (auto fn : getOperation().getOps<func::FuncOp>()) {
      KernelConfigAttr config = getKernelConfig(fn);
      if (!config || config.getMainloop() == MainloopKind::simt)
        continue;
      fn.getBody().walk([](Operation *op) {
        for (Value result : op->getResults())
          assign(result);
        for (Region &region : op->getRegions())
          for (Block &block : region)
            for (BlockArgument arg : block.getArguments())
              assign(arg);
      });
    }
  }
};

} // namespace
