//===- NumericHarness.cpp - Run a compiled kernel against the reference ---===//
#include "NumericHarness.h"

#include "Reference/LaunchInputs.h"
#include "sattn/Runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <sstream>

namespace sattn::test {

double toleranceFor(DType t) { return ref::relL2Tolerance(t); }

Jit &sharedJit(Backend backend) {
  // Deliberately leaked: destroying a Jit that holds CPU kernels during
  // static destruction (after main returns) crashes inside
  // mlir::ExecutionEngine::~ExecutionEngine (see jit_api_tests,
  // JitLifetime.DISABLED_JitDestroyedAtExit), which would turn every test
  // process's exit status into a segfault.
  static std::mutex mutex;
  static auto *jits = new std::map<Backend, Jit *>();
  std::lock_guard<std::mutex> lock(mutex);
  Jit *&jit = (*jits)[backend];
  if (!jit) {
    JitOptions options;
    options.backend = backend;
    jit = new Jit(options);
  }
  return *jit;
}

//===----------------------------------------------------------------------===//
// HostBuffer
//===----------------------------------------------------------------------===//

HostBuffer::HostBuffer(size_t bytes) : bytes_(bytes) {
  size_t total = (rawSize() + 63) / 64 * 64;
  base_ = static_cast<unsigned char *>(std::aligned_alloc(64, total));
  if (!base_)
    throw std::bad_alloc();
  std::memset(base_, kCanary, total);
}

HostBuffer::~HostBuffer() { std::free(base_); }

bool HostBuffer::guardsIntact() const {
  for (size_t n = 0; n < kGuard; ++n)
    if (base_[n] != kCanary || base_[kGuard + bytes_ + n] != kCanary)
      return false;
  return true;
}

//===----------------------------------------------------------------------===//
// The check
//===----------------------------------------------------------------------===//

namespace {

std::vector<double> randomTensor(size_t n, DType t, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(n);
  for (double &x : v)
    x = ref::roundTo(t, dist(rng));
  return v;
}

double msSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - t0)
      .count();
}

std::string fmt(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", x);
  return buf;
}

/// "(b=0, h=1, row=5, d=7)" for a flat index into [B, H, Sq, D].
std::string where(const AttentionShape &s, size_t n) {
  int64_t d = int64_t(n) % s.D;
  int64_t row = int64_t(n) / s.D % s.Sq;
  int64_t h = int64_t(n) / (s.D * s.Sq) % s.H;
  int64_t b = int64_t(n) / (s.D * s.Sq * s.H);
  std::ostringstream os;
  os << "(b=" << b << ", h=" << h << ", row=" << row << ", d=" << d << ")";
  return os.str();
}

/// Device copies of the harness buffers (GPU backend).
struct DeviceSide {
  rt::DeviceBuffer q, k, v, o;
};

Status upload(rt::DeviceBuffer &dst, const void *src, size_t bytes) {
  auto buf = rt::DeviceBuffer::allocate(bytes);
  if (!buf)
    return buf.status();
  if (Status s = buf->copyFromHost(src, bytes); !s)
    return s;
  dst = buf.take();
  return Status::ok();
}

} // namespace

std::string NumericReport::summary() const {
  std::ostringstream os;
  os << caseName << " [" << dtypeName(dtype) << "]: rel_l2 " << fmt(err.relL2)
     << " max_abs " << fmt(err.maxAbs) << " (tol " << fmt(tolerance)
     << "), " << elements << " outputs, " << nonFinite << " non-finite, "
     << emptyRows << " key-less rows";
  if (emptyRowsNonZero)
    os << " (" << emptyRowsNonZero << " not zero)";
  os << ", launch " << fmt(launchMs) << " ms, reference " << fmt(referenceMs)
     << " ms";
  return os.str();
}

