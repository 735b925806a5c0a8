//===- KernelBoundary.cpp - One pointer per buffer at kernel entry --------===//
#include "Compiler/Conversion/KernelBoundary.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

#include <limits>

namespace mlir::sattn {

Value bufferFromPointer(OpBuilder &b, Location loc, Value ptr,
                        MemRefType type) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto sizes = LLVM::LLVMArrayType::get(i64, 1);
  Type ptrType = ptr.getType();
  auto descType = LLVM::LLVMStructType::getLiteral(
      ctx, {ptrType, ptrType, i64, sizes, sizes});
  auto c = [&](int64_t v) {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  Value d = LLVM::PoisonOp::create(b, loc, descType);
  d = LLVM::InsertValueOp::create(b, loc, d, ptr, ArrayRef<int64_t>{0});
  d = LLVM::InsertValueOp::create(b, loc, d, ptr, ArrayRef<int64_t>{1});
  d = LLVM::InsertValueOp::create(b, loc, d, c(0), ArrayRef<int64_t>{2});
  // The extent is unknown at the kernel boundary; no lowering reads it.
  d = LLVM::InsertValueOp::create(
      b, loc, d, c(std::numeric_limits<int64_t>::max()),
      ArrayRef<int64_t>{3, 0});
  d = LLVM::InsertValueOp::create(b, loc, d, c(1), ArrayRef<int64_t>{4, 0});
  return UnrealizedConversionCastOp::create(b, loc, type, d).getResult(0);
}

SmallVector<Type> pointerParams(TypeRange inputs) {
  SmallVector<Type> out;
  for (Type t : inputs)
    out.push_back(isa<MemRefType>(t)
                      ? Type(LLVM::LLVMPointerType::get(t.getContext()))
                      : t);
  return out;
}

void convertBufferArgsToPointers(Block &entry) {
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  for (BlockArgument arg : entry.getArguments()) {
    auto memref = dyn_cast<MemRefType>(arg.getType());
    if (!memref)
      continue;
    SmallVector<OpOperand *> uses;
    for (OpOperand &use : arg.getUses())
      uses.push_back(&use);
    arg.setType(LLVM::LLVMPointerType::get(b.getContext()));
    Value buffer = bufferFromPointer(b, arg.getLoc(), arg, memref);
    for (OpOperand *use : uses)
      use->set(buffer);
  }
}

} // namespace mlir::sattn
