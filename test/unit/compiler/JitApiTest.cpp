//===- JitApiTest.cpp - The public JIT API: compile, cache, errors --------===//
//
// CPU-only (CI): compile from JSON text and from files, the per-spec cache,
// error values for bad specs and bad launches (never a throw or an abort),
// and kernel lifetime. The GPU targets are in JitGpuTargetTest.cpp.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Jit.h"
#include "JitTestSupport.h"
#include "NumericHarness.h"
#include "Reference/Reference.h"
#include "sattn/Runtime.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace sattn::test {
namespace {

/// A file in the test's temp dir, removed at the end.
struct TempSpecFile {
  std::string path;
  explicit TempSpecFile(const std::string &text) {
    std::string test =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char &c : test)
      if (!std::isalnum(static_cast<unsigned char>(c)))
        c = '_';
    path = ::testing::TempDir() + "sattn_jit_api_" +
           std::to_string(::getpid()) + "_" + test + ".json";
    std::ofstream(path) << text;
  }
  ~TempSpecFile() { std::remove(path.c_str()); }
};

//===----------------------------------------------------------------------===//
// Compile paths
//===----------------------------------------------------------------------===//

TEST(JitCompile, FromJsonString) {
  Jit jit(cpuOptions());
  EXPECT_EQ(jit.backend(), Backend::Cpu);
  EXPECT_EQ(jit.cacheSize(), 0u);
  auto k = jit.compileSpec(kCausalJson, "inline.json");
  ASSERT_TRUE(k) << k.status().message();
  ASSERT_NE(k->get(), nullptr);
  EXPECT_EQ((*k)->backend(), Backend::Cpu);
  const Manifest &m = (*k)->manifest();
  EXPECT_EQ(m.name, "api_causal");
  EXPECT_EQ(m.dtype, "bf16");
  EXPECT_EQ(m.headDim, 128);
  EXPECT_EQ(m.chip, "host");
  EXPECT_FALSE(m.hasDelta);
  EXPECT_EQ(jit.cacheSize(), 1u);
}

TEST(JitCompile, FromFile) {
  TempSpecFile file(kDeltaJson);
  Jit jit(cpuOptions());
  auto k = jit.compileSpecFile(file.path);
  ASSERT_TRUE(k) << k.status().message();
  EXPECT_EQ((*k)->manifest().name, "api_delta");
  EXPECT_TRUE((*k)->manifest().hasDelta);
  // The same spec from the string is a cache hit.
  auto again = jit.compileSpec(kDeltaJson);
  ASSERT_TRUE(again) << again.status().message();
  EXPECT_EQ(again->get(), k->get());
  EXPECT_EQ(jit.cacheSize(), 1u);
}

TEST(JitCompile, ExampleSpecFiles) {
  Jit jit(cpuOptions());
  for (const char *name : {"causal", "dense", "gqa_causal_f32",
                           "softcap_window", "swa_sink", "swa_sink_delta"}) {
    std::string path =
        std::string(SATTN_EXAMPLE_SPECS_DIR) + "/" + name + ".json";
    auto k = jit.compileSpecFile(path);
    ASSERT_TRUE(k) << path << ": " << k.status().message();
    EXPECT_EQ((*k)->manifest().name, name);
  }
  EXPECT_EQ(jit.cacheSize(), 6u);
}

TEST(JitCompile, MissingFileIsAnIOError) {
  Jit jit(cpuOptions());
  std::string path = ::testing::TempDir() + "no_such_dir/missing_spec.json";
  Result<std::shared_ptr<Kernel>> k = Status::ok();
  EXPECT_NO_THROW(k = jit.compileSpecFile(path));
  ASSERT_FALSE(k);
  EXPECT_EQ(k.status().kind(), ErrorKind::IOError)
      << kindName(k.status().kind());
  EXPECT_TRUE(contains(k.status().message(), path)) << k.status().message();
  EXPECT_EQ(jit.cacheSize(), 0u);
}

