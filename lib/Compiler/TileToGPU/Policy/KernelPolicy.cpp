//===- KernelPolicy.cpp - Tile shapes, warp roles, stages, registers ------===//
#include "Compiler/TileToGPU/Policy/KernelPolicy.h"

#include "llvm/ADT/StringSwitch.h"

#include <algorithm>

using namespace mlir;
using namespace mlir::sattn;
using namespace mlir::sattn::policy;

std::optional<Target> policy::targetOf(StringRef chip) {
  return llvm::StringSwitch<std::optional<Target>>(chip)
      .Case("host", Target::Host)
      .Cases({"sm_80", "sm_86", "sm_87", "sm_89", "sm_90"}, Target::MmaSync)
      .Case("sm_90a", Target::Wgmma)
      .Default(std::nullopt);
}

TileShape policy::chooseTileShape(Target target, bool tensorCoreInputs,
                                  int64_t headDim) {
  // 64 query rows: one lane per row in the SIMT form; four warps of 16 rows
  // with mma.sync; one warpgroup with wgmma, two CTAs per SM.
  TileShape shape{64, 0};
  if (target == Target::Host || !tensorCoreInputs) {
    // A lane keeps a row of scores, its query row and its accumulator in
    // registers: 32 keys at head_dim 128 stay under 255 registers.
    shape.blockN = headDim >= 128 ? 32 : 64;
  } else if (target == Target::Wgmma) {
    // Every key tile costs a rescale of the accumulator and two waits
    // whatever its width, so the widest tile that fits the registers.
    shape.blockN = headDim <= 128 ? 128 : 64;
  } else {
    shape.blockN = 64;
  }
  return shape;
}

namespace {

/// Shared memory per SM for thread blocks, and the most one block may have.
constexpr int64_t kSharedPerSm = 227 * 1024;

/// Dynamic shared memory of a kernel: its K/V slots (block_n x head_dim
/// 16-bit elements each), the Q tile when staged, the wgmma layout's
/// alignment pad and the mbarriers.
int64_t sharedBytes(const KernelConfig &c, const KernelFacts &f) {
  int64_t slots = (c.keyStages + c.valueStages) * f.blockN * f.headDim * 2;
  int64_t query = c.stageQuery ? f.blockM * f.headDim * 2 : 0;
  return slots + query + 1024 + 128;
}

/// Thread blocks per SM a kernel can have: one consumer warpgroup runs two
/// when both fit in shared memory (as many warps as one CTA of two
/// warpgroups), two consumer warpgroups one.
int64_t ctasPerSm(const KernelConfig &c, const KernelFacts &f,
                  int64_t consumerWarpgroups) {
  // 227 KiB of shared memory per SM for blocks; a slot is block_n x
  // head_dim 16-bit elements; the wgmma layout's alignment pad and the
  // mbarriers come on top.
  int64_t fit = std::max<int64_t>(1, kSharedPerSm / sharedBytes(c, f));
  return std::min<int64_t>(consumerWarpgroups == 1 ? 2 : 1, fit);
}

/// Registers per thread of a warp-specialised kernel. The CTA starts with
/// `entry` for every thread (ptxas's cap from the launch bounds: threads and
/// CTAs per SM); the producer hands all but `producerRegisters` back and the
/// consumers split the pool (setmaxnreg counts are multiples of 8 in
/// [24, 256]).
void splitRegisters(KernelConfig &c, int64_t consumerWarpgroups,
                    int64_t producerRegisters, int64_t ctas) {
  constexpr int64_t kRegistersPerSm = 65536;
  auto down8 = [](int64_t r) { return r / 8 * 8; };
  int64_t threads = (consumerWarpgroups + 1) * 128;
  int64_t entry =
      std::min<int64_t>(248, down8(kRegistersPerSm / (threads * ctas)));
  c.producerRegisters = producerRegisters;
  int64_t pool = entry * (consumerWarpgroups + 1) - c.producerRegisters;
  c.consumerRegisters =
      std::min<int64_t>(248, down8(pool / consumerWarpgroups));
  c.minCtasPerSm = ctas;
}

/// What the producer's loops keep live. Copying one key range [0, hi) fits
/// 24. A range with a lower end or in pieces (windows, sinks) spilled at 24
/// and keeps 32; next to two consumer warpgroups, whose key loops are split
/// (full tiles apart) and so are its copies, it spilled at 32 and keeps 40,
/// which costs the consumers nothing: (3 * 168 - 40) / 2 rounds down to the
/// same 232 as (3 * 168 - 32) / 2. The delta anchor kernel's two sets of
/// rows keep 40 too, as does a persistent grid's loop over instances,
/// which holds the shared-memory address of every slot (LLVM hoists them
/// out of it). Kernels over documents keep what bounded keys keep.
int64_t producerRegisters(const KernelFacts &f, int64_t consumerWarpgroups,
                          bool persistent) {
  if (persistent || f.role == ::sattn::KernelRole::DeltaAnchor)
    return 40;
  // Over documents the producer also searches the offsets for its
  // document and offsets every key row by the document's first: at 24 it
  // spilled.
  if (!f.masks.boundedKeys && f.role != ::sattn::KernelRole::DocumentAttention)
    return 24;
  return consumerWarpgroups > 1 ? 40 : 32;
}

void addNote(KernelConfig &c, const std::string &note) {
  c.note += (c.note.empty() ? "" : "; ") + note;
}

} // namespace

