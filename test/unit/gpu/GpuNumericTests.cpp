//===- GpuNumericTests.cpp - Generated kernels on the GPU vs the reference ===//
//
//   gpu_numeric_tests <suite-dir> <spec-dir>            run the suite
//   gpu_numeric_tests <suite-dir> <spec-dir> --resources  list ptxas usage
//   SATTN_GPU_CASES=<substring> selects cases by spec name.
//   SATTN_GPU_MAX_SEQ=<n> skips cases whose Sq or Sk exceeds n (the long
//   ones are slow under compute-sanitizer).
//   SATTN_GPU_CHIP=<chip> loads <suite-dir>/<chip>/ instead of the device's
//   default (e.g. sm_90: the mma.sync kernels on a Hopper GPU).
//   SATTN_GPU_MAX_BLOCKS=<n> launches persistent kernels on at most n
//   blocks, so that each runs several program instances.
//
// <suite-dir>/<chip>/<name>.{cubin,manifest.json} are compiled at build time by
// sparse-opt from <spec-dir>/<name>.json, for sm_80 and sm_90a. This program
// links only the runtime and the reference (no MLIR), like a deployed host
// program: it loads the cubins for the device's chip, runs every case on
// random inputs with a NaN-poisoned output and compares with the
// double-precision reference. Without a device it prints SKIPPED and exits
// 77 (ctest: Skipped). --resources needs no device: it validates every cubin,
// prints registers and spills per kernel, and fails if a bf16/f16 kernel is
// not in the tensor-core form or spills.
//
//===----------------------------------------------------------------------===//
#include "Reference/LaunchInputs.h"
#include "Reference/Reference.h"
#include "Spec/PatternSpec.h"
#include "sattn/Runtime.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Case {
  const char *spec;
  int64_t B, H, Hkv, Sq, Sk;
  const char *why;
  /// Random documents a batch row (patterns over documents).
  int64_t Nd = 1;
  /// A block layout's heads (1: shared), the probability a block is kept,
  /// and whether only blocks meeting the causal region are (LaunchInputs.h).
  int64_t LH = 1;
  double density = 0.5;
  bool causalLayout = false;
};