TEST(JitCompile, AutoWithoutDeviceIsCpu) {
  if (rt::deviceAvailable())
    GTEST_SKIP() << "a CUDA device is present; Auto resolves to the GPU";
  Jit jit; // Backend::Auto
  EXPECT_EQ(jit.backend(), Backend::Cpu);
}

//===----------------------------------------------------------------------===//
// Cache
//===----------------------------------------------------------------------===//

TEST(JitCache, EquivalentSpecIsAHit) {
  Jit jit(cpuOptions());
  const char *implicitJson = R"({"name": "api_cache", "dtype": "f16",
    "head_dim": 128, "mask": {"kind": "window", "left": 8, "right": 0},
    "correction": {"kind": "delta", "gamma": 16}})";
  auto first = jit.compileSpec(implicitJson);
  ASSERT_TRUE(first) << first.status().message();
  EXPECT_EQ(jit.cacheSize(), 1u);

  // The default scale and the default tail_min written out, keys in another
  // order. The default scale is sqrt(1/128) correctly rounded,
  // 0.08838834764831845 (1/sqrt(128) evaluated in double is one ulp lower,
  // 0.08838834764831843, and is a different spec).
  const char *scale = "0.08838834764831845";
  ASSERT_EQ(std::strtod(scale, nullptr),
            parsePatternSpec(implicitJson, "<spec>")->effectiveScale());
  std::string explicitJson =
      std::string(R"({"mask": {"right": 0, "left": 8, "kind": "window"},
      "correction": {"tail_min": 128, "gamma": 16, "kind": "delta"},
      "head_dim": 128, "dtype": "f16", "scale": )") +
      scale + R"(, "name": "api_cache"})";
  auto second = jit.compileSpec(explicitJson);
  ASSERT_TRUE(second) << second.status().message();
  EXPECT_EQ(jit.cacheSize(), 1u) << "explicit default scale missed the cache";
  EXPECT_EQ(second->get(), first->get());

  // The struct form of the same spec is a hit too.
  auto parsed = parsePatternSpec(implicitJson, "<spec>");
  ASSERT_TRUE(parsed);
  auto third = jit.compile(*parsed);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->get(), first->get());
  EXPECT_EQ(jit.cacheSize(), 1u);

  // A different pattern is a miss.
  PatternSpec other = *parsed;
  other.mask = MaskExpr::window(9, 0);
  auto fourth = jit.compile(other);
  ASSERT_TRUE(fourth) << fourth.status().message();
  EXPECT_NE(fourth->get(), first->get());
  EXPECT_EQ(jit.cacheSize(), 2u);

  // So is a different scale.
  other = *parsed;
  other.scale = 0.5;
  auto fifth = jit.compile(other);
  ASSERT_TRUE(fifth) << fifth.status().message();
  EXPECT_NE(fifth->get(), first->get());
  EXPECT_EQ(jit.cacheSize(), 3u);
}

TEST(JitCache, SeparateJitsDoNotShare) {
  Jit a(cpuOptions()), b(cpuOptions());
  auto ka = a.compileSpec(kCausalJson);
  auto kb = b.compileSpec(kCausalJson);
  ASSERT_TRUE(ka && kb);
  EXPECT_NE(ka->get(), kb->get());
  EXPECT_EQ(a.cacheSize(), 1u);
  EXPECT_EQ(b.cacheSize(), 1u);
}

TEST(JitCache, ConcurrentCompilesOfOneSpecShareTheKernel) {
  Jit jit(cpuOptions());
  std::shared_ptr<Kernel> got[2];
  std::string errors[2];
  std::thread threads[2];
  for (int n = 0; n < 2; ++n)
    threads[n] = std::thread([&, n] {
      auto k = jit.compileSpec(kCausalJson);
      if (k)
        got[n] = *k;
      else
        errors[n] = k.status().message();
    });
  for (std::thread &t : threads)
    t.join();
  ASSERT_TRUE(got[0]) << errors[0];
  ASSERT_TRUE(got[1]) << errors[1];
  EXPECT_EQ(got[0].get(), got[1].get());
  EXPECT_EQ(jit.cacheSize(), 1u);
}

