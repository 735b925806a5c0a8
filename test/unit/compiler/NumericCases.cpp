//===- NumericCases.cpp - The numeric case table --------------------------===//
//
// Tile sizes of the generated kernels, which the shapes below aim at:
// block_m = 64 query rows; block_n = 32 keys at head_dim 128, 64 at 64.
//
//===----------------------------------------------------------------------===//
#include "NumericCases.h"

#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

namespace sattn::test {

uint64_t fnv1a64(const std::string &s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

namespace {

using M = MaskExpr;
constexpr DType BF16 = DType::BF16, F16 = DType::F16, F32 = DType::F32;

/// Fluent spec builder; the spec name is the pattern's label (cases that
/// share a pattern share a compiled kernel within one process).
class Spec {
public:
  Spec(std::string name, DType t, int64_t headDim) {
    s_.name = std::move(name);
    s_.dtype = t;
    s_.headDim = headDim;
  }
  Spec &mask(M m) {
    s_.mask = std::move(m);
    return *this;
  }
  Spec &scale(double v) {
    s_.scale = v;
    return *this;
  }
  Spec &softcap(double v) {
    s_.softcap = v;
    return *this;
  }
  Spec &delta(int64_t gamma, int64_t tailMin) {
    s_.delta = DeltaCorrection{gamma, tailMin};
    return *this;
  }
  /// The delta correction's reference: a mask, or none for every key.
  Spec &reference(std::optional<MaskExpr> mask) {
    s_.delta->denseReference = !mask;
    s_.delta->reference = std::move(mask);
    return *this;
  }
  Spec &alibi(PatternSpec::AlibiSlopes slopes) {
    s_.alibi = slopes;
    return *this;
  }
  Spec &learnableSinks() {
    s_.learnableSinks = true;
    return *this;
  }
  operator PatternSpec() const { return s_; }

private:
  PatternSpec s_;
};

/// causal & (window{w, 0} | sink{n}): the headline sliding-window + sink.
M headline(int64_t w, int64_t n) {
  return M::intersect({M::causal(), M::unite({M::window(w, 0), M::sink(n)})});
}

AttentionShape shape(int64_t B, int64_t H, int64_t Hkv, int64_t Sq, int64_t Sk,
                     int64_t D) {
  AttentionShape s;
  s.B = B;
  s.H = H;
  s.Hkv = Hkv;
  s.Sq = Sq;
  s.Sk = Sk;
  s.D = D;
  return s;
}

class Table {
public:
  /// Adds a case; D comes from the spec.
  void add(const std::string &name, PatternSpec spec, int64_t B, int64_t H,
           int64_t Hkv, int64_t Sq, int64_t Sk, std::string why = "") {
    if (!names_.insert(name).second)
      throw std::logic_error("duplicate numeric case " + name);
    NumericCase c;
    c.name = name;
    c.shape = shape(B, H, Hkv, Sq, Sk, spec.headDim);
    c.spec = std::move(spec);
    c.seed = fnv1a64(name);
    c.why = std::move(why);
    cases_.push_back(std::move(c));
  }
  /// Gives the last case added `Nd` random documents a batch row.
  void documents(int64_t Nd) { cases_.back().shape.Nd = Nd; }
  /// Gives the last case added a random block layout (NumericCase's
  /// layout fields): LB and LH layouts, blocks kept with `density`.
  void layout(int64_t LB, int64_t LH, double density, bool causal = false) {
    NumericCase &c = cases_.back();
    c.shape.LB = LB;
    c.shape.LH = LH;
    c.layoutDensity = density;
    c.layoutCausal = causal;
  }
  /// Marks the last case added as failing because of a known bug.
  void knownBug(const std::string &what) { cases_.back().knownBug = what; }
  std::vector<NumericCase> take() { return std::move(cases_); }

private:
  std::vector<NumericCase> cases_;
  std::set<std::string> names_;
};

/// A random mask tree: a primitive, or a union/intersection of 2..3 of
/// them, with sizes small against S so tiles are empty, full and partial.
M randomMask(std::mt19937_64 &rng, int depth = 0) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  int64_t kind = pick(0, depth == 0 ? 5 : 3);
  switch (kind) {
  case 0:
    return M::causal();
  case 1:
    return M::window(pick(0, 80), pick(0, 1) ? 0 : pick(0, 40));
  case 2:
    return M::sink(pick(1, 80));
  case 3:
    return M::window(pick(0, 10), pick(0, 10));
  default: {
    std::vector<M> children;
    for (int64_t n = pick(2, 3); n > 0; --n)
      children.push_back(randomMask(rng, depth + 1));
    return kind == 4 ? M::unite(std::move(children))
                     : M::intersect(std::move(children));
  }
  }
}

/// As randomMask, over the later vocabulary too: dilated windows, chunks
/// (sizes that divide each other, so that any two intersect) and
/// prefix-LM. A generator of its own, so that randomMask's cases stay as
/// they were.
M randomMaskWide(std::mt19937_64 &rng, int depth = 0) {
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const int64_t chunks[] = {25, 50, 100, 200};
  int64_t kind = pick(0, depth == 0 ? 6 : 4);
  switch (kind) {
  case 0:
    return M::causal();
  case 1:
    return M::window(pick(0, 90), pick(0, 1) ? 0 : pick(0, 40), pick(1, 5));
  case 2:
    return M::sink(pick(1, 80));
  case 3:
    return M::chunk(chunks[pick(0, 3)]);
  case 4:
    return M::prefixLM(pick(1, 150));
  default: {
    std::vector<M> children;
    for (int64_t n = pick(2, 3); n > 0; --n)
      children.push_back(randomMaskWide(rng, depth + 1));
    return kind == 5 ? M::unite(std::move(children))
                     : M::intersect(std::move(children));
  }
  }
}

/// Random cases over randomMaskWide: dtype, head_dim, GQA, shapes, and
/// now and then a softcap or the delta correction.
void addRandomWideMaskCases(Table &t) {
  std::mt19937_64 rng(20261207);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const DType dtypes[] = {BF16, F16, F32};
  const std::pair<int64_t, int64_t> heads[] = {{1, 1}, {2, 1}, {4, 2}, {3, 3}};
  for (int n = 0; n < 24; ++n) {
    DType dt = dtypes[pick(0, 2)];
    int64_t D = pick(0, 1) ? 128 : 64;
    auto [H, Hkv] = heads[pick(0, 3)];
    int64_t B = pick(0, 3) == 0 ? 2 : 1;
    bool delta = pick(0, 4) == 0;
    int64_t Sq = pick(1, 400);
    int64_t Sk = delta || pick(0, 1) ? Sq : pick(1, 400);
    while (B * H * Sq * Sk * D > 40'000'000) {
      Sq = (Sq + 1) / 2;
      Sk = delta ? Sq : (Sk + 1) / 2;
    }
    std::string name = "rndw" + std::to_string(n) + "_" + dtypeName(dt) + "_d" +
                       std::to_string(D);
    Spec spec(name, dt, D);
    M mask = randomMaskWide(rng);
    if (delta) {
      mask = M::intersect({M::causal(), mask});
      spec.delta(16, 32);
    }
    spec.mask(mask);
    if (pick(0, 4) == 0)
      spec.softcap(20.0);
    std::string caseName = name + "_b" + std::to_string(B) + "h" +
                           std::to_string(H) + "kv" + std::to_string(Hkv) +
                           "_sq" + std::to_string(Sq) + "_sk" +
                           std::to_string(Sk);
    t.add(caseName, spec, B, H, Hkv, Sq, Sk, "random case, wide masks");
  }
}

/// Random cases from a fixed seed (the same table on every run): random
/// dtype, head_dim, mask tree, scale, softcap, delta, GQA and shapes.
/// Delta cases stay causal (the random mask is intersected with causal):
/// non-causal patterns with delta are covered, and partly disabled, above.
void addRandomCases(Table &t) {
  std::mt19937_64 rng(20240601);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  auto real = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  const DType dtypes[] = {BF16, F16, F32};
  const std::pair<int64_t, int64_t> heads[] = {{1, 1}, {2, 1}, {2, 2},
                                               {4, 2}, {8, 1}, {3, 3}};
  const int64_t gammas[] = {8, 16, 64};
  const int64_t tails[] = {0, 4, 128};
  for (int n = 0; n < 64; ++n) {
    DType dt = dtypes[pick(0, 2)];
    int64_t D = pick(0, 1) ? 128 : 64;
    auto [H, Hkv] = heads[pick(0, 5)];
    int64_t B = pick(0, 3) == 0 ? 2 : 1;
    bool delta = pick(0, 3) == 0;
    int64_t Sq = pick(0, 9) == 0 ? pick(1, 8) : pick(1, 400);
    int64_t Sk = delta || pick(0, 1) ? Sq : pick(1, 400);
    // Keep the reference cheap: B*H*Sq*Sk*D below ~40M multiply-adds.
    while (B * H * Sq * Sk * D > 40'000'000) {
      Sq = (Sq + 1) / 2;
      Sk = delta ? Sq : (Sk + 1) / 2;
    }
    std::string name = "rnd" + std::to_string(n) + "_" + dtypeName(dt) +
                       "_d" + std::to_string(D);
    Spec spec(name, dt, D);
    std::optional<M> mask;
    if (pick(0, 7) != 0)
      mask = randomMask(rng);
    if (delta)
      mask = mask ? M::intersect({M::causal(), *mask}) : M::causal();
    if (mask)
      spec.mask(*mask);
    if (pick(0, 3) == 0)
      spec.scale(real(0.02, 1.5));
    if (pick(0, 3) == 0)
      spec.softcap(real(2.0, 50.0));
    if (delta)
      spec.delta(gammas[pick(0, 2)], tails[pick(0, 2)]);
    std::string caseName = name + "_b" + std::to_string(B) + "h" +
                           std::to_string(H) + "kv" + std::to_string(Hkv) +
                           "_sq" + std::to_string(Sq) + "_sk" +
                           std::to_string(Sk);
    t.add(caseName, spec, B, H, Hkv, Sq, Sk, "random case");
  }
}

std::vector<NumericCase> build() {
  Table t;

  // --- dense (no mask) ---------------------------------------------------
  t.add("dense_bf16_d128_s128", Spec("dense", BF16, 128), 1, 2, 2, 128, 128,
        "tile-aligned S");
  t.add("dense_f16_d64_s100", Spec("dense", F16, 64), 1, 2, 1, 100, 100,
        "S not a multiple of the tiles, GQA 2:1");
  t.add("dense_f32_d128_s300", Spec("dense", F32, 128), 1, 1, 1, 300, 300);
  t.add("dense_bf16_d64_s64", Spec("dense", BF16, 64), 1, 1, 1, 64, 64,
        "exactly one block_m and one block_n tile");
  t.add("dense_bf16_d64_s1", Spec("dense", BF16, 64), 1, 2, 1, 1, 1,
        "S = 1");
  t.add("dense_f32_d64_s5", Spec("dense", F32, 64), 1, 2, 2, 5, 5,
        "S below one tile");
  t.add("dense_f16_d128_sq1_sk77", Spec("dense", F16, 128), 1, 2, 1, 1, 77,
        "a single query row");
  t.add("dense_bf16_d128_sq40_sk200", Spec("dense", BF16, 128), 1, 2, 1, 40,
        200, "Sq < Sk");
  t.add("dense_f32_d64_sq200_sk50", Spec("dense", F32, 64), 1, 1, 1, 200, 50,
        "Sq > Sk (dense: every row sees every key)");
  t.add("dense_bf16_d64_gqa8to1", Spec("dense", BF16, 64), 1, 8, 1, 96, 96,
        "GQA 8:1");
  t.add("dense_f16_d128_b3", Spec("dense", F16, 128), 3, 2, 1, 70, 70,
        "batch > 1");

  // --- causal ------------------------------------------------------------
  t.add("causal_bf16_d128_s300", Spec("causal", BF16, 128).mask(M::causal()),
        1, 2, 1, 300, 300);
  t.add("causal_f16_d64_s257", Spec("causal", F16, 64).mask(M::causal()), 1,
        1, 1, 257, 257, "one row past 4 tiles");
  t.add("causal_f32_d128_s128", Spec("causal", F32, 128).mask(M::causal()), 1,
        2, 2, 128, 128, "tile-aligned S");
  t.add("causal_bf16_d128_s32", Spec("causal", BF16, 128).mask(M::causal()),
        1, 1, 1, 32, 32, "exactly one block_n tile at D=128");
  t.add("causal_f16_d64_s63", Spec("causal", F16, 64).mask(M::causal()), 1, 1,
        1, 63, 63, "one row short of a tile");
  t.add("causal_f32_d64_s65", Spec("causal", F32, 64).mask(M::causal()), 1, 1,
        1, 65, 65, "one row past a tile");
  t.add("causal_f32_d64_s1", Spec("causal", F32, 64).mask(M::causal()), 1, 1,
        1, 1, 1, "S = 1");
  t.add("causal_bf16_d64_s5", Spec("causal", BF16, 64).mask(M::causal()), 1,
        2, 1, 5, 5, "S below one tile");
  t.add("causal_f16_d128_sq1_sk300",
        Spec("causal", F16, 128).mask(M::causal()), 1, 2, 1, 1, 300,
        "single query row sees every key (bottom-right)");
  t.add("causal_bf16_d64_sq40_sk200",
        Spec("causal", BF16, 64).mask(M::causal()), 1, 2, 1, 40, 200,
        "Sq < Sk, bottom-right aligned");
  t.add("causal_f32_d128_sq200_sk50",
        Spec("causal", F32, 128).mask(M::causal()), 1, 1, 1, 200, 50,
        "Sq > Sk: the first 150 rows see no key and must be exactly 0");
  t.add("causal_f16_d64_sq65_sk1", Spec("causal", F16, 64).mask(M::causal()),
        1, 1, 1, 65, 1, "Sk = 1: only the last row sees a key");
  t.add("causal_bf16_d128_gqa4to2", Spec("causal", BF16, 128).mask(M::causal()),
        2, 4, 2, 100, 100, "GQA 4:2, batch 2");
  t.add("causal_f32_d64_gqa8to1_b2", Spec("causal", F32, 64).mask(M::causal()),
        2, 8, 1, 33, 33, "GQA 8:1, batch 2");

  // --- window ------------------------------------------------------------
  t.add("win16_0_bf16_d128_s300",
        Spec("win16_0", BF16, 128).mask(M::window(16, 0)), 1, 2, 1, 300, 300,
        "causal window: most key tiles empty");
  t.add("win5_7_f16_d64_s200", Spec("win5_7", F16, 64).mask(M::window(5, 7)),
        1, 2, 1, 200, 200, "left and right both nonzero");
  t.add("win0_0_f32_d128_s100",
        Spec("win0_0", F32, 128).mask(M::window(0, 0)), 1, 1, 1, 100, 100,
        "window of one key (the diagonal)");
  t.add("win0_0_bf16_d64_s1", Spec("win0_0", BF16, 64).mask(M::window(0, 0)),
        1, 1, 1, 1, 1, "window 1, S = 1");
  t.add("win0_0_f16_d128_sq1_sk1",
        Spec("win0_0", F16, 128).mask(M::window(0, 0)), 1, 2, 2, 1, 1);
  t.add("win0_9_f16_d128_s130", Spec("win0_9", F16, 128).mask(M::window(0, 9)),
        1, 1, 1, 130, 130, "look-ahead only");
  t.add("win1000_1000_bf16_d64_s300",
        Spec("win1000_1000", BF16, 64).mask(M::window(1000, 1000)), 1, 1, 1,
        300, 300, "window longer than S (= dense)");
  t.add("win500_0_f32_d128_s300",
        Spec("win500_0", F32, 128).mask(M::window(500, 0)), 1, 1, 1, 300, 300,
        "causal window longer than S (= causal)");
  t.add("win3_3_f32_d64_sq200_sk50",
        Spec("win3_3", F32, 64).mask(M::window(3, 3)), 1, 1, 1, 200, 50,
        "Sq > Sk: rows with i' < -3 see no key");
  t.add("win40_0_f16_d128_sq1_sk300",
        Spec("win40_0", F16, 128).mask(M::window(40, 0)), 1, 2, 1, 1, 300,
        "single row sees keys 259..299");
  t.add("win8_2_bf16_d128_sq40_sk200",
        Spec("win8_2", BF16, 128).mask(M::window(8, 2)), 1, 2, 1, 40, 200,
        "Sq < Sk with look-ahead past the last key");
  t.add("win31_0_f32_d128_s5", Spec("win31_0", F32, 128).mask(M::window(31, 0)),
        1, 2, 1, 5, 5, "S below one tile");
  t.add("win64_64_bf16_d64_gqa8to1",
        Spec("win64_64", BF16, 64).mask(M::window(64, 64)), 1, 8, 1, 257, 257,
        "GQA 8:1, tile-sized window");
  t.add("win20_5_f16_d64_b3", Spec("win20_5", F16, 64).mask(M::window(20, 5)),
        3, 2, 1, 150, 150, "batch 3");

  // --- sink --------------------------------------------------------------
  t.add("sink8_bf16_d128_s300", Spec("sink8", BF16, 128).mask(M::sink(8)), 1,
        2, 1, 300, 300, "only the first key tile is live");
  t.add("sink1_f16_d64_s100", Spec("sink1", F16, 64).mask(M::sink(1)), 1, 1,
        1, 100, 100, "every row sees key 0 only (output = v[0])");
  t.add("sink1000_f32_d64_s300", Spec("sink1000", F32, 64).mask(M::sink(1000)),
        1, 1, 1, 300, 300, "sink longer than S (= dense)");
  t.add("sink64_f16_d128_s5", Spec("sink64", F16, 128).mask(M::sink(64)), 1,
        2, 2, 5, 5, "sink longer than S, S below one tile");
  t.add("sink8_bf16_d64_sq1_sk50", Spec("sink8", BF16, 64).mask(M::sink(8)),
        1, 2, 1, 1, 50, "single query row");
  t.add("sink4_f32_d128_sq200_sk50", Spec("sink4", F32, 128).mask(M::sink(4)),
        1, 1, 1, 200, 50, "Sq > Sk (a sink alone leaves no row empty)");
  t.add("sink33_bf16_d64_gqa4to2", Spec("sink33", BF16, 64).mask(M::sink(33)),
        2, 4, 2, 97, 97, "GQA 4:2, sink not a tile multiple");

  // --- union -------------------------------------------------------------
  t.add("u_win16_sink4_bf16_d128_s300",
        Spec("u_win16_sink4", BF16, 128)
            .mask(M::unite({M::window(16, 0), M::sink(4)})),
        1, 2, 1, 300, 300);
  t.add("u_causal_win0_3_f16_d64_s200",
        Spec("u_causal_win0_3", F16, 64)
            .mask(M::unite({M::causal(), M::window(0, 3)})),
        1, 1, 1, 200, 200, "causal plus 3 keys of look-ahead");
  t.add("u_win3_3_win50_0_f32_d128_s257",
        Spec("u_win3_3_win50_0", F32, 128)
            .mask(M::unite({M::window(3, 3), M::window(50, 0)})),
        1, 1, 1, 257, 257, "union of overlapping windows");
  t.add("u_sink8_win0_5_bf16_d64_sq200_sk50",
        Spec("u_sink8_win0_5", BF16, 64)
            .mask(M::unite({M::sink(8), M::window(0, 5)})),
        1, 2, 1, 200, 50, "Sq > Sk");
  t.add("u_win2_2_sink1_f16_d128_s1",
        Spec("u_win2_2_sink1", F16, 128)
            .mask(M::unite({M::window(2, 2), M::sink(1)})),
        1, 1, 1, 1, 1, "S = 1");
  t.add("u_win3_sink200_bf16_d128_s333",
        Spec("u_win3_sink200", BF16, 128)
            .mask(M::unite({M::window(3, 0), M::sink(200)})),
        1, 2, 1, 333, 333,
        "sink tiles both before and after the window's (one merged loop)");
  t.add("u3_win7_sink3_diag_f32_d64_s150",
        Spec("u3_win7_sink3_diag", F32, 64)
            .mask(M::unite({M::window(7, 0), M::sink(3), M::window(0, 0)})),
        1, 2, 2, 150, 150, "three-way union");

  // --- intersection --------------------------------------------------------
  t.add("i_causal_win40_40_bf16_d128_s300",
        Spec("i_causal_win40_40", BF16, 128)
            .mask(M::intersect({M::causal(), M::window(40, 40)})),
        1, 2, 1, 300, 300, "= window{40, 0}");
  t.add("i_win20_20_sink30_f16_d64_s200",
        Spec("i_win20_20_sink30", F16, 64)
            .mask(M::intersect({M::window(20, 20), M::sink(30)})),
        1, 1, 1, 200, 200, "rows >= 50 see no key (exact zeros, Sq == Sk)");
  t.add("i_sink4_win2_2_f32_d128_s100",
        Spec("i_sink4_win2_2", F32, 128)
            .mask(M::intersect({M::sink(4), M::window(2, 2)})),
        1, 1, 1, 100, 100, "only rows 0..5 see keys");
  t.add("i_win10_0_win0_10_bf16_d64_s130",
        Spec("i_win10_0_win0_10", BF16, 64)
            .mask(M::intersect({M::window(10, 0), M::window(0, 10)})),
        1, 1, 1, 130, 130, "= the diagonal");
  t.add("i_causal_win0_5_f16_d128_sq40_sk200",
        Spec("i_causal_win0_5", F16, 128)
            .mask(M::intersect({M::causal(), M::window(0, 5)})),
        1, 2, 1, 40, 200, "diagonal with Sq < Sk");
  t.add("i_causal_sink8_f32_d64_sq200_sk50",
        Spec("i_causal_sink8", F32, 64)
            .mask(M::intersect({M::causal(), M::sink(8)})),
        1, 1, 1, 200, 50, "Sq > Sk: rows with i' < 0 empty");

  // --- headline: causal & (window | sink) ----------------------------------
  t.add("hl_w40_s8_bf16_d128_s300",
        Spec("hl_w40_s8", BF16, 128).mask(headline(40, 8)), 1, 2, 1, 300, 300,
        "empty, full and partial key tiles");
  t.add("hl_w40_s8_f16_d64_s300",
        Spec("hl_w40_s8", F16, 64).mask(headline(40, 8)), 1, 2, 1, 300, 300);
  t.add("hl_w40_s8_f32_d128_s300",
        Spec("hl_w40_s8", F32, 128).mask(headline(40, 8)), 1, 2, 2, 300, 300);
  t.add("hl_w63_s16_bf16_d64_s500",
        Spec("hl_w63_s16", BF16, 64).mask(headline(63, 16)), 1, 1, 1, 500,
        500, "longer sequence");
  t.add("hl_w2047_s128_bf16_d128_s300",
        Spec("hl_w2047_s128", BF16, 128).mask(headline(2047, 128)), 1, 1, 1,
        300, 300, "the example spec: window longer than S");
  t.add("hl_w1000_s1000_f16_d64_s77",
        Spec("hl_w1000_s1000", F16, 64).mask(headline(1000, 1000)), 1, 1, 1,
        77, 77, "window and sink longer than S (= causal)");
  t.add("hl_w16_s4_bf16_d128_sq1_sk300",
        Spec("hl_w16_s4", BF16, 128).mask(headline(16, 4)), 1, 2, 1, 1, 300,
        "single query row: sink and window far apart");
  t.add("hl_w16_s4_f32_d64_sq40_sk200",
        Spec("hl_w16_s4", F32, 64).mask(headline(16, 4)), 1, 2, 1, 40, 200,
        "Sq < Sk");
  t.add("hl_w16_s4_f16_d128_sq200_sk50",
        Spec("hl_w16_s4", F16, 128).mask(headline(16, 4)), 1, 1, 1, 200, 50,
        "Sq > Sk: rows with i' < 0 empty");
  t.add("hl_w5_s1_bf16_d64_s5", Spec("hl_w5_s1", BF16, 64).mask(headline(5, 1)),
        1, 2, 1, 5, 5, "S below one tile");
  t.add("hl_w40_s8_bf16_d128_gqa8to1",
        Spec("hl_w40_s8", BF16, 128).mask(headline(40, 8)), 1, 8, 1, 130, 130,
        "GQA 8:1");
  t.add("hl_w32_s8_f16_d128_b2_gqa4to2",
        Spec("hl_w32_s8", F16, 128).mask(headline(32, 8)), 2, 4, 2, 200, 200,
        "batch 2, GQA 4:2");
  t.add("hl_w0_s1_f32_d128_s100",
        Spec("hl_w0_s1", F32, 128).mask(headline(0, 1)), 1, 1, 1, 100, 100,
        "window of one key plus one sink");

  // --- scale ---------------------------------------------------------------
  t.add("scale0p5_dense_bf16_d128_s100",
        Spec("scale0p5_dense", BF16, 128).scale(0.5), 1, 2, 1, 100, 100);
  t.add("scale2_causal_f32_d64_s130",
        Spec("scale2_causal", F32, 64).scale(2.0).mask(M::causal()), 1, 1, 1,
        130, 130, "peaked softmax (scores up to ~30)");
  t.add("scale0p01_win_f16_d128_s200",
        Spec("scale0p01_win", F16, 128).scale(0.01).mask(M::window(30, 30)),
        1, 1, 1, 200, 200, "nearly uniform softmax");
  t.add("scale1_hl_bf16_d64_s300",
        Spec("scale1_hl", BF16, 64).scale(1.0).mask(headline(40, 8)), 1, 2, 1,
        300, 300);

  // The ends of the accepted range [2^-63, 2^63] (PatternSpec.h,
  // scoreFactorInRange): a uniform softmax, and a hard maximum. f32, so
  // that the GPU runs them in the same lowering as the CPU.
  t.add("scale_min_causal_f32_d64_s130",
        Spec("scale_min_causal", F32, 64).scale(0x1p-63).mask(M::causal()), 1,
        2, 1, 130, 130, "smallest scale: masked -inf times it stays -inf");
  t.add("scale_max_win_f32_d128_s100",
        Spec("scale_max_win", F32, 128).scale(0x1p63).mask(M::window(20, 0)),
        1, 1, 1, 100, 100, "largest scale: scaled scores near 2^66");

  // --- learnable sinks (a per-head logit in every row's denominator) --------
  // The harness gives head 0 a logit of -inf (plain softmax) and the others
  // logits in [-4, 8): from a sink that barely counts to one that takes
  // most of a row's weight.
  t.add("lsink_dense_bf16_d128_s200",
        Spec("lsink_dense", BF16, 128).learnableSinks(), 1, 4, 4, 200, 200,
        "learnable sinks, dense, S not a multiple of the tile");
  t.add("lsink_causal_gqa_f16_d64_b2_s130",
        Spec("lsink_causal", F16, 64).learnableSinks().mask(M::causal()), 2, 8,
        2, 130, 130,
        "learnable sinks with GQA 4:1 and batch 2 (logit per query head)");
  t.add("lsink_hl_f32_d64_sq1_sk300",
        Spec("lsink_hl", F32, 64).learnableSinks().mask(headline(64, 4)), 1, 3,
        1, 1, 300, "learnable sinks, a single query row");
  t.add("lsink_causal_bf16_d64_sq200_sk50",
        Spec("lsink_causal_empty", BF16, 64).learnableSinks().mask(M::causal()),
        1, 2, 1, 200, 50,
        "learnable sinks with key-less rows: still exactly 0");
  t.add("lsink_cap_win_bf16_d128_s300",
        Spec("lsink_cap_win", BF16, 128)
            .learnableSinks()
            .softcap(5.0)
            .mask(M::intersect({M::causal(), M::window(100, 0)})),
        1, 3, 3, 300, 300, "learnable sinks after a softcap");
  t.add("lsink_delta_bf16_d64_s400",
        Spec("lsink_delta", BF16, 64)
            .learnableSinks()
            .mask(headline(32, 4))
            .delta(16, 64),
        1, 2, 1, 400, 400,
        "learnable sinks in both the sparse and the dense rows of delta");

  // --- ALiBi (slope * (j - i') after the softcap) ---------------------------
  // Geometric slopes for H = 4 (2^-2 .. 2^-8) and 12 (not a power of two);
  // the tensor form gets head 0 a slope of 0 and the others [-0.02, 0.1).
  using AS = PatternSpec::AlibiSlopes;
  t.add("alibi_geo_causal_bf16_d128_s200",
        Spec("alibi_geo_causal", BF16, 128)
            .alibi(AS::Geometric)
            .mask(M::causal()),
        1, 4, 4, 200, 200, "ALiBi, geometric slopes, causal");
  t.add("alibi_geo_h12_f32_d64_s130",
        Spec("alibi_geo_h12", F32, 64).alibi(AS::Geometric), 1, 12, 3, 130, 130,
        "ALiBi, geometric slopes of 12 heads, dense (positive bias on later "
        "keys), GQA");
  t.add("alibi_tensor_sq_lt_sk_f16_d64_b2",
        Spec("alibi_tensor", F16, 64).alibi(AS::Tensor).mask(M::causal()), 2, 4,
        2, 70, 300, "ALiBi from a tensor, Sq < Sk (bottom-right i'), batch 2");
  t.add("alibi_cap_hl_bf16_d64_s300",
        Spec("alibi_cap_hl", BF16, 64)
            .alibi(AS::Geometric)
            .softcap(20.0)
            .mask(headline(64, 4)),
        1, 2, 1, 300, 300, "ALiBi after a softcap, window + sinks");
  t.add("alibi_sinks_delta_bf16_d64_s400",
        Spec("alibi_sinks_delta", BF16, 64)
            .alibi(AS::Tensor)
            .learnableSinks()
            .mask(headline(32, 4))
            .delta(16, 64),
        1, 2, 1, 400, 400,
        "ALiBi and learnable sinks with the delta correction");

  // --- dilated windows, chunks, prefix-LM ---------------------------------
  t.add("dilated3_win64_bf16_d128_s300",
        Spec("dilated3_win64", BF16, 128).mask(M::window(63, 0, 3)), 1, 2, 2,
        300, 300, "every third key of a causal window of 64");
  t.add("dilated4_sym_sinks_f32_d64_sq100_sk260",
        Spec("dilated4_sym_sinks", F32, 64)
            .mask(M::unite({M::window(40, 40, 4), M::sink(5)})),
        2, 4, 2, 100, 260,
        "a two-sided dilated window united with sinks, Sq < Sk, GQA, batch 2");
  t.add("dilated_lcm_f16_d64_s200",
        Spec("dilated_lcm", F16, 64)
            .mask(M::intersect(
                {M::window(90, 0, 2), M::window(120, 10, 3), M::causal()})),
        1, 1, 1, 200, 200, "dilations 2 and 3 intersect in every sixth key");
  t.add("dilated_wide_bf16_d64_s150",
        Spec("dilated_wide", BF16, 64).mask(M::window(149, 0, 100)), 1, 1, 1,
        150, 150,
        "a dilation longer than a key tile: the diagonal and one "
        "key 100 back");
  t.add("chunk500_causal_bf16_d128_s1100",
        Spec("chunk500_causal", BF16, 128)
            .mask(M::intersect({M::causal(), M::chunk(500)})),
        1, 2, 1, 1100, 1100,
        "chunked local attention, chunks of 500 (not on a tile boundary)");
  t.add("chunk100_f32_d64_sq70_sk330",
        Spec("chunk100", F32, 64).mask(M::chunk(100)), 2, 2, 2, 70, 330,
        "bidirectional chunks, queries aligned to the last keys, batch 2");
  t.add("chunk64_causal_sq_gt_sk_bf16_d64",
        Spec("chunk64_causal", BF16, 64)
            .mask(M::intersect({M::causal(), M::chunk(64)})),
        1, 2, 1, 200, 120,
        "Sq > Sk: the first rows sit at negative positions (chunk -1: no "
        "key, zeros)");
  t.add("chunk_nested_sinks_f16_d128_s400",
        Spec("chunk_nested_sinks", F16, 128)
            .mask(M::unite(
                {M::intersect({M::causal(), M::chunk(150), M::chunk(50)}),
                 M::sink(7)})),
        1, 3, 3, 400, 400, "chunks of 50 inside chunks of 150, and sinks");
  t.add("chunk_window_f32_d64_s300",
        Spec("chunk_window", F32, 64)
            .mask(M::intersect({M::chunk(128), M::window(20, 5)})),
        1, 1, 1, 300, 300, "a window clipped at chunk boundaries");
  t.add("prefix_lm77_bf16_d128_s300",
        Spec("prefix_lm77", BF16, 128).mask(M::prefixLM(77)), 1, 2, 1, 300, 300,
        "prefix-LM, a prefix of 77 (not on a tile boundary)");
  t.add("prefix_lm_long_f16_d64_sq90_sk200",
        Spec("prefix_lm_long", F16, 64).mask(M::prefixLM(500)), 1, 2, 2, 90,
        200, "a prefix longer than the sequence: dense");
  t.add("prefix_lm_delta_bf16_d64_s500",
        Spec("prefix_lm_delta", BF16, 64)
            .mask(M::intersect({M::prefixLM(40), M::window(32, 0)}))
            .delta(16, 64),
        1, 2, 1, 500, 500, "delta over a windowed prefix-LM");
  t.add("chunk_delta_bf16_d64_s600",
        Spec("chunk_delta", BF16, 64)
            .mask(M::intersect({M::causal(), M::chunk(100)}))
            .delta(32, 64),
        1, 2, 1, 600, 600, "delta over chunked local attention");

  // --- the delta correction's reference ------------------------------------
  t.add("delta_dense_ref_bf16_d64_s500",
        Spec("delta_dense_ref", BF16, 64)
            .mask(M::unite({M::window(31, 32), M::sink(4)}))
            .delta(16, 64)
            .reference(std::nullopt),
        1, 2, 1, 500, 500,
        "a bidirectional window corrected towards dense attention (every "
        "key: an encoder's reference)");
  t.add("delta_chunk_ref_f32_d64_s300",
        Spec("delta_chunk_ref", F32, 64)
            .mask(M::intersect({M::causal(), M::window(20, 0)}))
            .delta(8, 40)
            .reference(M::intersect({M::causal(), M::chunk(100)})),
        2, 2, 2, 300, 300,
        "a sliding window corrected towards chunked local attention, batch 2");
  t.add("delta_ref_prefix_f16_d128_s333",
        Spec("delta_ref_prefix", F16, 128)
            .mask(M::window(40, 0))
            .delta(32, 64)
            .reference(M::prefixLM(50)),
        1, 2, 1, 333, 333, "a prefix-LM reference (not on a tile boundary)");

  // --- packed documents (offsets read at launch; the first document of a
  // batch row is one token long where Nd >= 2) -------------------------------
  const M docs = M::documents();
  t.add("docs4_causal_bf16_d128_s700",
        Spec("docs4_causal", BF16, 128).mask(M::intersect({docs, M::causal()})),
        2, 2, 1, 700, 700,
        "four documents a batch row, causal inside each (boundaries off the "
        "tiles, a document of one token), different per batch row, GQA");
  t.documents(4);
  t.add("docs1_causal_f32_d64_s130",
        Spec("docs1_causal", F32, 64).mask(M::intersect({M::causal(), docs})),
        1, 2, 2, 130, 130, "a single document: plain causal attention");
  t.documents(1);
  t.add("docs_dense_f16_d64_s300", Spec("docs_dense", F16, 64).mask(docs), 1, 3,
        3, 300, 300, "documents alone: bidirectional inside each");
  t.documents(5);
  t.add("docs_sq_lt_sk_bf16_d64_sq150_sk400",
        Spec("docs_sq_lt_sk", BF16, 64).mask(M::intersect({docs, M::causal()})),
        2, 4, 2, 150, 400,
        "Sq < Sk: each document's queries aligned to the end of its own keys "
        "(chunked prefill), offsets of queries and keys independent");
  t.documents(3);
  t.add("docs_sq_gt_sk_f32_d64_sq200_sk90",
        Spec("docs_sq_gt_sk", F32, 64).mask(M::intersect({docs, M::causal()})),
        1, 1, 1, 200, 90,
        "Sq > Sk: documents with more queries than keys, whose first queries "
        "see nothing (zeros)");
  t.documents(3);
  t.add("docs_window_sinks_bf16_d128_s600",
        Spec("docs_window_sinks", BF16, 128)
            .mask(M::intersect(
                {docs, M::causal(), M::unite({M::window(40, 0), M::sink(4)})})),
        1, 2, 1, 600, 600,
        "documents with a sliding window and sinks, both counted from each "
        "document's start");
  t.documents(4);
  t.add("docs_many_f16_d128_s260",
        Spec("docs_many", F16, 128).mask(M::intersect({docs, M::causal()})), 2,
        2, 2, 260, 260,
        "40 documents in 260 tokens: many empty or tiny ones, several in one "
        "query tile");
  t.documents(40);
  t.add("docs_chunk_alibi_cap_f32_d64_s300",
        Spec("docs_chunk_alibi_cap", F32, 64)
            .softcap(20.0)
            .alibi(AS::Geometric)
            .mask(M::intersect({docs, M::causal(), M::chunk(50)})),
        1, 4, 2, 300, 300, "chunks inside documents, ALiBi after a softcap");
  t.documents(3);
  t.add("docs_decode_bf16_d64_sq1_sk300",
        Spec("docs_decode", BF16, 64).mask(M::intersect({docs, M::causal()})),
        3, 2, 1, 1, 300,
        "one query a batch row against packed keys: it sits in whichever "
        "document holds a query");
  t.documents(2);
  t.add("docs_sinks_tensor_bf16_d128_s333",
        Spec("docs_sinks_tensor", BF16, 128)
            .learnableSinks()
            .mask(M::intersect({docs, M::causal()})),
        1, 2, 2, 333, 333, "documents with learnable sinks");
  t.documents(6);

  // --- block-sparse layouts (lists read at launch; host tiles are 64 x 32
  // at head_dim 128 and 64 x 64 at 64, shrunk to divide the layout's
  // blocks) ---------------------------------------------------------------
  auto layout = [](int64_t bm, int64_t bn, std::optional<M> partial = {}) {
    return M::blockLayout(bm, bn, std::move(partial));
  };
  t.add("layout128_bf16_d128_s700",
        Spec("layout128", BF16, 128).mask(layout(128, 128)), 2, 2, 1, 700, 700,
        "128 x 128 blocks (four key tiles a block), one layout for every "
        "batch row and head, half the blocks listed, full and partial alike "
        "kept whole, GQA");
  t.layout(1, 1, 0.5);
  t.add("layout64x256_causal_f16_d64_s600",
        Spec("layout64x256_causal", F16, 64).mask(layout(64, 256, M::causal())),
        1, 3, 1, 600, 600,
        "64 x 256 blocks whose partial blocks are causal (FlexAttention's "
        "mask_mod), a layout a head, a last key block cut by Sk");
  t.layout(1, 3, 0.6, /*causal=*/true);
  t.add("layout16_f32_d64_s150", Spec("layout16", F32, 64).mask(layout(16, 16)),
        2, 2, 2, 150, 150,
        "16 x 16 blocks (the tile shrinks to 16 x 16), a layout a batch row "
        "and head");
  t.layout(2, 2, 0.4);
  t.add("layout64_window_bf16_d128_s500",
        Spec("layout64_window", BF16, 128)
            .mask(M::intersect({layout(64, 64), M::window(70, 0)})),
        1, 2, 2, 500, 500,
        "a layout intersected with a sliding window: full blocks classified "
        "by the window");
  t.layout(1, 2, 0.7);
  t.add("layout_all_full_f16_d128_s333",
        Spec("layout_all_full", F16, 128).mask(layout(64, 128)), 1, 2, 1, 333,
        333, "every block listed as full or partial: dense attention");
  t.layout(1, 1, 1.0);
  t.add("layout_sparse_rows_bf16_d64_s640",
        Spec("layout_sparse_rows", BF16, 64).mask(layout(64, 64, M::causal())),
        2, 2, 1, 640, 640,
        "a sparse layout (about one block in eight): query block rows with "
        "nothing listed give zeros, never NaN");
  t.layout(2, 1, 0.12);
  t.add("layout_gqa8_bf16_d64_s200",
        Spec("layout_gqa8", BF16, 64).mask(layout(64, 128, M::causal())), 1, 8,
        1, 200, 200, "eight query heads on one kv head, a layout a head");
  t.layout(1, 8, 0.5, /*causal=*/true);
  t.add("layout_sq_lt_sk_f32_d64_sq100_sk400",
        Spec("layout_sq_lt_sk", F32, 64).mask(layout(64, 128, M::causal())), 1,
        2, 1, 100, 400,
        "Sq < Sk: blocks number queries by their own rows, the partial mask "
        "is bottom-right aligned");
  t.layout(1, 1, 0.6, /*causal=*/true);
  t.add("layout_decode_bf16_d128_sq1_sk300",
        Spec("layout_decode", BF16, 128).mask(layout(64, 64)), 2, 2, 1, 1, 300,
        "one query row: one query block");
  t.layout(2, 2, 0.5);
  t.add("layout_alibi_sinks_bf16_d128_s400",
        Spec("layout_alibi_sinks", BF16, 128)
            .alibi(AS::Tensor)
            .learnableSinks()
            .mask(M::intersect({M::causal(), layout(128, 64, M::sink(1))})),
        1, 2, 2, 400, 400,
        "ALiBi slopes and learnable sinks over a layout ∩ causal whose "
        "partial blocks keep only the first key");
  t.layout(1, 2, 0.6, /*causal=*/true);

  // --- softcap -------------------------------------------------------------
  t.add("cap5_dense_f32_d128_s100",
        Spec("cap5_dense", F32, 128).scale(1.0).softcap(5.0), 1, 1, 1, 100,
        100, "cap active: |scores| up to ~20 before the cap");
  t.add("cap30_causal_bf16_d64_s300",
        Spec("cap30_causal", BF16, 64).softcap(30.0).mask(M::causal()), 1, 2,
        1, 300, 300);
  t.add("cap2_win16_f16_d128_s200",
        Spec("cap2_win16", F16, 128).scale(0.5).softcap(2.0).mask(
            M::window(16, 0)),
        1, 1, 1, 200, 200);
  t.add("cap50_hl_f32_d64_s300",
        Spec("cap50_hl", F32, 64).softcap(50.0).mask(headline(40, 8)), 1, 2,
        1, 300, 300);
  t.add("cap1_causal_bf16_d128_sq200_sk50",
        Spec("cap1_causal", BF16, 128).scale(1.0).softcap(1.0).mask(
            M::causal()),
        1, 1, 1, 200, 50, "softcap with key-less rows");
  t.add("cap20_sink8_f16_d64_sq1_sk100",
        Spec("cap20_sink8", F16, 64).scale(1.0).softcap(20.0).mask(M::sink(8)),
        1, 2, 1, 1, 100);
  // Large caps: s / c is small, where tanh as 1 - 2 / (e^2x + 1) cancels
  // (relative error 2^-24 / |x|: 4e-4 rel L2 at 1e4, 4e-2 at 1e6).
  t.add("cap1e4_causal_f32_d64_s300",
        Spec("cap1e4_causal", F32, 64).softcap(1e4).mask(M::causal()), 1, 2,
        1, 300, 300, "softcap 1e4: tanh of ~1e-5");
  t.add("cap1e6_dense_f32_d128_s100",
        Spec("cap1e6_dense", F32, 128).scale(1.0).softcap(1e6), 1, 1, 1, 100,
        100, "softcap 1e6");
  t.add("cap1e8_hl_f32_d64_s200",
        Spec("cap1e8_hl", F32, 64).softcap(1e8).mask(headline(40, 8)), 1, 2, 1,
        200, 200, "softcap 1e8");
  t.add("cap1e6_causal_bf16_d128_s200",
        Spec("cap1e6_causal", BF16, 128).softcap(1e6).mask(M::causal()), 1, 2,
        1, 200, 200, "softcap 1e6 in the tensor-core lowering (on a GPU)");
  t.add("cap1e5_win_f16_d64_s150",
        Spec("cap1e5_win", F16, 64).scale(1.0).softcap(1e5).mask(
            M::window(30, 0)),
        1, 2, 2, 150, 150, "softcap 1e5, f16");
  // Where tanh switches form (|s / c| = 0.55): scores of ~1-10 against a cap
  // of 4 cross it in both directions.
  t.add("cap4_dense_f32_d64_s100",
        Spec("cap4_dense", F32, 64).scale(1.0).softcap(4.0), 1, 2, 1, 100,
        100, "scores on both sides of the tanh switch");
  t.add("cap_max_causal_f32_d64_s100",
        Spec("cap_max_causal", F32, 64).scale(1.0).softcap(0x1p63).mask(
            M::causal()),
        1, 1, 1, 100, 100, "largest cap: tanh of ~2^-61");
  t.add("cap_min_causal_f32_d64_s100",
        Spec("cap_min_causal", F32, 64).softcap(0x1p-63).mask(M::causal()), 1,
        1, 1, 100, 100, "smallest cap: every score saturates to +-2^-63");

  // --- delta correction (Sq == Sk) ---------------------------------------
  // cut = S mod gamma + max(tail_min, gamma); main rows = S - cut.
  t.add("dl_g8_t0_hl_bf16_d128_s300",
        Spec("dl_g8_t0_hl", BF16, 128).mask(headline(16, 4)).delta(8, 0), 1,
        2, 1, 300, 300, "36 anchors, 12 tail rows");
  t.add("dl_g16_t4_win8_f16_d64_s300",
        Spec("dl_g16_t4_win8", F16, 64).mask(M::window(8, 0)).delta(16, 4), 1,
        2, 1, 300, 300, "tail_min < gamma");
  t.add("dl_g64_t128_hl_bf16_d128_s300",
        Spec("dl_g64_t128_hl", BF16, 128).mask(headline(40, 8)).delta(64, 128),
        1, 2, 1, 300, 300, "the default correction: anchors 0 and 64");
  t.add("dl_g64_t128_hl_f32_d64_s500",
        Spec("dl_g64_t128_hl", F32, 64).mask(headline(63, 16)).delta(64, 128),
        1, 1, 1, 500, 500, "5 anchors");
  t.add("dl_g64_t0_win10_bf16_d128_s257",
        Spec("dl_g64_t0_win10", BF16, 128).mask(M::window(10, 0)).delta(64, 0),
        1, 1, 1, 257, 257, "3 anchors, main rows = 3 full row tiles");
  // Several anchor tiles (of 64 packed anchor rows) per head: odd and even
  // counts, so that a program-to-anchor-tile mapping that is off anywhere
  // (heaviest first, pairs, ...) shows.
  t.add("dl_g8_t0_hl100_bf16_d64_s600",
        Spec("dl_g8_t0_hl100", BF16, 64).mask(headline(100, 4)).delta(8, 0), 1,
        2, 1, 600, 600, "74 anchors: 2 anchor tiles");
  t.add("dl_g8_t0_hl100_f16_d64_s1100",
        Spec("dl_g8_t0_hl100", F16, 64).mask(headline(100, 4)).delta(8, 0), 1,
        1, 1, 1100, 1100, "136 anchors: 3 anchor tiles");
  t.add("dl_g8_t0_hl300_bf16_d64_s2060",
        Spec("dl_g8_t0_hl300", BF16, 64).mask(headline(300, 8)).delta(8, 0), 1,
        1, 1, 2060, 2060, "256 anchors: 4 anchor tiles");
  t.add("dl_g8_t4_sink8_f32_d128_s100",
        Spec("dl_g8_t4_sink8", F32, 128).mask(M::sink(8)).delta(8, 4), 1, 2,
        2, 100, 100);
  // Patterns that admit keys after i' (no mask, window right > 0, a sink
  // beyond i'): the anchor kernel must visit those key tiles too for O_sp
  // of the anchors (it once visited only the causal range).
  t.add("dl_g16_t0_dense_f16_d128_s100",
        Spec("dl_g16_t0_dense", F16, 128).delta(16, 0), 1, 1, 1, 100, 100,
        "no mask: sparse rows are dense non-causal, anchors dense causal");
  t.add("dl_g64_t128_look50_f32_d128_s300",
        Spec("dl_g64_t128_look50", F32, 128)
            .mask(M::window(0, 50))
            .delta(64, 128),
        1, 1, 1, 300, 300, "look-ahead past the anchor tile's key range");
  t.add("dl_g64_t128_look20_f32_d128_s300",
        Spec("dl_g64_t128_look20", F32, 128)
            .mask(M::window(0, 20))
            .delta(64, 128),
        1, 1, 1, 300, 300,
        "look-ahead inside the anchor tile's key range (not hit by the "
        "delta_anchor bug)");
  t.add("dl_g8_t0_look3_f16_d64_s150",
        Spec("dl_g8_t0_look3", F16, 64).mask(M::window(3, 3)).delta(8, 0), 1,
        2, 1, 150, 150, "small look-ahead with delta");
  t.add("dl_g64_t4_hl_bf16_d128_s40",
        Spec("dl_g64_t4_hl", BF16, 128).mask(headline(16, 4)).delta(64, 4), 1,
        2, 1, 40, 40, "gamma > S: every row is a tail row");
  t.add("dl_g16_t128_win8_f16_d64_s100",
        Spec("dl_g16_t128_win8", F16, 64).mask(M::window(8, 0)).delta(16, 128),
        1, 1, 1, 100, 100, "tail_min > S: every row is a tail row");
  t.add("dl_g8_t0_hl_f32_d64_s1",
        Spec("dl_g8_t0_hl", F32, 64).mask(headline(16, 4)).delta(8, 0), 1, 1,
        1, 1, 1, "S = 1");
  t.add("dl_g8_t0_hl_f32_d64_s5",
        Spec("dl_g8_t0_hl", F32, 64).mask(headline(16, 4)).delta(8, 0), 1, 2,
        1, 5, 5, "S = 5");
  t.add("dl_g8_t0_win4_bf16_d64_s17",
        Spec("dl_g8_t0_win4", BF16, 64).mask(M::window(4, 0)).delta(8, 0), 1,
        1, 1, 17, 17, "one anchor, 8 main rows");
  t.add("dl_g8_t0_win4_bf16_d64_s16",
        Spec("dl_g8_t0_win4", BF16, 64).mask(M::window(4, 0)).delta(8, 0), 1,
        1, 1, 16, 16, "one anchor, main rows = 8");
  t.add("dl_g16_t4_win8_bf16_d64_gqa8to1",
        Spec("dl_g16_t4_win8", BF16, 64).mask(M::window(8, 0)).delta(16, 4),
        1, 8, 1, 130, 130, "GQA 8:1");
  t.add("dl_g8_t0_hl_f16_d128_b3",
        Spec("dl_g8_t0_hl", F16, 128).mask(headline(16, 4)).delta(8, 0), 3, 2,
        1, 150, 150, "batch 3");
  t.add("dl_g16_t0_cap10_f32_d128_s200",
        Spec("dl_g16_t0_cap10", F32, 128)
            .scale(0.5)
            .softcap(10.0)
            .mask(M::unite({M::window(24, 0), M::sink(4)}))
            .delta(16, 0),
        1, 1, 1, 200, 200, "delta with scale and softcap");
  t.add("dl_g8_t0_win16_f32_d64_s700",
        Spec("dl_g8_t0_win16", F32, 64).mask(M::window(16, 0)).delta(8, 0), 1,
        1, 1, 700, 700, "86 anchors: more than one block_m tile of anchors");
  t.add("dl_g64_t0_causal_f16_d64_s300",
        Spec("dl_g64_t0_causal", F16, 64).mask(M::causal()).delta(64, 0), 1,
        2, 1, 300, 300, "causal pattern: the correction is zero");
  t.add("dl_g64_t128_hl_bf16_d64_gqa4to2",
        Spec("dl_g64_t128_hl", BF16, 64).mask(headline(40, 8)).delta(64, 128),
        2, 4, 2, 330, 330, "batch 2, GQA 4:2");

  addRandomCases(t);
  addRandomWideMaskCases(t);
  return t.take();
}

} // namespace


const std::vector<NumericCase> &numericCases() {
  static const std::vector<NumericCase> cases = build();
  return cases;
}

std::vector<NumericCase> passingCases() {
  std::vector<NumericCase> out;
  for (const NumericCase &c : numericCases())
    if (c.knownBug.empty())
      out.push_back(c);
  return out;
}

std::vector<NumericCase> knownBugCases() {
  std::vector<NumericCase> out;
  for (const NumericCase &c : numericCases())
    if (!c.knownBug.empty())
      out.push_back(c);
  return out;
}

} // namespace sattn::test
