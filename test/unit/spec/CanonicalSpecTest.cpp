//===- CanonicalSpecTest.cpp - Canonical JSON, hash, dtype helpers --------===//

#include "Spec/PatternSpec.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

using namespace sattn;

namespace {

PatternSpec parseOk(const std::string &text) {
  Result<PatternSpec> r = parsePatternSpec(text, "spec.json");
  EXPECT_TRUE(r.isOk()) << r.status().message();
  return r.isOk() ? r.take() : PatternSpec{};
}

/// An FNV-1a 64 written independently of the library's.
std::string fnv1a64(const std::string &s) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s)
    h = (h ^ c) * 1099511628211ull;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

} // namespace

TEST(CanonicalSpec, DefaultsExplicitOrOmittedGiveTheSameText) {
  PatternSpec omitted = parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 128,
      "mask": {"kind": "causal"}, "correction": {"kind": "delta", "gamma": 64}})");
  // Different key order and whitespace, defaults written out.
  PatternSpec explicitDefaults = parseOk(R"({"correction": {"tail_min": 128, "gamma": 64,
      "kind": "delta"}, "mask": {"kind": "causal"}, "scale": 0.08838834764831845,
      "head_dim": 128, "dtype": "bf16", "name": "p"})");
  EXPECT_EQ(canonicalSpecJson(omitted), canonicalSpecJson(explicitDefaults));
  EXPECT_EQ(specHash(omitted), specHash(explicitDefaults));
}

TEST(CanonicalSpec, ExactText) {
  PatternSpec s = parseOk(R"({"name": "p", "dtype": "f16", "head_dim": 64, "softcap": 30,
      "mask": {"kind": "union", "of": [{"kind": "window", "left": 3, "right": 1},
                                       {"kind": "sink", "tokens": 2}]},
      "correction": {"kind": "delta", "gamma": 8}})");
  EXPECT_EQ(canonicalSpecJson(s),
            R"({"correction":{"gamma":8,"kind":"delta","tail_min":128},"dtype":"f16",)"
            R"("head_dim":64,"mask":{"kind":"union","of":[{"kind":"window","left":3,)"
            R"("right":1},{"kind":"sink","tokens":2}]},"name":"p","scale":0.125,)"
            R"("softcap":30.0})");
}

TEST(CanonicalSpec, WindowDilationIsWrittenOnlyWhenNotOne) {
  PatternSpec one = parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 64,
      "mask": {"kind": "window", "left": 3, "right": 0, "dilation": 1}})");
  PatternSpec plain = parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 64,
      "mask": {"kind": "window", "left": 3, "right": 0}})");
  EXPECT_EQ(canonicalSpecJson(one), canonicalSpecJson(plain));
  PatternSpec three = parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 64,
      "mask": {"kind": "intersect", "of": [{"kind": "window", "left": 3,
      "right": 0, "dilation": 3}, {"kind": "chunk", "size": 500},
      {"kind": "prefix_lm", "prefix": 7}]}})");
  EXPECT_EQ(canonicalSpecJson(three),
            R"({"dtype":"bf16","head_dim":64,"mask":{"kind":"intersect","of":)"
            R"([{"dilation":3,"kind":"window","left":3,"right":0},)"
            R"({"kind":"chunk","size":500},{"kind":"prefix_lm","prefix":7}]},)"
            R"("name":"p","scale":0.125})");
}

