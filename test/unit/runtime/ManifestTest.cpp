//===- ManifestTest.cpp - Manifest JSON round trip and strict errors ------===//
#include "TestSupport.h"

#include "sattn/Manifest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>

using namespace sattn;
using json = nlohmann::json;

namespace {

void expectSameManifest(const Manifest &a, const Manifest &b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.compilerVersion, b.compilerVersion);
  EXPECT_EQ(a.specHash, b.specHash);
  EXPECT_EQ(a.chip, b.chip);
  EXPECT_EQ(a.dtype, b.dtype);
  EXPECT_EQ(a.headDim, b.headDim);
  EXPECT_EQ(a.cubinFile, b.cubinFile);
  EXPECT_EQ(a.cubinSize, b.cubinSize);
  EXPECT_EQ(a.cubinHash, b.cubinHash);
  EXPECT_EQ(a.hasDelta, b.hasDelta);
  EXPECT_EQ(a.deltaGamma, b.deltaGamma);
  EXPECT_EQ(a.deltaTailMin, b.deltaTailMin);
  ASSERT_EQ(a.kernels.size(), b.kernels.size());
  for (size_t i = 0; i < a.kernels.size(); ++i) {
    const KernelInfo &x = a.kernels[i], &y = b.kernels[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.role, y.role);
    ASSERT_EQ(x.params.size(), y.params.size());
    for (size_t j = 0; j < x.params.size(); ++j) {
      EXPECT_EQ(x.params[j].name, y.params[j].name);
      EXPECT_EQ(x.params[j].kind, y.params[j].kind);
      EXPECT_EQ(x.params[j].tensor, y.params[j].tensor);
      EXPECT_EQ(x.params[j].boxCols, y.params[j].boxCols);
      EXPECT_EQ(x.params[j].boxRows, y.params[j].boxRows);
    }
    EXPECT_EQ(x.blockM, y.blockM);
    EXPECT_EQ(x.threads, y.threads);
    EXPECT_EQ(x.blockN, y.blockN);
    EXPECT_EQ(x.sharedMemBytes, y.sharedMemBytes);
    EXPECT_EQ(x.registers, y.registers);
    EXPECT_EQ(x.spillBytes, y.spillBytes);
  }
}

TEST(ManifestTest, RoundTripAttention) {
  Manifest m = test::attentionManifest();
  std::string text = manifestToJson(m);
  Result<Manifest> back = parseManifest(text, "p.json");
  ASSERT_TRUE(back) << back.status().message();
  expectSameManifest(m, *back);
  EXPECT_EQ(manifestToJson(*back), text);
}

TEST(ManifestTest, RoundTripDelta) {
  Manifest m = test::deltaManifest();
  m.kernels[1].registers = -1;
  m.kernels[1].spillBytes = -1;
  Result<Manifest> back = parseManifest(manifestToJson(m), "p.json");
  ASSERT_TRUE(back) << back.status().message();
  expectSameManifest(m, *back);
}

TEST(ManifestTest, RoundTripTensorMaps) {
  for (Manifest m : {test::withTensorMaps(test::attentionManifest()),
                     test::withTensorMaps(test::deltaManifest())}) {
    std::string text = manifestToJson(m);
    Result<Manifest> back = parseManifest(text, "p.json");
    ASSERT_TRUE(back) << back.status().message();
    expectSameManifest(m, *back);
    EXPECT_EQ(manifestToJson(*back), text);
    // The fields themselves, not only their equality with the original.
    const KernelInfo &k = back->kernels.back();
    size_t n = k.params.size();
    ASSERT_EQ(n, (m.hasDelta ? 10u : 9u) + 2u);
    EXPECT_EQ(k.params[n - 2].name, "k_map");
    EXPECT_EQ(k.params[n - 2].kind, "tensor_map");
    EXPECT_EQ(k.params[n - 2].tensor, "k");
    EXPECT_EQ(k.params[n - 2].boxCols, 64);
    EXPECT_EQ(k.params[n - 2].boxRows, 128);
    EXPECT_EQ(k.params[n - 1].name, "v_map");
    EXPECT_EQ(k.params[n - 1].tensor, "v");
    EXPECT_EQ(k.params[n - 1].boxCols, 64);
    EXPECT_EQ(k.params[n - 1].boxRows, 64);
  }
}

