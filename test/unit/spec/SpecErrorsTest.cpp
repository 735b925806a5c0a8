//===- SpecErrorsTest.cpp - Every rejection, with its exact message -------===//
//
// Each bad spec must fail with InvalidInput and the message
// "spec.json: <json path>: <problem>", so the tests pin the whole message
// where it is ours, and the prefix where it embeds the JSON parser's text.
//
//===----------------------------------------------------------------------===//

#include "Spec/PatternSpec.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace sattn;

namespace {

/// The message of a spec that must be rejected as InvalidInput.
std::string errorOf(const std::string &text) {
  Result<PatternSpec> r = parsePatternSpec(text, "spec.json");
  EXPECT_FALSE(r.isOk()) << "accepted: " << text;
  if (r.isOk())
    return "";
  EXPECT_EQ(r.status().kind(), ErrorKind::InvalidInput);
  return r.status().message();
}

/// A valid spec with `extra` spliced into the top-level object.
std::string specWith(const std::string &extra) {
  return R"({"name": "t", "dtype": "bf16", "head_dim": 128)" +
         (extra.empty() ? "" : ", " + extra) + "}";
}

std::string withMask(const std::string &mask) { return specWith(R"("mask": )" + mask); }

std::string withCorrection(const std::string &c) {
  return specWith(R"("correction": )" + c);
}

bool startsWith(const std::string &s, const std::string &prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

} // namespace

// --- Malformed JSON --------------------------------------------------------

TEST(SpecErrors, AlibiSlopes) {
  EXPECT_EQ(errorOf(specWith(R"("alibi": true)")),
            "spec.json: $.alibi: expected an object, got true");
  EXPECT_EQ(errorOf(specWith(R"("alibi": {})")),
            "spec.json: $.alibi: missing required key \"slopes\"");
  EXPECT_EQ(errorOf(specWith(R"("alibi": {"slopes": "linear"})")),
            "spec.json: $.alibi.slopes: unknown slopes \"linear\" (supported: "
            "geometric, "
            "tensor)");
  EXPECT_EQ(errorOf(specWith(R"("alibi": {"slopes": "tensor", "bias": 1})")),
            "spec.json: $.alibi: unknown key \"bias\" (allowed: slopes)");
}

TEST(SpecErrors, LearnableSinksMustBeABoolean) {
  EXPECT_EQ(errorOf(specWith(R"("learnable_sinks": 1)")),
            "spec.json: $.learnable_sinks: expected true or false, got 1");
  EXPECT_EQ(
      errorOf(specWith(R"("learnable_sinks": "yes")")),
      "spec.json: $.learnable_sinks: expected true or false, got \"yes\"");
}

TEST(SpecErrors, BadJsonReportsLineAndColumn) {
  // Line 3 misses the colon: the parser stops at the end of the unexpected
  // string "bf16" (columns 11-16), the last character it read.
  std::string text = "{\n  \"name\": \"x\",\n  \"dtype\" \"bf16\",\n  \"head_dim\": 128\n}";
  std::string msg = errorOf(text);
  EXPECT_EQ(msg, "spec.json: invalid JSON at line 3, column 16: syntax error while parsing "
                 "object separator - unexpected string literal; expected ':'");
  EXPECT_NE(msg.find("syntax error"), std::string::npos) << msg;
}

TEST(SpecErrors, BadJsonOnFirstLine) {
  std::string msg = errorOf(R"({"name": tru})");
  EXPECT_TRUE(startsWith(msg, "spec.json: invalid JSON at line 1, column ")) << msg;
  msg = errorOf("");
  EXPECT_TRUE(startsWith(msg, "spec.json: invalid JSON at line 1, column 1: ")) << msg;
}

TEST(SpecErrors, TrailingGarbageIsInvalidJson) {
  std::string msg = errorOf(specWith("") + "\n}");
  EXPECT_TRUE(startsWith(msg, "spec.json: invalid JSON at line 2, column 1: ")) << msg;
}

TEST(SpecErrors, DuplicateKey) {
  EXPECT_EQ(errorOf(specWith(R"("head_dim": 64)")), R"(spec.json: $: duplicate key "head_dim")");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "union", "of": [{"kind": "sink", "tokens": 1,
                                  "tokens": 2}]})")),
            R"(spec.json: $.mask.of[0]: duplicate key "tokens")");
}