// Awkward shapes on purpose: lengths that are not multiples of the tiles
// (64 query rows, 32/64 keys), shorter than one tile, a single row, Sq < Sk
// and Sq > Sk, windows and sinks longer than S, gamma larger than S, GQA.
const Case kCases[] = {
    {"t_dense_bf16_d128", 1, 2, 2, 1, 1, "one query, one key"},
    {"t_dense_bf16_d128", 2, 4, 2, 77, 77, "batch 2, GQA 2:1, ragged"},
    {"t_dense_bf16_d128", 1, 2, 1, 130, 300, "Sq < Sk"},
    // From 2048 query rows sm_90a launches the 128-row variant (two
    // consumer warpgroups, a producer, pipelined key loops); the long cases
    // below but the delta pair's run it.
    {"t_dense_bf16_d128", 1, 2, 1, 2049, 2049,
     "the 128-row variant just past its first length, GQA 2:1, ragged"},
    {"t_dense_bf16_d128", 1, 2, 2, 4097, 4097, "the 128-row variant, ragged"},
    {"t_causal_bf16_d128", 1, 4, 4, 300, 300, "ragged tiles"},
    {"t_causal_bf16_d128", 1, 8, 1, 129, 129, "GQA 8:1"},
    {"t_causal_bf16_d128", 1, 4, 2, 128, 128, "GQA 4:2, exact tiles"},
    {"t_causal_bf16_d128", 1, 2, 2, 50, 200, "Sq < Sk, bottom-right"},
    {"t_causal_bf16_d128", 1, 2, 2, 200, 50,
     "Sq > Sk: rows without keys are 0"},
    {"t_causal_bf16_d128", 1, 2, 1, 8250, 8250,
     "long: the 128-row variant on sm_90a, ragged, GQA 2:1"},
    {"t_causal_f16_d64", 3, 4, 2, 333, 333, "batch 3, f16"},
    {"t_causal_f16_d64", 1, 2, 2, 1, 500, "a single query row"},
    {"t_window_f32_d64", 1, 2, 2, 257, 257, "two-sided window, f32"},
    {"t_window_f32_d64", 1, 4, 2, 20, 20, "window longer than S"},
    {"t_window1_bf16_d64", 1, 2, 2, 100, 100, "window 1 (diagonal only)"},
    {"t_swa_sink_bf16_d128", 1, 4, 2, 500, 500,
     "window + sink, many empty tiles"},
    {"t_swa_sink_bf16_d128", 1, 2, 2, 5, 5, "sink longer than S"},
    {"t_swa_sink_bf16_d128", 1, 2, 2, 8200, 8200, "long window + sinks"},
    {"t_softcap_union_f16_d128", 2, 2, 1, 180, 180, "softcap, scale, union"},
    {"t_softcap_union_f16_d128", 1, 1, 1, 4100, 4200,
     "softcap, union, the 128-row variant, Sq < Sk"},
    {"t_softcap_union_f16_d128", 1, 2, 2, 90, 150, "softcap, Sq < Sk"},
    {"t_softcap_large_bf16_d128", 1, 4, 2, 300, 300,
     "softcap 1e6: tanh of ~1e-6 (the two-form tanh)"},
    {"t_softcap_large_f16_d64", 1, 2, 2, 200, 200,
     "softcap 1e4, scale 1, window"},
    {"t_delta_g16_bf16_d64", 1, 4, 2, 300, 300, "delta gamma 16"},
    {"t_delta_g16_bf16_d64", 1, 2, 2, 10, 10, "delta, gamma > S (all tail)"},
    {"t_delta_g16_bf16_d64", 2, 2, 1, 129, 129, "delta, batch 2, GQA"},
    {"t_delta_g64_bf16_d128", 1, 4, 2, 700, 700, "delta gamma 64"},
    {"t_delta_g64_bf16_d128", 1, 2, 2, 150, 150, "delta, S == cut (all tail)"},
    {"t_delta_g64_bf16_d128", 1, 2, 1, 1000, 1000, "delta, GQA 2:1"},
    {"t_delta_g16_bf16_d64", 1, 2, 1, 2000, 2000,
     "delta, 124 anchors: 2 anchor tiles"},
    {"t_delta_g16_bf16_d64", 1, 1, 1, 4200, 4200,
     "delta, 261 anchors: 5 anchor tiles"},
    {"t_delta_g64_bf16_d128", 1, 1, 1, 8400, 8400,
     "delta, 129 anchors: 3 anchor tiles (the benchmark's kernel)"},
    {"t_delta_noncausal_f32_d64", 1, 2, 2, 300, 300,
     "delta, pattern beyond causal (right window, long sink)"},
    // Learnable sinks: head 0's logit is -inf (plain softmax), the others'
    // in [-4, 8) (Reference/LaunchInputs.h).
    {"t_lsink_swa_bf16_d128", 2, 4, 2, 300, 300,
     "learnable sinks, window + sinks, batch 2, GQA 2:1"},
    {"t_lsink_swa_bf16_d128", 1, 3, 3, 2100, 2100,
     "learnable sinks, the 128-row variant"},
    {"t_lsink_swa_bf16_d128", 1, 2, 2, 200, 60,
     "learnable sinks, Sq > Sk: rows without keys are 0"},
    {"t_lsink_delta_bf16_d64", 1, 4, 2, 500, 500,
     "learnable sinks in the delta pair's sparse and dense rows"},
    // ALiBi: geometric slopes (12 heads: not a power of two) after a
    // softcap, and slopes from a tensor with learnable sinks.
    {"t_alibi_bf16_d128", 1, 12, 4, 300, 300,
     "ALiBi, geometric slopes, GQA 3:1"},
    {"t_alibi_bf16_d128", 1, 2, 2, 2100, 2100, "ALiBi, the 128-row variant"},
    {"t_alibi_tensor_f16_d64", 2, 4, 2, 100, 260,
     "ALiBi slopes from a tensor, learnable sinks, Sq < Sk, batch 2"},
    // Chunks, dilated windows and prefix-LM.
    {"t_chunk_bf16_d128", 1, 4, 2, 1100, 1100,
     "chunked local attention, chunks of 500 (not on a tile boundary)"},
    {"t_chunk_bf16_d128", 1, 2, 2, 2300, 2300,
     "chunked local attention, the 128-row variant"},
    {"t_chunk_bf16_d128", 1, 2, 1, 300, 100,
     "chunks, Sq > Sk: rows at negative positions are 0"},
    {"t_dilated_f16_d64", 2, 4, 2, 300, 300,
     "dilations 3 (below the tile's offsets) and 100 (above), sinks"},
    {"t_prefix_lm_bf16_d128", 1, 4, 4, 300, 300, "prefix-LM, a prefix of 77"},
    {"t_prefix_lm_bf16_d128", 1, 2, 2, 60, 300, "prefix-LM, Sq < Sk"},
    // The delta correction towards every key (a bidirectional reference).
    {"t_delta_ref_bf16_d64", 1, 4, 2, 600, 600,
     "delta over a two-sided window with a dense reference, GQA"},
    // Packed documents (offsets at launch; a document of one token first).
    {"t_docs_causal_bf16_d128", 2, 2, 1, 700, 700,
     "four documents, causal, GQA, batch 2", 4},
    {"t_docs_causal_bf16_d128", 1, 2, 2, 2300, 2300,
     "documents, the 128-row variant", 5},
    {"t_docs_causal_bf16_d128", 1, 2, 2, 300, 700,
     "documents, Sq < Sk: queries at the end of each document's keys", 3},
    {"t_docs_causal_bf16_d128", 2, 2, 2, 260, 260,
     "40 documents: empty and tiny ones, several a tile", 40},
    {"t_docs_swa_f16_d64", 1, 4, 2, 600, 600,
     "documents with a window and sinks from each document's start", 4},
    {"t_docs_swa_f16_d64", 1, 2, 1, 2100, 2100,
     "documents with a window and sinks, the 128-row variant", 6},
    // Block-sparse layouts (lists at launch, in random order).
    {"t_layout_causal_bf16_d128", 1, 2, 1, 700, 700,
     "128 x 128 blocks meeting the causal region, causal partial blocks, a "
     "layout a head",
     1, 2, 0.6, true},
    {"t_layout_causal_bf16_d128", 1, 2, 2, 4097, 4097,
     "a causal layout, the 128-row variant", 1, 1, 0.3, true},
    {"t_layout_causal_bf16_d128", 1, 2, 1, 300, 700, "a causal layout, Sq < Sk",
     1, 1, 0.7, true},
    {"t_layout64_f16_d64", 2, 4, 2, 600, 600,
     "64 x 64 blocks, full and partial kept whole, a layout a head, GQA", 1, 4,
     0.5},
    {"t_layout64_f16_d64", 1, 2, 1, 640, 640,
     "a sparse layout: query block rows with nothing listed are 0", 1, 2, 0.1},
    {"t_layout16_bf16_d128", 1, 2, 1, 200, 200,
     "16 x 16 blocks: the tile shrinks to 16 x 16", 1, 1, 0.4},
    {"t_layout_swa_bf16_d128", 1, 2, 1, 1000, 1000,
     "a causal 64 x 256 layout intersected with a window of 256", 1, 2, 0.6,
     true},
};