NumericReport runNumeric(Kernel &kernel, const PatternSpec &spec,
                         const AttentionShape &shape, uint64_t seed,
                         const NumericOptions &options) {
  NumericReport r;
  r.caseName = spec.name;
  r.dtype = spec.dtype;
  r.tolerance = toleranceFor(spec.dtype);
  std::vector<std::string> failures;
  auto finish = [&]() -> NumericReport & {
    for (const std::string &f : failures)
      r.failure += (r.failure.empty() ? "" : "; ") + f;
    return r;
  };

  const DType t = spec.dtype;
  const size_t esize = size_t(dtypeSize(t));
  const size_t nq = size_t(shape.B * shape.H * shape.Sq * shape.D);
  const size_t nk = size_t(shape.B * shape.Hkv * shape.Sk * shape.D);
  r.elements = nq;

  std::mt19937_64 rng(seed);
  std::vector<double> q = randomTensor(nq, t, rng);
  std::vector<double> k = randomTensor(nk, t, rng);
  std::vector<double> v = randomTensor(nk, t, rng);
  const ref::Problem problem{shape.B,
                             shape.H,
                             shape.Hkv,
                             shape.Sq,
                             shape.Sk,
                             shape.D,
                             std::max<int64_t>(shape.Nd, 1),
                             std::max<int64_t>(shape.LB, 1),
                             std::max<int64_t>(shape.LH, 1)};
  // The pattern's launch tensors (sinks' logits, ...): host copies, and the
  // arguments that name them.
  const std::vector<LaunchTensor> launchList = launchTensors(spec);
  ref::Tensors tensorValues = ref::randomLaunchTensors(spec, problem, rng);
  if (const MaskExpr *layout = blockLayoutOf(spec))
    ref::randomBlockLayout(*layout, problem, options.layoutDensity,
                           options.layoutCausal, rng, tensorValues);
  std::vector<std::vector<unsigned char>> tensorBytes;
  for (const LaunchTensor &lt : launchList)
    tensorBytes.push_back(ref::launchTensorBytes(lt, tensorValues.at(lt.name)));
  auto tensorArgs = [&](const std::vector<const void *> &data) {
    return ref::launchTensorArgs(spec, problem, data);
  };

  HostBuffer hq(nq * esize), hk(nk * esize), hv(nk * esize), ho(nq * esize);
  ref::toStorage(t, q, hq.data());
  ref::toStorage(t, k, hk.data());
  ref::toStorage(t, v, hv.data());
  std::vector<double> poison(nq, std::numeric_limits<double>::quiet_NaN());
  ref::toStorage(t, poison, ho.data());
  // The poison must read back as NaN, or the finiteness check proves nothing.
  if (nq && !std::isnan(ref::fromStorage(t, ho.data(), 1)[0])) {
    failures.push_back("harness: the NaN poison does not read back as NaN");
    return finish();
  }
  const std::vector<unsigned char> qBytes(
      static_cast<unsigned char *>(hq.data()),
      static_cast<unsigned char *>(hq.data()) + nq * esize);
  const std::vector<unsigned char> kBytes(
      static_cast<unsigned char *>(hk.data()),
      static_cast<unsigned char *>(hk.data()) + nk * esize);
  const std::vector<unsigned char> vBytes(
      static_cast<unsigned char *>(hv.data()),
      static_cast<unsigned char *>(hv.data()) + nk * esize);

  // Optional caller-provided delta workspace, NaN-filled: the anchors must
  // write every slot they later read.
  const size_t wsBytes =
      options.callerWorkspace
          ? size_t(deltaWorkspaceBytes(kernel.manifest(), shape))
          : 0;
  HostBuffer hws(std::max<size_t>(wsBytes, 16));
  {
    std::vector<float> nanWs(hws.size() / sizeof(float),
                             std::numeric_limits<float>::quiet_NaN());
    std::memcpy(hws.data(), nanWs.data(), nanWs.size() * sizeof(float));
  }

  // --- launch -------------------------------------------------------------
  auto t0 = std::chrono::steady_clock::now();
  if (kernel.backend() == Backend::Gpu) {
    DeviceSide dev;
    Status s = upload(dev.q, hq.data(), nq * esize);
    if (s)
      s = upload(dev.k, hk.data(), nk * esize);
    if (s)
      s = upload(dev.v, hv.data(), nk * esize);
    // o with its guard bands; cuMemAlloc's 256-byte alignment plus the
    // 64-byte guard keeps the payload 16-byte aligned.
    if (s)
      s = upload(dev.o, ho.raw(), ho.rawSize());
    rt::DeviceBuffer devWs;
    if (s && options.callerWorkspace)
      s = upload(devWs, hws.data(), hws.size());
    std::vector<rt::DeviceBuffer> devTensors(tensorBytes.size());
    std::vector<const void *> devTensorData;
    for (size_t i = 0; s && i < tensorBytes.size(); ++i) {
      s = upload(devTensors[i], tensorBytes[i].data(), tensorBytes[i].size());
      devTensorData.push_back(devTensors[i].get());
    }
    if (s) {
      LaunchBuffers bufs{dev.q.get(),
                         dev.k.get(),
                         dev.v.get(),
                         static_cast<unsigned char *>(dev.o.get()) +
                             HostBuffer::kGuard,
                         options.callerWorkspace ? devWs.get() : nullptr,
                         tensorArgs(devTensorData)};
      s = kernel.launch(shape, bufs);
    }
    if (s)
      s = rt::Module::synchronize();
    if (s)
      s = dev.o.copyToHost(ho.raw(), ho.rawSize());
    if (s)
      s = dev.q.copyToHost(hq.data(), nq * esize);
    if (s)
      s = dev.k.copyToHost(hk.data(), nk * esize);
    if (s)
      s = dev.v.copyToHost(hv.data(), nk * esize);
    if (!s) {
      failures.push_back("GPU launch failed: " + s.message());
      return finish();
    }
  } else {
    std::vector<const void *> hostTensorData;
    for (const std::vector<unsigned char> &bytes : tensorBytes)
      hostTensorData.push_back(bytes.data());
    LaunchBuffers bufs{hq.data(),
                       hk.data(),
                       hv.data(),
                       ho.data(),
                       options.callerWorkspace ? hws.data() : nullptr,
                       tensorArgs(hostTensorData)};
    if (Status s = kernel.launch(shape, bufs); !s) {
      failures.push_back("launch failed: " + s.message());
      return finish();
    }
  }
  r.launchMs = msSince(t0);

  // --- memory checks --------------------------------------------------------
  r.guardsIntact = ho.guardsIntact();
  if (!r.guardsIntact)
    failures.push_back("the kernel wrote outside o (guard bands changed)");
  r.inputsIntact =
      std::memcmp(hq.data(), qBytes.data(), qBytes.size()) == 0 &&
      std::memcmp(hk.data(), kBytes.data(), kBytes.size()) == 0 &&
      std::memcmp(hv.data(), vBytes.data(), vBytes.size()) == 0;
  if (!r.inputsIntact)
    failures.push_back("the kernel modified q, k or v");

  std::vector<double> out = ref::fromStorage(t, ho.data(), nq);
  size_t firstBad = nq;
  for (size_t n = 0; n < nq; ++n)
    if (!std::isfinite(out[n])) {
      ++r.nonFinite;
      firstBad = std::min(firstBad, n);
    }
  if (r.nonFinite)
    failures.push_back(std::to_string(r.nonFinite) + " of " +
                       std::to_string(nq) +
                       " outputs are not finite (NaN poison left or NaN "
                       "produced), first at " +
                       where(shape, firstBad));

  // --- reference --------------------------------------------------------------
  const PatternSpec &refSpec =
      options.referenceSpec ? *options.referenceSpec : spec;
  auto t1 = std::chrono::steady_clock::now();
  std::vector<double> expect =
      ref::attention(refSpec, problem, q, k, v, tensorValues);
  r.referenceMs = msSince(t1);

  // Rows that admit no key must be exactly 0 (not NaN, not garbage). With
  // the delta correction a sparse row's output is corrected by its anchor,
  // so the notion only applies without it. Which rows: those the mask
  // admits no key for; over a block layout (a row's keys depend on the
  // lists) those the reference leaves exactly 0 (random inputs never cancel
  // to an exact 0). Over documents the reference's own zeros are the check
  // (a row's keys depend on its document).
  size_t firstNonZero = nq;
  auto checkKeylessRow = [&](size_t base) {
    ++r.emptyRows;
    bool zero = true;
    for (int64_t d = 0; d < shape.D; ++d)
      if (out[base + size_t(d)] != 0.0) {
        zero = false;
        firstNonZero = std::min(firstNonZero, base + size_t(d));
      }
    r.emptyRowsNonZero += !zero;
  };
  if (!refSpec.delta && refSpec.mask && !hasDocuments(refSpec) &&
      !blockLayoutOf(refSpec)) {
    for (int64_t i = 0; i < shape.Sq; ++i) {
      bool any = false;
      for (int64_t j = 0; j < shape.Sk && !any; ++j)
        any = ref::maskAllows(*refSpec.mask, i, j, shape.Sq, shape.Sk);
      if (!any)
        for (int64_t bh = 0; bh < shape.B * shape.H; ++bh)
          checkKeylessRow(size_t((bh * shape.Sq + i) * shape.D));
    }
  }
  if (!refSpec.delta && blockLayoutOf(refSpec))
    for (size_t base = 0; base < nq; base += size_t(shape.D)) {
      bool refZero = true;
      for (int64_t d = 0; d < shape.D && refZero; ++d)
        refZero = expect[base + size_t(d)] == 0.0;
      if (refZero)
        checkKeylessRow(base);
    }
  if (r.emptyRowsNonZero)
    failures.push_back(std::to_string(r.emptyRowsNonZero) + " of " +
                       std::to_string(r.emptyRows) +
                       " key-less rows are not exactly 0, first at " +
                       where(shape, firstNonZero) + ": " +
                       fmt(out[firstNonZero]));

  r.err = ref::compare(out, expect);
  if (!(r.err.relL2 <= r.tolerance)) {
    // Locate the worst finite element for the message.
    size_t worst = 0;
    double worstAbs = -1;
    for (size_t n = 0; n < nq; ++n) {
      double d = std::fabs(out[n] - expect[n]);
      if (std::isfinite(d) && d > worstAbs) {
        worstAbs = d;
        worst = n;
      }
    }
    std::string msg = "rel_l2 " + fmt(r.err.relL2) + " exceeds the " +
                      dtypeName(t) + " tolerance " + fmt(r.tolerance) +
                      " (max_abs " + fmt(r.err.maxAbs) + ")";
    if (worstAbs >= 0 && nq)
      msg += "; worst element " + where(shape, worst) + ": got " +
             fmt(out[worst]) + ", expected " + fmt(expect[worst]);
    failures.push_back(msg);
  }
  return finish();
}