TEST(SpecErrors, PathologicallyDeepJsonIsRejectedNotCrashed) {
  std::string deep(100000, '[');
  std::string msg = errorOf(specWith(R"("mask": )" + deep + std::string(100000, ']')));
  EXPECT_TRUE(startsWith(msg, "spec.json: $.mask[0][0]")) << msg.substr(0, 80);
  EXPECT_NE(msg.find("nested deeper than"), std::string::npos);
}

// --- Structure ---------------------------------------------------------------

TEST(SpecErrors, TopLevelMustBeAnObject) {
  EXPECT_EQ(errorOf("[1, 2]"), "spec.json: $: expected an object, got [1,2]");
}

TEST(SpecErrors, UnknownKeyAtTopLevel) {
  std::string msg = errorOf(specWith(R"("lenght": 3)"));
  EXPECT_TRUE(startsWith(msg, R"(spec.json: $: unknown key "lenght")")) << msg;
}

TEST(SpecErrors, UnknownKeyInMaskAndNestedOperand) {
  std::string msg = errorOf(withMask(R"({"kind": "window", "left": 1, "right": 0, "lenght": 5})"));
  EXPECT_TRUE(startsWith(msg, R"(spec.json: $.mask: unknown key "lenght")")) << msg;
  msg = errorOf(withMask(R"({"kind": "union", "of": [{"kind": "causal"},
                             {"kind": "sink", "tokens": 1, "lenght": 5}]})"));
  EXPECT_TRUE(startsWith(msg, R"(spec.json: $.mask.of[1]: unknown key "lenght")")) << msg;
  // Keys of another mask kind are unknown too.
  msg = errorOf(withMask(R"({"kind": "causal", "tokens": 4})"));
  EXPECT_TRUE(startsWith(msg, R"(spec.json: $.mask: unknown key "tokens")")) << msg;
}

TEST(SpecErrors, UnknownKeyInCorrection) {
  std::string msg = errorOf(withCorrection(R"({"kind": "delta", "gamma": 64, "stride": 2})"));
  EXPECT_TRUE(startsWith(msg, R"(spec.json: $.correction: unknown key "stride")")) << msg;
}

TEST(SpecErrors, MissingRequiredKeys) {
  EXPECT_EQ(errorOf(R"({"name": "t", "head_dim": 128})"),
            R"(spec.json: $: missing required key "dtype")");
  EXPECT_EQ(errorOf(R"({"dtype": "bf16", "head_dim": 128})"),
            R"(spec.json: $: missing required key "name")");
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "bf16"})"),
            R"(spec.json: $: missing required key "head_dim")");
  EXPECT_EQ(errorOf(withMask(R"({"left": 1})")),
            R"(spec.json: $.mask: missing required key "kind")");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "window", "left": 1})")),
            R"(spec.json: $.mask: missing required key "right")");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "sink"})")),
            R"(spec.json: $.mask: missing required key "tokens")");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "chunk"})")),
            R"(spec.json: $.mask: missing required key "size")");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "prefix_lm", "size": 3})")),
            R"(spec.json: $.mask: unknown key "size" (allowed: kind, prefix))");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect"})")),
            R"(spec.json: $.mask: missing required key "of")");
  EXPECT_EQ(errorOf(withCorrection(R"({"kind": "delta"})")),
            R"(spec.json: $.correction: missing required key "gamma")");
  EXPECT_EQ(errorOf(withCorrection(R"({"gamma": 4})")),
            R"(spec.json: $.correction: missing required key "kind")");
}