std::string chipForCC(int cc) {
  if (cc == 90)
    return "sm_90a";
  if (cc >= 80 && cc < 90)
    return "sm_80";
  return "";
}

int listResources(const std::string &suite) {
  int bad = 0;
  std::printf("%-8s %-34s %-14s %9s %11s\n", "chip", "kernel", "role",
              "registers", "spill bytes");
  int chips = 0;
  for (const char *chip : {"sm_80", "sm_90a"}) {
    // A suite may hold one chip's cubins (e.g. the persistent sm_90a ones).
    if (!std::filesystem::is_directory(suite + "/" + chip))
      continue;
    ++chips;
    for (const Case &c : kCases) {
      if (&c != kCases && std::string(c.spec) == (&c)[-1].spec)
        continue; // Each spec once.
      std::string path = suite + "/" + chip + "/" + c.spec + ".manifest.json";
      std::ifstream in(path);
      std::stringstream text;
      text << in.rdbuf();
      auto m = sattn::parseManifest(text.str(), path);
      if (!m) {
        std::printf("FAIL %s\n", m.status().message().c_str());
        ++bad;
        continue;
      }
      std::ifstream cubinIn(suite + "/" + chip + "/" + m->cubinFile,
                            std::ios::binary);
      std::stringstream cubin;
      cubin << cubinIn.rdbuf();
      if (sattn::Status s = sattn::rt::validateCubin(cubin.str(), chip, path);
          !s) {
        std::printf("FAIL %s\n", s.message().c_str());
        ++bad;
      }
      for (const sattn::KernelInfo &k : m->kernels) {
        std::printf("%-8s %-34s %-14s %9lld %11lld\n", chip, k.name.c_str(),
                    kernelRoleName(k.role), (long long)k.registers,
                    (long long)k.spillBytes);
        // bf16/f16 kernels take the tensor-core lowering (warps of 16 rows)
        // and must not spill; f32 runs the SIMT lowering, which may.
        if (m->dtype == "f32")
          continue;
        // Two threads per row (warps of 16 rows), plus a producer
        // warpgroup on sm_90a where the compiler gave it one.
        bool producer = std::string(chip) == "sm_90a" &&
                        k.threads == 2 * k.blockM + 128;
        if (k.threads != 2 * k.blockM && !producer) {
          std::printf("FAIL %s: %lld threads for block_m %lld (not the "
                      "tensor-core form)\n",
                      k.name.c_str(), (long long)k.threads,
                      (long long)k.blockM);
          ++bad;
        }
        if (k.spillBytes != 0) {
          std::printf("FAIL %s: %lld bytes of register spills\n",
                      k.name.c_str(), (long long)k.spillBytes);
          ++bad;
        }
      }
    }
  }
  if (!chips) {
    std::printf("FAIL %s holds no sm_80 or sm_90a cubins\n", suite.c_str());
    ++bad;
  }
  std::printf("resources: %s\n", bad ? "FAIL" : "all cubins valid");
  return bad ? 1 : 0;
}

