//===- SattnOps.cpp - Pattern-level op verifiers --------------------------===//
#include "sattn/IR/Sattn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sattn;

#define GET_OP_CLASSES
#include "sattn/IR/SattnOps.cpp.inc"

// I64Attr's generated getters return uint64_t; integer attributes are read
// through getInt() (signed) everywhere so that negative values are seen.

LogicalResult WindowMaskOp::verify() {
  if (getLeftAttr().getInt() < 0)
    return emitOpError("left extent must be >= 0, got ") << getLeftAttr().getInt();
  if (getRightAttr().getInt() < 0)
    return emitOpError("right extent must be >= 0, got ") << getRightAttr().getInt();
  if (IntegerAttr d = getDilationAttr(); d && d.getInt() < 1)
    return emitOpError("dilation must be >= 1, got ") << d.getInt();
  return success();
}

LogicalResult ChunkMaskOp::verify() {
  if (getSizeAttr().getInt() < 1)
    return emitOpError("chunk size must be >= 1, got ")
           << getSizeAttr().getInt();
  return success();
}

LogicalResult SinkMaskOp::verify() {
  if (getTokensAttr().getInt() < 1)
    return emitOpError("tokens must be >= 1, got ") << getTokensAttr().getInt();
  return success();
}

static LogicalResult verifyCombiner(Operation *op) {
  if (op->getNumOperands() == 0)
    return op->emitOpError("needs at least one mask operand");
  return success();
}
/// True when the mask DAG at `mask` reads a tensor at launch (a documents
/// mask or a block layout); `where` is set to the first such op.
static bool readsLaunchTensors(Value mask, Operation *&where) {
  llvm::SmallPtrSet<Operation *, 16> seen;
  SmallVector<Operation *> work;
  if (Operation *def = mask ? mask.getDefiningOp() : nullptr)
    work.push_back(def);
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    if (!seen.insert(op).second)
      continue;
    if (isa<DocumentsMaskOp, BlockLayoutMaskOp>(op)) {
      where = op;
      return true;
    }
    for (Value operand : op->getOperands())
      if (isa<MaskType>(operand.getType()) && operand.getDefiningOp())
        work.push_back(operand.getDefiningOp());
  }
  return false;
}

LogicalResult BlockLayoutMaskOp::verify() {
  for (auto [what, side] :
       {std::pair{"block_m", getBlockM()}, std::pair{"block_n", getBlockN()}})
    if (side < 16 || side > (int64_t(1) << 16) || side % 16 != 0)
      return emitOpError(what) << " must be a multiple of 16 in [16, 65536], "
                               << "got " << side;
  Operation *where = nullptr;
  if (Value partial = getPartial()) {
    Operation *def = partial.getDefiningOp();
    if (!def || def->getDialect() != (*this)->getDialect())
      return emitOpError("partial must be produced by a sattn.mask op");
    if (readsLaunchTensors(partial, where))
      return where->emitOpError("cannot be part of a block layout's partial "
                                "mask, which is static");
  }
  return success();
}

LogicalResult UnionMaskOp::verify() { return verifyCombiner(*this); }
LogicalResult IntersectMaskOp::verify() { return verifyCombiner(*this); }

int64_t AttentionOp::getHeadDim() {
  return cast<MemRefType>(getQ().getType()).getShape().back();
}

Type AttentionOp::getElementType() {
  return cast<MemRefType>(getQ().getType()).getElementType();
}

double AttentionOp::getEffectiveScale() {
  if (auto s = getScale())
    return s->convertToDouble();
  return 1.0 / std::sqrt(static_cast<double>(getHeadDim()));
}

