//===- WarpRoles.h - Marks of a warp-specialised program's two roles ------===//
//
// With a producer warpgroup (sattn-lower-tiles-mma{producer=1}) a program's
// body exists twice, the consumers' and the producer's copy, until
// sattn-split-warp-roles reduces each to its own work. These attributes are
// how the two passes talk.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_COMPILER_TRANSFORMS_WARPROLES_H
#define SATTN_COMPILER_TRANSFORMS_WARPROLES_H

#include "mlir/IR/Builders.h"

namespace mlir::sattn {

/// On an op of the producer's work: a fill (its release wait, byte count,
/// copies, parity bookkeeping) or the producer's setmaxnreg.
constexpr const char *kProducerOpAttr = "sattn.producer_op";
/// On the first op of the producer's copy of a program body (its
/// setmaxnreg): the copy is what that op's block dominates, whatever passes
/// in between create there.
constexpr const char *kProducerEntryAttr = "sattn.producer_entry";

/// A builder listener that puts a unit attribute on every op the builder
/// inserts (ops built inside region-builder callbacks included).
class MarkInserted : public OpBuilder::Listener {
public:
  explicit MarkInserted(StringRef attr) : attr(attr) {}
  void notifyOperationInserted(Operation *op,
                               OpBuilder::InsertPoint) override {
    op->setAttr(attr, UnitAttr::get(op->getContext()));
  }

private:
  StringRef attr;
};

} // namespace mlir::sattn

#endif // SATTN_COMPILER_TRANSFORMS_WARPROLES_H
