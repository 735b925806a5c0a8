//===- Compiler.h - The compile steps as a library -------------*- C++ -*-===//
//
// Spec or .mlir -> sattn module -> tiled SIMT form -> PTX -> cubin (ptxas),
// or -> LLVM dialect for the CPU backend. Every step returns a Status with
// the diagnostics it produced; nothing aborts. Used by sparse-opt, the JIT
// and the tests.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_DRIVER_COMPILER_H
#define SATTN_DRIVER_COMPILER_H

#include "Spec/PatternSpec.h"
#include "sattn/Manifest.h"
#include "sattn/Status.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <string>
#include <vector>

namespace sattn {

/// The compiler's version, recorded in manifests.
const char *compilerVersion();

/// Facts about the pattern that the manifest records.
struct PatternInfo {
  std::string name;
  std::string dtype;
  int64_t headDim = 0;
  std::string specHash;
  bool hasDelta = false;
  int64_t gamma = 0, tailMin = 0;
  /// What the kernels read at launch besides q, k, v (the manifest's
  /// "tensors"), from the attention op's operands.
  std::vector<TensorInfo> tensors;
};

/// Resource usage of one kernel as ptxas reports it.
struct KernelResources {
  std::string name;
  int64_t registers = -1, spillStoreBytes = -1, spillLoadBytes = -1,
          stackBytes = -1;
};

struct CubinResult {
  std::string cubin;
  std::vector<KernelResources> resources;
  std::string ptxasLog;
};

/// The target a module is lowered for: "host" (the CPU backend, the SIMT
/// form) or a GPU chip ("sm_80" .. "sm_90a"), which picks the pass list.
inline constexpr const char *kHostTarget = "host";

/// Query rows and keys per tile (0 leaves the choice to the compiler), the
/// opt-in key-loop schedules that are not yet the default (measured in
/// bench/RESULTS.md): give the full tiles a mask-free loop of their own, and
/// FA3's intra-warpgroup pipelining of wgmma key loops (without a producer
/// warpgroup only); and the sm_90a warp roles, on by default.
struct TileOptions {
  int64_t blockM = 0, blockN = 0;
  bool splitFullTiles = false;
  bool pipelineKeyLoops = false;
  /// sm_90a: a producer warpgroup issues the K / V fills and hands its
  /// registers to the computing warpgroups (setmaxnreg), where
  /// sattn-lower-tiles-mma finds it pays (masked programs, two warpgroups).
  bool producerWarpgroup = true;
  /// sm_90a, two computing warpgroups: they take turns at the tensor cores.
  bool pingPong = true;
  /// sm_90a: Q.K^T reads Q from shared memory where the policy finds it
  /// pays. Unlike the options above, turning it off keeps the launch
  /// variants (it changes how each is built, not which are built).
  bool stageQuery = true;
  /// sm_90a: a persistent grid for kernels of one thread block per SM
  /// (opt-in). Keeps the launch variants, as stageQuery.
  bool persistent = false;
  /// Tensor-core kernels rescale the accumulator only where a row's
  /// maximum grew (opt-in). Keeps the launch variants, as stageQuery.
  bool conditionalRescale = false;
};

/// Owns an MLIRContext with everything the pipelines need registered.
class CompilerSession {
public:
  CompilerSession();
  ~CompilerSession();
  mlir::MLIRContext &context() { return *ctx_; }

  /// The pattern level of a spec (func @<name> with sattn.attention).
  Result<mlir::OwningOpRef<mlir::ModuleOp>> importSpec(const PatternSpec &s);
  /// Parses and verifies .mlir text; `source` names it in messages.
  Result<mlir::OwningOpRef<mlir::ModuleOp>> parseMlir(const std::string &text,
                                                      const std::string &source);
  /// Reads the attention op of a pattern-level module (exactly one).
  Result<PatternInfo> describe(mlir::ModuleOp module,
                               const std::string &specHash);

  /// Pattern level -> per-lane kernels for `target` ("host" or a chip):
  /// classify, tile, and the target's tile lowering.
  Status lowerToKernels(mlir::ModuleOp module, const std::string &target,
                        TileOptions tiles = {});
  /// Warnings the last successful pipeline reported (options a kernel could
  /// not have), one per line; empty if none.
  const std::string &warnings() const { return warnings_; }
  /// The kernels of a lowered module, in launch order, for the manifest.
  std::vector<KernelInfo> kernelInfos(mlir::ModuleOp module);
  /// Pattern level -> the kernels of every launch variant for `target`
  /// (compileVariants), all in `module`, each variant's kernels after the
  /// first renamed <kernel>_v<i>; returns them with their variant and the
  /// variants' query-length ranges for the manifest.
  struct LoweredKernels {
    std::vector<KernelInfo> kernels;
    std::vector<LaunchVariant> variants;
  };
  Result<LoweredKernels> lowerToKernelVariants(mlir::ModuleOp module,
                                               const std::string &target,
                                               const PatternInfo &info,
                                               TileOptions tiles = {});
  /// Lowered kernels -> PTX text for `chip` (sm_80, sm_90a, ...).
  Result<std::string> lowerToPtx(mlir::ModuleOp module,
                                 const std::string &chip);
  /// SIMT kernels -> LLVM dialect for the host (CPU backend).
  Status lowerToHostLLVM(mlir::ModuleOp module);

  /// Runs a textual pass pipeline; diagnostics go into the Status.
  Status runPipeline(mlir::ModuleOp module, const std::string &pipeline,
                     const std::string &what);

private:
  std::unique_ptr<mlir::MLIRContext> ctx_;
  std::string warnings_;
};

/// One kernel set of a pattern: the options it is compiled with and the
/// query lengths it serves.
struct CompileVariant {
  LaunchVariant launch;
  TileOptions tiles;
};
/// The policy's launch variants for `target` when `requested` is the
/// default schedule; otherwise exactly one, with the caller's options (an
/// explicit tile shape or schedule names one kernel set).
std::vector<CompileVariant> compileVariants(const std::string &target,
                                            const PatternInfo &info,
                                            const TileOptions &requested);

/// The text pipelines of the steps above.
std::string frontendPipeline(const std::string &target, TileOptions tiles);
std::string gpuPipeline(const std::string &chip);
std::string hostPipeline();

/// Whether `chip` names a target we generate code for (sm_80 .. sm_90a).
bool isSupportedChip(const std::string &chip);

/// Runs ptxas on `ptx` for `chip` (found via $SATTN_PTXAS, $CUDA_HOME/bin,
/// PATH, /usr/local/cuda/bin).
Result<CubinResult> assemblePtx(const std::string &ptx,
                                const std::string &chip);

/// The manifest of a compiled pattern (cubin fields filled from `cubin`).
Manifest buildManifest(const PatternInfo &info,
                       std::vector<KernelInfo> kernels,
                       const std::string &chip, const CubinResult *cubin,
                       std::vector<LaunchVariant> variants = {
                           LaunchVariant{"default", 0, -1}});

} // namespace sattn

#endif
