//===- SpecImport.cpp - PatternSpec -> sattn dialect ----------------------===//
#include "Compiler/Import/SpecImport.h"

#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

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

/// The function's launch-tensor arguments by name (launchTensors order).
using TensorArgs = llvm::StringMap<Value>;

/// Emits the mask ops of `m` bottom-up and returns the root value; masks
/// read at launch take their tensors from `tensors`.
Value emitMask(OpBuilder &b, Location loc, const ::sattn::MaskExpr &m,
               const TensorArgs &tensors) {
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
    return mlir::sattn::DocumentsMaskOp::create(
        b, loc, tensors.lookup("cu_seqlens_q"), tensors.lookup("cu_seqlens_k"));
  case Kind::BlockLayout: {
    Value partial =
        m.children.empty() ? Value() : emitMask(b, loc, m.children[0], tensors);
    return mlir::sattn::BlockLayoutMaskOp::create(
        b, loc, tensors.lookup("kv_num_blocks"), tensors.lookup("kv_indices"),
        tensors.lookup("full_kv_num_blocks"), tensors.lookup("full_kv_indices"),
        partial, b.getI64IntegerAttr(m.blockRows),
        b.getI64IntegerAttr(m.blockCols));
  }
  case Kind::Union:
  case Kind::Intersect: {
    SmallVector<Value> children;
    for (const ::sattn::MaskExpr &c : m.children)
      children.push_back(emitMask(b, loc, c, tensors));
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
  // The launch tensors follow q, k, v, o in launchTensors order (ALiBi's
  // slopes, the sinks' logits, the documents' offsets, a block layout's
  // lists), each flat.
  const std::vector<::sattn::LaunchTensor> launch =
      ::sattn::launchTensors(spec);
  for (const ::sattn::LaunchTensor &t : launch)
    params.push_back(
        MemRefType::get({dyn}, t.dtype == ::sattn::TensorDType::F32
                                   ? Type(Float32Type::get(&ctx))
                                   : Type(IntegerType::get(&ctx, 32))));
  bool tensorSlopes = spec.alibi == ::sattn::PatternSpec::AlibiSlopes::Tensor;
  auto fn =
      func::FuncOp::create(b, loc, spec.name, b.getFunctionType(params, {}));
  Block *entry = fn.addEntryBlock();
  b.setInsertionPointToStart(entry);
  TensorArgs tensors;
  for (auto [i, t] : llvm::enumerate(launch))
    tensors[t.name] = entry->getArgument(4 + i);
  Value mask = spec.mask ? emitMask(b, loc, *spec.mask, tensors) : Value();
  // The delta correction's reference: causal unless the spec says.
  Value reference;
  if (spec.delta && spec.delta->denseReference)
    reference = mlir::sattn::AllMaskOp::create(b, loc);
  else if (spec.delta && spec.delta->reference)
    reference = emitMask(b, loc, *spec.delta->reference, tensors);
  auto op = mlir::sattn::AttentionOp::create(
      b, loc, entry->getArgument(0), entry->getArgument(1),
      entry->getArgument(2), entry->getArgument(3), mask, reference,
      tensors.lookup("alibi_slopes"), tensors.lookup("sinks"),
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
