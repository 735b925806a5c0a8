//===- CpuKernels.h - The CPU backend: JIT-compiled kernels ------*- C++ -*-===//
//
// The same SIMT kernels as the GPU path, lowered to host LLVM and compiled
// in-process by MLIR's ExecutionEngine. Kernels take the manifest's ABI, so
// the runtime's launch plan (validation, argument order, delta rows) serves
// both backends.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_BACKEND_CPUKERNELS_H
#define SATTN_BACKEND_CPUKERNELS_H

#include "Compiler/Jit.h"
#include "sattn/Manifest.h"
#include "sattn/Status.h"

#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <mutex>
#include <vector>

namespace mlir {
class ExecutionEngine;
}

namespace sattn {

class CpuKernels {
public:
  /// `module` must be in the LLVM dialect (CompilerSession::lowerToHostLLVM).
  static Result<std::unique_ptr<CpuKernels>> create(mlir::ModuleOp module,
                                                    Manifest manifest);
  ~CpuKernels();
  const Manifest &manifest() const { return manifest_; }
  /// Runs every kernel of the plan on host buffers. Allocates the delta
  /// workspace itself when none is given.
  Status launch(const AttentionShape &shape, LaunchBuffers bufs);

private:
  CpuKernels() = default;
  Manifest manifest_;
  std::unique_ptr<mlir::ExecutionEngine> engine_;
  std::mutex workspaceMutex_;
  std::vector<float> workspace_;
};

/// The kernels as a Kernel: what the Jit hands out for Backend::Cpu, and
/// how tests run kernels compiled by a pipeline of their own.
std::unique_ptr<Kernel> makeCpuKernel(std::unique_ptr<CpuKernels> kernels);

} // namespace sattn

#endif