TEST(ManifestTest, WritesTensorMapsInTheDocumentedForm) {
  Manifest m = test::withTensorMaps(test::attentionManifest());
  m.dtype = "f16";
  json doc = json::parse(manifestToJson(m));
  const json &params = doc["kernels"][0]["params"];
  ASSERT_EQ(params.size(), 11u);
  EXPECT_EQ(params[9], json::parse(R"({"name": "k_map", "kind": "tensor_map",
      "tensor": "k", "box": [64, 128], "swizzle": "128B"})"));
  EXPECT_EQ(params[10], json::parse(R"({"name": "v_map", "kind": "tensor_map",
      "tensor": "v", "box": [64, 64], "swizzle": "128B"})"));
  // Key order as documented.
  EXPECT_NE(manifestToJson(m).find(
                R"("name": "k_map",
          "kind": "tensor_map",
          "tensor": "k",
          "box": [
            64,
            128
          ],
          "swizzle": "128B")"),
            std::string::npos)
      << manifestToJson(m);
  // Pointers and sizes keep their two keys.
  EXPECT_EQ(params[1], json({{"name", "k"}, {"kind", "ptr"}}));
  EXPECT_EQ(params[8], json({{"name", "Sk"}, {"kind", "i64"}}));
  EXPECT_TRUE(parseManifest(doc.dump(), "p.json"));
}

TEST(ManifestTest, WritesTheDocumentedLayoutInOrder) {
  json doc = json::parse(manifestToJson(test::deltaManifest()));
  EXPECT_EQ(doc["format"], "sattn-manifest");
  EXPECT_EQ(doc["format_version"], 6);
  EXPECT_EQ(doc["tensors"], json::array());
  EXPECT_EQ(doc["kernels"][0]["persistent"], false);
  EXPECT_EQ(doc["variants"],
            json::parse(R"([{"name": "default", "seq_q": [0, null]}])"));
  EXPECT_EQ(doc["kernels"][1]["variant"], 0);
  EXPECT_EQ(doc["delta"]["gamma"], 64);
  EXPECT_EQ(doc["delta"]["tail_min"], 100);
  EXPECT_EQ(doc["kernels"][0]["params"][4],
            json({{"name", "delta"}, {"kind", "ptr"}}));
  EXPECT_EQ(doc["kernels"][1]["shared_memory_bytes"], 49152);
  EXPECT_TRUE(json::parse(manifestToJson(test::attentionManifest()))["delta"]
                  .is_null());
  // Keys appear in the documented order, "format" first.
  EXPECT_EQ(manifestToJson(test::attentionManifest()).find("\"format\""), 4u);
}

TEST(ManifestTest, VariantsRoundTripAndVersionOneStillLoads) {
  Manifest m = test::attentionManifest();
  m.variants = {LaunchVariant{"short", 0, 8192}, LaunchVariant{"long", 8192, -1}};
  KernelInfo longer = m.kernels[0];
  longer.name = "sliding_attention_v1";
  longer.variant = 1;
  longer.blockM = 128;
  longer.threads = 384;
  m.kernels.push_back(longer);
  Result<Manifest> back = parseManifest(manifestToJson(m), "v.json");
  ASSERT_TRUE(back) << back.status().message();
  ASSERT_EQ(back->variants.size(), 2u);
  EXPECT_EQ(back->variants[1].name, "long");
  EXPECT_EQ(back->variants[0].maxSeqQ, 8192);
  EXPECT_EQ(back->variants[1].maxSeqQ, -1);
  EXPECT_EQ(back->kernels[1].variant, 1);
  EXPECT_EQ(selectVariant(*back, 8191), 0u);
  EXPECT_EQ(selectVariant(*back, 8192), 1u);
  EXPECT_EQ(selectVariant(*back, 1 << 20), 1u);

  // A version-1 manifest (no variants, no kernel variant) is one set.
  json doc = json::parse(manifestToJson(test::attentionManifest()));
  doc["format_version"] = 1;
  doc.erase("variants");
  doc.erase("tensors");
  doc["kernels"][0].erase("variant");
  Result<Manifest> v1 = parseManifest(doc.dump(), "v1.json");
  ASSERT_TRUE(v1) << v1.status().message();
  ASSERT_EQ(v1->variants.size(), 1u);
  EXPECT_EQ(v1->kernels[0].variant, 0);
}