TEST(SpecErrors, UnknownKinds) {
  EXPECT_EQ(errorOf(withMask(R"({"kind": "banded"})")),
            R"(spec.json: $.mask.kind: unknown mask kind "banded" )"
            R"((supported: causal, window, sink, chunk, prefix_lm, documents, )"
            R"(block_layout, union, intersect))");
  EXPECT_EQ(errorOf(withCorrection(R"({"kind": "epsilon", "gamma": 4})")),
            R"(spec.json: $.correction.kind: unknown correction kind "epsilon" (supported: delta))");
}

TEST(SpecErrors, EmptyUnionAndIntersect) {
  EXPECT_EQ(errorOf(withMask(R"({"kind": "union", "of": []})")),
            "spec.json: $.mask.of: expected at least one mask, got []");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [{"kind": "union", "of": []}]})")),
            "spec.json: $.mask.of[0].of: expected at least one mask, got []");
}

TEST(SpecErrors, TooDeepMaskNesting) {
  std::string mask = R"({"kind": "causal"})";
  for (int i = 1; i < 33; ++i) // 33 levels, one too many
    mask = R"({"kind": "union", "of": [)" + mask + "]}";
  std::string msg = errorOf(withMask(mask));
  std::string path = "$.mask";
  for (int i = 1; i < 33; ++i)
    path += ".of[0]";
  EXPECT_EQ(msg, "spec.json: " + path + ": mask nested deeper than 32 levels");
}

// --- Types -------------------------------------------------------------------

TEST(SpecErrors, WrongTypes) {
  EXPECT_EQ(errorOf(R"({"name": 3, "dtype": "bf16", "head_dim": 128})"),
            "spec.json: $.name: expected a string, got 3");
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": 16, "head_dim": 128})"),
            "spec.json: $.dtype: expected a string, got 16");
  EXPECT_EQ(errorOf(withMask(R"("causal")")),
            R"(spec.json: $.mask: expected an object, got "causal")");
  EXPECT_EQ(errorOf(withMask(R"({"kind": 1})")),
            "spec.json: $.mask.kind: expected a string, got 1");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "union", "of": {"kind": "causal"}})")),
            R"(spec.json: $.mask.of: expected an array of masks, got {"kind":"causal"})");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "union", "of": [3]})")),
            "spec.json: $.mask.of[0]: expected an object, got 3");
  EXPECT_EQ(errorOf(specWith(R"("scale": "0.1")")),
            R"(spec.json: $.scale: expected a finite number > 0, got "0.1")");
  EXPECT_EQ(errorOf(specWith(R"("softcap": true)")),
            "spec.json: $.softcap: expected a finite number > 0, got true");
  EXPECT_EQ(errorOf(withCorrection("[]")),
            "spec.json: $.correction: expected an object, got []");
}

TEST(SpecErrors, IntegerGivenAsFloatStringOrBool) {
  const std::string prefix = R"({"kind": "window", "right": 0, "left": )";
  EXPECT_EQ(errorOf(withMask(prefix + "2.5}")),
            "spec.json: $.mask.left: expected a non-negative integer, got 2.5");
  EXPECT_EQ(errorOf(withMask(prefix + "2.0}")),
            "spec.json: $.mask.left: expected a non-negative integer, got 2.0");
  EXPECT_EQ(errorOf(withMask(prefix + R"("3"})")),
            R"(spec.json: $.mask.left: expected a non-negative integer, got "3")");
  EXPECT_EQ(errorOf(withMask(prefix + "true}")),
            "spec.json: $.mask.left: expected a non-negative integer, got true");
  EXPECT_EQ(errorOf(withCorrection(R"({"kind": "delta", "gamma": 64.0})")),
            "spec.json: $.correction.gamma: expected an integer >= 1, got 64.0");
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "bf16", "head_dim": "128"})"),
            R"(spec.json: $.head_dim: expected an integer, got "128")");
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "bf16", "head_dim": 128.0})"),
            "spec.json: $.head_dim: expected an integer, got 128.0");
}

