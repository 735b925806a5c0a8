//===- AttentionTest.cpp - The reference against first principles ---------===//

#include "Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

using namespace sattn;
using sattn::ref::Problem;

namespace {

PatternSpec makeSpec(std::optional<MaskExpr> mask = std::nullopt) {
  PatternSpec s;
  s.name = "t";
  s.dtype = DType::F32;
  s.headDim = 64;
  s.mask = std::move(mask);
  return s;
}

std::vector<double> randomVector(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<double> v(n);
  for (double &x : v)
    x = dist(gen);
  return v;
}

size_t qSize(const Problem &p) { return p.B * p.H * p.Sq * p.D; }
size_t kvSize(const Problem &p) { return p.B * p.Hkv * p.Sk * p.D; }

/// A second, matrix-shaped implementation: S = scale Q K^T (softcapped),
/// P = M .* exp(S) without max subtraction (fine for small inputs), rows
/// normalised, O = P V. Written independently of the reference's row loop.
std::vector<double> matrixAttention(const PatternSpec &spec, const Problem &p,
                                    const std::vector<double> &q,
                                    const std::vector<double> &k,
                                    const std::vector<double> &v) {
  std::vector<double> o(qSize(p), 0.0);
  const int64_t group = p.H / p.Hkv;
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t h = 0; h < p.H; ++h) {
      auto Q = [&](int64_t i, int64_t d) { return q[((b * p.H + h) * p.Sq + i) * p.D + d]; };
      auto K = [&](int64_t j, int64_t d) {
        return k[((b * p.Hkv + h / group) * p.Sk + j) * p.D + d];
      };
      auto V = [&](int64_t j, int64_t d) {
        return v[((b * p.Hkv + h / group) * p.Sk + j) * p.D + d];
      };
      // P[i][j]
      std::vector<std::vector<double>> P(p.Sq, std::vector<double>(p.Sk, 0.0));
      for (int64_t i = 0; i < p.Sq; ++i) {
        double rowSum = 0;
        for (int64_t j = 0; j < p.Sk; ++j) {
          double s = 0;
          for (int64_t d = 0; d < p.D; ++d)
            s += Q(i, d) * K(j, d);
          s *= spec.effectiveScale();
          if (spec.softcap)
            s = *spec.softcap * std::tanh(s / *spec.softcap);
          bool m = !spec.mask || ref::maskAllows(*spec.mask, i, j, p.Sq, p.Sk);
          P[i][j] = m ? std::exp(s) : 0.0;
          rowSum += P[i][j];
        }
        for (int64_t j = 0; j < p.Sk; ++j)
          P[i][j] = rowSum > 0 ? P[i][j] / rowSum : 0.0;
      }
      for (int64_t i = 0; i < p.Sq; ++i)
        for (int64_t d = 0; d < p.D; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < p.Sk; ++j)
            acc += P[i][j] * V(j, d);
          o[((b * p.H + h) * p.Sq + i) * p.D + d] = acc;
        }
    }
  return o;
}

} // namespace

TEST(RefAttention, SingleKeyGivesThatValueRow) {
  Problem p{1, 2, 1, 3, 1, 4};
  auto q = randomVector(qSize(p), 1), k = randomVector(kvSize(p), 2),
       v = randomVector(kvSize(p), 3);
  std::vector<double> o = ref::attention(makeSpec(), p, q, k, v);
  for (int64_t h = 0; h < p.H; ++h)
    for (int64_t i = 0; i < p.Sq; ++i)
      for (int64_t d = 0; d < p.D; ++d)
        EXPECT_DOUBLE_EQ(o[(h * p.Sq + i) * p.D + d], v[d]);
}

