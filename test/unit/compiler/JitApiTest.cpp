//===- JitApiTest.cpp - The public JIT API: compile, cache, errors --------===//
//
// CPU-only (CI): compile from JSON text and from files, the per-spec cache,
// error values for bad specs and bad launches (never a throw or an abort),
// the GPU backend without a device, the manifest of compiled kernels, and
// cubins for sm_80 / sm_90a through CompilerSession + assemblePtx.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Driver/Compiler.h"
#include "Compiler/Jit.h"
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

bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

const char *kindName(ErrorKind k) {
  switch (k) {
  case ErrorKind::None:
    return "None";
  case ErrorKind::InvalidInput:
    return "InvalidInput";
  case ErrorKind::InvalidArgument:
    return "InvalidArgument";
  case ErrorKind::CompileFailed:
    return "CompileFailed";
  case ErrorKind::Unavailable:
    return "Unavailable";
  case ErrorKind::IOError:
    return "IOError";
  }
  return "?";
}

JitOptions cpuOptions() {
  JitOptions o;
  o.backend = Backend::Cpu;
  return o;
}

const char *kCausalJson = R"({"name": "api_causal", "dtype": "bf16",
  "head_dim": 128, "mask": {"kind": "causal"}})";

const char *kDeltaJson = R"({
  "name": "api_delta", "dtype": "f32", "head_dim": 64,
  "mask": {"kind": "intersect", "of": [
    {"kind": "causal"},
    {"kind": "union", "of": [{"kind": "window", "left": 15, "right": 0},
                             {"kind": "sink", "tokens": 4}]}]},
  "correction": {"kind": "delta", "gamma": 16, "tail_min": 8}})";

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

//===----------------------------------------------------------------------===//
// The GPU backend on a machine without a device
//===----------------------------------------------------------------------===//

/// Mirrors the compiler's ptxas lookup ($SATTN_PTXAS, $CUDA_HOME/bin, PATH,
/// /usr/local/cuda/bin).
bool ptxasAvailable() {
  auto executable = [](const std::string &p) {
    return !p.empty() && ::access(p.c_str(), X_OK) == 0;
  };
  if (const char *p = std::getenv("SATTN_PTXAS"); p && *p)
    return executable(p);
  if (const char *h = std::getenv("CUDA_HOME"); h && *h)
    if (executable(std::string(h) + "/bin/ptxas"))
      return true;
  if (const char *path = std::getenv("PATH")) {
    std::string all = path;
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos)
        end = all.size();
      if (executable(all.substr(start, end - start) + "/ptxas"))
        return true;
      start = end + 1;
    }
  }
  return executable("/usr/local/cuda/bin/ptxas");
}

/// Compile, and launch if the compile succeeded: one of them must fail with
/// a clear Unavailable error.
void expectGpuUnavailable(const JitOptions &options) {
  Jit jit(options);
  EXPECT_EQ(jit.backend(), Backend::Gpu);
  Result<std::shared_ptr<Kernel>> k = Status::ok();
  EXPECT_NO_THROW(k = jit.compileSpec(kCausalJson));
  Status err = Status::ok();
  if (!k) {
    err = k.status();
  } else {
    HostBuffer q(4096), kk(4096), v(4096), o(4096);
    AttentionShape s;
    s.D = 128;
    EXPECT_NO_THROW(err = (*k)->launch(s, {q.data(), kk.data(), v.data(),
                                           o.data(), nullptr}));
  }
  ASSERT_FALSE(err) << "the GPU backend worked without a device";
  // Without ptxas an explicit-chip compile may stop before the device is
  // needed; any error value is fine then.
  if (options.chip.empty() || ptxasAvailable()) {
    EXPECT_EQ(err.kind(), ErrorKind::Unavailable)
        << kindName(err.kind()) << ": " << err.message();
  }
  EXPECT_FALSE(err.message().empty());
  std::printf("gpu backend (chip '%s') without a device: %s\n",
              options.chip.c_str(), err.message().c_str());
}

TEST(JitGpuWithoutDevice, DeviceChipIsUnavailable) {
  if (rt::deviceAvailable())
    GTEST_SKIP() << "a CUDA device is present";
  JitOptions o;
  o.backend = Backend::Gpu;
  expectGpuUnavailable(o);
}

TEST(JitGpuWithoutDevice, ExplicitChipIsUnavailable) {
  if (rt::deviceAvailable())
    GTEST_SKIP() << "a CUDA device is present";
  JitOptions o;
  o.backend = Backend::Gpu;
  o.chip = "sm_90a";
  expectGpuUnavailable(o);
}