// --- Values ------------------------------------------------------------------

TEST(SpecErrors, NegativeAndZeroSizes) {
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [{"kind": "causal"},
                                  {"kind": "window", "left": -3, "right": 0}]})")),
            "spec.json: $.mask.of[1].left: expected a non-negative integer, got -3");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "window", "left": 0, "right": -1})")),
            "spec.json: $.mask.right: expected a non-negative integer, got -1");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "sink", "tokens": 0})")),
            "spec.json: $.mask.tokens: expected an integer >= 1, got 0");
  EXPECT_EQ(errorOf(withMask(
                R"({"kind": "window", "left": 8, "right": 0, "dilation": 0})")),
            "spec.json: $.mask.dilation: expected an integer >= 1, got 0");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "chunk", "size": 0})")),
            "spec.json: $.mask.size: expected an integer >= 1, got 0");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "prefix_lm", "prefix": -4})")),
            "spec.json: $.mask.prefix: expected an integer >= 1, got -4");
  EXPECT_EQ(errorOf(withCorrection(R"({"kind": "delta", "gamma": 64, "tail_min": -1})")),
            "spec.json: $.correction.tail_min: expected a non-negative integer, got -1");
}

TEST(SpecErrors, GammaZero) {
  EXPECT_EQ(errorOf(withCorrection(R"({"kind": "delta", "gamma": 0})")),
            "spec.json: $.correction.gamma: expected an integer >= 1, got 0");
}

TEST(SpecErrors, SizesAreBounded) {
  EXPECT_EQ(errorOf(withMask(R"({"kind": "sink", "tokens": 1099511627777})")),
            "spec.json: $.mask.tokens: integer 1099511627777 is too large (maximum "
            "1099511627776)");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "sink", "tokens": 18446744073709551615})")),
            "spec.json: $.mask.tokens: integer 18446744073709551615 is too large (maximum "
            "1099511627776)");
  // Beyond uint64 the JSON parser yields a float: not an integer any more.
  std::string msg = errorOf(withMask(R"({"kind": "sink", "tokens": 99999999999999999999})"));
  EXPECT_TRUE(startsWith(msg, "spec.json: $.mask.tokens: expected an integer >= 1, got ")) << msg;
}

TEST(SpecErrors, UnsupportedHeadDim) {
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "bf16", "head_dim": 96})"),
            "spec.json: $.head_dim: unsupported head_dim 96 (supported: 64, 128)");
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "bf16", "head_dim": -64})"),
            "spec.json: $.head_dim: unsupported head_dim -64 (supported: 64, 128)");
}

TEST(SpecErrors, UnsupportedDType) {
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "fp8", "head_dim": 128})"),
            R"(spec.json: $.dtype: unsupported dtype "fp8" (supported: bf16, f16, f32))");
  EXPECT_EQ(errorOf(R"({"name": "t", "dtype": "BF16", "head_dim": 128})"),
            R"(spec.json: $.dtype: unsupported dtype "BF16" (supported: bf16, f16, f32))");
}

TEST(SpecErrors, ScaleAndSoftcapMustBePositiveAndFinite) {
  EXPECT_EQ(errorOf(specWith(R"("scale": 0)")),
            "spec.json: $.scale: expected a finite number > 0, got 0");
  EXPECT_EQ(errorOf(specWith(R"("scale": -0.5)")),
            "spec.json: $.scale: expected a finite number > 0, got -0.5");
  EXPECT_EQ(errorOf(specWith(R"("softcap": 0.0)")),
            "spec.json: $.softcap: expected a finite number > 0, got 0.0");
  // The JSON parser itself refuses numbers that overflow a double.
  EXPECT_EQ(errorOf(specWith(R"("softcap": 1e400)")),
            "spec.json: invalid JSON at line 1, column 64: number overflow parsing '1e400'");
}

