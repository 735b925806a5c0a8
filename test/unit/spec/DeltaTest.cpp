//===- DeltaTest.cpp - The delta correction, row class by row class -------===//
//
// methods.md section 1: cut = Sq mod gamma + max(tail_min, gamma),
// s_p = Sq - cut; rows >= s_p are dense causal, anchor rows (multiples of
// gamma below s_p) are dense causal, every other row is O_sp plus its
// anchor's (O_dn - O_sp).
//
//===----------------------------------------------------------------------===//

#include "Reference/Reference.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace sattn;
using sattn::ref::Problem;

namespace {

std::vector<double> randomVector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<double> v(n);
  for (double &x : v)
    x = dist(gen);
  return v;
}

MaskExpr swaSink() {
  return MaskExpr::intersect(
      {MaskExpr::causal(), MaskExpr::unite({MaskExpr::window(3, 0), MaskExpr::sink(2)})});
}

/// Outputs of one problem under the corrected pattern, the same pattern
/// without the correction, and dense causal.
struct DeltaCase {
  Problem p;
  int64_t gamma, tailMin;
  std::vector<double> corrected, sparse, denseCausal;

  DeltaCase(Problem prob, int64_t g, int64_t t, std::optional<MaskExpr> mask = swaSink())
      : p(prob), gamma(g), tailMin(t) {
    auto q = randomVector(p.B * p.H * p.Sq * p.D, 21);
    auto k = randomVector(p.B * p.Hkv * p.Sk * p.D, 22);
    auto v = randomVector(p.B * p.Hkv * p.Sk * p.D, 23);
    PatternSpec s;
    s.name = "t";
    s.headDim = 64;
    s.mask = mask;
    sparse = ref::attention(s, p, q, k, v);
    s.delta = DeltaCorrection{g, t};
    corrected = ref::attention(s, p, q, k, v);
    PatternSpec c;
    c.name = "c";
    c.headDim = 64;
    c.mask = MaskExpr::causal();
    denseCausal = ref::attention(c, p, q, k, v);
  }

  int64_t sp() const { return p.Sq - (p.Sq % gamma + std::max(tailMin, gamma)); }
  size_t at(int64_t bh, int64_t i, int64_t d) const { return (bh * p.Sq + i) * p.D + d; }
};

} // namespace

TEST(RefDelta, RowClasses) {
  // Sq = 45, gamma 4, tail_min 6: cut = 1 + 6 = 7, s_p = 38.
  DeltaCase c(Problem{2, 2, 1, 45, 45, 4}, 4, 6);
  ASSERT_EQ(c.sp(), 38);
  int anchors = 0, corrected = 0, tail = 0;
  for (int64_t bh = 0; bh < c.p.B * c.p.H; ++bh)
    for (int64_t i = 0; i < c.p.Sq; ++i) {
      const int64_t a = c.gamma * (i / c.gamma);
      for (int64_t d = 0; d < c.p.D; ++d) {
        double got = c.corrected[c.at(bh, i, d)];
        if (i >= c.sp()) {
          EXPECT_EQ(got, c.denseCausal[c.at(bh, i, d)]) << "tail row " << i;
        } else if (i == a) {
          EXPECT_EQ(got, c.denseCausal[c.at(bh, i, d)]) << "anchor row " << i;
        } else {
          double want = c.sparse[c.at(bh, i, d)] +
                        (c.denseCausal[c.at(bh, a, d)] - c.sparse[c.at(bh, a, d)]);
          EXPECT_EQ(got, want) << "row " << i << " anchor " << a;
        }
      }
      if (bh == 0)
        (i >= c.sp() ? tail : i == a ? anchors : corrected)++;
    }
  EXPECT_EQ(anchors, 10); // 0, 4, ..., 36
  EXPECT_EQ(tail, 7);
  EXPECT_EQ(corrected, 28);
}

TEST(RefDelta, CorrectionIsNotTrivial) {
  // Sanity: the pattern differs from dense causal on late rows, and the
  // corrected rows differ from both.
  DeltaCase c(Problem{1, 1, 1, 45, 45, 4}, 4, 6);
  EXPECT_NE(c.sparse[c.at(0, 37, 0)], c.denseCausal[c.at(0, 37, 0)]);
  EXPECT_NE(c.corrected[c.at(0, 37, 0)], c.sparse[c.at(0, 37, 0)]);
  EXPECT_NE(c.corrected[c.at(0, 37, 0)], c.denseCausal[c.at(0, 37, 0)]);
}

TEST(RefDelta, AllRowsAreTailWhenSqIsSmall) {
  // Sq = 5, gamma 4, tail_min 6: s_p = 5 - 7 < 0.
  DeltaCase c(Problem{1, 2, 2, 5, 5, 3}, 4, 6);
  ASSERT_LT(c.sp(), 0);
  EXPECT_EQ(c.corrected, c.denseCausal);
  // s_p == 0 exactly: also all tail.
  DeltaCase z(Problem{1, 1, 1, 8, 8, 3}, 4, 8);
  ASSERT_EQ(z.sp(), 0);
  EXPECT_EQ(z.corrected, z.denseCausal);
}

