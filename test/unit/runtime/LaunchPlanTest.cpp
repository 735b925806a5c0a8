//===- LaunchPlanTest.cpp - Delta rows, shape checks and launch grids -----===//
#include "TestSupport.h"

#include "sattn/Manifest.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace sattn;

namespace {

struct RowsCase {
  int64_t Sq, gamma, tailMin;
  int64_t mainRows, numAnchors, tailRows;
};

// Worked by hand from
//   mainRows = max(0, Sq - (Sq mod gamma + max(tailMin, gamma)))
//   numAnchors = ceil(mainRows / gamma), tailRows = Sq - mainRows.
const RowsCase kRows[] = {
    // Sq < tail: every row is a tail row.
    {10, 16, 32, 0, 0, 10},
    {32, 16, 32, 0, 0, 32}, // Sq == tailMin, nothing left for main.
    // Sq a multiple of gamma: Sq mod gamma = 0.
    {64, 16, 16, 48, 3, 16},
    {256, 64, 64, 192, 3, 64},
    // gamma > Sq: Sq mod gamma = Sq, so no main rows.
    {100, 128, 0, 0, 0, 100},
    // General cases, mainRows not a multiple of gamma.
    {100, 16, 32, 64, 4, 36},      // 100 - (4 + 32)
    {1000, 64, 100, 860, 14, 140}, // 1000 - (40 + 100), ceil(860/64) = 14
    {130, 64, 1, 64, 1, 66},       // tailMin < gamma: tail is at least gamma
    {5, 1, 0, 4, 4, 1},
    {1, 1, 0, 0, 0, 1},
};

TEST(LaunchPlanTest, DeltaRowsMatchHandTable) {
  for (const RowsCase &c : kRows) {
    DeltaRows r = computeDeltaRows(c.Sq, c.gamma, c.tailMin);
    EXPECT_EQ(r.mainRows, c.mainRows) << "Sq=" << c.Sq << " gamma=" << c.gamma;
    EXPECT_EQ(r.numAnchors, c.numAnchors)
        << "Sq=" << c.Sq << " gamma=" << c.gamma;
    EXPECT_EQ(r.tailRows, c.tailRows) << "Sq=" << c.Sq << " gamma=" << c.gamma;
  }
}

TEST(LaunchPlanTest, DeltaRowsWithoutValidGammaAreAllTail) {
  DeltaRows r = computeDeltaRows(50, 0, 10);
  EXPECT_EQ(r.mainRows, 0);
  EXPECT_EQ(r.numAnchors, 0);
  EXPECT_EQ(r.tailRows, 50);
}

AttentionShape shape(int64_t B, int64_t H, int64_t Hkv, int64_t Sq, int64_t Sk,
                     int64_t D) {
  AttentionShape s;
  s.B = B;
  s.H = H;
  s.Hkv = Hkv;
  s.Sq = Sq;
  s.Sk = Sk;
  s.D = D;
  return s;
}

void expectArgumentError(const Status &s, const std::string &message) {
  EXPECT_EQ(s.kind(), ErrorKind::InvalidArgument) << s.message();
  EXPECT_EQ(s.message(), message);
}

TEST(LaunchPlanTest, ValidShapesPass) {
  EXPECT_TRUE(
      validateShape(test::attentionManifest(), shape(2, 8, 2, 100, 300, 128)));
  EXPECT_TRUE(
      validateShape(test::deltaManifest(), shape(1, 4, 4, 512, 512, 128)));
}

TEST(LaunchPlanTest, ValidateShapeNamesTheArgument) {
  Manifest m = test::attentionManifest();
  expectArgumentError(validateShape(m, shape(0, 8, 2, 100, 100, 128)),
                      "launch: argument 'B' (0) must be >= 1");
  expectArgumentError(validateShape(m, shape(1, -1, 2, 100, 100, 128)),
                      "launch: argument 'H' (-1) must be >= 1");
  expectArgumentError(validateShape(m, shape(1, 8, 0, 100, 100, 128)),
                      "launch: argument 'Hkv' (0) must be >= 1");
  expectArgumentError(validateShape(m, shape(1, 8, 2, 0, 100, 128)),
                      "launch: argument 'Sq' (0) must be >= 1");
  expectArgumentError(validateShape(m, shape(1, 8, 2, 100, 0, 128)),
                      "launch: argument 'Sk' (0) must be >= 1");
  expectArgumentError(validateShape(m, shape(1, 8, 2, 100, 100, 0)),
                      "launch: argument 'D' (0) must be >= 1");
  expectArgumentError(validateShape(m, shape(1, 8, 2, 100, 100, 64)),
                      "launch: argument 'D' (64) must equal the head_dim of "
                      "'sliding' (128)");
  expectArgumentError(validateShape(m, shape(1, 8, 3, 100, 100, 128)),
                      "launch: argument 'Hkv' (3) must divide 'H' (8)");
  // The kernels number batch * head pairs in 32 bits, and a grid's y
  // dimension holds 65535.
  expectArgumentError(validateShape(m, shape(65536, 1, 1, 100, 100, 128)),
                      "launch: 'B' * 'H' (65536 * 1) must be at most 65535");
  expectArgumentError(validateShape(m, shape(256, 256, 1, 100, 100, 128)),
                      "launch: 'B' * 'H' (256 * 256) must be at most 65535");
  expectArgumentError(
      validateShape(m, shape(1, int64_t(1) << 40, 1, 100, 100, 128)),
      "launch: 'B' * 'H' (1 * 1099511627776) must be at most 65535");
  EXPECT_TRUE(validateShape(m, shape(5, 13107, 1, 100, 100, 128)));
  Status overflow = validateShape(m, shape(1, 1, 1, int64_t(1) << 60, 1, 128));
  EXPECT_EQ(overflow.kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(overflow.message().find("overflow"), std::string::npos);
}

TEST(LaunchPlanTest, DeltaNeedsSqEqualSk) {
  expectArgumentError(
      validateShape(test::deltaManifest(), shape(1, 8, 8, 100, 120, 128)),
      "launch: argument 'Sq' (100) must equal 'Sk' (120) for 'delta', which "
      "uses the delta correction (prefill only)");
}

TEST(LaunchPlanTest, DeltaWorkspaceBytes) {
  // 1000 rows, gamma 64, tailMin 100: 14 anchors of D f32 per (b, h).
  EXPECT_EQ(deltaWorkspaceBytes(test::deltaManifest(),
                                shape(2, 8, 8, 1000, 1000, 128)),
            2 * 8 * 14 * 128 * 4);
  EXPECT_EQ(
      deltaWorkspaceBytes(test::deltaManifest(), shape(2, 8, 8, 50, 50, 128)),
      0);
  EXPECT_EQ(deltaWorkspaceBytes(test::attentionManifest(),
                                shape(2, 8, 8, 1000, 1000, 128)),
            0);
}

// Distinct fake addresses, so that a swapped slot shows.
LaunchBuffers fakeBuffers() {
  LaunchBuffers b;
  b.q = reinterpret_cast<const void *>(uintptr_t(0x1000));
  b.k = reinterpret_cast<const void *>(uintptr_t(0x2000));
  b.v = reinterpret_cast<const void *>(uintptr_t(0x3000));
  b.o = reinterpret_cast<void *>(uintptr_t(0x4000));
  b.deltaWorkspace = reinterpret_cast<void *>(uintptr_t(0xff00000000ULL));
  return b;
}

TEST(LaunchPlanTest, AttentionGrid) {
  Result<std::vector<PlannedLaunch>> plan = planLaunches(
      test::attentionManifest(), shape(2, 8, 2, 100, 130, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  const PlannedLaunch &l = (*plan)[0];
  EXPECT_EQ(l.kernelIndex, 0u);
  EXPECT_EQ(l.gridX, 2);  // ceil(100 / 64)
  EXPECT_EQ(l.gridY, 16); // B * H
  EXPECT_EQ(l.blockX, 64);
  EXPECT_EQ(l.args, (std::vector<int64_t>{0x1000, 0x2000, 0x3000, 0x4000, 2, 8,
                                          2, 100, 130}));
  EXPECT_TRUE(l.tensorMaps.empty());
}

TEST(LaunchPlanTest, TheVariantForSqIsLaunched) {
  Manifest m = test::attentionManifest();
  m.variants = {LaunchVariant{"short", 0, 1000}, LaunchVariant{"long", 1000, -1}};
  KernelInfo longer = m.kernels[0];
  longer.name = "sliding_attention_v1";
  longer.variant = 1;
  longer.blockM = 128;
  longer.threads = 384;
  m.kernels.push_back(longer);
  for (auto [sq, index, gridX, threads] :
       {std::tuple<int64_t, size_t, int64_t, int64_t>{999, 0, 16, 64},
        {1000, 1, 8, 384},
        {5000, 1, 40, 384}}) {
    Result<std::vector<PlannedLaunch>> plan =
        planLaunches(m, shape(1, 2, 2, sq, sq, 128), fakeBuffers());
    ASSERT_TRUE(plan) << plan.status().message();
    ASSERT_EQ(plan->size(), 1u) << sq;
    EXPECT_EQ((*plan)[0].kernelIndex, index) << sq;
    EXPECT_EQ((*plan)[0].gridX, gridX) << sq;
    EXPECT_EQ((*plan)[0].blockX, threads) << sq;
  }
}

TEST(LaunchPlanTest, DeltaGrids) {
  Manifest m = test::deltaManifest();
  m.kernels[0].blockM = 32;
  m.kernels[0].threads = 32;
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(1, 4, 2, 1000, 1000, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 2u);
  // 860 main rows, 14 anchors, 140 tail rows.
  const PlannedLaunch &anchor = (*plan)[0], &main = (*plan)[1];
  EXPECT_EQ(anchor.kernelIndex, 0u);
  EXPECT_EQ(anchor.gridX, 1 + 5); // ceil(14 / 32) + ceil(140 / 32)
  EXPECT_EQ(anchor.gridY, 4);
  EXPECT_EQ(anchor.blockX, 32);
  EXPECT_EQ(main.kernelIndex, 1u);
  EXPECT_EQ(main.gridX, 14); // ceil(860 / 64)
  EXPECT_EQ(main.blockX, 64);
  std::vector<int64_t> args = {
      0x1000, 0x2000, 0x3000, 0x4000, int64_t(0xff00000000ULL),
      1,      4,      2,      1000,   1000};
  EXPECT_EQ(anchor.args, args);
  EXPECT_EQ(main.args, args);
}

TEST(LaunchPlanTest, TensorCoreKernelsLaunchThreadsNotRows) {
  // Four warps of 16 rows: 128 threads per 64-row block; the grid still
  // counts query tiles of block_m.
  Manifest m = test::attentionManifest();
  m.kernels[0].threads = 128;
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(2, 8, 2, 100, 130, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].gridX, 2); // ceil(100 / 64)
  EXPECT_EQ((*plan)[0].blockX, 128);
}

TEST(LaunchPlanTest, EmptyGridsAreLeftOut) {
  // Sq = 50 < tailMin: no main rows, so only the anchor kernel (tail part).
  Result<std::vector<PlannedLaunch>> plan = planLaunches(
      test::deltaManifest(), shape(1, 1, 1, 50, 50, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  EXPECT_EQ((*plan)[0].kernelIndex, 0u);
  EXPECT_EQ((*plan)[0].gridX, 1);
}

TEST(LaunchPlanTest, NullPointersAreNamed) {
  const char *names[] = {"q", "k", "v", "o"};
  for (int i = 0; i < 4; ++i) {
    LaunchBuffers b = fakeBuffers();
    const void **slots[] = {&b.q, &b.k, &b.v, const_cast<const void **>(&b.o)};
    *slots[i] = nullptr;
    Result<std::vector<PlannedLaunch>> plan =
        planLaunches(test::attentionManifest(), shape(1, 1, 1, 8, 8, 128), b);
    ASSERT_FALSE(plan);
    expectArgumentError(plan.status(), std::string("launch: pointer '") +
                                           names[i] + "' is null");
  }
}

TEST(LaunchPlanTest, LaunchTensorsArePassedByName) {
  Manifest m = test::withSinks(test::deltaManifest());
  ASSERT_TRUE(parseManifest(manifestToJson(m), "sinks.json"));
  LaunchBuffers b = fakeBuffers();
  b.deltaWorkspace = reinterpret_cast<void *>(0x5000);
  b.tensors = {{"sinks", reinterpret_cast<const void *>(0x6004), "f32", {8}}};
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(2, 8, 2, 300, 300, 128), b);
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 2u);
  for (const PlannedLaunch &l : *plan)
    EXPECT_EQ(l.args,
              (std::vector<int64_t>{0x1000, 0x2000, 0x3000, 0x4000, 0x5000,
                                    0x6004, 2, 8, 2, 300, 300}));
}

TEST(LaunchPlanTest, LaunchTensorsAreChecked) {
  Manifest m = test::withSinks(test::attentionManifest());
  const AttentionShape s = shape(2, 8, 2, 100, 100, 128);
  const void *ok = reinterpret_cast<const void *>(0x6000);
  struct Case {
    std::vector<TensorArg> tensors;
    std::string error;
  } cases[] = {
      {{},
       "launch: tensor 'sinks' (f32 [H] = [8]) is missing; 'sliding' reads it"},
      {{{"sinks", ok, "i32", {8}}},
       "launch: tensor 'sinks' (f32 [H] = [8]) has dtype 'i32'"},
      {{{"sinks", ok, "f32", {2, 8}}},
       "launch: tensor 'sinks' (f32 [H] = [8]) has shape [2, 8]"},
      {{{"sinks", ok, "f32", {2}}},
       "launch: tensor 'sinks' (f32 [H] = [8]) has shape [2]"},
      {{{"sinks", nullptr, "f32", {8}}},
       "launch: tensor 'sinks' (f32 [H] = [8]) has a null pointer"},
      {{{"sinks", reinterpret_cast<const void *>(0x6002), "f32", {8}}},
       "launch: tensor 'sinks' (f32 [H] = [8]) must be 4-byte aligned"},
      {{{"sinks", ok, "f32", {8}}, {"sinks", ok, "f32", {8}}},
       "launch: tensor 'sinks' is given twice"},
      {{{"sinks", ok, "f32", {8}}, {"docs", ok, "i32", {2}}},
       "launch: 'sliding' reads no tensor 'docs' (it reads: sinks)"},
  };
  for (const Case &c : cases) {
    LaunchBuffers b = fakeBuffers();
    b.tensors = c.tensors;
    Result<std::vector<PlannedLaunch>> plan = planLaunches(m, s, b);
    ASSERT_FALSE(plan) << c.error;
    expectArgumentError(plan.status(), c.error);
  }
  // A pattern without launch tensors takes none.
  LaunchBuffers extra = fakeBuffers();
  extra.tensors = {{"sinks", ok, "f32", {8}}};
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(test::attentionManifest(), s, extra);
  ASSERT_FALSE(plan);
  expectArgumentError(
      plan.status(),
      "launch: 'sliding' reads no tensor 'sinks' (it reads none)");
}

TEST(LaunchPlanTest, DeltaNeedsWorkspace) {
  LaunchBuffers b = fakeBuffers();
  b.deltaWorkspace = nullptr;
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(test::deltaManifest(), shape(2, 8, 8, 1000, 1000, 128), b);
  ASSERT_FALSE(plan);
  expectArgumentError(plan.status(),
                      "launch: 'delta' uses the delta correction and needs a "
                      "delta workspace of 114688 bytes, got a null pointer");
  // Attention patterns do not look at the workspace.
  EXPECT_TRUE(planLaunches(test::attentionManifest(),
                           shape(2, 8, 8, 1000, 1000, 128), b));
}

void expectRequest(const TensorMapRequest &r, size_t param, uintptr_t address,
                   std::vector<int64_t> dims, std::vector<int64_t> strides,
                   std::vector<int64_t> box, const std::string &dtype) {
  EXPECT_EQ(r.param, param);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(r.address), address);
  EXPECT_EQ(std::vector<int64_t>(r.dims, r.dims + 3), dims);
  EXPECT_EQ(std::vector<int64_t>(r.strides, r.strides + 2), strides);
  EXPECT_EQ(std::vector<int64_t>(r.box, r.box + 3), box);
  EXPECT_EQ(r.elementBytes, 2);
  EXPECT_EQ(r.dtype, dtype);
}

TEST(LaunchPlanTest, TensorMapsOfKAndV) {
  // Sk = 1000 is not a multiple of either box's rows; B * Hkv = 4.
  Manifest m = test::withTensorMaps(test::attentionManifest());
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(2, 8, 2, 1000, 1000, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  const PlannedLaunch &l = (*plan)[0];
  EXPECT_EQ(l.gridX, 16); // ceil(1000 / 64)
  EXPECT_EQ(l.gridY, 16);
  // The maps' slots are placeholders; the other slots are unchanged.
  EXPECT_EQ(l.args, (std::vector<int64_t>{0x1000, 0x2000, 0x3000, 0x4000, 2, 8,
                                          2, 1000, 1000, 0, 0}));
  ASSERT_EQ(l.tensorMaps.size(), 2u);
  // dims {D, Sk, B*Hkv}, strides {D*2, Sk*D*2} bytes, box {cols, rows, 1}.
  expectRequest(l.tensorMaps[0], 9, 0x2000, {128, 1000, 4}, {256, 256000},
                {64, 128, 1}, "bf16");
  expectRequest(l.tensorMaps[1], 10, 0x3000, {128, 1000, 4}, {256, 256000},
                {64, 64, 1}, "bf16");
}

TEST(LaunchPlanTest, TensorMapsOfDeltaKernels) {
  // Head dim 64, f16, Sk = 777, B * Hkv = 3 * 5; maps after the 10 delta
  // parameters, in either order.
  Manifest m = test::deltaManifest();
  m.dtype = "f16";
  m.headDim = 64;
  m.kernels[0].params.push_back(test::tensorMapParam("vm", "v", 64, 256));
  m.kernels[1].params.push_back(test::tensorMapParam("km", "k", 64, 32));
  m.kernels[1].params.push_back(test::tensorMapParam("vm", "v", 64, 16));
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(3, 10, 5, 777, 777, 64), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 2u);
  const PlannedLaunch &anchor = (*plan)[0], &main = (*plan)[1];
  ASSERT_EQ(anchor.args.size(), 11u);
  EXPECT_EQ(anchor.args[9], 777);
  EXPECT_EQ(anchor.args[10], 0);
  ASSERT_EQ(anchor.tensorMaps.size(), 1u);
  expectRequest(anchor.tensorMaps[0], 10, 0x3000, {64, 777, 15}, {128, 99456},
                {64, 256, 1}, "f16");
  ASSERT_EQ(main.args.size(), 12u);
  EXPECT_EQ(main.args[4], int64_t(0xff00000000ULL));
  EXPECT_EQ(main.args[10], 0);
  EXPECT_EQ(main.args[11], 0);
  ASSERT_EQ(main.tensorMaps.size(), 2u);
  expectRequest(main.tensorMaps[0], 10, 0x2000, {64, 777, 15}, {128, 99456},
                {64, 32, 1}, "f16");
  expectRequest(main.tensorMaps[1], 11, 0x3000, {64, 777, 15}, {128, 99456},
                {64, 16, 1}, "f16");
}

TEST(LaunchPlanTest, TensorMapDimsAreAtMost2To32) {
  Manifest m = test::withTensorMaps(test::attentionManifest());
  const int64_t k2To32 = int64_t(1) << 32;
  // Sk = 2^32 + 1: B * Hkv * Sk * D = 2^39 + 128 fits int64, so the shape is
  // valid; only the TMA limit rejects it.
  AttentionShape longKeys = shape(1, 1, 1, 1, k2To32 + 1, 64);
  Manifest d64 = m;
  d64.headDim = 64;
  ASSERT_TRUE(validateShape(d64, longKeys));
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(d64, longKeys, fakeBuffers());
  ASSERT_FALSE(plan);
  expectArgumentError(plan.status(),
                      "launch: argument 'Sk' (4294967297) exceeds 2^32 "
                      "(4294967296), the largest TMA dimension, for tensor "
                      "'k' (tensor map 'k_map' of kernel 'sliding_attention')");
  // B * Hkv never reaches TMA's limit: validateShape bounds B * H by 65535.
  plan = planLaunches(m, shape(1, 65535, 65535, 1, 1, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  EXPECT_EQ((*plan)[0].tensorMaps[1].dims[2], 65535);
  // Sk = 2^32 at D = 64: a head is 2^39 bytes, under TMA's 2^40 stride limit.
  plan = planLaunches(d64, shape(1, 1, 1, 1, k2To32, 64), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  EXPECT_EQ((*plan)[0].tensorMaps[0].dims[1], k2To32);
  EXPECT_EQ((*plan)[0].tensorMaps[0].strides[1], int64_t(1) << 39);
  // At D = 128 the same Sk makes the head stride 2^40.
  plan = planLaunches(m, shape(1, 1, 1, 1, k2To32, 128), fakeBuffers());
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(plan.status().message().find("below 2^40"), std::string::npos)
      << plan.status().message();
  // Manifests without tensor maps have no such limit.
  EXPECT_TRUE(planLaunches(test::attentionManifest(),
                           shape(1, 1, 1, 1, k2To32 * 2, 128), fakeBuffers()));
}

TEST(LaunchPlanTest, HandBuiltTensorMapsAreChecked) {
  // planLaunches does not require a parsed manifest.
  Manifest m = test::withTensorMaps(test::attentionManifest());
  m.kernels[0].params[10].tensor = "q";
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(1, 1, 1, 8, 8, 128), fakeBuffers());
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(plan.status().message(),
            "launch: tensor map 'v_map' of kernel 'sliding_attention': "
            "describes tensor 'q', expected 'k' or 'v'");
  m = test::withTensorMaps(test::attentionManifest());
  m.dtype = "f32";
  plan = planLaunches(m, shape(1, 1, 1, 8, 8, 128), fakeBuffers());
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.status().message().find("needs dtype bf16 or f16"),
            std::string::npos)
      << plan.status().message();
}

TEST(LaunchPlanTest, InvalidShapeIsReportedFirst) {
  Result<std::vector<PlannedLaunch>> plan = planLaunches(
      test::attentionManifest(), shape(1, 8, 3, 10, 10, 128), LaunchBuffers{});
  ASSERT_FALSE(plan);
  expectArgumentError(plan.status(),
                      "launch: argument 'Hkv' (3) must divide 'H' (8)");
}

} // namespace

namespace {

TEST(LaunchPlanTest, PersistentKernelsKeepTheirInstancesInThePlan) {
  Manifest m = test::attentionManifest();
  m.kernels[0].persistent = true;
  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(m, shape(2, 8, 2, 1000, 1000, 128), fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  const PlannedLaunch &launch = (*plan)[0];
  EXPECT_TRUE(launch.persistent);
  // ceil(1000 / 64) = 16 query tiles for each of B * H = 16 heads.
  EXPECT_EQ(launch.gridX, 16);
  EXPECT_EQ(launch.gridY, 16);
  // As many blocks as run at once, up to one per instance (256 here).
  EXPECT_EQ(persistentGridX(launch, 132), 132);
  EXPECT_EQ(persistentGridX(launch, 1000), 256);
  // A cap from the caller, and never fewer than one block.
  EXPECT_EQ(persistentGridX(launch, 132, 7), 7);
  EXPECT_EQ(persistentGridX(launch, 132, 1000), 132);
  EXPECT_EQ(persistentGridX(launch, 0), 1);
  // Not persistent: the plan's grid is one block per instance.
  m.kernels[0].persistent = false;
  plan = planLaunches(m, shape(2, 8, 2, 1000, 1000, 128), fakeBuffers());
  ASSERT_TRUE(plan);
  EXPECT_FALSE((*plan)[0].persistent);
}

TEST(LaunchPlanTest, PersistentKernelsCountInstancesIn31Bits) {
  Manifest m = test::attentionManifest();
  m.kernels[0].persistent = true;
  // ceil(2^22 / 64) = 65536 query tiles for 65535 heads: 2^32 - 2^16
  // instances, past the 2^31 a persistent kernel numbers.
  Result<std::vector<PlannedLaunch>> plan = planLaunches(
      m, shape(1, 65535, 65535, int64_t(1) << 22, 1, 128), fakeBuffers());
  ASSERT_FALSE(plan);
  expectArgumentError(plan.status(),
                      "launch: kernel 'sliding_attention' runs 65536 query "
                      "tiles for each of 'B' * 'H' (65535) heads, more than "
                      "its persistent grid numbers (2^31)");
  // Exactly 2^31 is allowed: 65536 query tiles for 32768 heads.
  plan = planLaunches(m, shape(1, 32768, 32768, int64_t(1) << 22, 1, 128),
                      fakeBuffers());
  ASSERT_TRUE(plan) << plan.status().message();
  EXPECT_EQ((*plan)[0].gridX * (*plan)[0].gridY, int64_t(1) << 31);
}

TEST(LaunchPlanTest, DocumentsTakeNdFromTheirTensors) {
  Manifest m = test::documentsManifest();
  AttentionShape s = shape(2, 4, 2, 300, 500, 128);
  int32_t cu[2][5] = {};
  LaunchBuffers bufs = fakeBuffers();
  auto offsets = [&](int64_t perRow) {
    bufs.tensors = {TensorArg{"cu_seqlens_q", cu[0], "i32", {2, perRow}},
                    TensorArg{"cu_seqlens_k", cu[1], "i32", {2, perRow}}};
  };
  offsets(5);
  Result<std::vector<PlannedLaunch>> plan = planLaunches(m, s, bufs);
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  const PlannedLaunch &l = plan->front();
  // ceil(300 / 64) query tiles and one more program a document.
  EXPECT_EQ(l.gridX, 5 + 4);
  EXPECT_EQ(l.gridY, 8);
  EXPECT_EQ(l.args.back(), 4) << "Nd, after Sk";
  EXPECT_EQ(l.args[l.args.size() - 2], 500);

  offsets(1);
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().message(),
            "launch: tensor 'cu_seqlens_q' has 1 offsets a batch row; it "
            "needs at least 2 (one document: 0 and the sequence length)");

  offsets((int64_t(1) << 31) + 1);
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().message(),
            "launch: tensor 'cu_seqlens_q' has 2147483648 documents a batch "
            "row, more than the 2147483647 a launch takes");

  // The second tensor must agree with the Nd the first gives.
  offsets(5);
  bufs.tensors[1].shape = {2, 4};
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().message(),
            "launch: tensor 'cu_seqlens_k' (i32 [B, Nd+1] = [2, 5]) has shape "
            "[2, 4]");
  bufs.tensors[1].shape = {3, 5};
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.status().message().find("has shape [3, 5]"),
            std::string::npos);
}

} // namespace