TEST(SpecErrors, InvalidNames) {
  const char *tail = R"( (must match [A-Za-z_][A-Za-z0-9_]* and have at most 64 characters))";
  for (const std::string &bad :
       std::vector<std::string>{"", "1abc", "a-b", "a b", "caf\u00e9", std::string(65, 'x')}) {
    std::string text = R"({"name": ")" + bad + R"(", "dtype": "bf16", "head_dim": 128})";
    std::string msg = errorOf(text);
    EXPECT_TRUE(startsWith(msg, "spec.json: $.name: invalid name ")) << msg;
    EXPECT_NE(msg.find(tail), std::string::npos) << msg;
  }
}

// --- Hostile input: NUL bytes, sizes, factors out of f32's reach -------------

TEST(SpecErrors, NulByteIsInvalidJson) {
  // nlohmann's lexer would take the NUL for the end of the input and accept
  // the spec before it.
  std::string text = specWith("") + std::string(1, '\0') + "garbage";
  EXPECT_EQ(errorOf(text), "spec.json: invalid JSON at line 1, column " +
                               std::to_string(specWith("").size() + 1) +
                               ": NUL byte (not allowed in JSON text)");
  // On a later line, and inside a string (where it must be escaped).
  EXPECT_EQ(errorOf("{\n  \"name\": \"a" + std::string(1, '\0') + "\"}"),
            "spec.json: invalid JSON at line 2, column 13: NUL byte (not allowed in JSON text)");
  EXPECT_EQ(errorOf(std::string(1, '\0')),
            "spec.json: invalid JSON at line 1, column 1: NUL byte (not allowed in JSON text)");
}

/// `n` window masks, "{...},{...}".
std::string windows(size_t n) {
  std::string list;
  for (size_t i = 0; i < n; ++i)
    list += (i ? "," : "") + std::string(R"({"kind": "window", "left": )") +
            std::to_string(i) + R"(, "right": 0})";
  return list;
}

TEST(SpecErrors, LongUnionOrIntersectList) {
  EXPECT_EQ(errorOf(withMask(R"({"kind": "union", "of": [)" + windows(65) + "]}")),
            "spec.json: $.mask.of: has 65 masks, more than the 64 a union may have");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [{"kind": "causal"},
                                 {"kind": "union", "of": [)" + windows(10000) + "]}]}")),
            "spec.json: $.mask.of[1].of: has 10000 masks, more than the 64 a union may "
            "have");
}

TEST(SpecErrors, TooManyMaskNodes) {
  // The root and five unions of 64 windows: 326 nodes. The 257th, the
  // first past the limit, is the 60th window of the fourth union (1 + 3 * 65
  // + 1 + 60).
  std::string lists;
  for (int i = 0; i < 5; ++i)
    lists += (i ? "," : "") + std::string(R"({"kind": "union", "of": [)") + windows(64) + "]}";
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [)" + lists + "]}")),
            "spec.json: $.mask.of[3].of[59]: the mask has more than 256 nodes (the "
            "supported maximum)");
}

TEST(SpecErrors, HugeTextIsRejectedBeforeParsing) {
  std::string text = specWith("") + std::string(kMaxSpecBytes, ' ');
  EXPECT_EQ(errorOf(text), "spec.json: " + std::to_string(text.size()) +
                               " bytes, more than the 1048576 a spec may have");
}

TEST(SpecErrors, ScaleAndSoftcapMustStayInF32Reach) {
  const std::string tail =
      " is outside [2^-63, 2^63] (about [1.1e-19, 9.2e18]): scaled scores would overflow or "
      "vanish in f32";
  EXPECT_EQ(errorOf(specWith(R"("scale": 1e-46)")), "spec.json: $.scale: 1e-46" + tail);
  EXPECT_EQ(errorOf(specWith(R"("scale": 1e38)")), "spec.json: $.scale: 1e+38" + tail);
  EXPECT_EQ(errorOf(specWith(R"("softcap": 1e19)")), "spec.json: $.softcap: 1e+19" + tail);
  EXPECT_EQ(errorOf(specWith(R"("softcap": 1e-20)")), "spec.json: $.softcap: 1e-20" + tail);
}

