//===- KernelPolicyTest.cpp - The GPU policy as a pure function -----------===//
//
// policy::chooseKernelConfig and chooseTileShape decide from a kernel's
// facts alone; these tests pin each rule (which kernels get a producer,
// the register splits, stage counts, what an option the kernel cannot have
// reports). The expected values come from the rules as documented in
// KernelPolicy.cpp and bench/RESULTS.md, not from running the code.
//
//===----------------------------------------------------------------------===//
#include "Compiler/TileToGPU/Policy/KernelPolicy.h"

#include <gtest/gtest.h>

using namespace mlir::sattn;
using namespace mlir::sattn::policy;
using ::sattn::KernelRole;

namespace {

KernelFacts facts(int64_t blockM = 64, bool masked = false,
                  bool boundedKeys = false,
                  KernelRole role = KernelRole::Attention) {
  KernelFacts f;
  f.role = role;
  f.blockM = blockM;
  f.blockN = 128;
  f.headDim = 128;
  f.masks.masked = masked;
  f.masks.boundedKeys = boundedKeys;
  return f;
}

TEST(KernelPolicy, ChipNames) {
  EXPECT_EQ(targetOf("host"), Target::Host);
  EXPECT_EQ(targetOf("sm_80"), Target::MmaSync);
  EXPECT_EQ(targetOf("sm_90"), Target::MmaSync);
  EXPECT_EQ(targetOf("sm_90a"), Target::Wgmma);
  EXPECT_EQ(targetOf("sm_70"), std::nullopt);
}

TEST(KernelPolicy, TileShapes) {
  EXPECT_EQ(chooseTileShape(Target::Host, true, 128).blockN, 32);
  EXPECT_EQ(chooseTileShape(Target::Host, true, 64).blockN, 64);
  EXPECT_EQ(chooseTileShape(Target::MmaSync, true, 128).blockN, 64);
  EXPECT_EQ(chooseTileShape(Target::Wgmma, true, 128).blockN, 128);
  EXPECT_EQ(chooseTileShape(Target::Wgmma, true, 256).blockN, 64);
  // f32 keeps the SIMT shape on any chip.
  EXPECT_EQ(chooseTileShape(Target::Wgmma, false, 128).blockN, 32);
  EXPECT_EQ(chooseTileShape(Target::Wgmma, true, 128).blockM, 64);
}

TEST(KernelPolicy, HostAndNonTensorCoreKernelsAreSimt) {
  EXPECT_EQ(chooseKernelConfig(Target::Host, facts(), {}).mainloop,
            MainloopKind::simt);
  KernelFacts f32 = facts();
  f32.whyNotTensorCores = "keys that are not bf16 or f16";
  KernelConfig c = chooseKernelConfig(Target::Wgmma, f32, {});
  EXPECT_EQ(c.mainloop, MainloopKind::simt);
  EXPECT_EQ(c.staging, StagingKind::none);
  EXPECT_EQ(c.note, "SIMT: keys that are not bf16 or f16");
  EXPECT_TRUE(c.dropped.empty());
}

TEST(KernelPolicy, Sm80IsMmaSyncWithCpAsync) {
  KernelConfig c = chooseKernelConfig(Target::MmaSync, facts(64, true), {});
  EXPECT_EQ(c.mainloop, MainloopKind::mma_sync);
  EXPECT_EQ(c.staging, StagingKind::cp_async);
  EXPECT_EQ(c.keyStages, 2);
  EXPECT_EQ(c.valueStages, 1);
  EXPECT_FALSE(c.producer);
}

TEST(KernelPolicy, DenseOneWarpgroupFillsItsOwnStages) {
  KernelConfig c = chooseKernelConfig(Target::Wgmma, facts(), {});
  EXPECT_EQ(c.mainloop, MainloopKind::wgmma);
  EXPECT_EQ(c.staging, StagingKind::tma);
  EXPECT_FALSE(c.producer);
  EXPECT_EQ(c.producerRegisters, 0);
}

TEST(KernelPolicy, MaskedKernelsGetAProducerAndARegisterSplit) {
  // [0, diagonal): 24 for the producer; two CTAs of 256 threads start at
  // 128 registers each, so the consumer gets 2 * 128 - 24 = 232.
  KernelConfig causal =
      chooseKernelConfig(Target::Wgmma, facts(64, true, false), {});
  EXPECT_TRUE(causal.producer);
  EXPECT_EQ(causal.producerRegisters, 24);
  EXPECT_EQ(causal.consumerRegisters, 232);
  EXPECT_EQ(causal.minCtasPerSm, 2);
  // Windows and sinks: the producer's copy needs 32.
  KernelConfig swa =
      chooseKernelConfig(Target::Wgmma, facts(64, true, true), {});
  EXPECT_EQ(swa.producerRegisters, 32);
  EXPECT_EQ(swa.consumerRegisters, 224);
  // Turned off by the caller.
  ScheduleRequest off;
  off.producer = false;
  EXPECT_FALSE(
      chooseKernelConfig(Target::Wgmma, facts(64, true, false), off).producer);
}

// Over documents the producer also searches the offsets: it keeps what
// bounded keys keep (32 beside one consumer warpgroup, 40 beside two), and
// no persistent grid is built.
TEST(KernelPolicy, DocumentKernelsProducerRegistersAndNoPersistentGrid) {
  const KernelRole docs = KernelRole::DocumentAttention;
  KernelConfig one =
      chooseKernelConfig(Target::Wgmma, facts(64, true, false, docs), {});
  EXPECT_TRUE(one.producer);
  EXPECT_EQ(one.producerRegisters, 32);
  EXPECT_EQ(one.consumerRegisters, 224);
  ScheduleRequest persistent;
  persistent.persistent = true;
  KernelConfig two = chooseKernelConfig(
      Target::Wgmma, facts(128, true, false, docs), persistent);
  EXPECT_EQ(two.producerRegisters, 40);
  EXPECT_EQ(two.consumerRegisters, 232);
  EXPECT_FALSE(two.persistent);
  ASSERT_EQ(two.dropped.size(), 1u);
  EXPECT_EQ(two.dropped[0],
            "a persistent grid (not built for kernels over documents)");
}

TEST(KernelPolicy, DeltaAnchorKernelKeepsItsRegisters) {
  KernelConfig c = chooseKernelConfig(
      Target::Wgmma, facts(64, true, true, KernelRole::DeltaAnchor), {});
  EXPECT_FALSE(c.producer);
}

TEST(KernelPolicy, TwoWarpgroupsProducerRegistersFollowItsKeyRanges) {
  // 128 rows, one CTA of 384 threads, 168 at entry: windows and sinks keep
  // 40 for the producer, (3 * 168 - 40) / 2 = 232 for each consumer.
  KernelConfig swa =
      chooseKernelConfig(Target::Wgmma, facts(128, true, true), {});
  EXPECT_EQ(swa.producerRegisters, 40);
  EXPECT_EQ(swa.consumerRegisters, 232);
  // The delta anchor kernel's two sets of rows: 40, (504 - 40) / 2 = 232.
  ScheduleRequest pipelined;
  pipelined.pipeline = true;
  KernelConfig anchor = chooseKernelConfig(
      Target::Wgmma, facts(128, true, false, KernelRole::DeltaAnchor),
      pipelined);
  EXPECT_TRUE(anchor.producer);
  EXPECT_EQ(anchor.producerRegisters, 40);
  EXPECT_EQ(anchor.consumerRegisters, 232);
  // It is not pipelined, with a note rather than a warning: the request is
  // the pair's, and its main kernel takes it.
  EXPECT_FALSE(anchor.pipeline);
  EXPECT_TRUE(anchor.dropped.empty());
  EXPECT_EQ(anchor.note, "not pipelined: the delta anchor kernel's registers");
  KernelConfig main = chooseKernelConfig(
      Target::Wgmma, facts(128, true, true, KernelRole::DeltaMain), pipelined);
  EXPECT_TRUE(main.pipeline);
  EXPECT_EQ(main.valueStages, 3);
}

TEST(KernelPolicy, TwoWarpgroupsShareRingsWithAProducerAndTakeTurns) {
  KernelConfig c = chooseKernelConfig(Target::Wgmma, facts(128), {});
  EXPECT_TRUE(c.producer);
  EXPECT_TRUE(c.pingPong);
  EXPECT_EQ(c.keyStages, 3);
  EXPECT_EQ(c.valueStages, 3);
  // One CTA of 384 threads: 168 at entry; (3 * 168 - 24) / 2 = 240.
  EXPECT_FALSE(c.persistent);
  EXPECT_EQ(c.producerRegisters, 24);
  EXPECT_EQ(c.consumerRegisters, 240);
  EXPECT_EQ(c.minCtasPerSm, 1);
  ScheduleRequest noTurns;
  noTurns.pingPong = false;
  EXPECT_FALSE(chooseKernelConfig(Target::Wgmma, facts(128), noTurns).pingPong);
}

TEST(KernelPolicy, APersistentGridForKernelsOfOneBlockPerSm) {
  // Asked for, one CTA per SM takes it, in the hardware's order of
  // instances; its producer keeps 40: (3 * 168 - 40) / 2 = 232.
  ScheduleRequest persistent;
  persistent.persistent = true;
  KernelConfig c = chooseKernelConfig(Target::Wgmma, facts(128), persistent);
  EXPECT_TRUE(c.persistent);
  EXPECT_EQ(c.workOrder, WorkOrder::query_tile_fastest);
  EXPECT_EQ(c.producerRegisters, 40);
  EXPECT_EQ(c.consumerRegisters, 232);
  EXPECT_TRUE(c.dropped.empty());
  KernelConfig causal =
      chooseKernelConfig(Target::Wgmma, facts(128, true), persistent);
  EXPECT_TRUE(causal.persistent);
  EXPECT_EQ(causal.workOrder, WorkOrder::query_tile_fastest);
  // Not asked for: a block per instance.
  EXPECT_FALSE(chooseKernelConfig(Target::Wgmma, facts(128), {}).persistent);
  // Two CTAs per SM (one consumer warpgroup), no producer, SIMT: reported.
  auto droppedFor = [&](Target t, const KernelFacts &f) {
    KernelConfig k = chooseKernelConfig(t, f, persistent);
    EXPECT_FALSE(k.persistent);
    return k.dropped.size() == 1 ? k.dropped[0] : std::string("none");
  };
  EXPECT_EQ(droppedFor(Target::Wgmma, facts(64, true)),
            "a persistent grid (two blocks of this kernel fit an SM)");
  EXPECT_EQ(droppedFor(Target::Wgmma, facts(64)),
            "a persistent grid (no producer warpgroup to load the next "
            "instance)");
  EXPECT_EQ(droppedFor(Target::MmaSync, facts(128)),
            "a persistent grid (no producer warpgroup to load the next "
            "instance)");
  // A softcap's consumers need the 240 registers a block per instance
  // leaves them.
  KernelFacts capped = facts(128);
  capped.softcap = true;
  EXPECT_EQ(droppedFor(Target::Wgmma, capped),
            "a persistent grid (a softcap's consumers need 240 registers)");
  EXPECT_EQ(
      chooseKernelConfig(Target::Wgmma, capped, persistent).consumerRegisters,
      240);
  // Pipelined consumers need 240 too.
  ScheduleRequest persistentPipelined = persistent;
  persistentPipelined.pipeline = true;
  KernelConfig fa3 =
      chooseKernelConfig(Target::Wgmma, facts(128, true), persistentPipelined);
  EXPECT_FALSE(fa3.persistent);
  EXPECT_TRUE(fa3.pipeline);
  EXPECT_EQ(fa3.consumerRegisters, 240);
  ASSERT_EQ(fa3.dropped.size(), 1u);
  EXPECT_EQ(fa3.dropped[0],
            "a persistent grid (pipelined consumers need 240 registers)");
  // A producer of several key ranges (windows and sinks, the delta anchor
  // kernel) needs more than the 40 a persistent grid leaves it.
  const char *several = "a persistent grid (a producer of several key ranges "
                        "needs more than 40 registers)";
  EXPECT_EQ(droppedFor(Target::Wgmma, facts(128, true, true)), several);
  EXPECT_EQ(droppedFor(Target::Wgmma,
                       facts(128, true, false, KernelRole::DeltaAnchor)),
            several);
}

TEST(KernelPolicy, TwoWarpgroupsReadQFromSharedMemory) {
  // Two consumer warpgroups: Q staged in the ring. Six 32 KiB slots and the
  // 32 KiB Q tile (+ 1 KiB pad, 128 bytes of barriers) fit 227 KiB.
  KernelConfig two = chooseKernelConfig(Target::Wgmma, facts(128), {});
  EXPECT_TRUE(two.stageQuery);
  EXPECT_EQ(two.keyStages, 3);
  // One warpgroup keeps Q in registers (two CTAs per SM would not fit the
  // extra shared memory), as do mma.sync and the caller who turns it off.
  EXPECT_FALSE(chooseKernelConfig(Target::Wgmma, facts(64), {}).stageQuery);
  EXPECT_FALSE(
      chooseKernelConfig(Target::Wgmma, facts(64, true), {}).stageQuery);
  EXPECT_FALSE(chooseKernelConfig(Target::MmaSync, facts(128), {}).stageQuery);
  ScheduleRequest registers;
  registers.stageQuery = false;
  EXPECT_FALSE(
      chooseKernelConfig(Target::Wgmma, facts(128), registers).stageQuery);
  // The delta anchor kernel reads two sets of query rows.
  EXPECT_FALSE(
      chooseKernelConfig(Target::Wgmma,
                         facts(128, true, true, KernelRole::DeltaAnchor), {})
          .stageQuery);
  // Wide key tiles: six 48 KiB slots do not fit, four with the Q tile do
  // (4 * 48 + 32 + 1.125 KiB).
  KernelFacts wide = facts(128);
  wide.blockN = 192;
  KernelConfig w = chooseKernelConfig(Target::Wgmma, wide, {});
  EXPECT_TRUE(w.stageQuery);
  EXPECT_EQ(w.keyStages, 2);
  EXPECT_EQ(w.valueStages, 2);
}

TEST(KernelPolicy, PipeliningNeedsTwoValueSlotsAndTma) {
  ScheduleRequest pipe;
  pipe.pipeline = true;
  KernelConfig dense = chooseKernelConfig(Target::Wgmma, facts(), pipe);
  EXPECT_TRUE(dense.pipeline);
  EXPECT_EQ(dense.keyStages, 2);
  EXPECT_EQ(dense.valueStages, 2);
  EXPECT_TRUE(dense.dropped.empty());
  // With a producer: four slots of 32 KiB leave room for one CTA per SM,
  // whose 256 threads start at 248 registers (the cap): the consumer gets
  // min(248, 2 * 248 - 24).
  KernelConfig causal =
      chooseKernelConfig(Target::Wgmma, facts(64, true), pipe);
  EXPECT_TRUE(causal.pipeline);
  EXPECT_TRUE(causal.producer);
  EXPECT_EQ(causal.minCtasPerSm, 1);
  EXPECT_EQ(causal.consumerRegisters, 248);
  // Not on mma.sync: reported.
  KernelConfig sm80 = chooseKernelConfig(Target::MmaSync, facts(), pipe);
  EXPECT_FALSE(sm80.pipeline);
  ASSERT_EQ(sm80.dropped.size(), 1u);
  EXPECT_NE(sm80.dropped[0].find("pipelined key loops"), std::string::npos);
}

TEST(KernelPolicy, ShapesWgmmaCannotTakeKeepMmaSync) {
  KernelFacts f = facts();
  f.headDim = 96;
  KernelConfig c = chooseKernelConfig(Target::Wgmma, f, {});
  EXPECT_EQ(c.mainloop, MainloopKind::mma_sync);
  EXPECT_EQ(c.staging, StagingKind::cp_async);
  EXPECT_NE(c.note.find("wgmma needs"), std::string::npos);
}

TEST(KernelPolicy, TmaBlockersKeepCpAsync) {
  KernelFacts f = facts(64, true);
  f.whyNotTma = "a key or value buffer that is not a kernel argument";
  KernelConfig c = chooseKernelConfig(Target::Wgmma, f, {});
  EXPECT_EQ(c.mainloop, MainloopKind::wgmma);
  EXPECT_EQ(c.staging, StagingKind::cp_async);
  EXPECT_FALSE(c.producer);
  EXPECT_EQ(c.note,
            "cp.async: a key or value buffer that is not a kernel argument");
}

TEST(KernelPolicy, ConditionalRescaleOnRequestForTensorCoreKernels) {
  ScheduleRequest asked;
  asked.conditionalRescale = true;
  EXPECT_TRUE(
      chooseKernelConfig(Target::Wgmma, facts(128), asked).conditionalRescale);
  EXPECT_TRUE(
      chooseKernelConfig(Target::MmaSync, facts(64), asked).conditionalRescale);
  // Opt-in: not without the request.
  EXPECT_FALSE(
      chooseKernelConfig(Target::Wgmma, facts(128), {}).conditionalRescale);
  // The SIMT form and the CPU backend report it.
  KernelFacts f32 = facts();
  f32.whyNotTensorCores = "keys that are not bf16 or f16";
  KernelConfig simt = chooseKernelConfig(Target::Wgmma, f32, asked);
  EXPECT_FALSE(simt.conditionalRescale);
  ASSERT_EQ(simt.dropped.size(), 1u);
  EXPECT_EQ(simt.dropped[0], "conditional rescaling (no tensor cores for this "
                             "kernel: keys that are not bf16 or f16)");
  KernelConfig host = chooseKernelConfig(Target::Host, facts(), asked);
  EXPECT_FALSE(host.conditionalRescale);
  ASSERT_EQ(host.dropped.size(), 1u);
  EXPECT_EQ(host.dropped[0],
            "conditional rescaling (the CPU backend runs the SIMT form)");
}

TEST(KernelPolicy, LaunchVariantsByQueryLength) {
  PatternFacts bf16d128{true, 128};
  std::vector<LaunchVariantChoice> v = launchVariants(Target::Wgmma, bf16d128);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].blockM, 0);
  EXPECT_FALSE(v[0].pipeline);
  EXPECT_EQ(v[0].minSeqQ, 0);
  EXPECT_EQ(v[0].maxSeqQ, 2048);
  EXPECT_EQ(v[1].name, "128-row-pipelined");
  EXPECT_EQ(v[1].minSeqQ, 2048);
  EXPECT_EQ(v[1].maxSeqQ, -1);
  EXPECT_EQ(v[1].blockM, 128);
  EXPECT_TRUE(v[1].pipeline);
  // One form: the delta pair, head_dim 64, f32, other chips.
  EXPECT_EQ(launchVariants(Target::Wgmma, {true, 128, true}).size(), 1u);
  EXPECT_EQ(launchVariants(Target::Wgmma, {true, 64}).size(), 1u);
  EXPECT_EQ(launchVariants(Target::Wgmma, {false, 128}).size(), 1u);
  EXPECT_EQ(launchVariants(Target::MmaSync, bf16d128).size(), 1u);
  EXPECT_EQ(launchVariants(Target::Host, bf16d128).size(), 1u);
}

} // namespace
