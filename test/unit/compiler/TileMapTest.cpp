//===- TileMapTest.cpp - The host tile map against the mask itself --------===//
//
// classifyTileMap and countKeptPairs (sparse-opt --emit=tile-map) read the
// regions the compiler normalises a mask to. They are checked against the
// double-precision reference's per-element mask (Reference/MaskAllows.cpp,
// which shares no code with the compiler): the kept pairs exactly; an
// empty tile holds no kept pair and a full tile nothing else. The closed
// form may call a tile partial that is all kept or all dropped (it asks
// one region at a time), so for the plain masks, where it is exact, the
// counts of each class are pinned by hand.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Analysis/TileMap.h"
#include "Compiler/Driver/Compiler.h"
#include "Compiler/Driver/TileMapReport.h"
#include "Reference/Reference.h"
#include "sattn/IR/Sattn.h"

#include <gtest/gtest.h>

#include <random>

using namespace mlir::sattn;
using ::sattn::MaskExpr;
using M = ::sattn::MaskExpr;

namespace {

/// The regions sattn-classify-tiles makes of `mask`.
std::vector<MaskRegion> regionsOf(const MaskExpr &mask) {
  ::sattn::PatternSpec spec;
  spec.name = "p";
  spec.dtype = ::sattn::DType::F16;
  spec.headDim = 64;
  spec.mask = mask;
  ::sattn::CompilerSession session;
  auto module = session.importSpec(spec);
  EXPECT_TRUE(module.isOk()) << module.status().message();
  if (!module.isOk())
    return {};
  mlir::OwningOpRef<mlir::ModuleOp> m = module.take();
  ::sattn::Status s = session.runPipeline(
      *m, "builtin.module(sattn-classify-tiles)", "classification");
  EXPECT_TRUE(s) << s.message();
  std::vector<MaskRegion> out;
  m->walk([&](AttentionOp op) {
    for (const MaskRegion &r :
         regionsFromAttr(op.getTilePlanAttr().getRegions()))
      out.push_back(r);
  });
  return out;
}

struct Counted {
  int64_t kept = 0;
};

/// Checks the map and the count of `mask` at (Sq, Sk) against the reference.
void checkAgainstReference(const MaskExpr &mask, int64_t Sq, int64_t Sk,
                           int64_t bm, int64_t bn, const std::string &what) {
  SCOPED_TRACE(what + " Sq=" + std::to_string(Sq) +
               " Sk=" + std::to_string(Sk));
  std::vector<MaskRegion> regions = regionsOf(mask);
  TileMap map = classifyTileMap(regions, Sq, Sk, bm, bn);
  ASSERT_EQ(map.tilesM, (Sq + bm - 1) / bm);
  ASSERT_EQ(map.tilesN, (Sk + bn - 1) / bn);
  int64_t kept = 0;
  for (int64_t qt = 0; qt < map.tilesM; ++qt)
    for (int64_t kt = 0; kt < map.tilesN; ++kt) {
      int64_t inTile = 0, pairs = 0;
      for (int64_t i = qt * bm; i < std::min(Sq, (qt + 1) * bm); ++i)
        for (int64_t j = kt * bn; j < std::min(Sk, (kt + 1) * bn); ++j) {
          ++pairs;
          inTile += ::sattn::ref::maskAllows(mask, i, j, Sq, Sk);
        }
      kept += inTile;
      TileClass c = map.at(qt, kt);
      if (c == TileClass::Empty)
        EXPECT_EQ(inTile, 0) << "tile " << qt << "," << kt << " empty";
      if (c == TileClass::Full) {
        EXPECT_EQ(inTile, pairs) << "tile " << qt << "," << kt << " full";
        // Rows past Sq do not exist, keys past Sk would be masked.
        EXPECT_LE((kt + 1) * bn, Sk) << "a key-ragged tile is never full";
      }
    }
  EXPECT_EQ(countKeptPairs(regions, Sq, Sk), kept);
}

TEST(TileMap, CausalIsExact) {
  std::vector<MaskRegion> causal = regionsOf(M::causal());
  // 300 rows, 64 x 64 tiles: 5 x 5, the diagonal partial, below it full
  // except the ragged last key column (none: the last key tile is on the
  // diagonal), above it empty.
  TileMap map = classifyTileMap(causal, 300, 300, 64, 64);
  EXPECT_EQ(map.count(TileClass::Partial), 5);
  EXPECT_EQ(map.count(TileClass::Full), 10);
  EXPECT_EQ(map.count(TileClass::Empty), 10);
  EXPECT_EQ(countKeptPairs(causal, 300, 300), 300 * 301 / 2);
  // Sq > Sk: the first 100 rows see no key.
  EXPECT_EQ(countKeptPairs(causal, 300, 200), 200 * 201 / 2);
}

TEST(TileMap, ChunkedLocalCountsEachChunk) {
  std::vector<MaskRegion> r =
      regionsOf(M::intersect({M::causal(), M::chunk(500)}));
  // Chunks of 500, 500 and 100 rows, causal within each.
  EXPECT_EQ(countKeptPairs(r, 1100, 1100), 2 * (500 * 501 / 2) + 100 * 101 / 2);
}

TEST(TileMap, DilatedWindowKeepsEveryThirdKey) {
  std::vector<MaskRegion> r = regionsOf(M::window(63, 0, 3));
  // Row i keeps i, i - 3, ..., down to max(0, i - 63): 22 keys from row
  // 63 on (0, 3, ..., 63), floor(i / 3) + 1 before.
  int64_t expect = 0;
  for (int64_t i = 0; i < 200; ++i)
    expect += i >= 63 ? 22 : i / 3 + 1;
  EXPECT_EQ(countKeptPairs(r, 200, 200), expect);
  // Never full.
  TileMap map = classifyTileMap(r, 200, 200, 64, 64);
  EXPECT_EQ(map.count(TileClass::Full), 0);
}

TEST(TileMap, HandPickedPatternsAgreeWithTheReference) {
  checkAgainstReference(M::causal(), 300, 300, 64, 64, "causal");
  checkAgainstReference(M::causal(), 70, 330, 64, 32, "causal Sq<Sk");
  checkAgainstReference(
      M::intersect({M::causal(), M::unite({M::window(100, 0), M::sink(4)})}),
      400, 400, 64, 32, "window + sinks");
  checkAgainstReference(M::prefixLM(77), 300, 300, 64, 64, "prefix-LM");
  checkAgainstReference(M::chunk(100), 150, 330, 64, 64, "chunks Sq<Sk");
  checkAgainstReference(M::intersect({M::causal(), M::chunk(64)}), 200, 120, 64,
                        64, "chunks Sq>Sk");
  checkAgainstReference(
      M::unite({M::window(40, 40, 4), M::window(200, 0, 6), M::sink(5)}), 260,
      260, 64, 32, "two dilations and sinks");
}

TEST(TileMap, RandomPatternsAgreeWithTheReference) {
  std::mt19937_64 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const int64_t chunks[] = {16, 48, 96};
  std::function<M(int)> randomMask = [&](int depth) -> M {
    switch (pick(0, depth < 2 ? 6 : 4)) {
    case 0:
      return M::causal();
    case 1:
      return M::window(pick(0, 100), pick(0, 30), pick(1, 4));
    case 2:
      return M::sink(pick(1, 60));
    case 3:
      return M::chunk(chunks[pick(0, 2)]);
    case 4:
      return M::prefixLM(pick(1, 90));
    default: {
      std::vector<M> c;
      for (int64_t n = pick(2, 3); n > 0; --n)
        c.push_back(randomMask(depth + 1));
      return pick(0, 1) ? M::unite(std::move(c)) : M::intersect(std::move(c));
    }
    }
  };
  for (int n = 0; n < 40; ++n) {
    M mask = randomMask(0);
    checkAgainstReference(mask, pick(1, 260), pick(1, 260), 64,
                          pick(0, 1) ? 32 : 64, "random " + std::to_string(n));
  }
}

} // namespace