NumericReport runNumericCase(Jit &jit, const NumericCase &c,
                             const NumericOptions &options) {
  auto kernel = jit.compile(c.spec);
  if (!kernel) {
    NumericReport r;
    r.dtype = c.spec.dtype;
    r.tolerance = toleranceFor(c.spec.dtype);
    r.err = {std::numeric_limits<double>::quiet_NaN(),
             std::numeric_limits<double>::quiet_NaN()};
    r.failure = "compile failed: " + kernel.status().message();
    r.caseName = c.name;
    return r;
  }
  NumericOptions withLayout = options;
  withLayout.layoutDensity = c.layoutDensity;
  withLayout.layoutCausal = c.layoutCausal;
  NumericReport r = runNumeric(**kernel, c.spec, c.shape, c.seed, withLayout);
  r.caseName = c.name;
  return r;
}

//===----------------------------------------------------------------------===//
// NumericLog
//===----------------------------------------------------------------------===//

NumericLog &NumericLog::instance() {
  static NumericLog log;
  return log;
}

void NumericLog::add(const NumericReport &r) {
  std::lock_guard<std::mutex> lock(mutex_);
  reports_.push_back(r);
}

size_t NumericLog::failed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t n = 0;
  for (const NumericReport &r : reports_)
    n += !r.passed();
  return n;
}

