//===- ParseSpecTest.cpp - Specs that parse, and what they parse to -------===//

#include "Spec/PatternSpec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

using namespace sattn;

namespace {

PatternSpec parseOk(const std::string &text) {
  Result<PatternSpec> r = parsePatternSpec(text, "spec.json");
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r.take() : PatternSpec{};
}

std::string examplePath(const std::string &stem) {
  return std::string(SATTN_EXAMPLE_SPECS_DIR) + "/" + stem + ".json";
}

} // namespace

TEST(ParseSpec, EveryExampleParsesAndIsNamedAfterItsFile) {
  for (const char *stem :
       {"causal", "dense", "swa_sink", "swa_sink_delta", "softcap_window",
        "gqa_causal_f32", "swa_learnable_sinks", "chunked_local"}) {
    Result<PatternSpec> r = loadPatternSpec(examplePath(stem));
    ASSERT_TRUE(r.isOk()) << stem << ": " << r.status().message();
    EXPECT_EQ(r->name, stem);
  }
}

TEST(ParseSpec, ExampleContents) {
  Result<PatternSpec> causal = loadPatternSpec(examplePath("causal"));
  ASSERT_TRUE(causal.isOk());
  EXPECT_EQ(causal->dtype, DType::BF16);
  EXPECT_EQ(causal->headDim, 128);
  ASSERT_TRUE(causal->mask);
  EXPECT_EQ(causal->mask->kind, MaskExpr::Kind::Causal);

  Result<PatternSpec> dense = loadPatternSpec(examplePath("dense"));
  ASSERT_TRUE(dense.isOk());
  EXPECT_FALSE(dense->mask);

  Result<PatternSpec> swa = loadPatternSpec(examplePath("swa_sink_delta"));
  ASSERT_TRUE(swa.isOk());
  ASSERT_TRUE(swa->mask);
  const MaskExpr &m = *swa->mask;
  ASSERT_EQ(m.kind, MaskExpr::Kind::Intersect);
  ASSERT_EQ(m.children.size(), 2u);
  EXPECT_EQ(m.children[0].kind, MaskExpr::Kind::Causal);
  const MaskExpr &u = m.children[1];
  ASSERT_EQ(u.kind, MaskExpr::Kind::Union);
  ASSERT_EQ(u.children.size(), 2u);
  EXPECT_EQ(u.children[0].kind, MaskExpr::Kind::Window);
  EXPECT_EQ(u.children[0].left, 2047);
  EXPECT_EQ(u.children[0].right, 0);
  EXPECT_EQ(u.children[1].kind, MaskExpr::Kind::Sink);
  EXPECT_EQ(u.children[1].tokens, 128);
  ASSERT_TRUE(swa->delta);
  EXPECT_EQ(swa->delta->gamma, 64);
  EXPECT_EQ(swa->delta->tailMin, 128);

  Result<PatternSpec> sc = loadPatternSpec(examplePath("softcap_window"));
  ASSERT_TRUE(sc.isOk());
  EXPECT_EQ(sc->dtype, DType::F16);
  EXPECT_EQ(sc->headDim, 64);
  ASSERT_TRUE(sc->softcap);
  EXPECT_EQ(*sc->softcap, 30.0);
  EXPECT_EQ(sc->mask->left, 255);
  EXPECT_EQ(sc->mask->right, 255);

  Result<PatternSpec> f32 = loadPatternSpec(examplePath("gqa_causal_f32"));
  ASSERT_TRUE(f32.isOk());
  EXPECT_EQ(f32->dtype, DType::F32);
  EXPECT_EQ(f32->headDim, 64);
}

TEST(ParseSpec, MinimalSpecTakesDefaults) {
  PatternSpec s = parseOk(R"({"name": "m", "dtype": "bf16", "head_dim": 128})");
  EXPECT_EQ(s.name, "m");
  EXPECT_FALSE(s.scale);
  EXPECT_FALSE(s.softcap);
  EXPECT_FALSE(s.mask);
  EXPECT_FALSE(s.delta);
  EXPECT_EQ(s.effectiveScale(), 0.08838834764831845); // sqrt(2) / 16, correctly rounded
  EXPECT_DOUBLE_EQ(s.effectiveScale(), 1.0 / std::sqrt(128.0));
  PatternSpec s64 = parseOk(R"({"name": "m", "dtype": "f16", "head_dim": 64})");
  EXPECT_EQ(s64.effectiveScale(), 0.125);
}