TEST(LaunchPlanTest, BlockLayoutTakesItsSizesFromItsTensors) {
  Manifest m = test::layoutManifest();
  AttentionShape s = shape(2, 4, 2, 300, 129, 128);
  int32_t lists[4][64] = {};
  LaunchBuffers bufs = fakeBuffers();
  // Mb = ceil(300 / 128) = 3, Nb = ceil(129 / 64) = 3.
  auto layout = [&](int64_t LB, int64_t LH) {
    bufs.tensors = {
        TensorArg{"kv_num_blocks", lists[0], "i32", {LB, LH, 3}},
        TensorArg{"kv_indices", lists[1], "i32", {LB, LH, 3, 3}},
        TensorArg{"full_kv_num_blocks", lists[2], "i32", {LB, LH, 3}},
        TensorArg{"full_kv_indices", lists[3], "i32", {LB, LH, 3, 3}}};
  };
  layout(1, 4);
  Result<std::vector<PlannedLaunch>> plan = planLaunches(m, s, bufs);
  ASSERT_TRUE(plan) << plan.status().message();
  ASSERT_EQ(plan->size(), 1u);
  const PlannedLaunch &l = plan->front();
  EXPECT_EQ(l.gridX, 5) << "ceil(300 / 64): the grid of plain attention";
  EXPECT_EQ(l.args[l.args.size() - 2], 1) << "LB";
  EXPECT_EQ(l.args.back(), 4) << "LH";

  layout(2, 1);
  plan = planLaunches(m, s, bufs);
  ASSERT_TRUE(plan) << plan.status().message();
  EXPECT_EQ(plan->front().args[plan->front().args.size() - 2], 2);
  EXPECT_EQ(plan->front().args.back(), 1);

  layout(3, 4);
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().message(),
            "launch: tensor 'kv_num_blocks' has 3 layouts along 'LB'; a block "
            "layout has 1 (shared) or 2 (one a batch row)");

  // Every tensor must agree with the sizes the first gives.
  layout(1, 4);
  bufs.tensors[3].shape = {1, 1, 3, 3};
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.status().message(),
            "launch: tensor 'full_kv_indices' (i32 [LB, LH, Sq/128, Sk/64] = "
            "[1, 4, 3, 3]) has shape [1, 1, 3, 3]");
  bufs.tensors[3].shape = {1, 4, 3, 2};
  plan = planLaunches(m, s, bufs);
  ASSERT_FALSE(plan);
  EXPECT_NE(plan.status().message().find("has shape [1, 4, 3, 2]"),
            std::string::npos);
}