//===----------------------------------------------------------------------===//
// Bad specs
//===----------------------------------------------------------------------===//

struct BadSpec {
  const char *label;
  const char *json;
  const char *path; ///< Expected in the message.
};

const BadSpec kBadSpecs[] = {
    {"bad_json", R"({"name": "x", "dtype": "bf16", "head_dim": 128,)", ""},
    {"not_an_object", R"([1, 2])", "$"},
    {"unknown_key",
     R"({"name": "x", "dtype": "bf16", "head_dim": 128, "bogus": 1})", "$"},
    {"unknown_mask_key",
     R"({"name": "x", "dtype": "bf16", "head_dim": 128,
         "mask": {"kind": "causal", "left": 1}})",
     "$.mask"},
    {"gamma_zero",
     R"({"name": "x", "dtype": "bf16", "head_dim": 128,
         "correction": {"kind": "delta", "gamma": 0}})",
     "$.correction.gamma"},
    {"head_dim_96", R"({"name": "x", "dtype": "bf16", "head_dim": 96})",
     "$.head_dim"},
    {"dtype_fp8", R"({"name": "x", "dtype": "fp8", "head_dim": 128})",
     "$.dtype"},
    {"missing_name", R"({"dtype": "bf16", "head_dim": 128})", "$"},
    {"negative_window",
     R"({"name": "x", "dtype": "bf16", "head_dim": 64,
         "mask": {"kind": "union", "of": [{"kind": "causal"},
                  {"kind": "window", "left": -3, "right": 0}]}})",
     "$.mask.of[1].left"},
    {"sink_zero",
     R"({"name": "x", "dtype": "bf16", "head_dim": 64,
         "mask": {"kind": "sink", "tokens": 0}})",
     "$.mask.tokens"},
    {"empty_union",
     R"({"name": "x", "dtype": "bf16", "head_dim": 64,
         "mask": {"kind": "union", "of": []}})",
     "$.mask.of"},
    {"scale_zero",
     R"({"name": "x", "dtype": "bf16", "head_dim": 64, "scale": 0})",
     "$.scale"},
    {"negative_softcap",
     R"({"name": "x", "dtype": "bf16", "head_dim": 64, "softcap": -1})",
     "$.softcap"},
    {"bad_name", R"({"name": "9 lives", "dtype": "bf16", "head_dim": 64})",
     "$.name"},
    {"unknown_correction",
     R"({"name": "x", "dtype": "bf16", "head_dim": 64,
         "correction": {"kind": "gamma", "gamma": 4}})",
     "$.correction.kind"},
};

void PrintTo(const BadSpec &b, std::ostream *os) { *os << b.label; }

class JitBadSpec : public ::testing::TestWithParam<BadSpec> {};

TEST_P(JitBadSpec, IsAnInvalidInputNamingThePath) {
  const BadSpec &bad = GetParam();
  Jit jit(cpuOptions());
  Result<std::shared_ptr<Kernel>> k = Status::ok();
  EXPECT_NO_THROW(k = jit.compileSpec(bad.json, "bad_spec.json"));
  ASSERT_FALSE(k) << bad.label << " compiled";
  const Status &s = k.status();
  EXPECT_EQ(s.kind(), ErrorKind::InvalidInput) << kindName(s.kind());
  EXPECT_TRUE(contains(s.message(), "bad_spec.json")) << s.message();
  EXPECT_TRUE(contains(s.message(), bad.path))
      << "expected '" << bad.path << "' in: " << s.message();
  EXPECT_EQ(jit.cacheSize(), 0u);

  // From a file the message names the file.
  TempSpecFile file(bad.json);
  EXPECT_NO_THROW(k = jit.compileSpecFile(file.path));
  ASSERT_FALSE(k);
  EXPECT_EQ(k.status().kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(k.status().message(), file.path))
      << k.status().message();
}