//===----------------------------------------------------------------------===//
// Manifests of compiled kernels
//===----------------------------------------------------------------------===//

std::vector<std::string> paramNames(const KernelInfo &k) {
  std::vector<std::string> out;
  for (const KernelParam &p : k.params)
    out.push_back(p.name);
  return out;
}

void expectParamKinds(const KernelInfo &k) {
  for (const KernelParam &p : k.params) {
    bool isPtr = p.name == "q" || p.name == "k" || p.name == "v" ||
                 p.name == "o" || p.name == "delta";
    EXPECT_EQ(p.kind, isPtr ? "ptr" : "i64") << k.name << "." << p.name;
  }
}

TEST(JitManifest, AttentionKernel) {
  for (int64_t D : {64, 128}) {
    SCOPED_TRACE("head_dim " + std::to_string(D));
    PatternSpec spec;
    spec.name = "api_manifest";
    spec.dtype = DType::F16;
    spec.headDim = D;
    spec.mask = MaskExpr::window(7, 0);
    Jit jit(cpuOptions());
    auto k = jit.compile(spec);
    ASSERT_TRUE(k) << k.status().message();
    const Manifest &m = (*k)->manifest();
    EXPECT_EQ(m.name, "api_manifest");
    EXPECT_EQ(m.dtype, "f16");
    EXPECT_EQ(m.headDim, D);
    EXPECT_EQ(m.chip, "host");
    EXPECT_EQ(m.specHash, specHash(spec));
    EXPECT_EQ(m.compilerVersion, compilerVersion());
    EXPECT_FALSE(m.hasDelta);
    ASSERT_EQ(m.kernels.size(), 1u);
    const KernelInfo &ki = m.kernels[0];
    EXPECT_EQ(ki.role, sattn::KernelRole::Attention);
    EXPECT_FALSE(ki.name.empty());
    EXPECT_EQ(paramNames(ki),
              (std::vector<std::string>{"q", "k", "v", "o", "B", "H", "Hkv",
                                        "Sq", "Sk"}));
    expectParamKinds(ki);
    EXPECT_EQ(ki.blockM, 64);
    EXPECT_EQ(ki.blockN, D == 128 ? 32 : 64);
    AttentionShape s;
    s.D = D;
    EXPECT_EQ(deltaWorkspaceBytes(m, s), 0);
  }
}

TEST(JitManifest, DeltaKernels) {
  Jit jit(cpuOptions());
  auto k = jit.compileSpec(kDeltaJson);
  ASSERT_TRUE(k) << k.status().message();
  const Manifest &m = (*k)->manifest();
  EXPECT_TRUE(m.hasDelta);
  EXPECT_EQ(m.deltaGamma, 16);
  EXPECT_EQ(m.deltaTailMin, 8);
  EXPECT_EQ(m.dtype, "f32");
  EXPECT_EQ(m.headDim, 64);
  ASSERT_EQ(m.kernels.size(), 2u);
  // Launch order: anchors (and tail rows) before the main rows.
  EXPECT_EQ(m.kernels[0].role, sattn::KernelRole::DeltaAnchor);
  EXPECT_EQ(m.kernels[1].role, sattn::KernelRole::DeltaMain);
  EXPECT_NE(m.kernels[0].name, m.kernels[1].name);
  for (const KernelInfo &ki : m.kernels) {
    SCOPED_TRACE(ki.name);
    EXPECT_EQ(paramNames(ki),
              (std::vector<std::string>{"q", "k", "v", "o", "delta", "B", "H",
                                        "Hkv", "Sq", "Sk"}));
    expectParamKinds(ki);
    EXPECT_EQ(ki.blockM, 64);
    EXPECT_EQ(ki.blockN, 64);
  }
  // S = 300, gamma 16, tail_min 8: cut = 12 + 16, 272 main rows, 17 anchors.
  AttentionShape s;
  s.H = 2;
  s.Sq = s.Sk = 300;
  s.D = 64;
  DeltaRows rows = computeDeltaRows(300, 16, 8);
  EXPECT_EQ(rows.mainRows, 272);
  EXPECT_EQ(rows.numAnchors, 17);
  EXPECT_EQ(deltaWorkspaceBytes(m, s), 2 * 17 * 64 * 4);
}

//===----------------------------------------------------------------------===//
// Cubins for sm_80 and sm_90a
//===----------------------------------------------------------------------===//