TEST(CanonicalSpec, DocumentsAndTheirTensors) {
  PatternSpec s = parseOk(R"({"name": "p", "dtype": "f16", "head_dim": 64,
      "mask": {"kind": "intersect", "of": [{"kind": "causal"},
      {"kind": "documents"}]}})");
  EXPECT_EQ(canonicalSpecJson(s),
            R"({"dtype":"f16","head_dim":64,"mask":{"kind":"intersect","of":)"
            R"([{"kind":"causal"},{"kind":"documents"}]},"name":"p",)"
            R"("scale":0.125})");
  EXPECT_TRUE(hasDocuments(s));
  ASSERT_TRUE(maskWithinDocuments(s));
  EXPECT_EQ(maskWithinDocuments(s)->kind, MaskExpr::Kind::Causal);
  std::vector<LaunchTensor> tensors = launchTensors(s);
  ASSERT_EQ(tensors.size(), 2u);
  EXPECT_EQ(tensors[0].name, "cu_seqlens_q");
  EXPECT_EQ(tensors[1].name, "cu_seqlens_k");
  for (const LaunchTensor &t : tensors) {
    EXPECT_EQ(t.dtype, TensorDType::I32);
    EXPECT_EQ(t.shape, (std::vector<std::string>{"B", "Nd+1"}));
  }
  s.mask = MaskExpr::documents();
  EXPECT_FALSE(maskWithinDocuments(s)) << "documents alone: dense inside";
  s.mask = MaskExpr::causal();
  EXPECT_FALSE(hasDocuments(s));
  EXPECT_TRUE(launchTensors(s).empty());
}

TEST(CanonicalSpec, DeltaReference) {
  const std::string head = R"({"name": "p", "dtype": "bf16", "head_dim": 64,
      "mask": {"kind": "window", "left": 7, "right": 0},
      "correction": {"kind": "delta", "gamma": 8)";
  PatternSpec plain = parseOk(head + "}}");
  PatternSpec causal = parseOk(head + R"(, "reference": {"kind": "causal"}}})");
  PatternSpec dense = parseOk(head + R"(, "reference": "dense"}})");
  PatternSpec chunked =
      parseOk(head + R"(, "reference": {"kind": "chunk", "size": 100}}})");
  // Causal is the default: written or not, one text.
  EXPECT_EQ(canonicalSpecJson(causal), canonicalSpecJson(plain));
  EXPECT_NE(canonicalSpecJson(plain).find(
                R"("correction":{"gamma":8,"kind":"delta","tail_min":128})"),
            std::string::npos)
      << canonicalSpecJson(plain);
  EXPECT_NE(canonicalSpecJson(dense).find(R"("reference":"dense")"),
            std::string::npos);
  EXPECT_NE(canonicalSpecJson(chunked).find(
                R"("reference":{"kind":"chunk","size":100})"),
            std::string::npos);
  EXPECT_NE(specHash(dense), specHash(plain));
  EXPECT_NE(specHash(chunked), specHash(dense));
  // The canonical text reads back to the same spec.
  EXPECT_EQ(canonicalSpecJson(parseOk(canonicalSpecJson(dense))),
            canonicalSpecJson(dense));
}

TEST(CanonicalSpec, LearnableSinksAreWrittenOnlyWhenOn) {
  PatternSpec off = parseOk(
      R"({"name": "p", "dtype": "bf16", "head_dim": 64, "learnable_sinks": false})");
  PatternSpec plain =
      parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 64})");
  EXPECT_EQ(canonicalSpecJson(off), canonicalSpecJson(plain));
  PatternSpec on = parseOk(
      R"({"name": "p", "dtype": "bf16", "head_dim": 64, "learnable_sinks": true})");
  EXPECT_EQ(
      canonicalSpecJson(on),
      R"({"dtype":"bf16","head_dim":64,"learnable_sinks":true,"name":"p",)"
      R"("scale":0.125})");
  EXPECT_NE(specHash(on), specHash(plain));
  EXPECT_TRUE(parseOk(canonicalSpecJson(on)).learnableSinks);
}

TEST(CanonicalSpec, Alibi) {
  PatternSpec g = parseOk(
      R"({"name": "p", "dtype": "bf16", "head_dim": 64, "alibi": {"slopes": "geometric"}})");
  PatternSpec t = parseOk(
      R"({"name": "p", "dtype": "bf16", "head_dim": 64, "alibi": {"slopes": "tensor"}})");
  EXPECT_EQ(canonicalSpecJson(g),
            R"({"alibi":{"slopes":"geometric"},"dtype":"bf16",)"
            R"("head_dim":64,"name":"p","scale":0.125})");
  EXPECT_NE(specHash(g), specHash(t));
  EXPECT_EQ(*parseOk(canonicalSpecJson(t)).alibi,
            PatternSpec::AlibiSlopes::Tensor);
}