TEST(ParseSpec, LearnableSinks) {
  PatternSpec off =
      parseOk(R"({"name": "m", "dtype": "bf16", "head_dim": 128})");
  EXPECT_FALSE(off.learnableSinks);
  EXPECT_TRUE(launchTensors(off).empty());
  PatternSpec on = parseOk(
      R"({"name": "m", "dtype": "bf16", "head_dim": 128, "learnable_sinks": true})");
  EXPECT_TRUE(on.learnableSinks);
  std::vector<LaunchTensor> t = launchTensors(on);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].name, "sinks");
  EXPECT_EQ(t[0].dtype, TensorDType::F32);
  EXPECT_EQ(t[0].shape, std::vector<std::string>{"H"});
  EXPECT_FALSE(parseOk(R"({"name": "m", "dtype": "bf16", "head_dim": 128,
                           "learnable_sinks": false})")
                   .learnableSinks);
}

TEST(ParseSpec, Alibi) {
  PatternSpec g = parseOk(R"({"name": "m", "dtype": "bf16", "head_dim": 64,
                              "alibi": {"slopes": "geometric"}})");
  ASSERT_TRUE(g.alibi);
  EXPECT_EQ(*g.alibi, PatternSpec::AlibiSlopes::Geometric);
  EXPECT_TRUE(launchTensors(g).empty());
  PatternSpec t = parseOk(
      R"({"name": "m", "dtype": "bf16", "head_dim": 64, "learnable_sinks": true,
                              "alibi": {"slopes": "tensor"}})");
  ASSERT_TRUE(t.alibi);
  EXPECT_EQ(*t.alibi, PatternSpec::AlibiSlopes::Tensor);
  std::vector<LaunchTensor> lt = launchTensors(t);
  ASSERT_EQ(lt.size(), 2u);
  EXPECT_EQ(lt[0].name, "alibi_slopes");
  EXPECT_EQ(lt[0].shape, std::vector<std::string>{"H"});
  EXPECT_EQ(lt[1].name, "sinks");
}

TEST(ParseSpec, AlibiGeometricSlopesArePressEtAls) {
  // H = 8: 2^-1 ... 2^-8.
  for (int64_t h = 0; h < 8; ++h)
    EXPECT_EQ(alibiGeometricSlope(h, 8), std::ldexp(1.0, -int(h + 1)));
  // H = 16: 2^-0.5, 2^-1, ..., 2^-8.
  EXPECT_DOUBLE_EQ(alibiGeometricSlope(0, 16), std::pow(2.0, -0.5));
  EXPECT_DOUBLE_EQ(alibiGeometricSlope(15, 16), std::pow(2.0, -8.0));
  // H = 12 (not a power of two): the 8 slopes of H = 8, then every other
  // slope of H = 16 from its first: 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5.
  EXPECT_EQ(alibiGeometricSlope(7, 12), std::ldexp(1.0, -8));
  for (int64_t k = 0; k < 4; ++k)
    EXPECT_DOUBLE_EQ(alibiGeometricSlope(8 + k, 12),
                     std::pow(2.0, -0.5 - double(k)));
  EXPECT_EQ(alibiGeometricSlope(0, 1), std::ldexp(1.0, -8));
}

TEST(ParseSpec, AllFields) {
  PatternSpec s = parseOk(R"({
    "name": "_All_Fields9", "dtype": "f32", "head_dim": 64, "scale": 0.5, "softcap": 50,
    "mask": {"kind": "union", "of": [{"kind": "sink", "tokens": 4},
                                     {"kind": "window", "left": 7, "right": 3}]},
    "correction": {"kind": "delta", "gamma": 16, "tail_min": 0}})");
  EXPECT_EQ(s.name, "_All_Fields9");
  EXPECT_EQ(s.dtype, DType::F32);
  EXPECT_EQ(s.effectiveScale(), 0.5);
  EXPECT_EQ(*s.softcap, 50.0);
  ASSERT_TRUE(s.mask);
  EXPECT_EQ(s.mask->kind, MaskExpr::Kind::Union);
  EXPECT_EQ(s.mask->children[0].tokens, 4);
  EXPECT_EQ(s.mask->children[1].left, 7);
  EXPECT_EQ(s.mask->children[1].right, 3);
  ASSERT_TRUE(s.delta);
  EXPECT_EQ(s.delta->gamma, 16);
  EXPECT_EQ(s.delta->tailMin, 0);
}