TEST(ManifestTest, WritesShapesAndLaunchGeometry) {
  Manifest m = test::deltaManifest();
  json doc = json::parse(manifestToJson(m));
  EXPECT_EQ(doc["supports"]["dtype"], m.dtype);
  EXPECT_EQ(doc["supports"]["head_dim"], m.headDim);
  EXPECT_EQ(doc["supports"]["pointer_alignment_bytes"], 16);
  EXPECT_EQ(doc["supports"]["seq_q_equals_seq_k"], true);
  std::string bm = std::to_string(m.kernels[0].blockM);
  EXPECT_EQ(doc["kernels"][0]["launch"]["block"],
            json({m.kernels[0].blockM, 1, 1}));
  EXPECT_EQ(doc["kernels"][0]["launch"]["grid"],
            json({"ceil(numAnchors / " + bm + ") + ceil(tailRows / " + bm + ")",
                  "B * H", "1"}));
  EXPECT_EQ(doc["delta"]["rows"]["tail_rows"], "Sq - mainRows");
  json attn = json::parse(manifestToJson(test::attentionManifest()));
  EXPECT_EQ(attn["supports"]["seq_q_equals_seq_k"], false);
  EXPECT_EQ(attn["kernels"][0]["launch"]["grid"][0],
            "ceil(Sq / " + std::to_string(test::attentionManifest().kernels[0].blockM) + ")");
}

TEST(ManifestTest, PersistentKernelsRoundTripWithTheirGrid) {
  Manifest m = test::attentionManifest();
  m.kernels[0].persistent = true;
  json doc = json::parse(manifestToJson(m));
  EXPECT_EQ(doc["kernels"][0]["persistent"], true);
  EXPECT_EQ(doc["kernels"][0]["launch"]["instances"],
            json({"ceil(Sq / 64)", "B * H"}));
  EXPECT_EQ(doc["kernels"][0]["launch"]["grid"],
            json({"min(instances, resident blocks)", "1", "1"}));
  Result<Manifest> back = parseManifest(doc.dump(), "p.json");
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_TRUE(back->kernels[0].persistent);
  // Without the key (versions 1 and 2) a kernel runs a block per instance.
  doc["kernels"][0].erase("persistent");
  doc["kernels"][0].erase("launch");
  doc["format_version"] = 2;
  doc.erase("tensors");
  back = parseManifest(doc.dump(), "p.json");
  ASSERT_TRUE(back) << back.status().message();
  EXPECT_FALSE(back->kernels[0].persistent);
}

TEST(ManifestTest, RejectsDerivedFieldsThatDisagree) {
  json doc = json::parse(manifestToJson(test::deltaManifest()));
  json edited = doc;
  edited["supports"]["head_dim"] = 64;
  Result<Manifest> m = parseManifest(edited.dump(), "m.json");
  ASSERT_FALSE(m);
  EXPECT_NE(m.status().message().find("m.json: $.supports"), std::string::npos)
      << m.status().message();
  edited = doc;
  edited["kernels"][1]["launch"]["grid"][0] = "ceil(Sq / 64)";
  m = parseManifest(edited.dump(), "m.json");
  ASSERT_FALSE(m);
  EXPECT_NE(m.status().message().find("$.kernels[1].launch"), std::string::npos)
      << m.status().message();
  edited = doc;
  edited["delta"]["rows"]["tail_rows"] = "0";
  m = parseManifest(edited.dump(), "m.json");
  ASSERT_FALSE(m);
  EXPECT_NE(m.status().message().find("$.delta.rows"), std::string::npos);
  // The round trip itself parses.
  EXPECT_TRUE(parseManifest(doc.dump(), "m.json"));
}

TEST(ManifestTest, ParsesAHandWrittenManifest) {
  const char *text = R"({
    "format": "sattn-manifest", "format_version": 1, "name": "p",
    "compiler_version": "0.1.0", "spec_hash": "abc", "chip": "sm_80",
    "dtype": "f16", "head_dim": 64, "cubin": "p.cubin", "cubin_size": 10,
    "cubin_hash": "cbf29ce484222325", "delta": null,
    "kernels": [{"name": "p_attn", "role": "attention",
      "params": [{"name": "q", "kind": "ptr"}, {"name": "k", "kind": "ptr"},
                 {"name": "v", "kind": "ptr"}, {"name": "o", "kind": "ptr"},
                 {"name": "B", "kind": "i64"}, {"name": "H", "kind": "i64"},
                 {"name": "Hkv", "kind": "i64"}, {"name": "Sq", "kind": "i64"},
                 {"name": "Sk", "kind": "i64"}],
      "block_m": 128, "block_n": 32, "shared_memory_bytes": 0,
      "registers": 96, "spill_bytes": 0}]})";
  Result<Manifest> m = parseManifest(text, "p.json");
  ASSERT_TRUE(m) << m.status().message();
  EXPECT_EQ(m->chip, "sm_80");
  EXPECT_EQ(m->headDim, 64);
  EXPECT_FALSE(m->hasDelta);
  EXPECT_EQ(m->kernels[0].blockM, 128);
  // No "threads" (a manifest of the SIMT form): a thread per query row.
  EXPECT_EQ(m->kernels[0].threads, 128);
  EXPECT_EQ(m->kernels[0].params[6].name, "Hkv");
}