// A block layout's map, from hand-written lists: its listed tiles only,
// full where the list and the mask make them so, and its kept pairs
// against a per-element count from the mask's definition.
TEST(TileMap, BlockLayoutMapsItsListedTiles) {
  ::sattn::PatternSpec spec;
  spec.name = "layout";
  spec.dtype = ::sattn::DType::F16;
  spec.headDim = 64;
  const MaskExpr window = M::window(150, 0);
  spec.mask = M::intersect({window, M::blockLayout(128, 64, M::causal())});
  // Sq = Sk = 300: 3 query blocks, 5 key blocks. Partial blocks: (0, 0),
  // (1, 2), (2, 4); full: (1, 0), (1, 1), (2, 2), (2, 0).
  ::sattn::BlockLayoutLists lists;
  lists.lists[0] = {{0}, {2}, {4}};
  lists.lists[1] = {{}, {1, 0}, {2, 0}};
  const int64_t S = 300;
  ::sattn::CompilerSession session;
  auto module = session.importSpec(spec);
  ASSERT_TRUE(module) << module.status().message();
  auto info = session.describe(**module, "0");
  ASSERT_TRUE(info) << info.status().message();
  auto report = ::sattn::reportTileMap(session, **module, *info, "host", {}, S,
                                       S, nullptr, &lists);
  ASSERT_TRUE(report) << report.status().message();
  const TileMap &map = report->map;
  // Host tiles at head_dim 64 are 64 x 64, which divide the blocks.
  ASSERT_EQ(map.blockM, 64);
  ASSERT_EQ(map.blockN, 64);
  auto listed = [&](int64_t i, int64_t j) {
    const size_t r = size_t(i / 128);
    const int64_t c = j / 64;
    for (int list = 0; list < 2; ++list)
      for (int64_t b : lists.lists[list][r])
        if (b == c)
          return list == 0 ? 1 : 2;
    return 0;
  };
  auto kept = [&](int64_t i, int64_t j) {
    const int verdict = listed(i, j);
    return verdict != 0 && ::sattn::ref::maskAllows(window, i, j, S, S) &&
           (verdict == 2 || ::sattn::ref::maskAllows(M::causal(), i, j, S, S));
  };
  int64_t total = 0;
  for (int64_t qt = 0; qt < map.tilesM; ++qt)
    for (int64_t kt = 0; kt < map.tilesN; ++kt) {
      int64_t inTile = 0, pairs = 0, listedPairs = 0;
      for (int64_t i = qt * 64; i < std::min(S, (qt + 1) * 64); ++i)
        for (int64_t j = kt * 64; j < std::min(S, (kt + 1) * 64); ++j) {
          ++pairs;
          inTile += kept(i, j);
          listedPairs += listed(i, j) != 0;
        }
      total += inTile;
      SCOPED_TRACE("tile " + std::to_string(qt) + "," + std::to_string(kt));
      EXPECT_EQ(map.at(qt, kt) == TileClass::Empty, listedPairs == 0);
      if (map.at(qt, kt) == TileClass::Full)
        EXPECT_EQ(inTile, pairs);
    }
  EXPECT_EQ(report->keptPairs, total);
  EXPECT_NE(report->text.find("3 partial and 4 full blocks listed"),
            std::string::npos)
      << report->text;
  // Without its lists a layout's map cannot be drawn.
  auto none =
      ::sattn::reportTileMap(session, **module, *info, "host", {}, S, S);
  ASSERT_FALSE(none);
  EXPECT_NE(none.status().message().find("reads a block layout at launch"),
            std::string::npos);
}
