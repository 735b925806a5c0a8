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
  return tensors;
}

DocumentsMaskOp AttentionOp::getDocuments() {
  Value mask = getMask();
  if (!mask)
    return {};
  if (auto docs = mask.getDefiningOp<DocumentsMaskOp>())
    return docs;
  if (auto meet = mask.getDefiningOp<IntersectMaskOp>())
    for (Value m : meet.getMasks())
      if (auto docs = m.getDefiningOp<DocumentsMaskOp>())
        return docs;
  return {};
}

/// Documents narrow every other mask to one document's keys, so they may
/// only be the mask or an operand of its outermost intersect, once: under a
/// union a query would see keys of other documents. Each mask op is looked
/// at once, however often the DAG reuses it.
static LogicalResult verifyDocumentsPlacement(AttentionOp op) {
  Value mask = op.getMask();
  if (!mask || mask.getDefiningOp<DocumentsMaskOp>())
    return success();
  Operation *root = mask.getDefiningOp();
  bool rootIsIntersect = isa_and_nonnull<IntersectMaskOp>(root);
  unsigned atRoot = 0;
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
      if (!isa<DocumentsMaskOp>(def)) {
        work.push_back(def);
        continue;
      }
      if (user != root || !rootIsIntersect)
        return def->emitOpError(
            "must be the attention's mask or an operand of its outermost "
            "sattn.mask.intersect (documents only narrow the other masks; "
            "under a union a query would see keys of other documents)");
      if (++atRoot > 1)
        return def->emitOpError("appears twice in the outermost intersect; "
                                "a pattern packs one set of documents");
    }
  }
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
  if (failed(verifyDocumentsPlacement(*this)))
    return failure();
  if (Value reference = getReference()) {
    if (!getDelta())
      return emitOpError("has a reference mask but no delta correction (the "
                         "reference is the pattern of its dense rows)");
    Operation *def = reference.getDefiningOp();
    if (!def || def->getDialect() != (*this)->getDialect())
      return emitOpError("reference must be produced by a sattn.mask op");
    // The reference is static: its DAG may not read documents.
    llvm::SmallPtrSet<Operation *, 16> seen;
    SmallVector<Operation *> work = {def};
    while (!work.empty()) {
      Operation *op = work.pop_back_val();
      if (!seen.insert(op).second)
        continue;
      if (isa<DocumentsMaskOp>(op))
        return op->emitOpError("cannot be part of the delta correction's "
                               "reference, which is a static mask");
      for (Value operand : op->getOperands())
        if (isa<MaskType>(operand.getType()) && operand.getDefiningOp())
          work.push_back(operand.getDefiningOp());
    }
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
  // The documents mask only names its offsets, which are not this op's
  // operands; the kernels read them (a read of unspecified memory).
  if (getDocuments())
    effects.emplace_back(MemoryEffects::Read::get(),
                         SideEffects::DefaultResource::get());
  effects.emplace_back(MemoryEffects::Write::get(), &getOMutable(),
                       SideEffects::DefaultResource::get());
}