KernelConfig policy::chooseKernelConfig(Target target, const KernelFacts &f,
                                        const ScheduleRequest &request) {
  KernelConfig c;
  auto dropPipeline = [&](const std::string &why) {
    if (request.pipeline)
      c.dropped.push_back("pipelined key loops (" + why + ")");
  };
  auto dropPersistent = [&](const std::string &why) {
    if (request.persistent)
      c.dropped.push_back("a persistent grid (" + why + ")");
  };
  auto dropRescale = [&](const std::string &why) {
    if (request.conditionalRescale)
      c.dropped.push_back("conditional rescaling (" + why + ")");
  };
  if (target == Target::Host) {
    dropPipeline("the CPU backend runs the SIMT form");
    dropPersistent("the CPU backend runs every instance in a loop");
    dropRescale("the CPU backend runs the SIMT form");
    return c;
  }
  if (!f.whyNotTensorCores.empty()) {
    addNote(c, "SIMT: " + f.whyNotTensorCores);
    dropPipeline("no tensor cores for this kernel: " + f.whyNotTensorCores);
    dropPersistent("no tensor cores for this kernel: " + f.whyNotTensorCores);
    dropRescale("no tensor cores for this kernel: " + f.whyNotTensorCores);
    return c;
  }
  // wgmma m64nNk16: a warpgroup per 64 rows (one or two), head_dim in whole
  // 128-byte swizzle blocks, N up to 256.
  bool wgmmaShape = (f.blockM == 64 || f.blockM == 128) &&
                    f.headDim % 64 == 0 && f.headDim <= 256 &&
                    f.blockN % 16 == 0 && f.blockN <= 256;
  c.mainloop = target == Target::Wgmma && wgmmaShape ? MainloopKind::wgmma
                                                     : MainloopKind::mma_sync;
  if (target == Target::Wgmma && !wgmmaShape)
    addNote(c, "mma.sync: wgmma needs block_m 64 or 128, head_dim a multiple "
               "of 64 up to 256, block_n a multiple of 16 up to 256");
  // Opt-in until measured: a vote and a branch per key tile against the
  // accumulator's multiplies (64 a thread at head_dim 128) in the tiles
  // where no row of the warp has a new maximum.
  c.conditionalRescale = request.conditionalRescale;
  // K double-buffered (the next tile's copy overlaps this one's products),
  // one V buffer.
  c.staging = StagingKind::cp_async;
  c.keyStages = 2;
  c.valueStages = 1;
  int64_t warpgroups = f.blockM / 64;
  if (c.mainloop == MainloopKind::wgmma) {
    if (f.whyNotTma.empty())
      c.staging = StagingKind::tma;
    else
      addNote(c, "cp.async: " + f.whyNotTma);
  }
  if (c.staging == StagingKind::tma) {
    c.pingPong = warpgroups == 2 && request.pingPong;
    // A producer warpgroup pays where the consumers have more than products
    // and softmax to do (masked key loops) or share their stages; dense
    // kernels of one warpgroup and the delta anchor kernel (two query row
    // sets, more registers than a producer leaves one consumer) fill their
    // own stages.
    c.producer =
        request.producer &&
        (warpgroups > 1 ||
         (f.masks.masked && f.role != ::sattn::KernelRole::DeltaAnchor));
    // Q.K^T with Q in shared memory frees the registers of Q's fragment
    // (32 a thread at head_dim 128), which two consumer warpgroups sharing
    // an SM's registers with a producer need; one warpgroup has registers
    // to spare, and its second CTA per SM would not fit the extra shared
    // memory. The delta anchor kernel reads two sets of query rows.
    c.stageQuery = request.stageQuery && c.mainloop == MainloopKind::wgmma &&
                   warpgroups > 1 && f.role != ::sattn::KernelRole::DeltaAnchor;
    // Two warpgroups drift apart by up to a tile: rings of three of each,
    // or two where three do not fit (wide key tiles).
    if (warpgroups > 1) {
      c.keyStages = c.valueStages = 3;
      if (sharedBytes(c, f) > kSharedPerSm)
        c.keyStages = c.valueStages = 2;
    }
  }
  if (request.pipeline) {
    // P.V of tile i-1 reads its value slot while V[i] is filled: two value
    // slots at least, handed back on release barriers.
    if (c.staging != StagingKind::tma) {
      dropPipeline("needs wgmma with TMA staging");
    } else if (f.role == ::sattn::KernelRole::DeltaAnchor) {
      // Its two sets of query rows leave no registers for the next tile's
      // scores in flight (it spilled); the request stands for the main
      // kernel of the pair, so this is a note, not a warning.
      addNote(c, "not pipelined: the delta anchor kernel's registers");
    } else {
      c.pipeline = true;
      c.valueStages = std::max<int64_t>(c.valueStages, 2);
    }
  }
  if (c.producer) {
    int64_t ctas = ctasPerSm(c, f, warpgroups);
    // Asked for: with one block per SM, an SM idles from one block's last
    // products until the next block's first tiles have landed; resident
    // blocks that go on to their next instance let the producer load it
    // meanwhile. Blocks of one warpgroup run two per SM, which already
    // overlaps one's epilogue with the other's mainloop. Opt-in: the
    // overlap is set against the 8 registers a thread the consumers give
    // up, and a static stride balances causal work worse than the
    // hardware's greedy dispatch of a block per instance.
    // The producer of a persistent grid keeps 40 registers (see
    // producerRegisters), which leaves two consumer warpgroups 232: a
    // softcap's tanh and the scores of pipelined key loops spill there, so
    // those kernels keep a block per instance and 240. So do kernels whose
    // producer needs more than 24 of its own (more than one key range
    // [0, hi): windows, sinks, the delta anchor's two sets of rows): they
    // spilled on a persistent grid.
    bool oneKeyRange =
        producerRegisters(f, warpgroups, /*persistent=*/false) == 24;
    // Over documents each instance first searches the offsets for its
    // document; the persistent grid has not been built or measured with
    // that prologue, so those kernels keep a block per instance.
    bool documents = f.role == ::sattn::KernelRole::DocumentAttention;
    c.persistent = request.persistent && ctas == 1 && !f.softcap &&
                   !c.pipeline && oneKeyRange && !documents &&
                   !f.listedKeyTiles;
    if (documents)
      dropPersistent("not built for kernels over documents");
    else if (f.listedKeyTiles)
      dropPersistent("not built for key loops over a block layout's lists");
    else if (ctas > 1)
      dropPersistent("two blocks of this kernel fit an SM");
    else if (f.softcap)
      dropPersistent("a softcap's consumers need 240 registers");
    else if (c.pipeline)
      dropPersistent("pipelined consumers need 240 registers");
    else if (!oneKeyRange)
      dropPersistent("a producer of several key ranges needs more than 40 "
                     "registers");
    splitRegisters(c, warpgroups,
                   producerRegisters(f, warpgroups, c.persistent), ctas);
    // Instances in the hardware's own order (every query tile of a head,
    // heaviest first, before the next head): blocks running at once read
    // the same K/V from L2, where every head's heaviest tile first
    // (head_fastest) spreads them over all heads' K/V.
  } else {
    dropPersistent("no producer warpgroup to load the next instance");
  }
  return c;
}

