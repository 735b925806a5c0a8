//===- NumericCpuTest.cpp - Every feature, CPU backend, vs the reference --===//
//
// The shared case table (NumericCases.cpp) on the CPU backend, which runs
// the same generated kernels as the GPU through MLIR's ExecutionEngine. Plus
// sanity tests proving the harness can fail: a deliberately wrong
// reference, and fake kernels that leave NaN poison, write out of bounds or
// return an error.
//
//===----------------------------------------------------------------------===//
#include "NumericHarness.h"

#include "Compiler/Backend/CpuKernels.h"
#include "Compiler/Driver/Compiler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <set>

namespace sattn::test {
namespace {

/// Prints the summary when the test program ends.
class SummaryPrinter : public ::testing::Environment {
public:
  void TearDown() override {
    std::printf("%s\n", NumericLog::instance().summary("CPU").c_str());
  }
};
[[maybe_unused]] ::testing::Environment *const summaryEnv =
    ::testing::AddGlobalTestEnvironment(new SummaryPrinter);

class NumericCpu : public ::testing::TestWithParam<NumericCase> {};

TEST_P(NumericCpu, MatchesReference) {
  expectMatchesReference(Backend::Cpu, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, NumericCpu, ::testing::ValuesIn(passingCases()),
                         caseParamName);
// Cases that fail because of a known compiler bug (NumericCases.cpp says
// which); run them with --gtest_also_run_disabled_tests.
INSTANTIATE_TEST_SUITE_P(DISABLED_KnownBugs, NumericCpu,
                         ::testing::ValuesIn(knownBugCases()), caseParamName);

//===----------------------------------------------------------------------===//
// The harness can fail
//===----------------------------------------------------------------------===//

PatternSpec makeSpec(const std::string &name, DType t, int64_t D,
                     std::optional<MaskExpr> mask) {
  PatternSpec s;
  s.name = name;
  s.dtype = t;
  s.headDim = D;
  s.mask = std::move(mask);
  return s;
}

AttentionShape square(int64_t S, int64_t D, int64_t H = 2) {
  AttentionShape s;
  s.B = 1;
  s.H = H;
  s.Hkv = 1;
  s.Sq = S;
  s.Sk = S;
  s.D = D;
  return s;
}

TEST(NumericSanity, CausalKernelAgainstDenseReferenceFails) {
  PatternSpec causal = makeSpec("sanity_causal", DType::F32, 64,
                                MaskExpr::causal());
  auto kernel = sharedJit(Backend::Cpu).compile(causal);
  ASSERT_TRUE(kernel) << kernel.status().message();
  // The right reference passes ...
  NumericReport good = runNumeric(**kernel, causal, square(100, 64), 7);
  EXPECT_TRUE(good.passed()) << good.failure;
  // ... the non-causal one must not.
  NumericOptions wrong;
  wrong.referenceSpec = makeSpec("sanity_causal", DType::F32, 64, std::nullopt);
  NumericReport bad = runNumeric(**kernel, causal, square(100, 64), 7, wrong);
  std::printf("causal vs dense reference: %s\n", bad.summary().c_str());
  EXPECT_FALSE(bad.passed());
  EXPECT_GT(bad.err.relL2, 100 * bad.tolerance);
  EXPECT_NE(bad.failure.find("exceeds"), std::string::npos) << bad.failure;
}

TEST(NumericSanity, OffByOneWindowReferenceFails) {
  // window{16, 0} vs window{16, 1}: one extra key per row.
  PatternSpec w = makeSpec("sanity_win", DType::F32, 128,
                           MaskExpr::window(16, 0));
  auto kernel = sharedJit(Backend::Cpu).compile(w);
  ASSERT_TRUE(kernel) << kernel.status().message();
  NumericOptions wrong;
  wrong.referenceSpec = makeSpec("sanity_win", DType::F32, 128,
                                 MaskExpr::window(16, 1));
  NumericReport bad = runNumeric(**kernel, w, square(130, 128), 11, wrong);
  std::printf("window{16,0} vs window{16,1} reference: %s\n",
              bad.summary().c_str());
  EXPECT_FALSE(bad.passed());
  EXPECT_GT(bad.err.relL2, 10 * bad.tolerance);
}

TEST(NumericSanity, DeltaKernelAgainstUncorrectedReferenceFails) {
  PatternSpec d = makeSpec(
      "sanity_delta", DType::BF16, 64,
      MaskExpr::intersect({MaskExpr::causal(),
                           MaskExpr::unite({MaskExpr::window(16, 0),
                                            MaskExpr::sink(4)})}));
  d.delta = DeltaCorrection{8, 0};
  auto kernel = sharedJit(Backend::Cpu).compile(d);
  ASSERT_TRUE(kernel) << kernel.status().message();
  NumericOptions wrong;
  wrong.referenceSpec = d;
  wrong.referenceSpec->delta.reset();
  NumericReport bad = runNumeric(**kernel, d, square(300, 64, 1), 13, wrong);
  std::printf("delta kernel vs uncorrected reference: %s\n",
              bad.summary().c_str());
  EXPECT_FALSE(bad.passed());
  EXPECT_GT(bad.err.relL2, bad.tolerance);
}

TEST(NumericSanity, LearnableSinksAgainstPlainSoftmaxReferenceFails) {
  // The harness's logits (up to 8) take a visible share of each row: a
  // kernel that ignored them would pass a reference without sinks.
  PatternSpec s = makeSpec("sanity_lsink", DType::F32, 64, MaskExpr::causal());
  s.learnableSinks = true;
  auto kernel = sharedJit(Backend::Cpu).compile(s);
  ASSERT_TRUE(kernel) << kernel.status().message();
  NumericOptions wrong;
  wrong.referenceSpec = s;
  wrong.referenceSpec->learnableSinks = false;
  NumericReport bad = runNumeric(**kernel, s, square(100, 64), 17, wrong);
  std::printf("sinks kernel vs plain softmax reference: %s\n",
              bad.summary().c_str());
  EXPECT_FALSE(bad.passed());
  EXPECT_GT(bad.err.relL2, 100 * bad.tolerance);
}

TEST(NumericSanity, AlibiAgainstUnbiasedReferenceFails) {
  PatternSpec s = makeSpec("sanity_alibi", DType::F32, 64, MaskExpr::causal());
  s.alibi = PatternSpec::AlibiSlopes::Geometric;
  auto kernel = sharedJit(Backend::Cpu).compile(s);
  ASSERT_TRUE(kernel) << kernel.status().message();
  NumericOptions wrong;
  wrong.referenceSpec = s;
  wrong.referenceSpec->alibi.reset();
  NumericReport bad = runNumeric(**kernel, s, square(100, 64), 19, wrong);
  std::printf("ALiBi kernel vs unbiased reference: %s\n",
              bad.summary().c_str());
  EXPECT_FALSE(bad.passed());
  EXPECT_GT(bad.err.relL2, 100 * bad.tolerance);
}

TEST(NumericCallerWorkspace, DeltaWithCallerProvidedWorkspace) {
  // The delta cases above let the backend allocate the workspace; here the
  // caller passes one (NaN-filled), on shapes with 1, 3 and 86 anchors.
  expectCallerWorkspaceCases(
      Backend::Cpu, {"dl_g8_t0_win4_bf16_d64_s17",
                    "dl_g64_t0_win10_bf16_d128_s257",
                    "dl_g8_t0_win16_f32_d64_s700",
                    "dl_g8_t0_hl_f16_d128_b3"});
}

/// The key loops as sm_90a's opt-in pipelining shapes them: full tiles in
/// loops of their own (sattn-tile-flash{split-full-tiles=1}), then rotated
/// so that Q.K^T of tile i comes before P.V of tile i-1, with P carried in
/// the values' type (sattn-pipeline-key-loops). The CPU runs the same tiled
/// form, so every fourth case of the shared table checks both transforms
/// against the double reference (empty loops, one-tile loops, windows
/// longer than the sequence, delta's several key loops).
TEST(NumericCpuPipelined, SplitAndRotatedKeyLoopsMatchReference) {
  std::vector<NumericCase> cases = passingCases();
  int checked = 0;
  for (size_t i = 0; i < cases.size(); i += 4) {
    const NumericCase &c = cases[i];
    SCOPED_TRACE(c.name);
    CompilerSession session;
    auto module = session.importSpec(c.spec);
    ASSERT_TRUE(module) << module.status().message();
    auto info = session.describe(**module, "0");
    ASSERT_TRUE(info) << info.status().message();
    std::string pipeline = frontendPipeline(kHostTarget, {});
    auto replace = [&](const std::string &from, const std::string &to) {
      size_t at = pipeline.find(from);
      ASSERT_NE(at, std::string::npos) << pipeline;
      pipeline.replace(at, from.size(), to);
    };
    replace("sattn-tile-flash", "sattn-tile-flash{split-full-tiles=1}");
    replace("sattn-lower-tiles-simt",
            "sattn-pipeline-key-loops,sattn-lower-tiles-simt");
    ASSERT_TRUE(session.runPipeline(**module, pipeline, "tiling"));
    std::vector<KernelInfo> kernels = session.kernelInfos(**module);
    ASSERT_TRUE(session.lowerToHostLLVM(**module));
    Manifest manifest = buildManifest(*info, kernels, "host", nullptr);
    auto cpu = CpuKernels::create(**module, manifest);
    ASSERT_TRUE(cpu) << cpu.status().message();
    std::unique_ptr<Kernel> kernel = makeCpuKernel(std::move(*cpu));
    NumericReport r = runNumeric(*kernel, c.spec, c.shape, c.seed);
    EXPECT_TRUE(r.passed()) << c.why << ": " << r.failure;
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

/// A manifest with TMA tensor maps (sm_90a kernels) cannot drive the CPU
/// backend: launch reports it before running anything.
TEST(CpuBackend, RejectsTensorMapParameters) {
  Result<PatternSpec> spec = parsePatternSpec(
      R"({"name": "tm", "dtype": "bf16", "head_dim": 64,
          "mask": {"kind": "causal"}})",
      "inline");
  ASSERT_TRUE(spec) << spec.status().message();
  CompilerSession session;
  auto module = session.importSpec(*spec);
  ASSERT_TRUE(module) << module.status().message();
  auto info = session.describe(**module, "0");
  ASSERT_TRUE(info) << info.status().message();
  ASSERT_TRUE(session.lowerToKernels(**module, kHostTarget));
  std::vector<KernelInfo> kernels = session.kernelInfos(**module);
  ASSERT_TRUE(session.lowerToHostLLVM(**module));
  Manifest manifest = buildManifest(*info, kernels, "host", nullptr);
  KernelParam map;
  map.name = "k_map";
  map.kind = "tensor_map";
  map.tensor = "k";
  map.boxCols = 64;
  map.boxRows = 64;
  manifest.kernels[0].params.push_back(map);
  auto cpu = CpuKernels::create(**module, manifest);
  ASSERT_TRUE(cpu) << cpu.status().message();

  AttentionShape shape{1, 1, 1, 8, 8, 64};
  std::vector<uint16_t> q(8 * 64, 0x3f80), o(8 * 64, 0x7fc0);
  Status st = (*cpu)->launch(shape, {q.data(), q.data(), q.data(), o.data()});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.kind(), ErrorKind::InvalidInput);
  EXPECT_NE(st.message().find("takes tensor_map parameters"),
            std::string::npos)
      << st.message();
  // Nothing ran: the output keeps its NaN poison.
  EXPECT_EQ(o[0], 0x7fc0);
}

/// A kernel that does what it is told to do wrong, to check the harness's
/// other checks (NaN poison, guard bands, launch errors).
class FakeKernel final : public Kernel {
public:
  enum class Mode { WriteNothing, OneNaN, ZerosPlusOverrun, Fail, NonZeroEmpty };
  FakeKernel(Mode mode, DType t, int64_t D) : mode_(mode), t_(t) {
    m_.name = "fake";
    m_.chip = "host";
    m_.dtype = dtypeName(t);
    m_.headDim = D;
  }
  const Manifest &manifest() const override { return m_; }
  Backend backend() const override { return Backend::Cpu; }
  Status launch(const AttentionShape &s, const LaunchBuffers &b,
                void *) override {
    size_t n = size_t(s.B * s.H * s.Sq * s.D);
    size_t esize = size_t(dtypeSize(t_));
    switch (mode_) {
    case Mode::WriteNothing:
      return Status::ok();
    case Mode::Fail:
      return Status::error(ErrorKind::InvalidArgument, "fake: refused");
    case Mode::OneNaN:
    case Mode::ZerosPlusOverrun:
    case Mode::NonZeroEmpty: {
      // Outputs of the real reference would need the inputs; write zeros
      // (a wrong but finite answer) and then the mode's defect.
      std::vector<double> zeros(n, 0.0);
      if (mode_ == Mode::OneNaN)
        zeros[n / 2] = std::numeric_limits<double>::quiet_NaN();
      if (mode_ == Mode::NonZeroEmpty)
        zeros[0] = 1.0;
      ref::toStorage(t_, zeros, b.o);
      if (mode_ == Mode::ZerosPlusOverrun)
        std::memset(static_cast<char *>(b.o) + n * esize, 0, 4);
      return Status::ok();
    }
    }
    return Status::ok();
  }

private:
  Mode mode_;
  DType t_;
  Manifest m_;
};

TEST(NumericSanity, UnwrittenOutputIsCaught) {
  PatternSpec s = makeSpec("fake", DType::BF16, 64, MaskExpr::causal());
  FakeKernel k(FakeKernel::Mode::WriteNothing, s.dtype, 64);
  NumericReport r = runNumeric(k, s, square(40, 64), 1);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.nonFinite, r.elements);
  EXPECT_TRUE(std::isnan(r.err.relL2));
  EXPECT_NE(r.failure.find("not finite"), std::string::npos) << r.failure;
}

TEST(NumericSanity, SingleNaNIsCaught) {
  PatternSpec s = makeSpec("fake", DType::F16, 64, std::nullopt);
  FakeKernel k(FakeKernel::Mode::OneNaN, s.dtype, 64);
  NumericReport r = runNumeric(k, s, square(40, 64), 1);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.nonFinite, 1u);
}

