//===- SpecImport.h - PatternSpec -> sattn dialect ---------------*- C++ -*-===//
#ifndef SATTN_IMPORT_SPECIMPORT_H
#define SATTN_IMPORT_SPECIMPORT_H

#include "Spec/PatternSpec.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace sattn {

/// Builds `func.func @<name>(q, k, v, o)` holding the mask ops and one
/// sattn.attention; buffers are memref<?x?x?x<head_dim>x<dtype>>.
mlir::OwningOpRef<mlir::ModuleOp> importPatternSpec(const PatternSpec &spec,
                                                    mlir::MLIRContext &ctx);

} // namespace sattn

#endif