INSTANTIATE_TEST_SUITE_P(Cases, JitBadSpec, ::testing::ValuesIn(kBadSpecs),
                         [](const ::testing::TestParamInfo<BadSpec> &info) {
                           return std::string(info.param.label);
                         });

/// PatternSpec structs built in C++ skip the JSON parser; compile() must
/// still reject what the dialect verifiers reject, as an error value.
PatternSpec structBase() {
  PatternSpec s;
  s.name = "api_struct";
  s.dtype = DType::F32;
  s.headDim = 64;
  return s;
}

void expectCompileError(Jit &jit, const std::string &what,
                        const PatternSpec &spec, const std::string &needle) {
  Result<std::shared_ptr<Kernel>> k = Status::ok();
  EXPECT_NO_THROW(k = jit.compile(spec)) << what;
  ASSERT_FALSE(k) << what << " compiled";
  EXPECT_NE(k.status().kind(), ErrorKind::None) << what;
  EXPECT_TRUE(contains(k.status().message(), needle))
      << what << ": expected '" << needle << "' in: " << k.status().message();
}

TEST(JitBadSpecStruct, OutOfRangeStructsAreErrorValues) {
  Jit jit(cpuOptions());
  std::vector<std::tuple<std::string, PatternSpec, std::string>> bad;
  auto add = [&](const std::string &what, auto edit,
                 const std::string &needle) {
    PatternSpec s = structBase();
    edit(s);
    bad.emplace_back(what, s, needle);
  };
  add("head_dim 96", [](PatternSpec &s) { s.headDim = 96; }, "head_dim");
  add("gamma 0", [](PatternSpec &s) { s.delta = DeltaCorrection{0, 0}; }, "");
  add("sink 0", [](PatternSpec &s) { s.mask = MaskExpr::sink(0); }, "tokens");
  add("empty union", [](PatternSpec &s) { s.mask = MaskExpr::unite({}); },
      "union");
  add("empty intersect",
      [](PatternSpec &s) { s.mask = MaskExpr::intersect({}); }, "intersect");
  add("scale -1", [](PatternSpec &s) { s.scale = -1.0; }, "scale");
  add("scale 0", [](PatternSpec &s) { s.scale = 0.0; }, "scale");
  add("scale NaN",
      [](PatternSpec &s) { s.scale = std::numeric_limits<double>::quiet_NaN(); },
      "scale");
  add("softcap 0", [](PatternSpec &s) { s.softcap = 0.0; }, "softcap");
  add("softcap -2", [](PatternSpec &s) { s.softcap = -2.0; }, "softcap");
  for (auto &[what, spec, needle] : bad)
    expectCompileError(jit, what, spec, needle);
  EXPECT_EQ(jit.cacheSize(), 0u);
}

// Was a bug: Jit::compile(PatternSpec) accepted a delta correction with
// a negative gamma or tail_min, which parsePatternSpec rejects
// ($.correction.gamma / .tail_min). The kernels then compute garbage:
//   f32, head_dim 64, no mask, B=1 H=1 Hkv=1 S=70:
//   gamma -4, tail_min 0  -> compiles; 4352 of 4480 outputs NaN
//   gamma 8, tail_min -1  -> compiles; rel_l2 9.4e-2 vs the reference
// Expected: an error value (InvalidInput or CompileFailed) from compile().
TEST(JitBadSpecStruct, NegativeDeltaParametersAreRejected) {
  Jit jit(cpuOptions());
  PatternSpec g = structBase();
  g.delta = DeltaCorrection{-4, 0};
  expectCompileError(jit, "gamma -4", g, "gamma");
  PatternSpec t = structBase();
  t.delta = DeltaCorrection{8, -1};
  expectCompileError(jit, "tail_min -1", t, "tail_min");
}