TEST(CanonicalSpec, ScaleIsWrittenWithFullPrecision) {
  PatternSpec s = parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 128})");
  std::string text = canonicalSpecJson(s);
  EXPECT_NE(text.find(R"("scale":0.08838834764831845)"), std::string::npos) << text;
  // And it reads back to the same double.
  PatternSpec back = parseOk(text);
  ASSERT_TRUE(back.scale);
  EXPECT_EQ(*back.scale, s.effectiveScale());
}

TEST(CanonicalSpec, CanonicalTextIsAValidSpecAndAFixedPoint) {
  for (const char *stem : {"causal", "dense", "swa_sink", "swa_sink_delta", "softcap_window",
                           "gqa_causal_f32"}) {
    Result<PatternSpec> r =
        loadPatternSpec(std::string(SATTN_EXAMPLE_SPECS_DIR) + "/" + stem + ".json");
    ASSERT_TRUE(r.isOk()) << r.status().message();
    std::string text = canonicalSpecJson(*r);
    PatternSpec back = parseOk(text);
    EXPECT_EQ(canonicalSpecJson(back), text) << stem;
    EXPECT_EQ(specHash(back), specHash(*r)) << stem;
  }
}

TEST(CanonicalSpec, HashIsFnv1aOfTheCanonicalText) {
  // The reference FNV against a published test vector first.
  EXPECT_EQ(fnv1a64(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64("a"), "af63dc4c8601ec8c");
  PatternSpec s = parseOk(R"({"name": "p", "dtype": "bf16", "head_dim": 128})");
  std::string h = specHash(s);
  EXPECT_EQ(h, fnv1a64(canonicalSpecJson(s)));
  ASSERT_EQ(h.size(), 16u);
  for (char c : h)
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f')) << h;
}

TEST(CanonicalSpec, HashDiffersWhenAnyFieldDiffers) {
  const std::string base = R"("mask": {"kind": "intersect", "of": [{"kind": "causal"},
      {"kind": "union", "of": [{"kind": "window", "left": 15, "right": 0},
                               {"kind": "sink", "tokens": 4}]}]})";
  const std::string delta = R"("correction": {"kind": "delta", "gamma": 8, "tail_min": 16})";
  auto spec = [](const std::string &head, const std::string &rest) {
    return "{" + head + ", " + rest + "}";
  };
  const std::string head = R"("name": "p", "dtype": "bf16", "head_dim": 128)";
  std::vector<std::string> variants = {
      spec(head, base + ", " + delta),
      spec(R"("name": "q", "dtype": "bf16", "head_dim": 128)", base + ", " + delta),
      spec(R"("name": "p", "dtype": "f16", "head_dim": 128)", base + ", " + delta),
      spec(R"("name": "p", "dtype": "f32", "head_dim": 128)", base + ", " + delta),
      spec(R"("name": "p", "dtype": "bf16", "head_dim": 64)", base + ", " + delta),
      spec(head, base + ", " + delta + R"(, "scale": 0.1)"),
      spec(head, base + ", " + delta + R"(, "softcap": 30)"),
      spec(head, base + ", " + delta + R"(, "softcap": 31)"),
      spec(head, base),                                                   // no correction
      spec(head, delta),                                                  // no mask
      spec(head, R"("mask": {"kind": "causal"}, )" + delta),
      spec(head, R"("correction": {"kind": "delta", "gamma": 16, "tail_min": 16}, )" + base),
      spec(head, R"("correction": {"kind": "delta", "gamma": 8, "tail_min": 17}, )" + base),
  };
  // Each number inside the mask, and union vs intersect, and operand order.
  auto replaceOnce = [&](std::string from, std::string to) {
    std::string m = base;
    size_t at = m.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    m.replace(at, from.size(), to);
    variants.push_back(spec(head, m + ", " + delta));
  };
  replaceOnce(R"("left": 15)", R"("left": 16)");
  replaceOnce(R"("right": 0)", R"("right": 1)");
  replaceOnce(R"("tokens": 4)", R"("tokens": 5)");
  replaceOnce(R"("kind": "intersect")", R"("kind": "union")");
  replaceOnce(R"("kind": "union")", R"("kind": "intersect")");
  replaceOnce(R"("kind": "causal")", R"("kind": "sink", "tokens": 9)");

  std::set<std::string> hashes, texts;
  for (const std::string &v : variants) {
    PatternSpec s = parseOk(v);
    texts.insert(canonicalSpecJson(s));
    hashes.insert(specHash(s));
  }
  EXPECT_EQ(texts.size(), variants.size());
  EXPECT_EQ(hashes.size(), variants.size());
}

