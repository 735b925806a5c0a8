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

/// How the tiled form becomes per-lane code.
enum class TileLowering {
  Simt,    ///< One query row per lane: the CPU backend (runs anywhere).
  MmaSync, ///< mma.sync warps (GPU, sm_80+); SIMT for the kernels it
           ///< cannot take (f32 inputs).
  Wgmma,   ///< wgmma warpgroups (sm_90a) where the shapes allow, else as
           ///< MmaSync.
};

/// The tensor-core lowering for a GPU chip (sm_90a: Wgmma, else MmaSync).
TileLowering tileLoweringForChip(const std::string &chip);

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

  /// Pattern level -> per-lane kernels (classify, tile, lower tiles).
  Status lowerToKernels(mlir::ModuleOp module, TileLowering lowering,
                        TileOptions tiles = {});
  /// The kernels of a lowered module, in launch order, for the manifest.
  std::vector<KernelInfo> kernelInfos(mlir::ModuleOp module);
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
};

/// The text pipelines of the steps above.
std::string frontendPipeline(TileLowering lowering, TileOptions tiles);
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
                       const std::string &chip, const CubinResult *cubin);

} // namespace sattn

#endif