// Was a bug: Jit::compile(PatternSpec) accepted an empty name (which
// parsePatternSpec rejects at $.name) and returns a kernel that can never
// run: every launch fails with "CPU backend: cannot run kernel '': Failed to
// materialize symbols" (and MLIR's JIT prints "JIT session error" to
// stderr). Expected: compile() returns the error.
TEST(JitBadSpecStruct, EmptyNameIsRejectedAtCompile) {
  Jit jit(cpuOptions());
  PatternSpec s = structBase();
  s.name = "";
  expectCompileError(jit, "empty name", s, "name");
}

/// Negative window sizes and sink counts are outside the JSON format but
/// have a meaning (an empty mask); whatever compile() does with them must be
/// an error value or a kernel that agrees with the reference.
TEST(JitBadSpecStruct, NegativeMaskSizesAreErrorsOrEmptyMasks) {
  Jit jit(cpuOptions());
  std::vector<std::pair<std::string, MaskExpr>> masks = {
      {"window{-3, 0}", MaskExpr::window(-3, 0)},
      {"window{0, -1}", MaskExpr::window(0, -1)},
      {"sink{-2}", MaskExpr::sink(-2)}};
  for (auto &[what, mask] : masks) {
    PatternSpec s = structBase();
    s.mask = mask;
    Result<std::shared_ptr<Kernel>> k = Status::ok();
    EXPECT_NO_THROW(k = jit.compile(s)) << what;
    if (!k) {
      EXPECT_FALSE(k.status().message().empty()) << what;
      continue;
    }
    AttentionShape shape;
    shape.H = 1;
    shape.Sq = shape.Sk = 70;
    shape.D = 64;
    NumericReport r = runNumeric(**k, s, shape, 3);
    EXPECT_TRUE(r.passed()) << what << ": " << r.failure;
  }
}

//===----------------------------------------------------------------------===//
// Launch errors
//===----------------------------------------------------------------------===//

class JitLaunch : public ::testing::Test {
protected:
  static constexpr int64_t kS = 16, kD = 128;
  void SetUp() override {
    auto k = jit_.compileSpec(kCausalJson);
    ASSERT_TRUE(k) << k.status().message();
    kernel_ = *k;
    shape_.B = 1;
    shape_.H = 2;
    shape_.Hkv = 1;
    shape_.Sq = shape_.Sk = kS;
    shape_.D = kD;
    // Big enough for every shape below (H up to 4, Sq/Sk up to 2*kS).
    size_t bytes = size_t(4 * 2 * kS * kD * 2);
    for (auto *b : {&q_, &k_, &v_, &o_})
      b->reset(new HostBuffer(bytes));
    std::vector<double> zeros(bytes / 2, 0.25);
    for (auto *b : {&q_, &k_, &v_})
      ref::toStorage(DType::BF16, zeros, (*b)->data());
    poisonOutput();
    bufs_ = {q_->data(), k_->data(), v_->data(), o_->data(), nullptr};
  }
  void poisonOutput() {
    std::vector<double> nan(o_->size() / 2,
                            std::numeric_limits<double>::quiet_NaN());
    ref::toStorage(DType::BF16, nan, o_->data());
  }
  bool outputUntouched() {
    std::vector<double> out =
        ref::fromStorage(DType::BF16, o_->data(), o_->size() / 2);
    for (double x : out)
      if (!std::isnan(x))
        return false;
    return o_->guardsIntact();
  }
  /// Launches, expects InvalidArgument naming `needle`, and that the
  /// output was not written.
  void expectRejected(const AttentionShape &s, const LaunchBuffers &b,
                      const std::string &needle, Kernel *k = nullptr) {
    Status st = Status::ok();
    EXPECT_NO_THROW(st = (k ? k : kernel_.get())->launch(s, b));
    ASSERT_FALSE(st) << "launch accepted; expected an error naming "
                     << needle;
    EXPECT_EQ(st.kind(), ErrorKind::InvalidArgument) << kindName(st.kind());
    EXPECT_TRUE(contains(st.message(), needle))
        << "expected '" << needle << "' in: " << st.message();
    EXPECT_TRUE(outputUntouched()) << "a rejected launch wrote o";
  }

