//===- ManifestTensorsTest.cpp - The manifest's launch tensors ------------===//
//
// Format version 4's "tensors": round trip, their place among the kernel
// parameters, and the reader's errors.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "sattn/Manifest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <utility>

using namespace sattn;
using json = nlohmann::json;

namespace {

TEST(ManifestTensorsTest, RoundTripInTheirParameterPlace) {
  Manifest m = test::withSinks(test::deltaManifest());
  json doc = json::parse(manifestToJson(m));
  EXPECT_EQ(
      doc["tensors"],
      json::parse(R"([{"name": "sinks", "dtype": "f32", "shape": ["H"]}])"));
  EXPECT_EQ(doc["kernels"][0]["params"][5],
            json({{"name", "sinks"}, {"kind", "ptr"}}));
  Result<Manifest> back = parseManifest(doc.dump(), "s.json");
  ASSERT_TRUE(back) << back.status().message();
  ASSERT_EQ(back->tensors.size(), 1u);
  EXPECT_EQ(back->tensors[0].name, "sinks");
  EXPECT_EQ(back->tensors[0].dtype, "f32");
  EXPECT_EQ(back->tensors[0].shape, std::vector<std::string>{"H"});
  // The parameter must sit where the ABI puts it: after delta, before B.
  std::swap(doc["kernels"][0]["params"][5], doc["kernels"][0]["params"][6]);
  Result<Manifest> moved = parseManifest(doc.dump(), "s.json");
  ASSERT_FALSE(moved);
  EXPECT_NE(moved.status().message().find(
                "$.kernels[0].params[5].name: expected \"sinks\""),
            std::string::npos)
      << moved.status().message();
}

struct ErrorCase {
  const char *what;
  bool delta;                       ///< Start from the delta manifest.
  std::function<void(json &)> edit; ///< Breaks the valid document.
  const char *expected;             ///< Substring after "bad.json: ".
};

const ErrorCase kErrorCases[] = {
    {"tensors before version 4", false,
     [](json &d) { d["format_version"] = 3; },
     "$.tensors: needs format version 4"},
    {"tensors missing", false, [](json &d) { d.erase("tensors"); },
     "$: missing key \"tensors\" (format version 4)"},
    {"tensors not an array", false, [](json &d) { d["tensors"] = 1; },
     "$.tensors: expected an array, got 1"},
    {"tensor name reserved", false,
     [](json &d) {
       d["tensors"] =
           json::parse(R"([{"name": "Sq", "dtype": "f32", "shape": ["H"]}])");
     },
     "$.tensors[0].name: duplicate or reserved name \"Sq\""},
    {"tensor name not an identifier", false,
     [](json &d) {
       d["tensors"] =
           json::parse(R"([{"name": "a b", "dtype": "f32", "shape": ["H"]}])");
     },
     "$.tensors[0].name: expected an identifier"},
    {"tensor dtype", false,
     [](json &d) {
       d["tensors"] =
           json::parse(R"([{"name": "s", "dtype": "f64", "shape": ["H"]}])");
     },
     "$.tensors[0].dtype: expected \"f32\" or \"i32\", got \"f64\""},
    {"tensor shape name", false,
     [](json &d) {
       d["tensors"] =
           json::parse(R"([{"name": "s", "dtype": "f32", "shape": ["N"]}])");
     },
     "$.tensors[0].shape[0]: expected one of \"B\", \"H\", \"Hkv\", \"Sq\", "
     "\"Sk\", \"Nd+1\", \"LB\", \"LH\", \"Sq/n\" or \"Sk/n\" (n a multiple "
     "of 16 up to 65536), got \"N\""},
    {"block count not a multiple of 16", false,
     [](json &d) {
       d["tensors"] = json::parse(
           R"([{"name": "n", "dtype": "i32", "shape": ["LB", "Sq/100"]}])");
     },
     "$.tensors[0].shape[1]: expected one of \"B\", \"H\", \"Hkv\", \"Sq\", "
     "\"Sk\", \"Nd+1\", \"LB\", \"LH\", \"Sq/n\" or \"Sk/n\" (n a multiple "
     "of 16 up to 65536), got \"Sq/100\""},
    {"block layout before version 6", false,
     [](json &d) {
       d["format_version"] = 5;
       d["tensors"] = json::parse(
           R"([{"name": "n", "dtype": "i32", "shape": ["LB", "LH", "Sq/64"]}])");
     },
     "$.tensors: a block layout's sizes (\"LB\", \"LH\", block counts) need "
     "format version 6"},
    {"documents before version 5", false,
     [](json &d) {
       d["format_version"] = 4;
       d["tensors"] = json::parse(
           R"([{"name": "cu", "dtype": "i32", "shape": ["B", "Nd+1"]}])");
     },
     "$.tensors: the size \"Nd+1\" (documents) needs format version 5"},
    {"documents without their role", false,
     [](json &d) {
       d["tensors"] = json::parse(
           R"([{"name": "cu", "dtype": "i32", "shape": ["B", "Nd+1"]}])");
     },
     "$.kernels: a manifest without delta needs exactly one "
     "\"document_attention\" kernel, got [\"attention\"]"},
    {"tensor shape empty", false,
     [](json &d) {
       d["tensors"] =
           json::parse(R"([{"name": "s", "dtype": "f32", "shape": []}])");
     },
     "$.tensors[0].shape: expected an array of 1 to 4 size names"},
    {"tensor without its parameter", false,
     [](json &d) {
       d["tensors"] =
           json::parse(R"([{"name": "s", "dtype": "f32", "shape": ["H"]}])");
     },
     "$.kernels[0].params: expected 10 parameters (q, k, v, o, s, B, H, Hkv, "
     "Sq, "
     "Sk), got 9"},
};

TEST(ManifestTensorsTest, DocumentsRoundTrip) {
  Manifest m = test::documentsManifest();
  json doc = json::parse(manifestToJson(m));
  EXPECT_EQ(doc["kernels"][0]["role"], "document_attention");
  EXPECT_EQ(doc["kernels"][0]["params"].back(),
            json({{"name", "Nd"}, {"kind", "i64"}}));
  Result<Manifest> back = parseManifest(doc.dump(), "d.json");
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->kernels[0].role, KernelRole::DocumentAttention);
  EXPECT_EQ(back->tensors[1].shape, (std::vector<std::string>{"B", "Nd+1"}));
  // Without its Nd parameter the kernel does not have the ABI.
  doc["kernels"][0]["params"].erase(doc["kernels"][0]["params"].size() - 1);
  Result<Manifest> short_ = parseManifest(doc.dump(), "d.json");
  ASSERT_FALSE(short_);
  EXPECT_NE(short_.status().message().find("Sk, Nd), got 11"),
            std::string::npos)
      << short_.status().message();
}

