//===- Passes.h - sattn passes -----------------------------------*- C++ -*-===//
#ifndef SATTN_TRANSFORMS_PASSES_H
#define SATTN_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"
#include "sattn/IR/Sattn.h"

namespace mlir {
class RewritePatternSet;
class TypeConverter;
namespace sattn {

#define GEN_PASS_DECL
#include "sattn/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "sattn/Transforms/Passes.h.inc"

/// Tile ops -> one-row-per-lane vector code (sattn-lower-tiles-simt).
void populateLowerTilesToSIMTPatterns(TypeConverter &converter,
                                      RewritePatternSet &patterns);

} // namespace sattn
} // namespace mlir

#endif // SATTN_TRANSFORMS_PASSES_H