  Jit jit_{cpuOptions()};
  std::shared_ptr<Kernel> kernel_;
  AttentionShape shape_;
  std::unique_ptr<HostBuffer> q_, k_, v_, o_;
  LaunchBuffers bufs_;
};

TEST_F(JitLaunch, ValidLaunchWorks) {
  ASSERT_TRUE(kernel_->launch(shape_, bufs_));
  // Every value is 0.25, so every row's output is 0.25.
  std::vector<double> out =
      ref::fromStorage(DType::BF16, o_->data(), size_t(2 * kS * kD));
  for (double x : out)
    ASSERT_EQ(x, 0.25);
  EXPECT_TRUE(o_->guardsIntact());
}

TEST_F(JitLaunch, NullPointers) {
  for (const char *name : {"q", "k", "v", "o"}) {
    LaunchBuffers b = bufs_;
    if (std::string(name) == "q")
      b.q = nullptr;
    else if (std::string(name) == "k")
      b.k = nullptr;
    else if (std::string(name) == "v")
      b.v = nullptr;
    else
      b.o = nullptr;
    SCOPED_TRACE(name);
    expectRejected(shape_, b, std::string("'") + name + "'");
  }
}

TEST_F(JitLaunch, MisalignedPointers) {
  for (const char *name : {"q", "k", "v", "o"}) {
    LaunchBuffers b = bufs_;
    auto shift = [](const void *p) {
      return static_cast<const char *>(p) + 8; // 8-byte, not 16-byte aligned
    };
    if (std::string(name) == "q")
      b.q = shift(b.q);
    else if (std::string(name) == "k")
      b.k = shift(b.k);
    else if (std::string(name) == "v")
      b.v = shift(b.v);
    else
      b.o = const_cast<char *>(shift(b.o));
    SCOPED_TRACE(name);
    expectRejected(shape_, b, std::string("'") + name + "'");
    expectRejected(shape_, b, "aligned");
  }
}

TEST_F(JitLaunch, HNotAMultipleOfHkv) {
  AttentionShape s = shape_;
  s.H = 3;
  s.Hkv = 2;
  expectRejected(s, bufs_, "'Hkv'");
}

TEST_F(JitLaunch, HeadDimMismatch) {
  AttentionShape s = shape_;
  s.D = 64;
  expectRejected(s, bufs_, "'D'");
  expectRejected(s, bufs_, "128");
}

TEST_F(JitLaunch, ZeroAndNegativeSizes) {
  for (const char *name : {"B", "H", "Hkv", "Sq", "Sk", "D"}) {
    for (int64_t value : {0, -1}) {
      AttentionShape s = shape_;
      std::string n = name;
      int64_t &field = n == "B"     ? s.B
                       : n == "H"   ? s.H
                       : n == "Hkv" ? s.Hkv
                       : n == "Sq"  ? s.Sq
                       : n == "Sk"  ? s.Sk
                                    : s.D;
      field = value;
      SCOPED_TRACE(n + " = " + std::to_string(value));
      expectRejected(s, bufs_, "'" + n + "'");
    }
  }
}

TEST_F(JitLaunch, DeltaNeedsSqEqualSk) {
  auto delta = jit_.compileSpec(kDeltaJson);
  ASSERT_TRUE(delta) << delta.status().message();
  AttentionShape s = shape_;
  s.D = 64;
  s.Sk = 2 * kS;
  expectRejected(s, bufs_, "'Sq'", delta->get());
  s.Sk = kS;
  s.Sq = kS / 2;
  expectRejected(s, bufs_, "'Sk'", delta->get());
  // Sq == Sk works, without a caller-provided workspace.
  s.Sq = s.Sk = kS;
  Status st = (*delta)->launch(s, bufs_);
  EXPECT_TRUE(st) << st.message();
}