struct Outcome {
  bool pass = false;
  double relL2 = 0, maxAbs = 0;
  std::string error;
};

Outcome runCase(const Case &c, const std::string &suite,
                const std::string &specDir, const std::string &chip,
                uint64_t seed, const sattn::rt::LaunchOptions &options) {
  Outcome out;
  auto spec = sattn::loadPatternSpec(specDir + "/" + c.spec + ".json");
  if (!spec) {
    out.error = spec.status().message();
    return out;
  }
  auto module = sattn::rt::Module::loadFromFiles(suite + "/" + chip + "/" +
                                                 c.spec + ".manifest.json");
  if (!module) {
    out.error = module.status().message();
    return out;
  }
  sattn::AttentionShape shape{c.B, c.H, c.Hkv, c.Sq, c.Sk, spec->headDim};
  size_t nq = size_t(c.B * c.H * c.Sq * spec->headDim);
  size_t nk = size_t(c.B * c.Hkv * c.Sk * spec->headDim);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  auto random = [&](size_t n) {
    std::vector<double> v(n);
    for (double &x : v)
      x = sattn::ref::roundTo(spec->dtype, dist(rng));
    return v;
  };
  std::vector<double> q = random(nq), k = random(nk), v = random(nk);
  size_t es = size_t(sattn::dtypeSize(spec->dtype));
  std::vector<uint8_t> hq(nq * es), hk(nk * es), hv(nk * es), ho(nq * es);
  sattn::ref::toStorage(spec->dtype, q, hq.data());
  sattn::ref::toStorage(spec->dtype, k, hk.data());
  sattn::ref::toStorage(spec->dtype, v, hv.data());
  sattn::ref::toStorage(
      spec->dtype,
      std::vector<double>(nq, std::numeric_limits<double>::quiet_NaN()),
      ho.data());

  // The pattern's launch tensors (learnable sinks' logits, ...), as the
  // CPU suite generates them.
  sattn::ref::Problem p{c.B,           c.H,  c.Hkv, c.Sq, c.Sk,
                        spec->headDim, c.Nd, 1,     c.LH};
  const std::vector<sattn::LaunchTensor> launchList =
      sattn::launchTensors(*spec);
  sattn::ref::Tensors tensorValues =
      sattn::ref::randomLaunchTensors(*spec, p, rng);
  if (const sattn::MaskExpr *layout = sattn::blockLayoutOf(*spec))
    sattn::ref::randomBlockLayout(*layout, p, c.density, c.causalLayout, rng,
                                  tensorValues);
  std::vector<std::vector<uint8_t>> tensorBytes;
  for (const sattn::LaunchTensor &t : launchList)
    tensorBytes.push_back(
        sattn::ref::launchTensorBytes(t, tensorValues.at(t.name)));

  std::vector<sattn::rt::DeviceBuffer> dev;
  std::vector<std::vector<uint8_t> *> hosts = {&hq, &hk, &hv, &ho};
  for (std::vector<uint8_t> &bytes : tensorBytes)
    hosts.push_back(&bytes);
  for (auto *h : hosts) {
    auto b = sattn::rt::DeviceBuffer::allocate(h->size());
    if (!b) {
      out.error = b.status().message();
      return out;
    }
    if (sattn::Status s = b->copyFromHost(h->data(), h->size()); !s) {
      out.error = s.message();
      return out;
    }
    dev.push_back(b.take());
  }
  sattn::LaunchBuffers bufs{dev[0].get(), dev[1].get(), dev[2].get(),
                            dev[3].get()};
  std::vector<const void *> tensorData;
  for (size_t i = 0; i < launchList.size(); ++i)
    tensorData.push_back(dev[4 + i].get());
  bufs.tensors = sattn::ref::launchTensorArgs(*spec, p, tensorData);
  sattn::Status s = (*module)->launch(shape, bufs, nullptr, options);
  if (s)
    s = sattn::rt::Module::synchronize();
  if (s)
    s = dev[3].copyToHost(ho.data(), ho.size());
  if (!s) {
    out.error = s.message();
    return out;
  }
  std::vector<double> got = sattn::ref::fromStorage(spec->dtype, ho.data(), nq);
  size_t nonFinite = 0;
  for (double x : got)
    nonFinite += !std::isfinite(x);
  sattn::ref::ErrorStats e = sattn::ref::compare(
      got, sattn::ref::attention(*spec, p, q, k, v, tensorValues));
  out.relL2 = e.relL2;
  out.maxAbs = e.maxAbs;
  out.pass = nonFinite == 0 && e.relL2 <= sattn::ref::relL2Tolerance(spec->dtype);
  if (nonFinite)
    out.error = std::to_string(nonFinite) + " outputs not finite";
  return out;
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: gpu_numeric_tests <suite-dir> <spec-dir> "
                         "[--resources]\n");
    return 2;
  }
  std::string suite = argv[1], specDir = argv[2];
  if (argc > 3 && std::string(argv[3]) == "--resources")
    return listResources(suite);

  std::string why;
  if (!sattn::rt::deviceAvailable(&why)) {
    std::printf("SKIPPED: no CUDA device (%s)\n", why.c_str());
    return 77;
  }
  auto cc = sattn::rt::deviceComputeCapability();
  std::string chip = cc ? chipForCC(*cc) : "";
  // SATTN_GPU_CHIP=sm_90 runs cubins of another chip the device can run
  // (the runtime checks): on Hopper, sm_90 cubins are the mma.sync
  // lowering of sm_80+, sm_90a ones wgmma.
  if (const char *forced = std::getenv("SATTN_GPU_CHIP"); forced && *forced)
    chip = forced;
  if (chip.empty()) {
    std::printf("SKIPPED: no cubins for this device (%s)\n",
                cc ? ("compute capability " + std::to_string(*cc)).c_str()
                   : cc.status().message().c_str());
    return 77;
  }
  if (!std::filesystem::is_directory(suite + "/" + chip)) {
    std::printf("SKIPPED: %s holds no %s cubins\n", suite.c_str(),
                chip.c_str());
    return 77;
  }
  int passed = 0, failed = 0;
  double worst = 0;
  std::string worstCase;
  uint64_t seed = 20261121;
  // SATTN_GPU_CASES=substring runs the matching cases only (small runs
  // under compute-sanitizer).
  const char *filter = std::getenv("SATTN_GPU_CASES");
  const char *maxSeq = std::getenv("SATTN_GPU_MAX_SEQ");
  sattn::rt::LaunchOptions options;
  if (const char *blocks = std::getenv("SATTN_GPU_MAX_BLOCKS"))
    options.maxPersistentBlocks = std::atoll(blocks);
  for (const Case &c : kCases) {
    ++seed;
    if (filter && !std::strstr(c.spec, filter))
      continue;
    if (maxSeq && std::max(c.Sq, c.Sk) > std::atoll(maxSeq))
      continue;
    Outcome o = runCase(c, suite, specDir, chip, seed, options);
    std::printf("%s %-26s B=%lld H=%lld Hkv=%lld Sq=%lld Sk=%lld  rel_l2 "
                "%.3e  max_abs %.3e  (%s)%s%s\n",
                o.pass ? "PASS" : "FAIL", c.spec, (long long)c.B,
                (long long)c.H, (long long)c.Hkv, (long long)c.Sq,
                (long long)c.Sk, o.relL2, o.maxAbs, c.why,
                o.error.empty() ? "" : "  error: ", o.error.c_str());
    (o.pass ? passed : failed)++;
    if (o.relL2 > worst) {
      worst = o.relL2;
      worstCase = std::string(c.spec) + " Sq=" + std::to_string(c.Sq);
    }
  }
  std::printf("GPU numeric (%s%s): %d passed, %d failed, worst rel_l2 %.3e "
              "(%s)\n",
              chip.c_str(),
              options.maxPersistentBlocks
                  ? (", persistent kernels on <= " +
                     std::to_string(options.maxPersistentBlocks) + " blocks")
                        .c_str()
                  : "",
              passed, failed, worst, worstCase.c_str());
  return failed ? 1 : 0;
}