TEST(RefAttention, UniformScoresGiveTheMeanOfTheValues) {
  Problem p{1, 1, 1, 4, 4, 3};
  std::vector<double> q(qSize(p), 0.0); // every score is 0
  auto k = randomVector(kvSize(p), 4), v = randomVector(kvSize(p), 5);
  std::vector<double> dense = ref::attention(makeSpec(), p, q, k, v);
  std::vector<double> causal = ref::attention(makeSpec(MaskExpr::causal()), p, q, k, v);
  for (int64_t i = 0; i < p.Sq; ++i)
    for (int64_t d = 0; d < p.D; ++d) {
      double all = 0, prefix = 0;
      for (int64_t j = 0; j < p.Sk; ++j) {
        all += v[j * p.D + d];
        if (j <= i)
          prefix += v[j * p.D + d];
      }
      EXPECT_NEAR(dense[i * p.D + d], all / p.Sk, 1e-15);
      EXPECT_NEAR(causal[i * p.D + d], prefix / (i + 1), 1e-15);
    }
}

TEST(RefAttention, MatchesMatrixImplementation) {
  Problem p{2, 4, 2, 5, 7, 3};
  auto q = randomVector(qSize(p), 6), k = randomVector(kvSize(p), 7),
       v = randomVector(kvSize(p), 8);
  std::vector<PatternSpec> specs = {
      makeSpec(),
      makeSpec(MaskExpr::causal()),
      makeSpec(MaskExpr::window(1, 2)),
      makeSpec(MaskExpr::intersect(
          {MaskExpr::causal(), MaskExpr::unite({MaskExpr::window(1, 0), MaskExpr::sink(1)})})),
  };
  PatternSpec scaled = makeSpec(MaskExpr::causal());
  scaled.scale = 0.7;
  specs.push_back(scaled);
  PatternSpec capped = makeSpec(MaskExpr::window(2, 0));
  capped.scale = 3.0; // large enough that the cap matters
  capped.softcap = 2.0;
  specs.push_back(capped);
  for (size_t n = 0; n < specs.size(); ++n) {
    std::vector<double> got = ref::attention(specs[n], p, q, k, v);
    std::vector<double> want = matrixAttention(specs[n], p, q, k, v);
    ref::ErrorStats e = ref::compare(got, want);
    EXPECT_LT(e.maxAbs, 1e-13) << "spec " << n;
  }
}

TEST(RefAttention, SoftcapBoundsTheScores) {
  // Two keys; without the cap key 1 dominates, with cap c the weight ratio
  // is at most exp(2c).
  Problem p{1, 1, 1, 1, 2, 1};
  std::vector<double> q{1.0}, k{-100.0, 100.0}, v{0.0, 1.0};
  PatternSpec s = makeSpec();
  s.scale = 1.0;
  s.softcap = 1.0;
  std::vector<double> o = ref::attention(s, p, q, k, v);
  double w1 = std::exp(std::tanh(100.0)), w0 = std::exp(std::tanh(-100.0));
  EXPECT_NEAR(o[0], w1 / (w0 + w1), 1e-15);
}

TEST(RefAttention, LargeScoresDoNotOverflow) {
  Problem p{1, 1, 1, 1, 2, 1};
  std::vector<double> q{1.0}, k{1000.0, 999.0}, v{1.0, 3.0};
  PatternSpec s = makeSpec();
  s.scale = 1.0;
  std::vector<double> o = ref::attention(s, p, q, k, v);
  double w = std::exp(-1.0);
  EXPECT_NEAR(o[0], (1.0 + 3.0 * w) / (1.0 + w), 1e-14);
}

TEST(RefAttention, RowsThatSeeNoKeyAreZeroNotNaN) {
  Problem p{1, 1, 1, 4, 2, 3};
  auto q = randomVector(qSize(p), 9), k = randomVector(kvSize(p), 10),
       v = randomVector(kvSize(p), 11);
  std::vector<double> o = ref::attention(makeSpec(MaskExpr::causal()), p, q, k, v);
  for (int64_t i = 0; i < 2; ++i) // positions -2 and -1
    for (int64_t d = 0; d < p.D; ++d)
      EXPECT_EQ(o[i * p.D + d], 0.0);
  for (int64_t d = 0; d < p.D; ++d)
    EXPECT_DOUBLE_EQ(o[2 * p.D + d], v[d]); // position 0 sees key 0 only
  Problem empty{1, 1, 1, 2, 0, 3};
  std::vector<double> none = ref::attention(makeSpec(), empty, std::vector<double>(6, 1.0), {}, {});
  for (double x : none)
    EXPECT_EQ(x, 0.0);
}

