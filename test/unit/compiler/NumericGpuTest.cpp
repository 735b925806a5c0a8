//===- NumericGpuTest.cpp - The numeric case table on the GPU backend -----===//
//
// Same cases as numeric_cpu_tests (NumericCases.cpp), compiled for the
// device's chip and launched through the CUDA runtime on DeviceBuffer
// copies. Without a device the program prints
//   SKIPPED: no CUDA device (<why>)
// and exits with 77 (ctest reports the test as skipped). At the end it
// prints
//   GPU numeric: N passed, M failed, worst rel_l2 X (case)
// followed by the worst error of each dtype.
//
//===----------------------------------------------------------------------===//
#include "NumericHarness.h"

#include "sattn/Runtime.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace sattn::test {
namespace {

class NumericGpu : public ::testing::TestWithParam<NumericCase> {};

TEST_P(NumericGpu, MatchesReference) {
  expectMatchesReference(Backend::Gpu, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Cases, NumericGpu, ::testing::ValuesIn(passingCases()),
                         caseParamName);
// Cases that fail because of a known compiler bug (NumericCases.cpp says
// which); run them with --gtest_also_run_disabled_tests.
INSTANTIATE_TEST_SUITE_P(DISABLED_KnownBugs, NumericGpu,
                         ::testing::ValuesIn(knownBugCases()), caseParamName);

TEST(NumericGpuCallerWorkspace, DeltaWithCallerProvidedWorkspace) {
  expectCallerWorkspaceCases(
      Backend::Gpu, {"dl_g8_t0_win4_bf16_d64_s17",
                    "dl_g64_t0_win10_bf16_d128_s257",
                    "dl_g8_t0_win16_f32_d64_s700"});
}

/// The check can fail on this backend too.
TEST(NumericGpuSanity, CausalKernelAgainstDenseReferenceFails) {
  PatternSpec causal;
  causal.name = "sanity_causal";
  causal.dtype = DType::F32;
  causal.headDim = 64;
  causal.mask = MaskExpr::causal();
  auto kernel = sharedJit(Backend::Gpu).compile(causal);
  ASSERT_TRUE(kernel) << kernel.status().message();
  AttentionShape shape;
  shape.H = 2;
  shape.Sq = shape.Sk = 100;
  shape.D = 64;
  NumericReport good = runNumeric(**kernel, causal, shape, 7);
  EXPECT_TRUE(good.passed()) << good.failure;
  NumericOptions wrong;
  wrong.referenceSpec = causal;
  wrong.referenceSpec->mask.reset();
  NumericReport bad = runNumeric(**kernel, causal, shape, 7, wrong);
  EXPECT_FALSE(bad.passed());
  EXPECT_GT(bad.err.relL2, 100 * bad.tolerance);
}

} // namespace
} // namespace sattn::test

int main(int argc, char **argv) {
  std::string why;
  if (!sattn::rt::deviceAvailable(&why)) {
    std::printf("SKIPPED: no CUDA device (%s)\n", why.c_str());
    std::fflush(stdout);
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  int rc = RUN_ALL_TESTS();
  std::printf("%s\n",
              sattn::test::NumericLog::instance().summary("GPU").c_str());
  std::fflush(stdout);
  return rc;
}