TEST(LaunchPlanTest, BlockLayoutValuesAreCheckedOnTheHost) {
  Manifest m = test::layoutManifest();
  // Sq = 200, Sk = 129 in 128 x 64 blocks: Mb = 2, Nb = 3; one layout.
  std::vector<int32_t> counts = {1, 2}, indices = {2, -1, -1, 0, 1, -1},
                       fullCounts = {1, 0},
                       fullIndices = {0, -1, -1, -1, -1, -1};
  LaunchBuffers bufs = fakeBuffers();
  bufs.tensors = {
      TensorArg{"kv_num_blocks", counts.data(), "i32", {1, 1, 2}},
      TensorArg{"kv_indices", indices.data(), "i32", {1, 1, 2, 3}},
      TensorArg{"full_kv_num_blocks", fullCounts.data(), "i32", {1, 1, 2}},
      TensorArg{"full_kv_indices", fullIndices.data(), "i32", {1, 1, 2, 3}}};
  EXPECT_TRUE(checkBlockLayout(m, bufs));
  counts[1] = 4;
  Status st = checkBlockLayout(m, bufs);
  ASSERT_FALSE(st);
  EXPECT_EQ(
      st.message(),
      "launch: tensor 'kv_num_blocks' of 'sliding', layout row 1 (of [LB, LH, "
      "Mb] = [1, 1, 2]): 4 blocks is outside [0, 3] (Nb = ceil(Sk / "
      "block_n))");
  counts[1] = 2;
  indices[4] = 3;
  st = checkBlockLayout(m, bufs);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(),
            "launch: tensor 'kv_indices' of 'sliding', layout row 1 "
            "(of [LB, LH, Mb] = [1, 1, 2]), entry 1 (3): "
            "outside [0, 3)");
  indices[4] = 1;
  fullIndices[0] = 2;
  st = checkBlockLayout(m, bufs);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(),
            "launch: tensor 'full_kv_indices' of 'sliding', layout "
            "row 0 (of [LB, LH, Mb] = [1, 1, 2]), entry 0 (2): "
            "key block listed twice for this query block");
}