SmallVector<std::pair<StringRef, Value>> AttentionOp::getLaunchTensors() {
  SmallVector<std::pair<StringRef, Value>> tensors;
  if (Value slopes = getAlibiSlopes())
    tensors.push_back({"alibi_slopes", slopes});
  if (Value sinks = getSinks())
    tensors.push_back({"sinks", sinks});
  if (DocumentsMaskOp docs = getDocuments()) {
    tensors.push_back({"cu_seqlens_q", docs.getCuSeqlensQ()});
    tensors.push_back({"cu_seqlens_k", docs.getCuSeqlensK()});
  }
  if (BlockLayoutMaskOp layout = getBlockLayout()) {
    tensors.push_back({"kv_num_blocks", layout.getKvNumBlocks()});
    tensors.push_back({"kv_indices", layout.getKvIndices()});
    tensors.push_back({"full_kv_num_blocks", layout.getFullKvNumBlocks()});
    tensors.push_back({"full_kv_indices", layout.getFullKvIndices()});
  }
  return tensors;
}

/// The op of type OpTy that is the mask or an operand of its outermost
/// intersect; null if none.
template <typename OpTy> static OpTy launchMaskOf(Value mask) {
  if (!mask)
    return {};
  if (auto found = mask.getDefiningOp<OpTy>())
    return found;
  if (auto meet = mask.getDefiningOp<IntersectMaskOp>())
    for (Value m : meet.getMasks())
      if (auto found = m.getDefiningOp<OpTy>())
        return found;
  return {};
}

BlockLayoutMaskOp AttentionOp::getBlockLayout() {
  return launchMaskOf<BlockLayoutMaskOp>(getMask());
}

DocumentsMaskOp AttentionOp::getDocuments() {
  return launchMaskOf<DocumentsMaskOp>(getMask());
}

/// Masks read at launch only narrow the others, so they may only be the
/// mask or an operand of its outermost intersect, once each: under a union
/// a query would see keys of other documents, or tiles a layout does not
/// list. Each mask op is looked at once, however often the DAG reuses it.
static LogicalResult verifyLaunchMaskPlacement(AttentionOp op) {
  Value mask = op.getMask();
  if (!mask)
    return success();
  Operation *root = mask.getDefiningOp();
  if (isa_and_nonnull<DocumentsMaskOp, BlockLayoutMaskOp>(root))
    return success();
  bool rootIsIntersect = isa_and_nonnull<IntersectMaskOp>(root);
  unsigned atRoot = 0, layoutsAtRoot = 0;
  llvm::SmallPtrSet<Operation *, 16> seen;
  SmallVector<Operation *> work;
  if (root)
    work.push_back(root);
  while (!work.empty()) {
    Operation *user = work.pop_back_val();
    if (!seen.insert(user).second)
      continue;
    for (Value operand : user->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (!def || !isa<MaskType>(operand.getType()))
        continue;
      if (!isa<DocumentsMaskOp, BlockLayoutMaskOp>(def)) {
        work.push_back(def);
        continue;
      }
      if (user != root || !rootIsIntersect)
        return def->emitOpError(
            "must be the attention's mask or an operand of its outermost "
            "sattn.mask.intersect (masks read at launch only narrow the "
            "other masks)");
      unsigned &count = isa<DocumentsMaskOp>(def) ? atRoot : layoutsAtRoot;
      if (++count > 1)
        return def->emitOpError("appears twice in the outermost intersect; ")
               << (isa<DocumentsMaskOp>(def)
                       ? "a pattern packs one set of documents"
                       : "a pattern reads one layout");
      // A layout's partial mask is static (its own verifier says so).
    }
  }
  if (atRoot && layoutsAtRoot)
    return op.emitOpError("documents and a block layout in one pattern are "
                          "not supported yet");
  return success();
}