TEST(RefAttention, GqaHeadMapping) {
  // H = 4, Hkv = 2: query heads 0,1 read kv head 0, heads 2,3 read kv head 1.
  Problem p{2, 4, 2, 3, 5, 2};
  auto q = randomVector(qSize(p), 12), k = randomVector(kvSize(p), 13),
       v = randomVector(kvSize(p), 14);
  PatternSpec s = makeSpec(MaskExpr::causal());
  std::vector<double> before = ref::attention(s, p, q, k, v);
  // Perturb kv head 1 of batch 1 only.
  const size_t headSize = p.Sk * p.D;
  for (size_t n = 0; n < headSize; ++n) {
    k[(1 * p.Hkv + 1) * headSize + n] += 0.5;
    v[(1 * p.Hkv + 1) * headSize + n] -= 0.25;
  }
  std::vector<double> after = ref::attention(s, p, q, k, v);
  const size_t qHead = p.Sq * p.D;
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t h = 0; h < p.H; ++h) {
      bool changed = false;
      for (size_t n = 0; n < qHead; ++n)
        changed = changed || before[(b * p.H + h) * qHead + n] != after[(b * p.H + h) * qHead + n];
      EXPECT_EQ(changed, b == 1 && h >= 2) << "b=" << b << " h=" << h;
    }
}

TEST(RefAttention, ScaleDefaultsToInverseSqrtOfSpecHeadDim) {
  Problem p{1, 1, 1, 2, 3, 2};
  auto q = randomVector(qSize(p), 15), k = randomVector(kvSize(p), 16),
       v = randomVector(kvSize(p), 17);
  PatternSpec implicit = makeSpec(); // head_dim 64 -> 1/8
  PatternSpec explicitScale = makeSpec();
  explicitScale.scale = 0.125;
  EXPECT_EQ(ref::attention(implicit, p, q, k, v), ref::attention(explicitScale, p, q, k, v));
}

TEST(RefAttention, LearnableSinkJoinsTheDenominator) {
  // Zero scores: row i of causal sees i + 1 keys of weight 1, and the sink
  // adds e^z, so o_i = (sum_{j<=i} v_j) / (i + 1 + e^z). Head 0: z = ln 3;
  // head 1: z = -inf (no sink); head 2: z = 800 (e^z overflows double: the
  // sink takes all the weight, o = 0).
  Problem p{1, 3, 1, 4, 4, 2};
  PatternSpec s = makeSpec(MaskExpr::causal());
  s.learnableSinks = true;
  std::vector<double> q(qSize(p), 0.0);
  auto k = randomVector(kvSize(p), 6), v = randomVector(kvSize(p), 7);
  ref::Tensors t{{"sinks", {std::log(3.0), -INFINITY, 800.0}}};
  std::vector<double> o = ref::attention(s, p, q, k, v, t);
  for (int64_t h = 0; h < p.H; ++h)
    for (int64_t i = 0; i < p.Sq; ++i)
      for (int64_t d = 0; d < p.D; ++d) {
        double prefix = 0;
        for (int64_t j = 0; j <= i; ++j)
          prefix += v[j * p.D + d];
        double expect = h == 0   ? prefix / (i + 1 + 3.0)
                        : h == 1 ? prefix / (i + 1)
                                 : 0.0;
        EXPECT_NEAR(o[(h * p.Sq + i) * p.D + d], expect, 1e-14)
            << h << " " << i;
      }
}