TEST(ParseSpec, LimitsThatAreStillAccepted) {
  // 64-character name, size 2^40, single-operand union, 32 nested masks.
  std::string name(64, 'a');
  parseOk(R"({"name": ")" + name + R"(", "dtype": "bf16", "head_dim": 128,
              "mask": {"kind": "sink", "tokens": 1099511627776}})");
  parseOk(R"({"name": "u", "dtype": "bf16", "head_dim": 128,
              "mask": {"kind": "union", "of": [{"kind": "causal"}]}})");
  std::string mask = R"({"kind": "causal"})";
  for (int i = 1; i < 32; ++i)
    mask = R"({"kind": "intersect", "of": [)" + mask + "]}";
  PatternSpec s = parseOk(R"({"name": "d", "dtype": "bf16", "head_dim": 128, "mask": )" +
                          mask + "}");
  int depth = 1;
  for (const MaskExpr *m = &*s.mask; !m->children.empty(); m = &m->children[0])
    ++depth;
  EXPECT_EQ(depth, 32);
}

TEST(ParseSpec, SizeAndFactorLimitsThatAreStillAccepted) {
  // 64 masks in a list, 256 mask nodes, scale and softcap at 2^-63 and 2^63.
  auto unionOfSinks = [](int n) {
    std::string list;
    for (int i = 0; i < n; ++i)
      list += (i ? "," : "") + std::string(R"({"kind": "sink", "tokens": 1})");
    return R"({"kind": "union", "of": [)" + list + "]}";
  };
  PatternSpec s = parseOk(R"({"name": "u", "dtype": "bf16", "head_dim": 128, "mask": )" +
                          unionOfSinks(64) + "}");
  EXPECT_EQ(s.mask->children.size(), 64u);
  // 1 + 3 * 65 + 60 = 256 nodes.
  s = parseOk(R"({"name": "n", "dtype": "bf16", "head_dim": 128,
                  "mask": {"kind": "intersect", "of": [)" +
              unionOfSinks(64) + "," + unionOfSinks(64) + "," + unionOfSinks(64) + "," +
              unionOfSinks(59) + "]}}");
  EXPECT_EQ(s.mask->children.size(), 4u);
  s = parseOk(R"({"name": "f", "dtype": "f32", "head_dim": 64,
                  "scale": 1.0842021724855044e-19, "softcap": 9223372036854775808.0})");
  EXPECT_EQ(*s.scale, 0x1p-63);
  EXPECT_EQ(*s.softcap, 0x1p63);
}

TEST(ParseSpec, LoadMissingFileIsIOErrorNamingPath) {
  const std::string path = "/nonexistent/dir/spec.json";
  Result<PatternSpec> r = loadPatternSpec(path);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().kind(), ErrorKind::IOError);
  EXPECT_NE(r.status().message().find(path), std::string::npos) << r.status().message();
}

TEST(ParseSpec, LoadDirectoryIsIOError) {
  Result<PatternSpec> r = loadPatternSpec(SATTN_EXAMPLE_SPECS_DIR);
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().kind(), ErrorKind::IOError) << r.status().message();
}

TEST(ParseSpec, LoadErrorsNameTheFile) {
  std::string path = ::testing::TempDir() + "spec_tests_bad_spec.json";
  {
    std::ofstream out(path);
    out << R"({"name": "x", "dtype": "bf16"})";
  }
  Result<PatternSpec> r = loadPatternSpec(path);
  std::remove(path.c_str());
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(r.status().message(), path + R"(: $: missing required key "head_dim")");
}

TEST(ParseSpec, LoadRefusesAHugeFileWithoutReadingIt) {
  // 64 MiB of spaces after a valid spec: refused after the limit's worth.
  std::string path = ::testing::TempDir() + "spec_tests_huge_spec.json";
  {
    std::ofstream out(path);
    out << R"({"name": "x", "dtype": "bf16", "head_dim": 128})";
    std::string spaces(1 << 20, ' ');
    for (int i = 0; i < 64; ++i)
      out << spaces;
  }
  Result<PatternSpec> r = loadPatternSpec(path);
  std::remove(path.c_str());
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(r.status().message(), path + ": more than the 1048576 bytes a spec may have");
}