TEST_F(JitLaunch, MisalignedDeltaWorkspace) {
  auto delta = jit_.compileSpec(kDeltaJson);
  ASSERT_TRUE(delta) << delta.status().message();
  AttentionShape s = shape_;
  s.D = 64;
  HostBuffer ws(4096);
  LaunchBuffers b = bufs_;
  b.deltaWorkspace = static_cast<char *>(ws.data()) + 4;
  expectRejected(s, b, "workspace", delta->get());
  b.deltaWorkspace = ws.data();
  Status st = (*delta)->launch(s, b);
  EXPECT_TRUE(st) << st.message();
}

TEST_F(JitLaunch, KernelStillWorksAfterRejections) {
  LaunchBuffers b = bufs_;
  b.q = nullptr;
  ASSERT_FALSE(kernel_->launch(shape_, b));
  AttentionShape s = shape_;
  s.H = 3;
  s.Hkv = 2;
  ASSERT_FALSE(kernel_->launch(s, bufs_));
  EXPECT_TRUE(kernel_->launch(shape_, bufs_));
}

// Documents' offsets: a missing or mis-shaped tensor, and (the CPU backend
// reads them on the host) offsets that do not cover the sequence or
// decrease, are errors naming the tensor; nothing is written. Good offsets
// run.
// A block layout's lists: a missing or mis-shaped tensor, a layout count
// that is neither 1 nor B / H, and (the CPU backend reads them on the host)
// a count or index out of range or a block listed twice are errors naming
// the tensor; nothing is written. Good lists run.
TEST_F(JitLaunch, BlockLayoutLists) {
  auto k = jit_.compileSpec(R"({"name": "layout", "dtype": "bf16",
      "head_dim": 128, "mask": {"kind": "block_layout", "block": [16, 16]}})");
  ASSERT_TRUE(k) << k.status().message();
  // One layout for both heads: Mb = Nb = 1 (kS = 16).
  std::vector<int32_t> n = {1}, idx = {0}, fn = {0}, fidx = {0};
  auto with = [&](int64_t LB, int64_t LH) {
    LaunchBuffers b = bufs_;
    b.tensors = {
        TensorArg{"kv_num_blocks", n.data(), "i32", {LB, LH, 1}},
        TensorArg{"kv_indices", idx.data(), "i32", {LB, LH, 1, 1}},
        TensorArg{"full_kv_num_blocks", fn.data(), "i32", {LB, LH, 1}},
        TensorArg{"full_kv_indices", fidx.data(), "i32", {LB, LH, 1, 1}}};
    return b;
  };
  expectRejected(shape_, bufs_, "tensor 'kv_num_blocks' (i32 [LB, LH, Sq/16]",
                 k->get());
  expectRejected(shape_, with(1, 3),
                 "tensor 'kv_num_blocks' has 3 layouts along 'LH'; a block "
                 "layout has 1 (shared) or 2 (one a head)",
                 k->get());
  LaunchBuffers wrong = with(1, 1);
  wrong.tensors[3].shape = {1, 1, 1, 2};
  expectRejected(shape_, wrong,
                 "tensor 'full_kv_indices' (i32 [LB, LH, Sq/16, Sk/16] = "
                 "[1, 1, 1, 1]) has shape [1, 1, 1, 2]",
                 k->get());
  n = {2};
  expectRejected(shape_, with(1, 1),
                 "tensor 'kv_num_blocks' of 'layout', layout row 0 (of [LB, "
                 "LH, Mb] = [1, 1, 1]): 2 blocks is outside [0, 1]",
                 k->get());
  n = {1};
  idx = {1};
  expectRejected(shape_, with(1, 1), "entry 0 (1): outside [0, 1)", k->get());
  idx = {0};
  fn = {1};
  expectRejected(shape_, with(1, 1),
                 "tensor 'full_kv_indices' of 'layout', layout row 0 (of [LB, "
                 "LH, Mb] = [1, 1, 1]), entry 0 (0): key block listed twice",
                 k->get());
  fn = {0};
  ASSERT_TRUE((*k)->launch(shape_, with(1, 1)));
  // Every value is 0.25 and every row sees its one block.
  std::vector<double> out =
      ref::fromStorage(DType::BF16, o_->data(), size_t(2 * kS * kD));
  for (double x : out)
    ASSERT_EQ(x, 0.25);
}