TEST(RefAttention, AlibiAddsSlopeTimesDistance) {
  // Zero scores, dense, Sq = 2 < Sk = 3 (i' = i + 1): row i's weights are
  // 2^(m (j - i')) / sum, from the slopes tensor (head 0: m = 1, head 1:
  // m = 0) and, for the geometric series with H = 2, m_0 = 2^-4, m_1 = 2^-8.
  Problem p{1, 2, 1, 2, 3, 1};
  std::vector<double> q(qSize(p), 0.0), k(kvSize(p), 0.0),
      v = {1.0, 10.0, 100.0};
  auto expect = [&](double m, int64_t i) {
    double num = 0, den = 0;
    for (int64_t j = 0; j < 3; ++j) {
      double w = std::exp(m * double(j - (i + 1)));
      num += w * v[j];
      den += w;
    }
    return num / den;
  };
  PatternSpec t = makeSpec();
  t.alibi = PatternSpec::AlibiSlopes::Tensor;
  std::vector<double> o =
      ref::attention(t, p, q, k, v, {{"alibi_slopes", {1.0, 0.0}}});
  PatternSpec g = makeSpec();
  g.alibi = PatternSpec::AlibiSlopes::Geometric;
  std::vector<double> og = ref::attention(g, p, q, k, v);
  for (int64_t i = 0; i < 2; ++i) {
    EXPECT_NEAR(o[i], expect(1.0, i), 1e-12);
    EXPECT_NEAR(o[2 + i], 37.0, 1e-12); // the mean
    EXPECT_NEAR(og[i], expect(1.0 / 16, i), 1e-12);
    EXPECT_NEAR(og[2 + i], expect(1.0 / 256, i), 1e-12);
  }
}

TEST(RefAttention, LearnableSinksNeedTheirTensor) {
  Problem p{1, 2, 1, 2, 2, 2};
  PatternSpec s = makeSpec();
  s.learnableSinks = true;
  std::vector<double> q(qSize(p)), kv(kvSize(p));
  EXPECT_THROW(ref::attention(s, p, q, kv, kv), std::invalid_argument);
  EXPECT_THROW(ref::attention(s, p, q, kv, kv, {{"sinks", {0.0}}}),
               std::invalid_argument);
  EXPECT_NO_THROW(ref::attention(s, p, q, kv, kv, {{"sinks", {0.0, 1.0}}}));
}

TEST(RefAttention, MisuseThrows) {
  Problem p{1, 3, 2, 2, 2, 2}; // H not a multiple of Hkv
  std::vector<double> q(12), kv(8);
  EXPECT_THROW(ref::attention(makeSpec(), p, q, kv, kv), std::invalid_argument);
  Problem ok{1, 2, 1, 2, 2, 2};
  EXPECT_THROW(ref::attention(makeSpec(), ok, std::vector<double>(7), std::vector<double>(4),
                              std::vector<double>(4)),
               std::invalid_argument);
}

namespace {

/// Rows [begin, end) of every head of a [B, heads, S, D] tensor, as a
/// [1, heads, end - begin, D] tensor of batch row b.
std::vector<double> sliceRows(const std::vector<double> &t, int64_t b,
                              int64_t heads, int64_t S, int64_t D,
                              int64_t begin, int64_t end) {
  std::vector<double> out;
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = begin; i < end; ++i)
      for (int64_t d = 0; d < D; ++d)
        out.push_back(t[((b * heads + h) * S + i) * D + d]);
  return out;
}

} // namespace

