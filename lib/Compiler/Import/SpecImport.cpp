//===- SpecImport.cpp - PatternSpec -> sattn dialect ----------------------===//
#include "Compiler/Import/SpecImport.h"

#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

Type elementTypeOf(::sattn::DType t, MLIRContext &ctx) {
  switch (t) {
  case ::sattn::DType::BF16:
    return BFloat16Type::get(&ctx);
  case ::sattn::DType::F16:
    return Float16Type::get(&ctx);
  case ::sattn::DType::F32:
    return Float32Type::get(&ctx);
  }
  return {};
}

/// Emits the mask ops of `m` bottom-up and returns the root value;
/// `offsets` are the documents' cu_seqlens_q and cu_seqlens_k.
Value emitMask(OpBuilder &b, Location loc, const ::sattn::MaskExpr &m,
               std::pair<Value, Value> offsets) {
  using Kind = ::sattn::MaskExpr::Kind;
  switch (m.kind) {
  case Kind::Causal:
    return mlir::sattn::CausalMaskOp::create(b, loc);
  case Kind::Window:
    return mlir::sattn::WindowMaskOp::create(
        b, loc, b.getI64IntegerAttr(m.left), b.getI64IntegerAttr(m.right),
        m.dilation != 1 ? b.getI64IntegerAttr(m.dilation) : IntegerAttr());
  case Kind::Sink:
    return mlir::sattn::SinkMaskOp::create(b, loc, b.getI64IntegerAttr(m.tokens));
  case Kind::Chunk:
    return mlir::sattn::ChunkMaskOp::create(b, loc,
                                            b.getI64IntegerAttr(m.tokens));
  case Kind::PrefixLM: {
    // Bidirectional over the prefix, causal after it: causal | sink{P}.
    Value causal = mlir::sattn::CausalMaskOp::create(b, loc);
    Value prefix =
        mlir::sattn::SinkMaskOp::create(b, loc, b.getI64IntegerAttr(m.tokens));
    return mlir::sattn::UnionMaskOp::create(b, loc, ValueRange{causal, prefix});
  }
  case Kind::Documents:
    return mlir::sattn::DocumentsMaskOp::create(b, loc, offsets.first,
                                                offsets.second);
  case Kind::Union:
  case Kind::Intersect: {
    SmallVector<Value> children;
    for (const ::sattn::MaskExpr &c : m.children)
      children.push_back(emitMask(b, loc, c, offsets));
    if (m.kind == Kind::Union)
      return mlir::sattn::UnionMaskOp::create(b, loc, children);
    return mlir::sattn::IntersectMaskOp::create(b, loc, children);
  }
  }
  return {};
}

} // namespace

namespace sattn {
OwningOpRef<ModuleOp> importPatternSpec(const PatternSpec &spec,
                                               MLIRContext &ctx) {
  Location loc = FileLineColLoc::get(&ctx, spec.name + ".json", 1, 1);
  OpBuilder b(&ctx);
  OwningOpRef<ModuleOp> module = ModuleOp::create(b, loc);
  b.setInsertionPointToEnd(module->getBody());
  int64_t dyn = ShapedType::kDynamic;
  auto buffer = MemRefType::get({dyn, dyn, dyn, spec.headDim},
                                elementTypeOf(spec.dtype, ctx));
  SmallVector<Type> params = {buffer, buffer, buffer, buffer};
  // The launch tensors follow q, k, v, o in launchTensors order: ALiBi's
  // slopes, then the sinks' logits, each f32 [H].
  auto perHead = MemRefType::get({dyn}, Float32Type::get(&ctx));
  bool tensorSlopes = spec.alibi == ::sattn::PatternSpec::AlibiSlopes::Tensor;
  if (tensorSlopes)
    params.push_back(perHead);
  if (spec.learnableSinks)
    params.push_back(perHead);
  // Then the documents' offsets, int32 [B, Nd + 1] each, flat.
  bool documents = ::sattn::hasDocuments(spec);
  if (documents)
    params.append(2, MemRefType::get({dyn}, IntegerType::get(&ctx, 32)));
  auto fn =
      func::FuncOp::create(b, loc, spec.name, b.getFunctionType(params, {}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  std::pair<Value, Value> offsets;
  if (documents)
    offsets = {entry->getArgument(entry->getNumArguments() - 2),
               entry->getArgument(entry->getNumArguments() - 1)};
  Value mask = spec.mask ? emitMask(b, loc, *spec.mask, offsets) : Value();
  // The delta correction's reference: causal unless the spec says.
  Value reference;
  if (spec.delta && spec.delta->denseReference)
    reference = mlir::sattn::AllMaskOp::create(b, loc);
  else if (spec.delta && spec.delta->reference)
    reference = emitMask(b, loc, *spec.delta->reference, offsets);
  auto op = mlir::sattn::AttentionOp::create(
      b, loc, entry->getArgument(0), entry->getArgument(1),
      entry->getArgument(2), entry->getArgument(3), mask, reference,
      tensorSlopes ? entry->getArgument(4) : Value(),
      spec.learnableSinks ? entry->getArgument(tensorSlopes ? 5 : 4) : Value(),
      b.getF64FloatAttr(spec.effectiveScale()),
      spec.softcap ? b.getF64FloatAttr(*spec.softcap) : FloatAttr(),
      mlir::sattn::ActivationKindAttr::get(
          &ctx, mlir::sattn::ActivationKind::softmax),
      !spec.alibi
          ? mlir::sattn::AlibiSlopesAttr()
          : mlir::sattn::AlibiSlopesAttr::get(
                &ctx, tensorSlopes ? mlir::sattn::AlibiSlopes::tensor
                                   : mlir::sattn::AlibiSlopes::geometric),
      spec.delta ? mlir::sattn::DeltaAttr::get(&ctx, spec.delta->gamma,
                                               spec.delta->tailMin)
                 : mlir::sattn::DeltaAttr(),
      mlir::sattn::TilePlanAttr());
  (void)op;
  func::ReturnOp::create(b, loc);
  return module;
}
} // namespace sattn
