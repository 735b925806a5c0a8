//===- sparse-run.cpp - Compile a pattern, run it, check it, time it ------===//
//
//   sparse-run spec.json --shape B,H,Hkv,S,D | B,H,Hkv,Sq,Sk,D
//              [--backend=auto|cpu|gpu] [--chip=sm_90a] [--check] [--bench]
//              [--reps=N] [--seed=N] [--show-tiles[=map.png]] [--docs=N]
//              [--layout=random:D|causal:D|a-shape] [--layout-per-head]
//
// Inputs are random (uniform in [-1, 1), rounded to the pattern's dtype),
// the output is poisoned with NaN before the run. --check compares with the
// double-precision reference and fails (exit 1) above the dtype's
// tolerance; --bench prints the median time of --reps runs after warm-up;
// --show-tiles prints the tile map of the kernels that run (which tiles
// they skip, mask or take whole, the kept pairs and density) and writes it
// as a PNG (default <name>.tile-map.png). A pattern over packed documents
// gets --docs random documents a batch row (default 4; one of them a single
// token; Reference/LaunchInputs.h), whose offsets are printed. A pattern
// with a block layout gets one (--layout-per-head: one a head) drawn as
// --layout says: `random:D` keeps each block with probability D, full or
// partial at random; `causal:D` keeps each block that meets the causal
// region with probability D, full where wholly inside it (default
// causal:0.3); `a-shape` is MInference's A-shape + vertical-slash (a sink
// block, four local blocks, four vertical and four slash lines of blocks).
// Exit codes: 0 ok, 1 failed compile/run/check, 2 bad usage or input.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Driver/TileMapReport.h"
#include "Compiler/Jit.h"
#include "Reference/LaunchInputs.h"
#include "Reference/Reference.h"
#include "sattn/Runtime.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Args {
  std::string spec;
  std::vector<int64_t> shape;
  sattn::Backend backend = sattn::Backend::Auto;
  std::string chip;
  bool check = false, bench = false;
  std::optional<std::string> showTiles; // PNG path ("" : the default)
  int reps = 20;
  uint64_t seed = 1234;
  int64_t docs = 4;
  std::string layout = "causal";
  double layoutDensity = 0.3;
  bool layoutPerHead = false;
};

int usage(const std::string &msg) {
  std::fprintf(stderr,
               "sparse-run: error: %s\n"
               "usage: sparse-run spec.json --shape B,H,Hkv,S,D "
               "[--backend=auto|cpu|gpu] [--chip=sm_90a] [--check] "
               "[--bench] [--reps=N] [--seed=N] [--show-tiles[=map.png]] "
               "[--docs=N] [--layout=random:D|causal:D|a-shape] "
               "[--layout-per-head]\n",
               msg.c_str());
  return 2;
}

std::optional<std::vector<int64_t>> parseShape(const std::string &s) {
  std::vector<int64_t> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    char *end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v <= 0)
      return std::nullopt;
    out.push_back(v);
  }
  if (out.size() != 5 && out.size() != 6)
    return std::nullopt;
  return out;
}