struct ErrorCase {
  const char *what;
  bool delta;                       ///< Start from the delta manifest.
  std::function<void(json &)> edit; ///< Breaks the valid document.
  const char *expected;             ///< Substring after "bad.json: ".
};

// gtest prints a failing parameter with this instead of its raw bytes.
void PrintTo(const ErrorCase &c, std::ostream *os) { *os << c.what; }

class ManifestErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(ManifestErrorTest, IsInvalidInputWithJsonPath) {
  const ErrorCase &c = GetParam();
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

json &param(json &doc, int kernel, int index) {
  return doc["kernels"][kernel]["params"][index];
}

const ErrorCase kErrorCases[] = {
    {"top level is an array", false, [](json &d) { d = json::array(); },
     "$: expected an object, got an array"},
    {"unknown top-level key", false, [](json &d) { d["extra"] = 1; },
     "$: unknown key \"extra\""},
    {"missing chip", false, [](json &d) { d.erase("chip"); },
     "$: missing key \"chip\""},
    {"missing delta", false, [](json &d) { d.erase("delta"); },
     "$: missing key \"delta\""},
    {"wrong format", false, [](json &d) { d["format"] = "other"; },
     "$.format: expected \"sattn-manifest\", got \"other\""},
    {"future version", false, [](json &d) { d["format_version"] = 7; },
     "$.format_version: unsupported version 7 (this runtime reads versions 1 "
     "to 6)"},
    {"version 0", false, [](json &d) { d["format_version"] = 0; },
     "$.format_version: unsupported version 0"},
    {"persistent not a bool", false,
     [](json &d) { d["kernels"][0]["persistent"] = 1; },
     "$.kernels[0].persistent: expected true or false, got 1"},
    {"persistent launch without the flag", false,
     [](json &d) {
       d["kernels"][0]["launch"]["grid"] =
           json::parse(R"j(["min(instances, resident blocks)", "1", "1"])j");
     },
     "$.kernels[0].launch: does not match"},
    {"persistent flag without its launch", false,
     [](json &d) { d["kernels"][0]["persistent"] = true; },
     "$.kernels[0].launch: does not match"},
    {"version 2 without variants", false, [](json &d) { d.erase("variants"); },
     "$: missing key \"variants\" (format version 2)"},
    {"version 1 with variants", false, [](json &d) { d["format_version"] = 1; },
     "$.variants: needs format version 2"},
    {"no variants", false, [](json &d) { d["variants"] = json::array(); },
     "$.variants: expected a non-empty array"},
    {"variant not from 0", false,
     [](json &d) { d["variants"][0]["seq_q"] = json::parse("[1, null]"); },
     "$.variants[0].seq_q: must start at 0"},
    {"last variant bounded", false,
     [](json &d) { d["variants"][0]["seq_q"] = json::parse("[0, 4096]"); },
     "$.variants[0].seq_q: the last variant must have no upper bound"},
    {"gap between variants", false,
     [](json &d) {
       d["variants"] = json::parse(
           R"([{"name": "a", "seq_q": [0, 100]}, {"name": "b", "seq_q": [200, null]}])");
     },
     "$.variants[1].seq_q: must start at 100"},
    {"unbounded variant before another", false,
     [](json &d) {
       d["variants"] = json::parse(
           R"([{"name": "a", "seq_q": [0, null]}, {"name": "b", "seq_q": [0, null]}])");
     },
     "$.variants[0].seq_q: only the last variant may be unbounded"},
    {"duplicate variant", false,
     [](json &d) {
       d["variants"] = json::parse(
           R"([{"name": "a", "seq_q": [0, 100]}, {"name": "a", "seq_q": [100, null]}])");
     },
     "$.variants[1].name: duplicate variant \"a\""},
    {"variant without kernels", false,
     [](json &d) {
       d["variants"] = json::parse(
           R"([{"name": "a", "seq_q": [0, 100]}, {"name": "b", "seq_q": [100, null]}])");
     },
     "$.kernels: a manifest without delta needs exactly one \"attention\" "
     "kernel (variant \"b\"), got []"},
    {"kernel of no variant", false,
     [](json &d) { d["kernels"][0]["variant"] = 1; },
     "$.kernels[0].variant: expected an integer in [0, 0], got 1"},
    {"version as string", false, [](json &d) { d["format_version"] = "1"; },
     "$.format_version: expected an integer, got \"1\""},
    {"name not a string", false, [](json &d) { d["name"] = 5; },
     "$.name: expected a string, got 5"},
    {"empty name", false, [](json &d) { d["name"] = ""; },
     "$.name: expected a non-empty string"},
    {"spec_hash null", false, [](json &d) { d["spec_hash"] = nullptr; },
     "$.spec_hash: expected a string, got null"},
    {"bad chip", false, [](json &d) { d["chip"] = "gfx90a"; },
     "$.chip: expected \"sm_<NN>\", \"sm_<NN>a\" or \"host\", got \"gfx90a\""},
    {"bad dtype", false, [](json &d) { d["dtype"] = "fp8"; },
     "$.dtype: expected \"bf16\", \"f16\" or \"f32\", got \"fp8\""},
    {"head_dim 96", false, [](json &d) { d["head_dim"] = 96; },
     "$.head_dim: expected 64 or 128, got 96"},
    {"head_dim float", false, [](json &d) { d["head_dim"] = 64.0; },
     "$.head_dim: expected an integer, got 64.0"},
    {"absolute cubin path", false, [](json &d) { d["cubin"] = "/tmp/p.cubin"; },
     "$.cubin: expected a path relative to the manifest"},
    {"negative cubin_size", false, [](json &d) { d["cubin_size"] = -1; },
     "$.cubin_size: expected an integer >= 0, got -1"},
    {"cubin_size beyond int64", false,
     [](json &d) { d["cubin_size"] = 18446744073709551615ULL; },
     "$.cubin_size: expected an integer, got 18446744073709551615"},
    {"uppercase hash", false,
     [](json &d) { d["cubin_hash"] = "0123456789ABCDEF"; },
     "$.cubin_hash: expected 16 lowercase hex digits"},
    {"delta a number", false, [](json &d) { d["delta"] = 5; },
     "$.delta: expected an object or null, got 5"},
    {"delta unknown key", true, [](json &d) { d["delta"]["beta"] = 1; },
     "$.delta: unknown key \"beta\""},
    {"delta missing tail_min", true,
     [](json &d) { d["delta"].erase("tail_min"); },
     "$.delta: missing key \"tail_min\""},
    {"gamma 0", true, [](json &d) { d["delta"]["gamma"] = 0; },
     "$.delta.gamma: expected an integer >= 1, got 0"},
    {"kernels an object", false, [](json &d) { d["kernels"] = json::object(); },
     "$.kernels: expected an array, got an object"},
    {"kernel a string", false, [](json &d) { d["kernels"][0] = "k"; },
     "$.kernels[0]: expected an object, got \"k\""},
    {"kernel unknown key", false, [](json &d) { d["kernels"][0]["grid"] = 1; },
     "$.kernels[0]: unknown key \"grid\""},
    {"kernel missing role", false,
     [](json &d) { d["kernels"][0].erase("role"); },
     "$.kernels[0]: missing key \"role\""},
    {"bad role", false, [](json &d) { d["kernels"][0]["role"] = "prefill"; },
     "$.kernels[0].role: expected \"attention\", \"document_attention\", "
     "\"delta_anchor\" or \"delta_main\", got \"prefill\""},
    {"params not an array", false,
     [](json &d) { d["kernels"][0]["params"] = 1; },
     "$.kernels[0].params: expected an array, got 1"},
    {"param unknown key", false, [](json &d) { param(d, 0, 2)["size"] = 8; },
     "$.kernels[0].params[2]: unknown key \"size\""},
    {"param kind foo", false, [](json &d) { param(d, 0, 3)["kind"] = "foo"; },
     "$.kernels[0].params[3].kind: expected \"ptr\", \"i64\" or "
     "\"tensor_map\", got \"foo\""},
    {"param kind wrong for o", false,
     [](json &d) { param(d, 0, 3)["kind"] = "i64"; },
     "$.kernels[0].params[3].kind: parameter 'o' must be \"ptr\", got \"i64\""},
    {"params out of order", false,
     [](json &d) { std::swap(param(d, 0, 4), param(d, 0, 5)); },
     "$.kernels[0].params[4].name: expected \"B\""},
    {"param missing", false,
     [](json &d) { d["kernels"][0]["params"].erase(8); },
     "$.kernels[0].params: expected 9 parameters (q, k, v, o, B, H, Hkv, Sq, "
     "Sk), got 8"},
    {"attention kernel with delta param", false,
     [](json &d) {
       auto &p = d["kernels"][0]["params"];
       p.insert(p.begin() + 4, json{{"name", "delta"}, {"kind", "ptr"}});
     },
     "$.kernels[0].params: expected 9 parameters"},
    {"delta kernel without delta param", true,
     [](json &d) { d["kernels"][1]["params"].erase(4); },
     "$.kernels[1].params: expected 10 parameters"},
    {"missing delta_main kernel", true, [](json &d) { d["kernels"].erase(1); },
     "$.kernels: a manifest with delta needs a \"delta_anchor\" kernel "
     "followed by a \"delta_main\" kernel, got [\"delta_anchor\"]"},
    {"delta kernels swapped", true,
     [](json &d) { std::swap(d["kernels"][0], d["kernels"][1]); },
     "$.kernels: a manifest with delta needs"},
    {"delta manifest with attention kernel", true,
     [](json &d) { d["kernels"][0]["role"] = "attention"; },
     "$.kernels: a manifest with delta needs"},
    {"two attention kernels", false,
     [](json &d) { d["kernels"].push_back(d["kernels"][0]); },
     "$.kernels: a manifest without delta needs exactly one \"attention\" "
     "kernel, got [\"attention\", \"attention\"]"},
    {"no kernels", false, [](json &d) { d["kernels"] = json::array(); },
     "$.kernels: a manifest without delta needs exactly one"},
    {"delta kernels without delta", true, [](json &d) { d["delta"] = nullptr; },
     "$.kernels: a manifest without delta needs exactly one"},
    {"block_m 0", false, [](json &d) { d["kernels"][0]["block_m"] = 0; },
     "$.kernels[0].block_m: expected an integer in [1, 1024], got 0"},
    {"block_m 2048", false, [](json &d) { d["kernels"][0]["block_m"] = 2048; },
     "$.kernels[0].block_m: expected an integer in [1, 1024], got 2048"},
    {"threads 0", false, [](json &d) { d["kernels"][0]["threads"] = 0; },
     "$.kernels[0].threads: expected an integer in [1, 1024], got 0"},
    {"threads 4096", false, [](json &d) { d["kernels"][0]["threads"] = 4096; },
     "$.kernels[0].threads: expected an integer in [1, 1024], got 4096"},
    {"launch block is not threads", false,
     [](json &d) { d["kernels"][0]["threads"] = 256; },
     "$.kernels[0].launch: does not match the kernel's role, block_m, "
     "threads and persistent"},
    {"block_n bool", false, [](json &d) { d["kernels"][0]["block_n"] = true; },
     "$.kernels[0].block_n: expected an integer, got true"},
    {"negative shared memory", false,
     [](json &d) { d["kernels"][0]["shared_memory_bytes"] = -5; },
     "$.kernels[0].shared_memory_bytes: expected an integer in [0, "
     "4294967295]"},
    {"registers -2", false, [](json &d) { d["kernels"][0]["registers"] = -2; },
     "$.kernels[0].registers: expected an integer >= -1, got -2"},
    {"spill_bytes string", true,
     [](json &d) { d["kernels"][1]["spill_bytes"] = "0"; },
     "$.kernels[1].spill_bytes: expected an integer, got \"0\""},
};

INSTANTIATE_TEST_SUITE_P(Cases, ManifestErrorTest,
                         ::testing::ValuesIn(kErrorCases));

/// The cases below start from the manifest with k_map (params[9], box
/// [64, 128]) and v_map (params[10]) after the attention ABI, or params[10]
/// and [11] after the delta ABI.
class TensorMapErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(TensorMapErrorTest, IsInvalidInputWithJsonPath) {
  const ErrorCase &c = GetParam();
  Manifest valid = test::withTensorMaps(c.delta ? test::deltaManifest()
                                                : test::attentionManifest());
  json doc = json::parse(manifestToJson(valid));
  ASSERT_TRUE(parseManifest(doc.dump(), "out/bad.json"));
  c.edit(doc);
  Result<Manifest> m = parseManifest(doc.dump(), "out/bad.json");
  ASSERT_FALSE(m) << c.what;
  EXPECT_EQ(m.status().kind(), ErrorKind::InvalidInput) << c.what;
  EXPECT_NE(
      m.status().message().find(std::string("out/bad.json: ") + c.expected),
      std::string::npos)
      << c.what << "\n  got: " << m.status().message();
}

const ErrorCase kTensorMapErrorCases[] = {
    {"tensor q", false, [](json &d) { param(d, 0, 9)["tensor"] = "q"; },
     "$.kernels[0].params[9].tensor: expected \"k\" or \"v\", got \"q\""},
    {"tensor a number", false, [](json &d) { param(d, 0, 10)["tensor"] = 1; },
     "$.kernels[0].params[10].tensor: expected \"k\" or \"v\", got 1"},
    {"box of one", false,
     [](json &d) { param(d, 0, 9)["box"] = json::array({64}); },
     "$.kernels[0].params[9].box: expected an array of 2 positive integers "
     "[cols, rows], got [64]"},
    {"box of three", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({64, 128, 1});
     },
     "$.kernels[0].params[9].box: expected an array of 2 positive integers "
     "[cols, rows], got [64,128,1]"},
    {"box a number", false, [](json &d) { param(d, 0, 9)["box"] = 64; },
     "$.kernels[0].params[9].box: expected an array of 2 positive integers "
     "[cols, rows], got 64"},
    {"box rows 0", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({64, 0});
     },
     "$.kernels[0].params[9].box: expected an array of 2 positive integers"},
    {"box cols negative", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({-64, 64});
     },
     "$.kernels[0].params[9].box: expected an array of 2 positive integers"},
    {"box cols float", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({64.0, 64});
     },
     "$.kernels[0].params[9].box: expected an array of 2 positive integers"},
    {"box cols 32 (64-byte rows)", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({32, 64});
     },
     "$.kernels[0].params[9].box: cols * element bytes (32 * 2 = 64) must "
     "equal the 128-byte span of the \"128B\" swizzle (box [32,64])"},
    {"box cols 128 (256-byte rows)", true,
     [](json &d) {
       param(d, 1, 11)["box"] = json::array({128, 64});
     },
     "$.kernels[1].params[11].box: cols * element bytes (128 * 2 = 256) "
     "must equal the 128-byte span"},
    {"box rows 257", true,
     [](json &d) {
       param(d, 0, 10)["box"] = json::array({64, 257});
     },
     "$.kernels[0].params[10].box: rows (257) must be <= 256 (the TMA box "
     "limit) (box [64,257])"},
    {"box cols 96 do not divide head_dim", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({96, 64});
     },
     "$.kernels[0].params[9].box: cols (96) must divide head_dim (128) (box "
     "[96,64])"},
    {"box cols 256 beyond head_dim", false,
     [](json &d) {
       param(d, 0, 9)["box"] = json::array({256, 64});
     },
     "$.kernels[0].params[9].box: cols (256) must divide head_dim (128)"},
    {"dtype f32", false, [](json &d) { d["dtype"] = "f32"; },
     "$.kernels[0].params[9]: a \"tensor_map\" parameter needs dtype "
     "\"bf16\" or \"f16\""},
    {"chip sm_80", false, [](json &d) { d["chip"] = "sm_80"; },
     "$.kernels[0].params[9]: a \"tensor_map\" parameter needs chip "
     "\"sm_90a\" (tensor maps are an sm_90 feature), but the manifest's "
     "chip is \"sm_80\""},
    {"chip sm_90 (no wgmma)", false, [](json &d) { d["chip"] = "sm_90"; },
     "$.kernels[0].params[9]: a \"tensor_map\" parameter needs chip "
     "\"sm_90a\""},
    {"chip host", true, [](json &d) { d["chip"] = "host"; },
     "$.kernels[0].params[10]: a \"tensor_map\" parameter needs chip "
     "\"sm_90a\""},
    {"swizzle 64B", false, [](json &d) { param(d, 0, 9)["swizzle"] = "64B"; },
     "$.kernels[0].params[9].swizzle: expected \"128B\", got \"64B\""},
    {"swizzle null", false,
     [](json &d) { param(d, 0, 10)["swizzle"] = nullptr; },
     "$.kernels[0].params[10].swizzle: expected \"128B\", got null"},
    {"swizzle missing", false, [](json &d) { param(d, 0, 9).erase("swizzle"); },
     "$.kernels[0].params[9]: missing key \"swizzle\""},
    {"box missing", false, [](json &d) { param(d, 0, 9).erase("box"); },
     "$.kernels[0].params[9]: missing key \"box\""},
    {"tensor missing", true, [](json &d) { param(d, 1, 10).erase("tensor"); },
     "$.kernels[1].params[10]: missing key \"tensor\""},
    {"unknown key on a tensor map", false,
     [](json &d) { param(d, 0, 9)["interleave"] = "none"; },
     "$.kernels[0].params[9]: unknown key \"interleave\""},
    {"box on a pointer", false,
     [](json &d) {
       param(d, 0, 1)["box"] = json::array({64, 64});
     },
     "$.kernels[0].params[1]: unknown key \"box\" (only \"tensor_map\" "
     "parameters have it)"},
    {"tensor on a size", false, [](json &d) { param(d, 0, 8)["tensor"] = "k"; },
     "$.kernels[0].params[8]: unknown key \"tensor\" (only \"tensor_map\" "
     "parameters have it)"},
    {"tensor map among the ABI parameters", false,
     [](json &d) {
       auto &p = d["kernels"][0]["params"];
       json map = p[9];
       p.erase(9);
       p.insert(p.begin() + 4, map);
     },
     "$.kernels[0].params[4].kind: tensor_map parameters must follow the ABI "
     "parameters (q, k, v, o, B, H, Hkv, Sq, Sk), got one at index 4"},
    {"ABI parameter missing beside maps", false,
     [](json &d) { d["kernels"][0]["params"].erase(8); },
     "$.kernels[0].params: expected 9 parameters (q, k, v, o, B, H, Hkv, Sq, "
     "Sk), got 8 besides 2 tensor_map parameter(s)"},
    {"two maps of one name", false,
     [](json &d) { param(d, 0, 10)["name"] = "k_map"; },
     "$.kernels[0].params[10].name: duplicate parameter name \"k_map\" "
     "(also params[9])"},
    {"map named like an ABI parameter", true,
     [](json &d) { param(d, 1, 11)["name"] = "v"; },
     "$.kernels[1].params[11].name: duplicate parameter name \"v\" (also "
     "params[2])"},
};

