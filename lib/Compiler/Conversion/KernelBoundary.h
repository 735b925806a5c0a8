//===- KernelBoundary.h - One pointer per buffer at kernel entry -*- C++ -*-===//
//
// The kernel ABI passes each flat buffer as one pointer. MLIR's bare-pointer
// calling convention only accepts statically shaped memrefs, so kernels take
// !llvm.ptr parameters and rebuild the memref<?xT> descriptor (offset 0,
// stride 1) at entry; the cast back to the memref type folds away when the
// memrefs are converted to LLVM. Shared by the GPU and CPU conversions.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_CONVERSION_KERNELBOUNDARY_H
#define SATTN_CONVERSION_KERNELBOUNDARY_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace mlir::sattn {

/// `memref<?xT>` built from a pointer parameter.
Value bufferFromPointer(OpBuilder &b, Location loc, Value ptr,
                        MemRefType type);

/// `inputs` with every memref replaced by !llvm.ptr.
SmallVector<Type> pointerParams(TypeRange inputs);

/// Rewrites the entry block of a function-like op whose memref arguments
/// become pointers: retypes the arguments and rebuilds the memrefs.
void convertBufferArgsToPointers(Block &entry);

} // namespace mlir::sattn

#endif