TEST(RefDelta, CutUsesGammaWhenLargerThanTailMin) {
  // Sq = 30, gamma 8, tail_min 2: cut = 6 + 8 = 14, s_p = 16.
  DeltaCase c(Problem{1, 1, 1, 30, 30, 3}, 8, 2);
  ASSERT_EQ(c.sp(), 16);
  for (int64_t d = 0; d < c.p.D; ++d) {
    // Row 15 is corrected from anchor 8, row 16 is the first tail row.
    double want15 = c.sparse[c.at(0, 15, d)] +
                    (c.denseCausal[c.at(0, 8, d)] - c.sparse[c.at(0, 8, d)]);
    EXPECT_EQ(c.corrected[c.at(0, 15, d)], want15);
    EXPECT_EQ(c.corrected[c.at(0, 16, d)], c.denseCausal[c.at(0, 16, d)]);
  }
}

TEST(RefDelta, GammaOneMakesEveryRowDenseCausal) {
  // Every row below s_p is its own anchor; the rest is tail.
  DeltaCase c(Problem{1, 1, 1, 20, 20, 3}, 1, 0);
  EXPECT_EQ(c.corrected, c.denseCausal);
}

TEST(RefDelta, DenseCausalIsBottomRightAlignedWhenSqBelowSk) {
  // 24 new queries after 16 cached keys: "dense causal" is j <= i + 16.
  DeltaCase c(Problem{1, 1, 1, 24, 40, 3}, 4, 4);
  ASSERT_EQ(c.sp(), 20);
  for (int64_t i = 20; i < 24; ++i)
    for (int64_t d = 0; d < c.p.D; ++d)
      EXPECT_EQ(c.corrected[c.at(0, i, d)], c.denseCausal[c.at(0, i, d)]);
  // And dense causal here really differs from attending all 40 keys.
  PatternSpec dense;
  dense.name = "d";
  dense.headDim = 64;
  auto q = randomVector(24 * 3, 21), k = randomVector(40 * 3, 22), v = randomVector(40 * 3, 23);
  std::vector<double> all = ref::attention(dense, c.p, q, k, v);
  EXPECT_NE(all[c.at(0, 0, 0)], c.denseCausal[c.at(0, 0, 0)]);
}

TEST(RefDelta, WithoutAMaskTheSparsePassIsDense) {
  // A dense (non-causal) base pattern: O_sp sees future keys, the anchors
  // and tail do not.
  DeltaCase c(Problem{1, 1, 1, 24, 24, 3}, 4, 4, std::nullopt);
  ASSERT_EQ(c.sp(), 20);
  for (int64_t i = 0; i < 20; ++i) {
    const int64_t a = 4 * (i / 4);
    for (int64_t d = 0; d < c.p.D; ++d) {
      double want = i == a ? c.denseCausal[c.at(0, i, d)]
                           : c.sparse[c.at(0, i, d)] +
                                 (c.denseCausal[c.at(0, a, d)] - c.sparse[c.at(0, a, d)]);
      EXPECT_EQ(c.corrected[c.at(0, i, d)], want);
    }
  }
}

// With a reference mask the "dense" rows are the reference's: anchors and
// tail rows equal plain attention under the reference, the other rows get
// their anchor's delta against it. Every key ("dense") and a chunked causal
// reference.
TEST(RefDelta, ReferenceMaskIsTheDenseRows) {
  const Problem p{1, 2, 1, 45, 45, 4};
  auto q = randomVector(p.B * p.H * p.Sq * p.D, 31);
  auto k = randomVector(p.B * p.Hkv * p.Sk * p.D, 32);
  auto v = randomVector(p.B * p.Hkv * p.Sk * p.D, 33);
  struct Reference {
    const char *what;
    bool dense;
    std::optional<MaskExpr> mask; ///< The reference as a plain pattern.
  };
  const Reference references[] = {
      {"dense", true, std::nullopt},
      {"causal within chunks of 10", false,
       MaskExpr::intersect({MaskExpr::causal(), MaskExpr::chunk(10)})}};
  for (const Reference &r : references) {
    SCOPED_TRACE(r.what);
    PatternSpec s;
    s.name = "t";
    s.headDim = 64;
    s.mask = MaskExpr::window(2, 1);
    std::vector<double> sparse = ref::attention(s, p, q, k, v);
    PatternSpec plain = s;
    plain.mask = r.mask;
    std::vector<double> reference = ref::attention(plain, p, q, k, v);
    s.delta = DeltaCorrection{4, 6};
    s.delta->denseReference = r.dense;
    s.delta->reference = r.mask;
    std::vector<double> corrected = ref::attention(s, p, q, k, v);
    const int64_t sp = 45 - (45 % 4 + 6);
    for (int64_t bh = 0; bh < p.B * p.H; ++bh)
      for (int64_t i = 0; i < p.Sq; ++i)
        for (int64_t d = 0; d < p.D; ++d) {
          size_t at = size_t((bh * p.Sq + i) * p.D + d);
          int64_t a = 4 * (i / 4);
          size_t anchor = size_t((bh * p.Sq + a) * p.D + d);
          double expect =
              i >= sp || i == a
                  ? reference[at]
                  : sparse[at] + (reference[anchor] - sparse[anchor]);
          ASSERT_NEAR(corrected[at], expect, 1e-12)
              << "head " << bh << " row " << i << " dim " << d;
        }
  }
}