bool policy::splitFullTiles(Target target, const ScheduleRequest &request,
                            bool split) {
  return split || (target == Target::Wgmma && request.pipeline);
}

std::vector<LaunchVariantChoice> policy::launchVariants(Target target,
                                                        const PatternFacts &f) {
  std::vector<LaunchVariantChoice> single = {{"64-row", 0, false, 0, -1}};
  // Other forms exist only for the bf16/f16 head_dim-128 wgmma kernels.
  // The delta pair keeps one form: its 128-row form splits the anchor
  // kernel's two key loops too (the split is decided for the whole
  // pattern), which multiplies ptxas's time, and a compile of the pair is
  // to stay under 2 s.
  if (target != Target::Wgmma || !f.tensorCoreInputs || f.headDim != 128 ||
      f.delta)
    return single;
  // Long sequences: 128-row tiles, two consumer warpgroups taking turns, a
  // producer, Q.K[i]^T issued beside P[i-1].V[i-1] (FA3's schedule), for
  // every mask. The consumers' instructions per product
  // are what the second warpgroup and the pipelining hide, and with the
  // k-steps' descriptors a constant apart there are few enough of them that
  // this form leads from a few thousand rows on. Short sequences keep 64-row
  // tiles: twice the blocks, two per SM, where a grid of 128-row blocks
  // would leave SMs idle or run one partial wave.
  constexpr int64_t split = 2048;
  return {{"64-row", 0, false, 0, split},
          {"128-row-pipelined", 128, true, split, -1}};
}