LogicalResult AttentionOp::verify() {
  auto qType = cast<MemRefType>(getQ().getType());
  auto kType = cast<MemRefType>(getK().getType());
  for (auto [name, type] : {std::pair{"q", qType}, std::pair{"k", kType}}) {
    if (type.getRank() != 4)
      return emitOpError("operand '")
             << name << "' must be a 4-D memref [batch, heads, seq, "
             << "head_dim], got " << type;
    if (!type.getLayout().isIdentity())
      return emitOpError("operand '") << name << "' must be contiguous "
                                      << "(identity layout), got " << type;
  }
  if (qType.getElementType() != kType.getElementType())
    return emitOpError("q and k element types differ: ")
           << qType.getElementType() << " vs " << kType.getElementType();
  Type elt = qType.getElementType();
  if (!elt.isBF16() && !elt.isF16() && !elt.isF32())
    return emitOpError("unsupported element type ")
           << elt << " (supported: bf16, f16, f32)";
  int64_t d = qType.getShape()[3];
  if (ShapedType::isDynamic(d))
    return emitOpError("head_dim (the last dimension) must be static");
  if (d != 64 && d != 128)
    return emitOpError("unsupported head_dim ")
           << d << " (supported: 64, 128)";
  if (ShapedType::isDynamic(kType.getShape()[3]))
    return emitOpError("k/v head_dim (the last dimension) must be static");
  if (kType.getShape()[3] != d)
    return emitOpError("k/v head_dim ")
           << kType.getShape()[3] << " differs from q/o head_dim " << d;
  // Static dimensions that must agree: batch, and heads when both static.
  auto staticMismatch = [](int64_t a, int64_t b) {
    return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
  };
  if (staticMismatch(qType.getShape()[0], kType.getShape()[0]))
    return emitOpError("batch size of q (")
           << qType.getShape()[0] << ") and k (" << kType.getShape()[0]
           << ") differ";
  int64_t h = qType.getShape()[1], hkv = kType.getShape()[1];
  if (!ShapedType::isDynamic(h) && !ShapedType::isDynamic(hkv) &&
      (hkv == 0 || h % hkv != 0))
    return emitOpError("kv heads (")
           << hkv << ") must divide query heads (" << h << ")";
  if (auto s = getScale(); s && !(s->convertToDouble() > 0.0 &&
                                  std::isfinite(s->convertToDouble())))
    return emitOpError("scale must be a positive finite number");
  if (auto c = getSoftcap(); c && !(c->convertToDouble() > 0.0 &&
                                    std::isfinite(c->convertToDouble())))
    return emitOpError("softcap must be a positive finite number");
  if (Value m = getMask()) {
    Operation *def = m.getDefiningOp();
    if (!def || def->getDialect() != (*this)->getDialect())
      return emitOpError("mask must be produced by a sattn.mask op");
  }
  if (failed(verifyLaunchMaskPlacement(*this)))
    return failure();
  if (getDelta() && getBlockLayout())
    return emitOpError("the delta correction over a block layout is not "
                       "supported yet");
  if (Value reference = getReference()) {
    if (!getDelta())
      return emitOpError("has a reference mask but no delta correction (the "
                         "reference is the pattern of its dense rows)");
    Operation *def = reference.getDefiningOp();
    if (!def || def->getDialect() != (*this)->getDialect())
      return emitOpError("reference must be produced by a sattn.mask op");
    // The reference is static: its DAG may not read tensors at launch.
    Operation *where = nullptr;
    if (readsLaunchTensors(reference, where))
      return where->emitOpError("cannot be part of the delta correction's "
                                "reference, which is a static mask");
  }
  bool tensorSlopes = getAlibi() == AlibiSlopes::tensor;
  if (tensorSlopes != bool(getAlibiSlopes()))
    return emitOpError("takes the operand alibi_slopes exactly when alibi is "
                       "'tensor'");
  return success();
}

void AttentionOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
        &effects) {
  for (OpOperand *operand : {&getQMutable(), &getKMutable(), &getVMutable()})
    effects.emplace_back(MemoryEffects::Read::get(), operand,
                         SideEffects::DefaultResource::get());
  for (OpOperand &sinks : getSinksMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &sinks,
                         SideEffects::DefaultResource::get());
  for (OpOperand &slopes : getAlibiSlopesMutable())
    effects.emplace_back(MemoryEffects::Read::get(), &slopes,
                         SideEffects::DefaultResource::get());
  // The documents mask and a block layout only name their tensors, which
  // are not this op's operands; the kernels read them (a read of
  // unspecified memory).
  if (getDocuments() || getBlockLayout())
    effects.emplace_back(MemoryEffects::Read::get(),
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &getOMutable(),
                       SideEffects::DefaultResource::get());
}