// The same limits hold for specs built in C++ (validatePatternSpec).
TEST(SpecErrors, ValidateAppliesTheSameLimits) {
  PatternSpec s;
  s.name = "t";
  s.dtype = DType::F32;
  s.headDim = 64;
  std::vector<MaskExpr> many(65, MaskExpr::causal());
  s.mask = MaskExpr::unite(many);
  Status st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "built: $.mask.of: has 65 masks, more than the 64 a union may have");

  std::vector<MaskExpr> lists(5, MaskExpr::unite(std::vector<MaskExpr>(64, MaskExpr::sink(1))));
  s.mask = MaskExpr::intersect(lists);
  st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "built: $.mask.of[3].of[59]: the mask has more than 256 nodes (the "
                          "supported maximum)");

  s.mask.reset();
  s.scale = 1e-46;
  st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "built: $.scale: 1e-46 is outside [2^-63, 2^63] (about [1.1e-19, "
                          "9.2e18]): scaled scores would overflow or vanish in f32");
  s.scale.reset();
  s.softcap = 1e38;
  st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_NE(st.message().find("$.softcap: 1e+38 is outside"), std::string::npos) << st.message();
}

// Documents only narrow the rest of the mask: the whole mask or one operand
// of the outermost intersect, once, and not (yet) under the delta
// correction; the same rules for JSON and for specs built in C++.
TEST(SpecErrors, DocumentsPlacement) {
  const std::string placement =
      R"(: "documents" must be the mask itself or an operand of the outermost )"
      R"("intersect" (documents only narrow the other masks; under a union a )"
      R"(query would see keys of other documents))";
  EXPECT_EQ(
      errorOf(withMask(
          R"({"kind": "union", "of": [{"kind": "documents"}, {"kind": "causal"}]})")),
      "spec.json: $.mask.of[0]" + placement);
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [{"kind": "causal"},
                {"kind": "union", "of": [{"kind": "sink", "tokens": 4},
                                         {"kind": "documents"}]}]})")),
            "spec.json: $.mask.of[1].of[1]" + placement);
  EXPECT_EQ(
      errorOf(withMask(R"({"kind": "intersect", "of": [{"kind": "documents"},
                {"kind": "causal"}, {"kind": "documents"}]})")),
      R"(spec.json: $.mask.of[2]: a second "documents" mask; a pattern )"
      R"(packs one set of documents)");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "documents", "offsets": "cu"})")),
            R"(spec.json: $.mask: unknown key "offsets" (allowed: kind))");
  EXPECT_EQ(errorOf(specWith(R"("mask": {"kind": "documents"},
                "correction": {"kind": "delta", "gamma": 16})")),
            "spec.json: $.correction: the delta correction over documents is "
            "not supported yet (its dense reference rows would have to "
            "follow the documents too)");

  PatternSpec s;
  s.name = "t";
  s.dtype = DType::F32;
  s.headDim = 64;
  s.mask = MaskExpr::unite({MaskExpr::causal(), MaskExpr::documents()});
  Status st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "built: $.mask.of[1]" + placement);
  s.mask = MaskExpr::intersect({MaskExpr::causal(), MaskExpr::documents()});
  EXPECT_TRUE(validatePatternSpec(s, "built")) << "documents in an intersect";
}

TEST(SpecErrors, DeltaReference) {
  EXPECT_EQ(errorOf(withCorrection(
                R"({"kind": "delta", "gamma": 4, "reference": "causal"})")),
            R"(spec.json: $.correction.reference: expected "dense" or a mask, )"
            R"(got "causal")");
  EXPECT_EQ(
      errorOf(withCorrection(
          R"({"kind": "delta", "gamma": 4, "reference": {"kind": "sink"}})")),
      R"(spec.json: $.correction.reference: missing required key "tokens")");
  EXPECT_EQ(errorOf(withCorrection(R"({"kind": "delta", "gamma": 4,
                "reference": {"kind": "intersect", "of": [{"kind": "causal"},
                {"kind": "documents"}]}})")),
            "spec.json: $.correction.reference.of[1]: the delta correction's "
            "reference is a static mask; \"documents\" is read at launch");
}