std::optional<Args> parseArgs(int argc, char **argv, int &rc) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto val = [&](const char *name) -> std::optional<std::string> {
      std::string eq = std::string(name) + "=";
      if (s.rfind(eq, 0) == 0)
        return s.substr(eq.size());
      if (s == name && i + 1 < argc)
        return std::string(argv[++i]);
      return std::nullopt;
    };
    if (auto v = val("--shape")) {
      auto shape = parseShape(*v);
      if (!shape) {
        rc = usage("--shape wants 5 (B,H,Hkv,S,D) or 6 (B,H,Hkv,Sq,Sk,D) "
                   "positive integers, got '" + *v + "'");
        return std::nullopt;
      }
      a.shape = *shape;
    } else if (auto v = val("--backend")) {
      if (*v == "cpu")
        a.backend = sattn::Backend::Cpu;
      else if (*v == "gpu")
        a.backend = sattn::Backend::Gpu;
      else if (*v == "auto")
        a.backend = sattn::Backend::Auto;
      else {
        rc = usage("--backend must be auto, cpu or gpu, got '" + *v + "'");
        return std::nullopt;
      }
    } else if (auto v = val("--chip")) {
      a.chip = *v;
    } else if (auto v = val("--reps")) {
      a.reps = std::atoi(v->c_str());
      if (a.reps < 1) {
        rc = usage("--reps must be >= 1");
        return std::nullopt;
      }
    } else if (auto v = val("--docs")) {
      char *end = nullptr;
      a.docs = std::strtoll(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0' || a.docs < 1 || a.docs > (1 << 20)) {
        rc = usage("--docs wants a count of documents in [1, 2^20], got '" +
                   *v + "'");
        return std::nullopt;
      }
    } else if (auto v = val("--layout")) {
      const size_t colon = v->find(':');
      a.layout = v->substr(0, colon);
      bool ok = a.layout == "a-shape"
                    ? colon == std::string::npos
                    : (a.layout == "random" || a.layout == "causal") &&
                          colon != std::string::npos;
      if (ok && a.layout != "a-shape") {
        const std::string d = v->substr(colon + 1);
        char *end = nullptr;
        a.layoutDensity = std::strtod(d.c_str(), &end);
        ok = !d.empty() && *end == '\0' && a.layoutDensity >= 0 &&
             a.layoutDensity <= 1;
      }
      if (!ok) {
        rc = usage("--layout wants random:D, causal:D (D in [0, 1]) or "
                   "a-shape, got '" +
                   *v + "'");
        return std::nullopt;
      }
    } else if (s == "--layout-per-head") {
      a.layoutPerHead = true;
    } else if (auto v = val("--seed")) {
      a.seed = std::strtoull(v->c_str(), nullptr, 10);
    } else if (s == "--check") {
      a.check = true;
    } else if (s == "--bench") {
      a.bench = true;
    } else if (s == "--show-tiles") {
      a.showTiles = "";
    } else if (s.rfind("--show-tiles=", 0) == 0) {
      a.showTiles = s.substr(std::strlen("--show-tiles="));
      if (a.showTiles->empty()) {
        rc = usage("--show-tiles= wants a file name");
        return std::nullopt;
      }
    } else if (!s.empty() && s[0] == '-') {
      rc = usage("unknown option '" + s + "'");
      return std::nullopt;
    } else if (a.spec.empty()) {
      a.spec = s;
    } else {
      rc = usage("more than one spec file");
      return std::nullopt;
    }
  }
  if (a.spec.empty()) {
    rc = usage("no spec file");
    return std::nullopt;
  }
  if (a.shape.empty()) {
    rc = usage("--shape is required");
    return std::nullopt;
  }
  return a;
}

int fail(const sattn::Status &s) {
  std::fprintf(stderr, "sparse-run: error: %s\n", s.message().c_str());
  return sattn::exitCodeFor(s) == 0 ? 1 : sattn::exitCodeFor(s);
}

std::vector<double> randomTensor(size_t n, sattn::DType t, std::mt19937_64 &rng) {
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(n);
  for (double &x : v)
    x = sattn::ref::roundTo(t, dist(rng));
  return v;
}

/// 16-byte aligned host storage.
struct HostBuffer {
  std::vector<uint8_t> bytes;
  void *data() {
    auto p = reinterpret_cast<uintptr_t>(bytes.data());
    return bytes.data() + ((16 - p % 16) % 16);
  }
  explicit HostBuffer(size_t n) : bytes(n + 16) {}
};

/// --show-tiles: the tile map of the kernels the JIT built (the same
/// target and launch variant), printed, and written as a PNG through a
/// temporary file, so that a failure leaves no partial file.
sattn::Status showTiles(const sattn::PatternSpec &spec,
                        const std::string &target,
                        const sattn::AttentionShape &shape,
                        const std::string &path,
                        const sattn::DocumentOffsets *documents,
                        const sattn::BlockLayoutLists *layout) {
  sattn::CompilerSession session;
  auto module = session.importSpec(spec);
  if (!module)
    return module.status();
  auto info = session.describe(**module, sattn::specHash(spec));
  if (!info)
    return info.status();
  auto report = sattn::reportTileMap(session, **module, *info, target, {},
                                     shape.Sq, shape.Sk, documents, layout);
  if (!report)
    return report.status();
  std::string png = path.empty() ? spec.name + ".tile-map.png" : path;
  std::string tmp = png + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << report->png;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return sattn::Status::error(sattn::ErrorKind::IOError,
                                  "cannot write '" + png + "'");
    }
  }
  if (std::rename(tmp.c_str(), png.c_str()) != 0) {
    std::remove(tmp.c_str());
    return sattn::Status::error(sattn::ErrorKind::IOError,
                                "cannot write '" + png + "'");
  }
  std::printf("%swrote %s\n", report->text.c_str(), png.c_str());
  return sattn::Status::ok();
}

} // namespace

