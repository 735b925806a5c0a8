//===- Mainloop.h - Tile ops of a tensor-core program -> NVVM ---*- C++ -*-===//
//
// The mainloop lowerings (MmaSync.cpp, Wgmma.cpp) convert the tile ops of
// the programs whose #sattn.kernel_config names their mainloop: the staged
// products with their own patterns, everything else with the fragment
// patterns they share (Fragment.h). They leave the ring ops for
// sattn-lower-rings, and set each kernel's #sattn.launch.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TILETOGPU_MAINLOOP_MAINLOOP_H
#define SATTN_TILETOGPU_MAINLOOP_MAINLOOP_H

#include "sattn/IR/Sattn.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::sattn::mainloop {

/// Converts the tile ops of every program whose kernel's config has
/// `mainloop`, with the fragment patterns plus those `addProducts` adds.
LogicalResult lowerMainloop(
    ModuleOp module, MainloopKind mainloop,
    function_ref<void(TypeConverter &, RewritePatternSet &)> addProducts);

} // namespace mlir::sattn::mainloop

#endif // SATTN_TILETOGPU_MAINLOOP_MAINLOOP_H