// Packed documents are separate sequences: each document's rows equal the
// attention of its own queries over its own keys, with the rest of the mask
// (causal, a window, sinks counted from the document's start) on the
// document's coordinates, queries aligned to the end of its keys.
TEST(RefAttention, DocumentsAreSeparateSequences) {
  const MaskExpr within = MaskExpr::intersect(
      {MaskExpr::causal(),
       MaskExpr::unite({MaskExpr::window(3, 0), MaskExpr::sink(2)})});
  PatternSpec packed =
      makeSpec(MaskExpr::intersect({MaskExpr::documents(), within}));
  PatternSpec alone = makeSpec(within);
  Problem p{2, 2, 1, 13, 17, 4, 4};
  // Batch row 0: query documents 1, 0 (empty), 5, 7; keys 3, 2, 5, 7.
  // Batch row 1: one document of 13 queries over all 17 keys, three empty.
  ref::Tensors tensors = {
      {"cu_seqlens_q", {0, 1, 1, 6, 13, 0, 13, 13, 13, 13}},
      {"cu_seqlens_k", {0, 3, 5, 10, 17, 0, 17, 17, 17, 17}}};
  std::vector<double> q = randomVector(qSize(p), 1),
                      k = randomVector(kvSize(p), 2),
                      v = randomVector(kvSize(p), 3);
  std::vector<double> o = ref::attention(packed, p, q, k, v, tensors);
  for (int64_t b = 0; b < p.B; ++b)
    for (int64_t d = 0; d < p.Nd; ++d) {
      const int64_t row = b * (p.Nd + 1) + d;
      const auto qs = int64_t(tensors["cu_seqlens_q"][row]),
                 qe = int64_t(tensors["cu_seqlens_q"][row + 1]),
                 ks = int64_t(tensors["cu_seqlens_k"][row]),
                 ke = int64_t(tensors["cu_seqlens_k"][row + 1]);
      if (qs == qe)
        continue;
      Problem one{1, p.H, p.Hkv, qe - qs, ke - ks, p.D};
      std::vector<double> expect =
          ref::attention(alone, one, sliceRows(q, b, p.H, p.Sq, p.D, qs, qe),
                         sliceRows(k, b, p.Hkv, p.Sk, p.D, ks, ke),
                         sliceRows(v, b, p.Hkv, p.Sk, p.D, ks, ke));
      EXPECT_EQ(sliceRows(o, b, p.H, p.Sq, p.D, qs, qe), expect)
          << "batch row " << b << ", document " << d;
    }
  // A query of a document without keys sees nothing: zeros.
  tensors["cu_seqlens_k"] = {0, 0, 5, 10, 17, 0, 17, 17, 17, 17};
  o = ref::attention(packed, p, q, k, v, tensors);
  for (int64_t d = 0; d < p.D; ++d)
    EXPECT_EQ(o[d], 0.0);
}

TEST(RefAttention, DocumentOffsetsMustCoverTheSequence) {
  PatternSpec packed = makeSpec(MaskExpr::documents());
  Problem p{1, 1, 1, 8, 8, 2, 2};
  std::vector<double> q = randomVector(qSize(p), 1),
                      k = randomVector(kvSize(p), 2);
  for (const std::vector<double> &bad :
       {std::vector<double>{0, 5, 3}, std::vector<double>{1, 4, 8},
        std::vector<double>{0, 4, 7}}) {
    ref::Tensors tensors = {{"cu_seqlens_q", bad}, {"cu_seqlens_k", {0, 4, 8}}};
    EXPECT_THROW(ref::attention(packed, p, q, k, k, tensors),
                 std::invalid_argument);
  }
  ref::Tensors missing = {{"cu_seqlens_q", {0, 4, 8}}};
  EXPECT_THROW(ref::attention(packed, p, q, k, k, missing),
               std::invalid_argument);
}

namespace {
/// Blocks of 16 x 16 over 32 queries and keys: query block 0 lists key
/// block 0 as partial, query block 1 lists key block 1 as partial and key
/// block 0 as full. With a causal partial mask that is causal attention.
ref::Tensors causalLayout() {
  return {{"kv_num_blocks", {1, 1}},
          {"kv_indices", {0, -1, 1, -1}},
          {"full_kv_num_blocks", {0, 1}},
          {"full_kv_indices", {-1, -1, 0, -1}}};
}
} // namespace