std::string NumericLog::summary(const std::string &label) const {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t passed = 0, failed = 0;
  const NumericReport *worst = nullptr;
  std::map<std::string, const NumericReport *> worstPerDtype;
  // "Worst" is by rel_l2; NaN (a failed run) counts as the worst of all.
  auto worse = [](const NumericReport *a, const NumericReport *b) {
    if (!b)
      return true;
    if (std::isnan(a->err.relL2))
      return !std::isnan(b->err.relL2);
    return !std::isnan(b->err.relL2) && a->err.relL2 > b->err.relL2;
  };
  for (const NumericReport &r : reports_) {
    (r.passed() ? passed : failed)++;
    if (worse(&r, worst))
      worst = &r;
    const NumericReport *&w = worstPerDtype[dtypeName(r.dtype)];
    if (worse(&r, w))
      w = &r;
  }
  std::ostringstream os;
  os << label << " numeric: " << passed << " passed, " << failed
     << " failed, worst rel_l2 "
     << (worst ? fmt(worst->err.relL2) + " (" + worst->caseName + ")"
               : std::string("n/a (no cases ran)"));
  for (const auto &[dtype, r] : worstPerDtype)
    os << "\n  " << dtype << ": worst rel_l2 " << fmt(r->err.relL2)
       << " (tol " << fmt(r->tolerance) << ", max_abs " << fmt(r->err.maxAbs)
       << ") in " << r->caseName;
  return os.str();
}

void expectMatchesReference(Backend backend, const NumericCase &c) {
  Jit &jit = sharedJit(backend);
  ASSERT_EQ(jit.backend(), backend);
  NumericReport r = runNumericCase(jit, c);
  NumericLog::instance().add(r);
  std::printf("%s\n", r.summary().c_str());
  ::testing::Test::RecordProperty("rel_l2", std::to_string(r.err.relL2));
  ::testing::Test::RecordProperty("max_abs", std::to_string(r.err.maxAbs));
  EXPECT_TRUE(r.passed()) << c.name << " (" << c.why << "): " << r.failure
                          << (c.knownBug.empty() ? ""
                                                 : "\nknown bug: " + c.knownBug);
}

std::string caseParamName(const ::testing::TestParamInfo<NumericCase> &info) {
  return info.param.name;
}

void expectCallerWorkspaceCases(Backend backend,
                                const std::vector<std::string> &names) {
  for (const std::string &name : names) {
    SCOPED_TRACE(name);
    const NumericCase *c = nullptr;
    for (const NumericCase &x : numericCases())
      if (x.name == name)
        c = &x;
    ASSERT_NE(c, nullptr);
    NumericOptions o;
    o.callerWorkspace = true;
    NumericReport r = runNumericCase(sharedJit(backend), *c, o);
    std::printf("caller workspace: %s\n", r.summary().c_str());
    EXPECT_TRUE(r.passed()) << r.failure;
  }
}

} // namespace sattn::test
