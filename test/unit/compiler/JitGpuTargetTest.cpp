//===- JitGpuTargetTest.cpp - The JIT API's GPU targets, without a GPU ----===//
//
// CPU-only (CI): the GPU backend on a machine without a device, the manifest
// of compiled kernels, and cubins for sm_80 / sm_90a through
// CompilerSession + assemblePtx (skipped, visibly, without ptxas).
//
//===----------------------------------------------------------------------===//
#include "Compiler/Driver/Compiler.h"
#include "Compiler/Jit.h"
#include "JitTestSupport.h"
#include "NumericHarness.h"
#include "sattn/Runtime.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>
namespace sattn::test {
namespace {

//===----------------------------------------------------------------------===//
// The GPU backend on a machine without a device
//===----------------------------------------------------------------------===//

/// Compile, and launch if the compile succeeded: one of them must fail with
/// a clear Unavailable error.
void expectGpuUnavailable(const JitOptions &options) {
  Jit jit(options);
  EXPECT_EQ(jit.backend(), Backend::Gpu);
  Result<std::shared_ptr<Kernel>> k = Status::ok();
  EXPECT_NO_THROW(k = jit.compileSpec(kCausalJson));
  Status err = Status::ok();
  if (!k) {
    err = k.status();
  } else {
    HostBuffer q(4096), kk(4096), v(4096), o(4096);
    AttentionShape s;
    s.D = 128;
    EXPECT_NO_THROW(err = (*k)->launch(
                        s, {q.data(), kk.data(), v.data(), o.data(), nullptr}));
  }
  ASSERT_FALSE(err) << "the GPU backend worked without a device";
  // Without ptxas an explicit-chip compile may stop before the device is
  // needed; any error value is fine then.
  if (options.chip.empty() || ptxasAvailable()) {
    EXPECT_EQ(err.kind(), ErrorKind::Unavailable)
        << kindName(err.kind()) << ": " << err.message();
  }
  EXPECT_FALSE(err.message().empty());
  std::printf("gpu backend (chip '%s') without a device: %s\n",
              options.chip.c_str(), err.message().c_str());
}

TEST(JitGpuWithoutDevice, DeviceChipIsUnavailable) {
  if (rt::deviceAvailable())
    GTEST_SKIP() << "a CUDA device is present";
  JitOptions o;
  o.backend = Backend::Gpu;
  expectGpuUnavailable(o);
}

TEST(JitGpuWithoutDevice, ExplicitChipIsUnavailable) {
  if (rt::deviceAvailable())
    GTEST_SKIP() << "a CUDA device is present";
  JitOptions o;
  o.backend = Backend::Gpu;
  o.chip = "sm_90a";
  expectGpuUnavailable(o);
}

//===----------------------------------------------------------------------===//
// Manifests of compiled kernels
//===----------------------------------------------------------------------===//

std::vector<std::string> paramNames(const KernelInfo &k) {
  std::vector<std::string> out;
  for (const KernelParam &p : k.params)
    out.push_back(p.name);
  return out;
}

void expectParamKinds(const KernelInfo &k) {
  for (const KernelParam &p : k.params) {
    bool isPtr = p.name == "q" || p.name == "k" || p.name == "v" ||
                 p.name == "o" || p.name == "delta";
    EXPECT_EQ(p.kind, isPtr ? "ptr" : "i64") << k.name << "." << p.name;
  }
}

TEST(JitManifest, AttentionKernel) {
  for (int64_t D : {64, 128}) {
    SCOPED_TRACE("head_dim " + std::to_string(D));
    PatternSpec spec;
    spec.name = "api_manifest";
    spec.dtype = DType::F16;
    spec.headDim = D;
    spec.mask = MaskExpr::window(7, 0);
    Jit jit(cpuOptions());
    auto k = jit.compile(spec);
    ASSERT_TRUE(k) << k.status().message();
    const Manifest &m = (*k)->manifest();
    EXPECT_EQ(m.name, "api_manifest");
    EXPECT_EQ(m.dtype, "f16");
    EXPECT_EQ(m.headDim, D);
    EXPECT_EQ(m.chip, "host");
    EXPECT_EQ(m.specHash, specHash(spec));
    EXPECT_EQ(m.compilerVersion, compilerVersion());
    EXPECT_FALSE(m.hasDelta);
    ASSERT_EQ(m.kernels.size(), 1u);
    const KernelInfo &ki = m.kernels[0];
    EXPECT_EQ(ki.role, sattn::KernelRole::Attention);
    EXPECT_FALSE(ki.name.empty());
    EXPECT_EQ(paramNames(ki),
              (std::vector<std::string>{"q", "k", "v", "o", "B", "H", "Hkv",
                                        "Sq", "Sk"}));
    expectParamKinds(ki);
    EXPECT_EQ(ki.blockM, 64);
    EXPECT_EQ(ki.blockN, D == 128 ? 32 : 64);
    AttentionShape s;
    s.D = D;
    EXPECT_EQ(deltaWorkspaceBytes(m, s), 0);
  }
}

TEST(JitManifest, DeltaKernels) {
  Jit jit(cpuOptions());
  auto k = jit.compileSpec(kDeltaJson);
  ASSERT_TRUE(k) << k.status().message();
  const Manifest &m = (*k)->manifest();
  EXPECT_TRUE(m.hasDelta);
  EXPECT_EQ(m.deltaGamma, 16);
  EXPECT_EQ(m.deltaTailMin, 8);
  EXPECT_EQ(m.dtype, "f32");
  EXPECT_EQ(m.headDim, 64);
  ASSERT_EQ(m.kernels.size(), 2u);
  // Launch order: anchors (and tail rows) before the main rows.
  EXPECT_EQ(m.kernels[0].role, sattn::KernelRole::DeltaAnchor);
  EXPECT_EQ(m.kernels[1].role, sattn::KernelRole::DeltaMain);
  EXPECT_NE(m.kernels[0].name, m.kernels[1].name);
  for (const KernelInfo &ki : m.kernels) {
    SCOPED_TRACE(ki.name);
    EXPECT_EQ(paramNames(ki),
              (std::vector<std::string>{"q", "k", "v", "o", "delta", "B", "H",
                                        "Hkv", "Sq", "Sk"}));
    expectParamKinds(ki);
    EXPECT_EQ(ki.blockM, 64);
    EXPECT_EQ(ki.blockN, 64);
  }
  // S = 300, gamma 16, tail_min 8: cut = 12 + 16, 272 main rows, 17 anchors.
  AttentionShape s;
  s.H = 2;
  s.Sq = s.Sk = 300;
  s.D = 64;
  DeltaRows rows = computeDeltaRows(300, 16, 8);
  EXPECT_EQ(rows.mainRows, 272);
  EXPECT_EQ(rows.numAnchors, 17);
  EXPECT_EQ(deltaWorkspaceBytes(m, s), 2 * 17 * 64 * 4);
}

//===----------------------------------------------------------------------===//
// Cubins for sm_80 and sm_90a
//===----------------------------------------------------------------------===//

struct CubinBuild {
  CubinResult cubin;
  Manifest manifest;
  std::string ptx;
};

/// Spec -> PTX -> cubin for `chip`, through the library steps.
void buildCubin(const PatternSpec &spec, const std::string &chip,
                CubinBuild &out) {
  CompilerSession session;
  auto module = session.importSpec(spec);
  ASSERT_TRUE(module) << module.status().message();
  auto info = session.describe(**module, specHash(spec));
  ASSERT_TRUE(info) << info.status().message();
  auto lowered = session.lowerToKernelVariants(**module, chip, *info);
  ASSERT_TRUE(lowered) << lowered.status().message();
  auto ptx = session.lowerToPtx(**module, chip);
  ASSERT_TRUE(ptx) << ptx.status().message();
  out.ptx = *ptx;
  auto cubin = assemblePtx(*ptx, chip);
  ASSERT_TRUE(cubin) << cubin.status().message();
  out.cubin = cubin.take();
  out.manifest = buildManifest(*info, lowered->kernels, chip, &out.cubin,
                               lowered->variants);
}

struct CubinSpec {
  const char *label;
  const char *json;
};
void PrintTo(const CubinSpec &c, std::ostream *os) { *os << c.label; }

class JitCubin : public ::testing::TestWithParam<CubinSpec> {};

TEST_P(JitCubin, Sm80AndSm90aCubinsValidateForTheirChipOnly) {
  if (!ptxasAvailable())
    GTEST_SKIP() << "ptxas not found ($SATTN_PTXAS, $CUDA_HOME/bin, PATH, "
                    "/usr/local/cuda/bin): cannot assemble cubins";
  auto spec = parsePatternSpec(GetParam().json, "<cubin spec>");
  ASSERT_TRUE(spec) << spec.status().message();
  EXPECT_TRUE(isSupportedChip("sm_80"));
  EXPECT_TRUE(isSupportedChip("sm_90a"));
  const std::pair<const char *, const char *> chips[] = {{"sm_80", "sm_90a"},
                                                         {"sm_90a", "sm_80"}};
  for (const auto &[chip, other] : chips) {
    SCOPED_TRACE(chip);
    CubinBuild b;
    buildCubin(*spec, chip, b);
    if (HasFatalFailure())
      return;
    EXPECT_TRUE(contains(b.ptx, std::string(".target ") + chip)) << chip;
    ASSERT_FALSE(b.cubin.cubin.empty());
    Status ok = rt::validateCubin(b.cubin.cubin, chip, "jit.cubin");
    EXPECT_TRUE(ok) << ok.message();
    Status wrong = rt::validateCubin(b.cubin.cubin, other, "jit.cubin");
    EXPECT_FALSE(wrong) << "a " << chip << " cubin validated for " << other;
    EXPECT_FALSE(wrong.message().empty());
    // A truncated cubin is rejected too.
    Status truncated = rt::validateCubin(
        b.cubin.cubin.substr(0, b.cubin.cubin.size() / 2), chip, "cut.cubin");
    EXPECT_FALSE(truncated);

    // ptxas' report: one entry per kernel, non-negative numbers.
    const Manifest &m = b.manifest;
    EXPECT_EQ(m.chip, chip);
    EXPECT_EQ(m.cubinSize, int64_t(b.cubin.cubin.size()));
    EXPECT_EQ(m.cubinHash,
              fnv1a64Hex(b.cubin.cubin.data(), b.cubin.cubin.size()));
    ASSERT_FALSE(m.kernels.empty());
    EXPECT_EQ(b.cubin.resources.size(), m.kernels.size()) << b.cubin.ptxasLog;
    for (const KernelResources &r : b.cubin.resources) {
      EXPECT_GE(r.registers, 0) << r.name;
      EXPECT_GE(r.spillStoreBytes, 0) << r.name;
      EXPECT_GE(r.spillLoadBytes, 0) << r.name;
    }
    for (const KernelInfo &k : m.kernels) {
      EXPECT_GE(k.registers, 0) << k.name;
      EXPECT_LE(k.registers, 255) << k.name;
      EXPECT_GE(k.spillBytes, 0) << k.name;
      EXPECT_TRUE(contains(b.cubin.cubin, k.name))
          << "kernel symbol " << k.name << " not in the cubin";
      std::printf("%s %s: %lld registers, %lld spill bytes\n", chip,
                  k.name.c_str(), (long long)k.registers,
                  (long long)k.spillBytes);
    }
    // The manifest round-trips through the runtime's strict reader.
    auto parsed = parseManifest(manifestToJson(m), "jit.json");
    EXPECT_TRUE(parsed) << parsed.status().message();
  }
}

// On sm_90a the policy compiles a causal bf16 head_dim-128 pattern twice:
// 64-row tiles below 2048 query rows, 128-row tiles (two consumer
// warpgroups, a producer, pipelined key loops) from there on; one cubin,
// one manifest, and the launch plan picks by Sq. sm_80 keeps one set.
TEST(JitCubinVariants, CausalOnSm90aHasTwoVariantsInOneCubin) {
  if (!ptxasAvailable())
    GTEST_SKIP() << "ptxas not found: cannot assemble cubins";
  auto spec = parsePatternSpec(kCausalJson, "<cubin spec>");
  ASSERT_TRUE(spec) << spec.status().message();
  CubinBuild hopper;
  buildCubin(*spec, "sm_90a", hopper);
  if (HasFatalFailure())
    return;
  const Manifest &m = hopper.manifest;
  ASSERT_EQ(m.variants.size(), 2u);
  EXPECT_EQ(m.variants[0].maxSeqQ, 2048);
  EXPECT_EQ(m.variants[1].minSeqQ, 2048);
  ASSERT_EQ(m.kernels.size(), 2u);
  EXPECT_EQ(m.kernels[0].variant, 0);
  EXPECT_EQ(m.kernels[0].blockM, 64);
  EXPECT_EQ(m.kernels[1].variant, 1);
  EXPECT_EQ(m.kernels[1].blockM, 128);
  EXPECT_EQ(m.kernels[1].threads, 384);
  EXPECT_EQ(m.kernels[1].name, m.kernels[0].name + "_v1");
  EXPECT_TRUE(contains(hopper.cubin.cubin, m.kernels[1].name));
  auto parsed = parseManifest(manifestToJson(m), "variants.json");
  ASSERT_TRUE(parsed) << parsed.status().message();
  LaunchBuffers bufs;
  bufs.q = bufs.k = bufs.v = reinterpret_cast<const void *>(0x1000);
  bufs.o = reinterpret_cast<void *>(0x2000);
  for (auto [sq, kernel] : {std::pair<int64_t, size_t>{2047, 0}, {2048, 1}}) {
    auto plan = planLaunches(*parsed, {1, 4, 4, sq, sq, 128}, bufs);
    ASSERT_TRUE(plan) << plan.status().message();
    ASSERT_EQ(plan->size(), 1u);
    EXPECT_EQ((*plan)[0].kernelIndex, kernel) << sq;
  }
  CubinBuild ampere;
  buildCubin(*spec, "sm_80", ampere);
  if (HasFatalFailure())
    return;
  EXPECT_EQ(ampere.manifest.variants.size(), 1u);
  EXPECT_EQ(ampere.manifest.kernels.size(), 1u);
}

const CubinSpec kCubinSpecs[] = {
    {"causal_bf16_d128", kCausalJson},
    {"delta_f32_d64", kDeltaJson},
    {"softcap_window_f16_d64",
     R"({"name": "api_cap", "dtype": "f16", "head_dim": 64, "softcap": 30,
         "mask": {"kind": "window", "left": 255, "right": 255}})"},
};

INSTANTIATE_TEST_SUITE_P(Specs, JitCubin, ::testing::ValuesIn(kCubinSpecs),
                         [](const ::testing::TestParamInfo<CubinSpec> &info) {
                           return std::string(info.param.label);
                         });
TEST(JitChips, UnsupportedChipIsAnError) {
  EXPECT_FALSE(isSupportedChip("sm_70"));
  EXPECT_FALSE(isSupportedChip("gfx90a"));
  auto spec = parsePatternSpec(kCausalJson, "<spec>");
  ASSERT_TRUE(spec);
  CompilerSession session;
  auto module = session.importSpec(*spec);
  ASSERT_TRUE(module) << module.status().message();
  ASSERT_TRUE(session.lowerToKernels(**module, "sm_80"));
  Result<std::string> ptx = Status::ok();
  EXPECT_NO_THROW(ptx = session.lowerToPtx(**module, "sm_70"));
  EXPECT_FALSE(ptx);
  EXPECT_TRUE(contains(ptx.status().message(), "sm_70"))
      << ptx.status().message();
}

} // namespace
} // namespace sattn::test