TEST(RefAttention, BlockLayoutIsTheMaskItLists) {
  PatternSpec layout =
      makeSpec(MaskExpr::blockLayout(16, 16, MaskExpr::causal()));
  Problem p{1, 2, 1, 32, 32, 4};
  std::vector<double> q = randomVector(qSize(p), 1),
                      k = randomVector(kvSize(p), 2),
                      v = randomVector(kvSize(p), 3);
  const std::vector<double> causal =
      ref::attention(makeSpec(MaskExpr::causal()), p, q, k, v);
  EXPECT_EQ(ref::attention(layout, p, q, k, v, causalLayout()), causal);
  // Without the partial mask the partial blocks are kept whole: rows of
  // query block 0 see key block 0, the others every key.
  const MaskExpr whole = MaskExpr::unite(
      {MaskExpr::chunk(16),
       MaskExpr::intersect({MaskExpr::causal(), MaskExpr::sink(16)})});
  EXPECT_EQ(ref::attention(makeSpec(MaskExpr::blockLayout(16, 16)), p, q, k, v,
                           causalLayout()),
            ref::attention(makeSpec(whole), p, q, k, v));
  // Intersected with a window, the full block is cut by the window too.
  const MaskExpr window = MaskExpr::window(5, 0);
  EXPECT_EQ(
      ref::attention(
          makeSpec(MaskExpr::intersect(
              {window, MaskExpr::blockLayout(16, 16, MaskExpr::causal())})),
          p, q, k, v, causalLayout()),
      ref::attention(makeSpec(window), p, q, k, v));
  // Query block 1 with nothing listed: its rows are zeros. A layout a
  // head (LH = 2): head 1's rows 16.. see nothing, head 0's are causal.
  Problem perHead = p;
  perHead.LH = 2;
  ref::Tensors tensors = {{"kv_num_blocks", {1, 1, 1, 0}},
                          {"kv_indices", {0, -1, 1, -1, 0, -1, -1, -1}},
                          {"full_kv_num_blocks", {0, 1, 0, 0}},
                          {"full_kv_indices", {-1, -1, 0, -1, -1, -1, -1, -1}}};
  std::vector<double> o = ref::attention(layout, perHead, q, k, v, tensors);
  const size_t headSize = size_t(p.Sq * p.D);
  for (size_t n = 0; n < headSize; ++n)
    EXPECT_EQ(o[n], causal[n]) << "head 0";
  for (size_t n = headSize + 16 * p.D; n < 2 * headSize; ++n)
    EXPECT_EQ(o[n], 0.0) << "head 1, rows of query block 1";
  for (size_t n = headSize; n < headSize + 16 * p.D; ++n)
    EXPECT_EQ(o[n], causal[n]) << "head 1, rows of query block 0";
}

TEST(RefAttention, BlockLayoutValuesAreChecked) {
  PatternSpec layout = makeSpec(MaskExpr::blockLayout(16, 16));
  Problem p{1, 1, 1, 32, 32, 4};
  std::vector<double> q = randomVector(qSize(p), 1),
                      k = randomVector(kvSize(p), 2);
  auto with = [](const char *name, std::vector<double> values) {
    ref::Tensors t = causalLayout();
    t[name] = std::move(values);
    return t;
  };
  for (const ref::Tensors &bad :
       {with("kv_num_blocks", {3, 1}), with("kv_num_blocks", {-1, 1}),
        with("kv_indices", {2, -1, 1, -1}),
        with("full_kv_indices", {-1, -1, 1, -1}),
        with("full_kv_num_blocks", {0, 3})})
    EXPECT_THROW(ref::attention(layout, p, q, k, k, bad),
                 std::invalid_argument);
  // A block twice in one list.
  ref::Tensors twice = with("kv_num_blocks", {1, 2});
  twice["kv_indices"] = {0, -1, 1, 1};
  EXPECT_THROW(ref::attention(layout, p, q, k, k, twice),
               std::invalid_argument);
  // Entries past the count are not read.
  EXPECT_NO_THROW(
      ref::attention(layout, p, q, k, k, with("kv_indices", {0, 99, 1, 99})));
  Problem badShare = p;
  badShare.LH = 3;
  EXPECT_THROW(ref::attention(layout, badShare, q, k, k, causalLayout()),
               std::invalid_argument);
}