TEST(DTypeHelpers, NamesSizesAndParsing) {
  EXPECT_STREQ(dtypeName(DType::BF16), "bf16");
  EXPECT_STREQ(dtypeName(DType::F16), "f16");
  EXPECT_STREQ(dtypeName(DType::F32), "f32");
  EXPECT_EQ(dtypeSize(DType::BF16), 2);
  EXPECT_EQ(dtypeSize(DType::F16), 2);
  EXPECT_EQ(dtypeSize(DType::F32), 4);
  for (DType t : {DType::BF16, DType::F16, DType::F32})
    EXPECT_EQ(parseDType(dtypeName(t)), t);
  EXPECT_FALSE(parseDType("fp8"));
  EXPECT_FALSE(parseDType(""));
  EXPECT_FALSE(parseDType("F32"));
}

TEST(CanonicalSpec, BlockLayoutAndItsTensors) {
  PatternSpec s = parseOk(R"({"name": "p", "dtype": "f16", "head_dim": 64,
      "mask": {"kind": "intersect", "of": [{"kind": "window", "left": 9,
      "right": 0}, {"kind": "block_layout", "block": [128, 64],
      "mask": {"kind": "causal"}}]}})");
  EXPECT_EQ(canonicalSpecJson(s),
            R"({"dtype":"f16","head_dim":64,"mask":{"kind":"intersect","of":)"
            R"([{"kind":"window","left":9,"right":0},{"block":[128,64],)"
            R"("kind":"block_layout","mask":{"kind":"causal"}}]},"name":"p",)"
            R"("scale":0.125})");
  const MaskExpr *layout = blockLayoutOf(s);
  ASSERT_TRUE(layout);
  EXPECT_EQ(layout->blockRows, 128);
  EXPECT_EQ(layout->blockCols, 64);
  ASSERT_TRUE(maskBesidesLayout(s));
  EXPECT_EQ(maskBesidesLayout(s)->kind, MaskExpr::Kind::Window);
  std::vector<LaunchTensor> tensors = launchTensors(s);
  ASSERT_EQ(tensors.size(), 4u);
  const std::vector<std::string> counts = {"LB", "LH", "Sq/128"};
  const std::vector<std::string> lists = {"LB", "LH", "Sq/128", "Sk/64"};
  EXPECT_EQ(tensors[0].name, "kv_num_blocks");
  EXPECT_EQ(tensors[0].shape, counts);
  EXPECT_EQ(tensors[1].name, "kv_indices");
  EXPECT_EQ(tensors[1].shape, lists);
  EXPECT_EQ(tensors[2].name, "full_kv_num_blocks");
  EXPECT_EQ(tensors[2].shape, counts);
  EXPECT_EQ(tensors[3].name, "full_kv_indices");
  EXPECT_EQ(tensors[3].shape, lists);
  for (const LaunchTensor &t : tensors)
    EXPECT_EQ(t.dtype, TensorDType::I32);
  // The layout alone: nothing besides it; a different block, a new hash.
  PatternSpec alone = s;
  alone.mask = MaskExpr::blockLayout(128, 64, MaskExpr::causal());
  EXPECT_FALSE(maskBesidesLayout(alone));
  PatternSpec other = alone;
  other.mask = MaskExpr::blockLayout(128, 128, MaskExpr::causal());
  EXPECT_NE(specHash(alone), specHash(other));
  other.mask = MaskExpr::blockLayout(128, 64);
  EXPECT_NE(specHash(alone), specHash(other)) << "the partial mask counts";
}