TEST(NumericSanity, WriteOutsideOutputIsCaught) {
  PatternSpec s = makeSpec("fake", DType::F32, 64, std::nullopt);
  FakeKernel k(FakeKernel::Mode::ZerosPlusOverrun, s.dtype, 64);
  NumericReport r = runNumeric(k, s, square(8, 64), 1);
  EXPECT_FALSE(r.passed());
  EXPECT_FALSE(r.guardsIntact);
}

TEST(NumericSanity, NonZeroKeylessRowIsCaught) {
  // Sq > Sk under causal: row 0 sees no key; the fake writes 1.0 there.
  PatternSpec s = makeSpec("fake", DType::F32, 64, MaskExpr::causal());
  FakeKernel k(FakeKernel::Mode::NonZeroEmpty, s.dtype, 64);
  AttentionShape shape = square(20, 64, 1);
  shape.Sk = 5;
  NumericReport r = runNumeric(k, s, shape, 1);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.emptyRows, 15u);
  EXPECT_EQ(r.emptyRowsNonZero, 1u);
}

TEST(NumericSanity, LaunchErrorIsReported) {
  PatternSpec s = makeSpec("fake", DType::F32, 64, std::nullopt);
  FakeKernel k(FakeKernel::Mode::Fail, s.dtype, 64);
  NumericReport r = runNumeric(k, s, square(8, 64), 1);
  EXPECT_FALSE(r.passed());
  EXPECT_NE(r.failure.find("fake: refused"), std::string::npos) << r.failure;
}

TEST(NumericSanity, CaseTableIsWellFormed) {
  const auto &cases = numericCases();
  EXPECT_GE(cases.size(), 80u);
  std::set<uint64_t> seeds;
  for (const NumericCase &c : cases) {
    EXPECT_EQ(c.shape.D, c.spec.headDim) << c.name;
    EXPECT_EQ(c.shape.H % c.shape.Hkv, 0) << c.name;
    if (c.spec.delta) {
      EXPECT_EQ(c.shape.Sq, c.shape.Sk) << c.name;
    }
    EXPECT_TRUE(seeds.insert(c.seed).second) << "seed reused: " << c.name;
  }
}

} // namespace
} // namespace sattn::test