TEST_F(JitLaunch, DocumentOffsets) {
  auto k = jit_.compileSpec(R"({"name": "docs", "dtype": "bf16",
      "head_dim": 128, "mask": {"kind": "intersect", "of": [
      {"kind": "documents"}, {"kind": "causal"}]}})");
  ASSERT_TRUE(k) << k.status().message();
  std::vector<int32_t> cq = {0, 5, 16}, ck = {0, 5, 16};
  auto with = [&](std::vector<int64_t> shape) {
    LaunchBuffers b = bufs_;
    b.tensors = {TensorArg{"cu_seqlens_q", cq.data(), "i32", shape},
                 TensorArg{"cu_seqlens_k", ck.data(), "i32", shape}};
    return b;
  };
  expectRejected(shape_, bufs_, "tensor 'cu_seqlens_q' (i32 [B, Nd+1]",
                 k->get());
  expectRejected(shape_, with({1, 1}), "tensor 'cu_seqlens_q' has 1 offsets",
                 k->get());
  LaunchBuffers floats = with({1, 3});
  floats.tensors[1].dtype = "f32";
  expectRejected(
      shape_, floats,
      "tensor 'cu_seqlens_k' (i32 [B, Nd+1] = [1, 3]) has dtype 'f32'",
      k->get());
  cq = {0, 9, 5};
  expectRejected(shape_, with({1, 3}),
                 "tensor 'cu_seqlens_q' of 'docs', batch row 0, offset 2 (5): "
                 "offsets must not decrease (the one before is 9)",
                 k->get());
  cq = {0, 5, 16};
  ck = {1, 5, 16};
  expectRejected(shape_, with({1, 3}),
                 "tensor 'cu_seqlens_k' of 'docs', batch row 0, offset 0 (1): "
                 "the first offset must be 0",
                 k->get());
  ck = {0, 5, 15};
  expectRejected(shape_, with({1, 3}),
                 "offset 2 (15): the last offset must be Sk (16)", k->get());
  ck = {0, 5, 16};
  ASSERT_TRUE((*k)->launch(shape_, with({1, 3})));
  // Every value is 0.25: every row that sees a key gives 0.25.
  std::vector<double> out =
      ref::fromStorage(DType::BF16, o_->data(), size_t(2 * kS * kD));
  for (double x : out)
    ASSERT_EQ(x, 0.25);
}

//===----------------------------------------------------------------------===//
// Lifetimes
//===----------------------------------------------------------------------===//

TEST(JitLifetime, KernelOutlivesItsJit) {
  std::shared_ptr<Kernel> kernel;
  {
    Jit jit(cpuOptions());
    auto k = jit.compileSpec(kCausalJson);
    ASSERT_TRUE(k) << k.status().message();
    kernel = *k;
  }
  AttentionShape s;
  s.H = 2;
  s.Sq = s.Sk = 70;
  s.D = 128;
  PatternSpec spec = *parsePatternSpec(kCausalJson, "<spec>");
  NumericReport r = runNumeric(*kernel, spec, s, 99);
  EXPECT_TRUE(r.passed()) << r.failure;
}

// A CPU kernel destroyed during static destruction, after main returns --
// e.g. held only by the cache of a function-local `static Jit` -- must not
// crash the process. Tearing the ORC JIT down during exit failed
// intermittently (exit status 1, or SIGSEGV in ~ExecutionEngine; about one
// run in five); CpuKernels now releases engines destroyed after exit began.
TEST(JitLifetime, JitDestroyedAtExit) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        static Jit jit(cpuOptions());
        bool ok = false;
        {
          // Only the Jit's cache holds the kernel when the process exits.
          auto k = jit.compileSpec(kCausalJson);
          ok = k.isOk();
        }
        std::exit(ok ? 0 : 3);
      },
      ::testing::ExitedWithCode(0), "");
}

} // namespace
} // namespace sattn::test