struct CubinBuild {
  CubinResult cubin;
  Manifest manifest;
  std::string ptx;
};

/// Spec -> PTX -> cubin for `chip`, through the library steps.
void buildCubin(const PatternSpec &spec, const std::string &chip,
                CubinBuild &out) {
  CompilerSession session;
  auto module = session.importSpec(spec);
  ASSERT_TRUE(module) << module.status().message();
  auto info = session.describe(**module, specHash(spec));
  ASSERT_TRUE(info) << info.status().message();
  auto lowered = session.lowerToKernelVariants(**module, chip, *info);
  ASSERT_TRUE(lowered) << lowered.status().message();
  auto ptx = session.lowerToPtx(**module, chip);
  ASSERT_TRUE(ptx) << ptx.status().message();
  out.ptx = *ptx;
  auto cubin = assemblePtx(*ptx, chip);
  ASSERT_TRUE(cubin) << cubin.status().message();
  out.cubin = cubin.take();
  out.manifest = buildManifest(*info, lowered->kernels, chip, &out.cubin,
                               lowered->variants);
}

struct CubinSpec {
  const char *label;
  const char *json;
};
void PrintTo(const CubinSpec &c, std::ostream *os) { *os << c.label; }

class JitCubin : public ::testing::TestWithParam<CubinSpec> {};

TEST_P(JitCubin, Sm80AndSm90aCubinsValidateForTheirChipOnly) {
  if (!ptxasAvailable())
    GTEST_SKIP() << "ptxas not found ($SATTN_PTXAS, $CUDA_HOME/bin, PATH, "
                    "/usr/local/cuda/bin): cannot assemble cubins";
  auto spec = parsePatternSpec(GetParam().json, "<cubin spec>");
  ASSERT_TRUE(spec) << spec.status().message();
  EXPECT_TRUE(isSupportedChip("sm_80"));
  EXPECT_TRUE(isSupportedChip("sm_90a"));
  const std::pair<const char *, const char *> chips[] = {
      {"sm_80", "sm_90a"}, {"sm_90a", "sm_80"}};
  for (const auto &[chip, other] : chips) {
    SCOPED_TRACE(chip);
    CubinBuild b;
    buildCubin(*spec, chip, b);
    if (HasFatalFailure())
      return;
    EXPECT_TRUE(contains(b.ptx, std::string(".target ") + chip)) << chip;
    ASSERT_FALSE(b.cubin.cubin.empty());
    Status ok = rt::validateCubin(b.cubin.cubin, chip, "jit.cubin");
    EXPECT_TRUE(ok) << ok.message();
    Status wrong = rt::validateCubin(b.cubin.cubin, other, "jit.cubin");
    EXPECT_FALSE(wrong) << "a " << chip << " cubin validated for " << other;
    EXPECT_FALSE(wrong.message().empty());
    // A truncated cubin is rejected too.
    Status truncated = rt::validateCubin(
        b.cubin.cubin.substr(0, b.cubin.cubin.size() / 2), chip, "cut.cubin");
    EXPECT_FALSE(truncated);

    // ptxas' report: one entry per kernel, non-negative numbers.
    const Manifest &m = b.manifest;
    EXPECT_EQ(m.chip, chip);
    EXPECT_EQ(m.cubinSize, int64_t(b.cubin.cubin.size()));
    EXPECT_EQ(m.cubinHash,
              fnv1a64Hex(b.cubin.cubin.data(), b.cubin.cubin.size()));
    ASSERT_FALSE(m.kernels.empty());
    EXPECT_EQ(b.cubin.resources.size(), m.kernels.size()) << b.cubin.ptxasLog;
    for (const KernelResources &r : b.cubin.resources) {
      EXPECT_GE(r.registers, 0) << r.name;
      EXPECT_GE(r.spillStoreBytes, 0) << r.name;
      EXPECT_GE(r.spillLoadBytes, 0) << r.name;
    }
    for (const KernelInfo &k : m.kernels) {
      EXPECT_GE(k.registers, 0) << k.name;
      EXPECT_LE(k.registers, 255) << k.name;
      EXPECT_GE(k.spillBytes, 0) << k.name;
      EXPECT_TRUE(contains(b.cubin.cubin, k.name))
          << "kernel symbol " << k.name << " not in the cubin";
      std::printf("%s %s: %lld registers, %lld spill bytes\n", chip,
                  k.name.c_str(), (long long)k.registers,
                  (long long)k.spillBytes);
    }
    // The manifest round-trips through the runtime's strict reader.
    auto parsed = parseManifest(manifestToJson(m), "jit.json");
    EXPECT_TRUE(parsed) << parsed.status().message();
  }
}

