//===- KernelPolicy.h - Tile shapes, warp roles, stages --------*- C++ -*-===//
//
// The one place where the GPU kernels' tuning lives (as FlashAttention-3's
// tile_size.h and heuristics.h): pure functions of the chip, the kernel's
// facts (KernelFacts.h) and the caller's schedule options. The passes carry
// out what these return and decide nothing themselves. The evidence for
// each choice is in bench/RESULTS.md.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TILETOGPU_POLICY_KERNELPOLICY_H
#define SATTN_TILETOGPU_POLICY_KERNELPOLICY_H

#include "Compiler/TileToGPU/Policy/KernelFacts.h"

#include <string>
#include <vector>

namespace mlir::sattn::policy {

/// What a chip offers the kernels.
enum class Target {
  Host,    ///< the CPU backend: one lane per query row
  MmaSync, ///< sm_80 .. sm_90: mma.sync, cp.async
  Wgmma,   ///< sm_90a: wgmma, TMA, setmaxnreg
};
/// The target of a chip name ("host", "sm_80", ..., "sm_90a"); nullopt for
/// an unknown name.
std::optional<Target> targetOf(StringRef chip);

struct TileShape {
  int64_t blockM = 0, blockN = 0;
};
/// Query rows and keys per tile for a pattern of `headDim` whose inputs are
/// bf16 / f16 (`tensorCoreInputs`) or f32.
TileShape chooseTileShape(Target target, bool tensorCoreInputs,
                          int64_t headDim);

/// What the caller asks of the schedule (sparse-opt's flags): the producer
/// warpgroup, the ping-pong of two consumer warpgroups and Q in shared
/// memory where they pay (on unless turned off), FA3's intra-warpgroup
/// pipelining and the persistent grid (opt-in).
struct ScheduleRequest {
  bool producer = true;
  bool pingPong = true;
  bool pipeline = false;
  bool stageQuery = true;
  bool persistent = false;
  bool conditionalRescale = false;
};

/// The decisions #sattn.kernel_config records (see its description).
struct KernelConfig {
  MainloopKind mainloop = MainloopKind::simt;
  StagingKind staging = StagingKind::none;
  int64_t keyStages = 0, valueStages = 0;
  bool producer = false;
  int64_t producerRegisters = 0, consumerRegisters = 0, minCtasPerSm = 0;
  bool pipeline = false, pingPong = false, stageQuery = false;
  bool persistent = false;
  WorkOrder workOrder = WorkOrder::query_tile_fastest;
  bool conditionalRescale = false;
  /// Why the kernel did not get what its target offers (kept in the IR).
  std::string note;
  /// Options the caller asked for that this kernel cannot have (reported
  /// as warnings).
  std::vector<std::string> dropped;
};

KernelConfig chooseKernelConfig(Target target, const KernelFacts &facts,
                                const ScheduleRequest &request);

/// What the launch variants depend on: the pattern before tiling.
struct PatternFacts {
  bool tensorCoreInputs = false;
  int64_t headDim = 0;
  /// The delta correction's pair of kernels.
  bool delta = false;
};

/// One kernel set of a pattern and the query lengths [minSeqQ, maxSeqQ)
/// (maxSeqQ -1: unbounded) it serves; blockM 0 leaves the tile shape to
/// chooseTileShape.
struct LaunchVariantChoice {
  std::string name;
  int64_t blockM = 0;
  bool pipeline = false;
  int64_t minSeqQ = 0, maxSeqQ = -1;
};
/// The variants a pattern is compiled in when the caller leaves the
/// schedule to the compiler (one, unless the chip's kernels measured
/// faster in another form at other lengths).
std::vector<LaunchVariantChoice> launchVariants(Target target,
                                                const PatternFacts &facts);

/// Whether sattn-tile-flash gives each key loop's full tiles a loop of
/// their own (`split` asks for it): a pipelined key loop must be
/// straight-line (ptxas waits for every product in flight where control
/// flow merges), so pipelining on the GPU splits them.
bool splitFullTiles(Target target, const ScheduleRequest &request, bool split);

} // namespace mlir::sattn::policy

#endif // SATTN_TILETOGPU_POLICY_KERNELPOLICY_H