int main(int argc, char **argv) {
  int rc = 2;
  auto args = parseArgs(argc, argv, rc);
  if (!args)
    return rc;
  auto spec = sattn::loadPatternSpec(args->spec);
  if (!spec)
    return fail(spec.status());
  const std::vector<int64_t> &v = args->shape;
  sattn::AttentionShape shape;
  shape.B = v[0];
  shape.H = v[1];
  shape.Hkv = v[2];
  shape.Sq = v[3];
  shape.Sk = v.size() == 6 ? v[4] : v[3];
  shape.D = v.back();
  if (shape.D != spec->headDim)
    return usage("--shape head_dim " + std::to_string(shape.D) +
                 " differs from the spec's head_dim " +
                 std::to_string(spec->headDim));

  sattn::JitOptions options;
  options.backend = args->backend;
  options.chip = args->chip;
  if (options.backend == sattn::Backend::Gpu) {
    std::string why;
    if (!sattn::rt::deviceAvailable(&why))
      return fail(sattn::Status::error(sattn::ErrorKind::Unavailable,
                                       "--backend=gpu: " + why));
  }
  sattn::Jit jit(options);
  auto t0 = std::chrono::steady_clock::now();
  auto kernel = jit.compile(*spec);
  if (!kernel)
    return fail(kernel.status());
  double compileMs = std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now() - t0)
                         .count();
  const sattn::Manifest &m = (*kernel)->manifest();
  std::printf("pattern %s (%s, head_dim %lld), backend %s, chip %s\n",
              m.name.c_str(), m.dtype.c_str(), (long long)m.headDim,
              sattn::backendName(jit.backend()), m.chip.c_str());
  std::printf("shape B=%lld H=%lld Hkv=%lld Sq=%lld Sk=%lld D=%lld\n",
              (long long)shape.B, (long long)shape.H, (long long)shape.Hkv,
              (long long)shape.Sq, (long long)shape.Sk, (long long)shape.D);
  std::printf("compile: %.1f ms\n", compileMs);
  if (sattn::Status s = sattn::validateShape(m, shape); !s)
    return fail(s);
  std::mt19937_64 rng(args->seed);
  size_t nq = size_t(shape.B * shape.H * shape.Sq * shape.D);
  size_t nk = size_t(shape.B * shape.Hkv * shape.Sk * shape.D);
  std::vector<double> q = randomTensor(nq, spec->dtype, rng);
  std::vector<double> k = randomTensor(nk, spec->dtype, rng);
  std::vector<double> vv = randomTensor(nk, spec->dtype, rng);
  size_t esize = size_t(sattn::dtypeSize(spec->dtype));
  HostBuffer hq(nq * esize), hk(nk * esize), hv(nk * esize), ho(nq * esize);
  sattn::ref::toStorage(spec->dtype, q, hq.data());
  sattn::ref::toStorage(spec->dtype, k, hk.data());
  sattn::ref::toStorage(spec->dtype, vv, hv.data());
  std::vector<double> poison(nq, std::numeric_limits<double>::quiet_NaN());
  sattn::ref::toStorage(spec->dtype, poison, ho.data());
  // The pattern's launch tensors (learnable sinks' logits, ...), generated
  // as the numeric tests do (Reference/LaunchInputs.h).
  const sattn::ref::Problem problem{
      shape.B,    shape.H,  shape.Hkv,
      shape.Sq,   shape.Sk, shape.D,
      args->docs, 1,        args->layoutPerHead ? shape.H : 1};
  const std::vector<sattn::LaunchTensor> launchList =
      sattn::launchTensors(*spec);
  sattn::ref::Tensors tensorValues =
      sattn::ref::randomLaunchTensors(*spec, problem, rng);
  if (const sattn::MaskExpr *layout = sattn::blockLayoutOf(*spec)) {
    if (args->layout == "a-shape")
      sattn::ref::aShapeVerticalSlashLayout(*layout, problem, 1, 4, 4, 4, rng,
                                            tensorValues);
    else
      sattn::ref::randomBlockLayout(*layout, problem, args->layoutDensity,
                                    args->layout == "causal", rng,
                                    tensorValues);
    double partial = 0, full = 0;
    for (double n : tensorValues.at("kv_num_blocks"))
      partial += n;
    for (double n : tensorValues.at("full_kv_num_blocks"))
      full += n;
    const double blocks =
        double(problem.LH) *
        double((shape.Sq + layout->blockRows - 1) / layout->blockRows) *
        double((shape.Sk + layout->blockCols - 1) / layout->blockCols);
    std::printf("layout %s (%lld x %lld blocks, %s): %.0f partial + %.0f "
                "full blocks listed, %.1f%% of all\n",
                args->layout.c_str(), static_cast<long long>(layout->blockRows),
                static_cast<long long>(layout->blockCols),
                args->layoutPerHead ? "one a head" : "shared", partial, full,
                blocks > 0 ? 100.0 * (partial + full) / blocks : 0.0);
  }
  std::vector<std::vector<unsigned char>> tensorBytes;
  for (const sattn::LaunchTensor &t : launchList) {
    tensorBytes.push_back(
        sattn::ref::launchTensorBytes(t, tensorValues.at(t.name)));
    std::printf("tensor %s: %s, %zu elements (random)\n", t.name.c_str(),
                sattn::tensorDTypeName(t.dtype),
                tensorValues.at(t.name).size());
    // Offsets say what ran: the first batch row's.
    if (t.name.rfind("cu_seqlens", 0) == 0) {
      std::printf("  batch row 0:");
      const std::vector<double> &values = tensorValues.at(t.name);
      for (int64_t d = 0; d <= problem.Nd && d < 17; ++d)
        std::printf(" %lld", static_cast<long long>(values[size_t(d)]));
      std::printf(problem.Nd > 16 ? " ...\n" : "\n");
    }
  }
  auto tensorArgs = [&](const std::vector<const void *> &data) {
    return sattn::ref::launchTensorArgs(*spec, problem, data);
  };
  if (args->showTiles) {
    // Over documents, the map of batch row 0's.
    std::optional<sattn::DocumentOffsets> docs;
    if (sattn::hasDocuments(*spec)) {
      docs.emplace();
      for (int64_t d = 0; d <= problem.Nd; ++d) {
        docs->q.push_back(int64_t(tensorValues.at("cu_seqlens_q")[size_t(d)]));
        docs->k.push_back(int64_t(tensorValues.at("cu_seqlens_k")[size_t(d)]));
      }
    }
    // Over a block layout, the map of batch row 0's, head 0's.
    std::optional<sattn::BlockLayoutLists> lists;
    if (const sattn::MaskExpr *layout = sattn::blockLayoutOf(*spec)) {
      lists.emplace();
      const int64_t mb = (shape.Sq + layout->blockRows - 1) / layout->blockRows;
      const int64_t nb = (shape.Sk + layout->blockCols - 1) / layout->blockCols;
      for (int list = 0; list < 2; ++list) {
        const std::string prefix = list ? "full_" : "";
        const std::vector<double> &counts =
            tensorValues.at(prefix + "kv_num_blocks");
        const std::vector<double> &indices =
            tensorValues.at(prefix + "kv_indices");
        for (int64_t r = 0; r < mb; ++r) {
          std::vector<int64_t> row;
          for (int64_t e = 0; e < int64_t(counts[size_t(r)]); ++e)
            row.push_back(int64_t(indices[size_t(r * nb + e)]));
          lists->lists[list].push_back(std::move(row));
        }
      }
    }
    if (sattn::Status s =
            showTiles(*spec, m.chip, shape, *args->showTiles,
                      docs ? &*docs : nullptr, lists ? &*lists : nullptr);
        !s)
      return fail(s);
  }

  std::function<sattn::Status()> run;
  std::function<sattn::Status()> fetch = [] { return sattn::Status::ok(); };
  std::vector<sattn::rt::DeviceBuffer> device;
  if (jit.backend() == sattn::Backend::Gpu) {
    for (auto [host, bytes] :
         {std::pair{&hq, nq}, std::pair{&hk, nk}, std::pair{&hv, nk},
          std::pair{&ho, nq}}) {
      auto buf = sattn::rt::DeviceBuffer::allocate(bytes * esize);
      if (!buf)
        return fail(buf.status());
      if (sattn::Status s = buf->copyFromHost(host->data(), bytes * esize); !s)
        return fail(s);
      device.push_back(buf.take());
    }
    std::vector<const void *> tensorData;
    for (const std::vector<unsigned char> &bytes : tensorBytes) {
      auto buf = sattn::rt::DeviceBuffer::allocate(bytes.size());
      if (!buf)
        return fail(buf.status());
      if (sattn::Status s = buf->copyFromHost(bytes.data(), bytes.size()); !s)
        return fail(s);
      tensorData.push_back(buf->get());
      device.push_back(buf.take());
    }
    sattn::LaunchBuffers bufs{device[0].get(), device[1].get(),
                              device[2].get(), device[3].get(),
                              nullptr,         tensorArgs(tensorData)};
    run = [&, bufs] { return (*kernel)->launch(shape, bufs); };
    fetch = [&] {
      if (sattn::Status s = sattn::rt::Module::synchronize(); !s)
        return s;
      return device[3].copyToHost(ho.data(), nq * esize);
    };
  } else {
    std::vector<const void *> tensorData;
    for (const std::vector<unsigned char> &bytes : tensorBytes)
      tensorData.push_back(bytes.data());
    sattn::LaunchBuffers bufs{hq.data(), hk.data(), hv.data(),
                              ho.data(), nullptr,   tensorArgs(tensorData)};
    run = [&, bufs] { return (*kernel)->launch(shape, bufs); };
  }

  if (sattn::Status s = run(); !s)
    return fail(s);
  if (sattn::Status s = fetch(); !s)
    return fail(s);
  std::vector<double> out = sattn::ref::fromStorage(spec->dtype, ho.data(), nq);
  size_t nonFinite = 0;
  for (double x : out)
    nonFinite += !std::isfinite(x);
  if (nonFinite)
    std::printf("output: %zu of %zu values are not finite (unwritten or "
                "NaN)\n", nonFinite, nq);

  int exitCode = nonFinite ? 1 : 0;
  if (args->check) {
    std::vector<double> ref =
        sattn::ref::attention(*spec, problem, q, k, vv, tensorValues);
    sattn::ref::ErrorStats e = sattn::ref::compare(out, ref);
    double tol = sattn::ref::relL2Tolerance(spec->dtype);
    bool pass = !nonFinite && e.relL2 <= tol;
    std::printf("check: rel_l2 %.3e, max_abs %.3e (tolerance rel_l2 %.0e): "
                "%s\n", e.relL2, e.maxAbs, tol, pass ? "PASS" : "FAIL");
    if (!pass)
      exitCode = 1;
  }
  if (args->bench) {
    double ms = 0;
    if (jit.backend() == sattn::Backend::Gpu) {
      auto t = sattn::rt::timeMedianMs(run, 3, args->reps);
      if (!t)
        return fail(t.status());
      ms = *t;
    } else {
      std::vector<double> times;
      for (int i = 0; i < args->reps; ++i) {
        auto s0 = std::chrono::steady_clock::now();
        if (sattn::Status s = run(); !s)
          return fail(s);
        times.push_back(std::chrono::duration<double, std::milli>(
                            std::chrono::steady_clock::now() - s0)
                            .count());
      }
      std::sort(times.begin(), times.end());
      ms = times[times.size() / 2];
    }
    std::printf("time: median %.3f ms over %d runs\n", ms, args->reps);
  }
  return exitCode;
}