// A block layout: sides multiples of 16, an optional static partial mask,
// placed as documents are, not with documents or the delta correction; the
// same rules for specs built in C++.
TEST(SpecErrors, BlockLayout) {
  EXPECT_EQ(errorOf(withMask(R"({"kind": "block_layout", "block": [64, 40]})")),
            "spec.json: $.mask.block[1]: a layout block's side must be a "
            "multiple of 16 in [16, 65536], got 40");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "block_layout", "block": [64]})")),
            "spec.json: $.mask.block: expected [rows, columns] of a layout "
            "block, got [64]");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "block_layout", "block": [0, 64]})")),
            "spec.json: $.mask.block[0]: expected an integer >= 16, got 0");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "block_layout"})")),
            R"(spec.json: $.mask: missing required key "block")");
  const std::string placement =
      R"(: "block_layout" must be the mask itself or an operand of the )"
      R"(outermost "intersect" (a layout's key blocks are the key tiles a )"
      R"(query tile visits; under a union other masks would add tiles it )"
      R"(does not list))";
  EXPECT_EQ(errorOf(withMask(R"({"kind": "union", "of": [{"kind": "sink",
                "tokens": 4}, {"kind": "block_layout", "block": [64, 64]}]})")),
            "spec.json: $.mask.of[1]" + placement);
  EXPECT_EQ(errorOf(withMask(R"({"kind": "block_layout", "block": [64, 64],
                "mask": {"kind": "block_layout", "block": [64, 64]}})")),
            "spec.json: $.mask.mask" + placement);
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [
                {"kind": "block_layout", "block": [64, 64]},
                {"kind": "block_layout", "block": [32, 32]}]})")),
            R"(spec.json: $.mask.of[1]: a second "block_layout" mask; a )"
            R"(pattern reads one layout)");
  EXPECT_EQ(
      errorOf(withMask(R"({"kind": "block_layout", "block": [64, 64],
                "mask": {"kind": "intersect", "of": [{"kind": "documents"}]}})")),
      R"(spec.json: $.mask.mask.of[0]: "documents" must be the mask itself )"
      R"(or an operand of the outermost "intersect" (documents only narrow )"
      R"(the other masks; under a union a query would see keys of other )"
      R"(documents))");
  EXPECT_EQ(errorOf(withMask(R"({"kind": "intersect", "of": [
                {"kind": "documents"},
                {"kind": "block_layout", "block": [64, 64]}]})")),
            "spec.json: $.mask: documents and a block layout in one pattern "
            "are not supported yet (the layout's blocks would have to be "
            "numbered within each document)");
  EXPECT_EQ(errorOf(specWith(R"("mask": {"kind": "block_layout",
                "block": [64, 64]}, "correction": {"kind": "delta",
                "gamma": 16})")),
            "spec.json: $.correction: the delta correction over a block "
            "layout is not supported yet (its anchor rows, gamma apart, span "
            "many of the layout's query blocks)");

  PatternSpec s;
  s.name = "t";
  s.dtype = DType::F32;
  s.headDim = 64;
  s.mask = MaskExpr::blockLayout(40, 32);
  Status st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "built: $.mask.block[0]: a layout block's side must "
                          "be a multiple of 16 in [16, 65536], got 40");
  s.mask = MaskExpr::unite({MaskExpr::causal(), MaskExpr::blockLayout(64, 64)});
  st = validatePatternSpec(s, "built");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.message(), "built: $.mask.of[1]" + placement);
  s.mask = MaskExpr::intersect(
      {MaskExpr::causal(), MaskExpr::blockLayout(64, 64, MaskExpr::sink(3))});
  EXPECT_TRUE(validatePatternSpec(s, "built")) << "a layout in an intersect";
}