// On sm_90a the policy compiles a causal bf16 head_dim-128 pattern twice:
// 64-row tiles below 8192 query rows, 128-row tiles (two consumer
// warpgroups, a producer, pipelined key loops) from there on; one cubin,
// one manifest, and the launch plan picks by Sq. sm_80 keeps one set.
TEST(JitCubinVariants, CausalOnSm90aHasTwoVariantsInOneCubin) {
  if (!ptxasAvailable())
    GTEST_SKIP() << "ptxas not found: cannot assemble cubins";
  auto spec = parsePatternSpec(kCausalJson, "<cubin spec>");
  ASSERT_TRUE(spec) << spec.status().message();
  CubinBuild hopper;
  buildCubin(*spec, "sm_90a", hopper);
  if (HasFatalFailure())
    return;
  const Manifest &m = hopper.manifest;
  ASSERT_EQ(m.variants.size(), 2u);
  EXPECT_EQ(m.variants[0].maxSeqQ, 8192);
  EXPECT_EQ(m.variants[1].minSeqQ, 8192);
  ASSERT_EQ(m.kernels.size(), 2u);
  EXPECT_EQ(m.kernels[0].variant, 0);
  EXPECT_EQ(m.kernels[0].blockM, 64);
  EXPECT_EQ(m.kernels[1].variant, 1);
  EXPECT_EQ(m.kernels[1].blockM, 128);
  EXPECT_EQ(m.kernels[1].threads, 384);
  EXPECT_EQ(m.kernels[1].name, m.kernels[0].name + "_v1");
  EXPECT_TRUE(contains(hopper.cubin.cubin, m.kernels[1].name));
  auto parsed = parseManifest(manifestToJson(m), "variants.json");
  ASSERT_TRUE(parsed) << parsed.status().message();
  LaunchBuffers bufs;
  bufs.q = bufs.k = bufs.v = reinterpret_cast<const void *>(0x1000);
  bufs.o = reinterpret_cast<void *>(0x2000);
  for (auto [sq, kernel] : {std::pair<int64_t, size_t>{4096, 0}, {8192, 1}}) {
    auto plan = planLaunches(*parsed, {1, 4, 4, sq, sq, 128}, bufs);
    ASSERT_TRUE(plan) << plan.status().message();
    ASSERT_EQ(plan->size(), 1u);
    EXPECT_EQ((*plan)[0].kernelIndex, kernel) << sq;
  }
  CubinBuild ampere;
  buildCubin(*spec, "sm_80", ampere);
  if (HasFatalFailure())
    return;
  EXPECT_EQ(ampere.manifest.variants.size(), 1u);
  EXPECT_EQ(ampere.manifest.kernels.size(), 1u);
}

const CubinSpec kCubinSpecs[] = {
    {"causal_bf16_d128", kCausalJson},
    {"delta_f32_d64", kDeltaJson},
    {"softcap_window_f16_d64",
     R"({"name": "api_cap", "dtype": "f16", "head_dim": 64, "softcap": 30,
         "mask": {"kind": "window", "left": 255, "right": 255}})"},
};

INSTANTIATE_TEST_SUITE_P(Specs, JitCubin, ::testing::ValuesIn(kCubinSpecs),
                         [](const ::testing::TestParamInfo<CubinSpec> &info) {
                           return std::string(info.param.label);
                         });
TEST(JitChips, UnsupportedChipIsAnError) {
  EXPECT_FALSE(isSupportedChip("sm_70"));
  EXPECT_FALSE(isSupportedChip("gfx90a"));
  auto spec = parsePatternSpec(kCausalJson, "<spec>");
  ASSERT_TRUE(spec);
  CompilerSession session;
  auto module = session.importSpec(*spec);
  ASSERT_TRUE(module) << module.status().message();
  ASSERT_TRUE(session.lowerToKernels(**module, "sm_80"));
  Result<std::string> ptx = Status::ok();
  EXPECT_NO_THROW(ptx = session.lowerToPtx(**module, "sm_70"));
  EXPECT_FALSE(ptx);
  EXPECT_TRUE(contains(ptx.status().message(), "sm_70"))
      << ptx.status().message();
}

} // namespace
} // namespace sattn::test