INSTANTIATE_TEST_SUITE_P(Cases, TensorMapErrorTest,
                         ::testing::ValuesIn(kTensorMapErrorCases));

TEST(ManifestTest, BadJsonIsInvalidInput) {
  for (const char *text : {"", "{", "{\"format\": }", "[1, 2", "nul"}) {
    Result<Manifest> m = parseManifest(text, "out/bad.json");
    ASSERT_FALSE(m) << text;
    EXPECT_EQ(m.status().kind(), ErrorKind::InvalidInput);
    EXPECT_EQ(m.status().message().rfind("out/bad.json: $: invalid JSON: ", 0),
              0u)
        << m.status().message();
  }
}

TEST(ManifestTest, NulByteIsInvalidJson) {
  // nlohmann's lexer would end the input at the NUL and accept the rest.
  std::string text = manifestToJson(test::attentionManifest());
  ASSERT_TRUE(parseManifest(text, "m.json"));
  Result<Manifest> m =
      parseManifest(text + std::string(1, '\0') + "garbage", "m.json");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().message(), "m.json: $: invalid JSON: NUL byte at offset " +
                                      std::to_string(text.size()));
}

TEST(ManifestTest, DeepNestingIsRejectedNotCrashed) {
  // A million nested arrays as a tensor map's box: the error message used
  // to print it recursively and overflowed the stack.
  json doc =
      json::parse(manifestToJson(test::withTensorMaps(test::attentionManifest())));
  std::string text = doc.dump();
  const std::string box = "\"box\":[64,128]";
  size_t at = text.find(box);
  ASSERT_NE(at, std::string::npos) << text;
  const size_t n = 1000000;
  text.replace(at, box.size(),
               "\"box\":" + std::string(n, '[') + std::string(n, ']'));
  Result<Manifest> m = parseManifest(text, "m.json");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.status().message().rfind(
                "m.json: $: invalid manifest: JSON nested deeper than 32 levels "
                "(at offset ",
                0),
            0u)
      << m.status().message();
  // Brackets inside strings do not count.
  Manifest named = test::attentionManifest();
  named.compilerVersion = std::string(100, '[') + "\"\\" + std::string(100, '{');
  Result<Manifest> back = parseManifest(manifestToJson(named), "m.json");
  EXPECT_TRUE(back) << back.status().message();
}

TEST(ManifestTest, Fnv1a64MatchesReferenceVectors) {
  EXPECT_EQ(fnv1a64Hex("", 0), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64Hex("a", 1), "af63dc4c8601ec8c");
  EXPECT_EQ(fnv1a64Hex("foobar", 6), "85944171f73967e8");
}

} // namespace