TEST(ManifestTensorsTest, ErrorsAreInvalidInputWithJsonPath) {
  for (const ErrorCase &c : kErrorCases) {
    json doc = json::parse(manifestToJson(c.delta ? test::deltaManifest()
                                                  : test::attentionManifest()));
    c.edit(doc);
    Result<Manifest> m = parseManifest(doc.dump(), "out/bad.json");
    ASSERT_FALSE(m) << c.what;
    EXPECT_EQ(m.status().kind(), ErrorKind::InvalidInput) << c.what;
    EXPECT_NE(
        m.status().message().find(std::string("out/bad.json: ") + c.expected),
        std::string::npos)
        << c.what << "\n  got: " << m.status().message();
  }
}

} // namespace

TEST(ManifestTensorsTest, BlockLayoutRoundTrip) {
  Manifest m = test::layoutManifest();
  json doc = json::parse(manifestToJson(m));
  EXPECT_EQ(doc["format_version"], 6);
  EXPECT_EQ(doc["kernels"][0]["params"].back(),
            json({{"name", "LH"}, {"kind", "i64"}}));
  Result<Manifest> back = parseManifest(doc.dump(), "l.json");
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_EQ(back->tensors[1].shape,
            (std::vector<std::string>{"LB", "LH", "Sq/128", "Sk/64"}));
  // Without LB and LH the kernel does not have the ABI.
  doc["kernels"][0]["params"].erase(doc["kernels"][0]["params"].size() - 1);
  Result<Manifest> short_ = parseManifest(doc.dump(), "l.json");
  ASSERT_FALSE(short_);
  EXPECT_NE(short_.status().message().find("Sk, LB, LH), got 14"),
            std::string::npos)
      << short_.status().message();
}

TEST(ManifestTensorsTest, BlockCountNames) {
  EXPECT_EQ(blockCountDivisor("Sq/128"), 128);
  EXPECT_EQ(blockCountDivisor("Sk/16"), 16);
  EXPECT_EQ(blockCountDivisor("Sk/65536"), 65536);
  for (const char *bad : {"Sq/", "Sq/0", "Sq/016", "Sq/24", "Sk/65552", "Sq/1x",
                          "B/16", "Sq/-16", "Sq/128 "})
    EXPECT_EQ(blockCountDivisor(bad), 0) << bad;
  AttentionShape s;
  s.Sq = 300;
  s.Sk = 129;
  s.LB = 1;
  s.LH = 4;
  EXPECT_EQ(
      tensorExtents(TensorInfo{"i", "i32", {"LB", "LH", "Sq/128", "Sk/64"}}, s),
      (std::vector<int64_t>{1, 4, 3, 3}));
}
