//===- SplitWarpRoles.cpp - Each warp role's copy keeps its own work ------===//
//
// sattn-lower-tiles-mma{producer=1} leaves a program twice: the consumers'
// body and the producer warpgroup's copy of it, which is everything the
// copy's first op (marked, WarpRoles.h) dominates. Here, once the control
// flow is plain blocks, each copy loses the other role's effects:
// the producer's copy every op with effects beyond reads that is not a fill
// (products, softmax shuffles, fill waits, releases, stores), the consumers'
// the fills. Region simplification then removes whatever only fed erased
// ops. In block form a key loop's accumulators are block arguments, and
// region DCE drops block arguments no live op reads: the producer's copy of
// a key loop keeps its trip count and tile bounds and nothing else.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Transforms/WarpRoles.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace mlir::sattn {
#define GEN_PASS_DEF_SPLITWARPROLES
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

constexpr const char *kDroppedAttr = "sattn.dropped_result";

/// True for an op whose erasure changes what the program does: effects
/// other than reads and allocations (or unknown effects). Terminators stay:
/// they are the control flow both copies keep.
bool hasWriteEffects(Operation *op) {
  if (op->hasTrait<OpTrait::IsTerminator>() || isMemoryEffectFree(op))
    return false;
  auto iface = dyn_cast<MemoryEffectOpInterface>(op);
  if (!iface)
    return true;
  SmallVector<MemoryEffects::EffectInstance> effects;
  iface.getEffects(effects);
  return llvm::any_of(effects, [](const MemoryEffects::EffectInstance &e) {
    return !isa<MemoryEffects::Read, MemoryEffects::Allocate>(e.getEffect());
  });
}

/// A stand-in for a result of an erased op, for its users until region
/// simplification erases them too; nullptr for a type without a zero.
Value zeroOf(OpBuilder &b, Location loc, Type type) {
  Operation *zero = nullptr;
  if (isa<IntegerType, IndexType, FloatType>(type) ||
      (isa<VectorType>(type) &&
       isa<IntegerType, IndexType, FloatType>(
           cast<VectorType>(type).getElementType())))
    zero = arith::ConstantOp::create(b, loc, type,
                                     cast<TypedAttr>(b.getZeroAttr(type)));
  else if (LLVM::isCompatibleType(type))
    zero = LLVM::ZeroOp::create(b, loc, type);
  if (!zero)
    return {};
  zero->setAttr(kDroppedAttr, b.getUnitAttr());
  return zero->getResult(0);
}

struct SplitWarpRolesPass
    : public mlir::sattn::impl::SplitWarpRolesBase<SplitWarpRolesPass> {
  void runOnOperation() override {
    gpu::GPUFuncOp fn = getOperation();
    Operation *entry = nullptr;
    bool nested = false;
    fn.walk([&](Operation *op) {
      if (op->hasAttr(kProducerEntryAttr))
        entry = op;
      nested |= op != fn && op->getNumRegions() != 0;
    });
    if (!entry)
      return;
    if (nested) {
      fn.emitOpError("has a producer copy but still nested regions: "
                     "sattn-split-warp-roles runs after convert-scf-to-cf");
      return signalPassFailure();
    }

    // The producer's copy: the blocks its entry's block dominates (the
    // split's else branch; the two branches meet only at the return).
    DominanceInfo dominance(fn);
    Block *producerEntry = entry->getBlock();
    SmallVector<Operation *> doomed;
    fn.walk([&](Operation *op) {
      bool inProducer = dominance.dominates(producerEntry, op->getBlock());
      // The producer's copy keeps its fills, the consumers' everything else.
      if (inProducer != op->hasAttr(kProducerOpAttr) && hasWriteEffects(op))
        doomed.push_back(op);
    });
    OpBuilder b = OpBuilder::atBlockBegin(&fn.getBody().front());
    for (Operation *op : doomed) {
      for (Value result : op->getResults()) {
        if (result.use_empty())
          continue;
        Value zero = zeroOf(b, op->getLoc(), result.getType());
        if (!zero) {
          op->emitOpError("cannot be dropped from its warp role's copy: "
                          "result of type ")
              << result.getType() << " has no stand-in";
          return signalPassFailure();
        }
        result.replaceAllUsesWith(zero);
      }
      op->erase();
    }

    IRRewriter rewriter(&getContext());
    (void)simplifyRegions(rewriter, fn->getRegions());
    // What is left of the stand-ins must be unused: a live use means the
    // producer's control flow or fills read the consumers' computation.
    WalkResult leak = fn.walk([&](Operation *op) {
      if (!op->hasAttr(kDroppedAttr))
        return WalkResult::advance();
      if (!op->use_empty()) {
        Operation *user = *op->getUsers().begin();
        user->emitOpError("of a warp role's copy reads a value computed "
                          "only by the other role");
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (leak.wasInterrupted())
      return signalPassFailure();
    fn.walk([](Operation *op) {
      op->removeAttr(kProducerEntryAttr);
      op->removeAttr(kProducerOpAttr);
    });
  }
};

} // namespace
