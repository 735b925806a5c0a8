//===- Registration.h - Dialects and passes of the compiler ------*- C++ -*-===//
#ifndef SATTN_COMPILER_REGISTRATION_H
#define SATTN_COMPILER_REGISTRATION_H

namespace mlir {
class DialectRegistry;
}

namespace sattn {
/// Every dialect and external model the pipelines need (sattn, func, scf,
/// arith, memref, vector, math, gpu, nvvm, llvm and their translations).
void registerCompilerDialects(mlir::DialectRegistry &registry);
/// Our passes plus the upstream ones the pipelines use, so that sparse-opt
/// can run each of them by name.
void registerCompilerPasses();
} // namespace sattn

#endif
