//===- TileMap.cpp - A pattern's tiles at one shape, on the host ----------===//
#include "Compiler/Analysis/TileMap.h"

#include <algorithm>
#include <numeric>

using namespace mlir;
using namespace mlir::sattn;

namespace {

int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}
int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

int64_t chunkStart(int64_t p, int64_t c) { return floorDiv(p, c) * c; }

/// Keys [lo, hi) of region `r` for the rows at key-coordinate positions
/// [first, last] (a single row: first == last), before the dilation.
std::pair<int64_t, int64_t> keyRange(const MaskRegion &r, int64_t first,
                                     int64_t last, int64_t seqK) {
  int64_t lo = std::max<int64_t>(r.colLo.value_or(0), 0);
  if (r.diagLo)
    lo = std::max(lo, first + *r.diagLo);
  if (r.chunk)
    lo = std::max(lo, chunkStart(first, *r.chunk));
  int64_t hi = seqK;
  if (r.colHi)
    hi = std::min(hi, *r.colHi);
  if (r.diagHi)
    hi = std::min(hi, last + *r.diagHi + 1);
  if (r.chunk)
    hi = std::min(hi, chunkStart(last, *r.chunk) + *r.chunk);
  return {lo, hi};
}

/// Whether region `r` alone allows every pair of key tile [j0, j0 + bn)
/// for rows [first, last]: TileFlash's tileFull for one region.
bool regionCoversTile(const MaskRegion &r, int64_t first, int64_t last,
                      int64_t j0, int64_t blockN, int64_t seqK) {
  int64_t jLast = j0 + blockN - 1;
  if (r.dilation || jLast >= seqK)
    return false;
  if (r.chunk && (j0 < chunkStart(last, *r.chunk) ||
                  jLast >= chunkStart(first, *r.chunk) + *r.chunk))
    return false;
  if (r.colLo && j0 < *r.colLo)
    return false;
  if (r.colHi && jLast >= *r.colHi)
    return false;
  if (r.diagLo && j0 - last < *r.diagLo)
    return false;
  if (r.diagHi && jLast - first > *r.diagHi)
    return false;
  return true;
}

/// Keys j in [a, b) with (j - p) a multiple of n.
int64_t multiplesIn(int64_t a, int64_t b, int64_t p, int64_t n) {
  if (a >= b)
    return 0;
  return floorDiv(b - 1 - p, n) - floorDiv(a - 1 - p, n);
}

} // namespace

int64_t TileMap::count(TileClass c) const {
  return std::count(classes.begin(), classes.end(), c);
}

TileMap mlir::sattn::classifyTileMap(ArrayRef<MaskRegion> regions, int64_t seqQ,
                                     int64_t seqK, int64_t blockM,
                                     int64_t blockN) {
  TileMap map;
  map.seqQ = seqQ;
  map.seqK = seqK;
  map.blockM = blockM;
  map.blockN = blockN;
  map.tilesM = ceilDiv(seqQ, blockM);
  map.tilesN = ceilDiv(seqK, blockN);
  map.classes.assign(size_t(map.tilesM * map.tilesN), TileClass::Empty);
  const int64_t shift = seqK - seqQ;
  for (int64_t qt = 0; qt < map.tilesM; ++qt) {
    int64_t first = qt * blockM + shift;
    int64_t last = std::min(seqQ, (qt + 1) * blockM) - 1 + shift;
    for (const MaskRegion &r : regions) {
      auto [lo, hi] = keyRange(r, first, last, seqK);
      if (lo >= hi)
        continue;
      for (int64_t kt = floorDiv(lo, blockN); kt < ceilDiv(hi, blockN); ++kt)
        map.classes[size_t(qt * map.tilesN + kt)] = TileClass::Partial;
    }
    for (int64_t kt = 0; kt < map.tilesN; ++kt) {
      TileClass &c = map.classes[size_t(qt * map.tilesN + kt)];
      if (c == TileClass::Empty)
        continue;
      for (const MaskRegion &r : regions)
        if (regionCoversTile(r, first, last, kt * blockN, blockN, seqK))
          c = TileClass::Full;
    }
  }
  return map;
}

int64_t mlir::sattn::countKeptPairs(ArrayRef<MaskRegion> regions, int64_t seqQ,
                                    int64_t seqK, int64_t rowLo, int64_t rowHi,
                                    int64_t colLo, int64_t colHi) {
  rowHi = rowHi < 0 ? seqQ : std::min(rowHi, seqQ);
  colHi = colHi < 0 ? seqK : std::min(colHi, seqK);
  struct Piece {
    int64_t lo, hi, dilation; // dilation 1: every key
  };
  int64_t total = 0;
  SmallVector<Piece> pieces;
  SmallVector<int64_t> points;
  for (int64_t i = std::max<int64_t>(rowLo, 0); i < rowHi; ++i) {
    const int64_t p = i + seqK - seqQ;
    pieces.clear();
    points.clear();
    for (const MaskRegion &r : regions) {
      auto [lo, hi] = keyRange(r, p, p, seqK);
      lo = std::max(lo, colLo);
      hi = std::min(hi, colHi);
      if (lo >= hi)
        continue;
      pieces.push_back({lo, hi, r.dilation.value_or(1)});
      points.push_back(lo);
      points.push_back(hi);
    }
    llvm::sort(points);
    points.erase(std::unique(points.begin(), points.end()), points.end());
    // Between consecutive boundaries the covering pieces do not change:
    // every key if one of them is undilated, else the union of their
    // progressions through p (inclusion-exclusion over their distinct
    // dilations; all pass through p, so any k of them meet in the
    // progression of their least common multiple).
    for (size_t s = 0; s + 1 < points.size(); ++s) {
      int64_t a = points[s], b = points[s + 1];
      SmallVector<int64_t, 4> dilations;
      bool every = false;
      for (const Piece &pc : pieces) {
        if (pc.lo > a || pc.hi < b)
          continue;
        every |= pc.dilation == 1;
        dilations.push_back(pc.dilation);
      }
      if (dilations.empty())
        continue;
      if (every) {
        total += b - a;
        continue;
      }
      llvm::sort(dilations);
      dilations.erase(std::unique(dilations.begin(), dilations.end()),
                      dilations.end());
      const unsigned n = dilations.size(); // <= kMaxMaskRegions
      for (uint32_t subset = 1; subset < (uint32_t(1) << n); ++subset) {
        int64_t l = 1;
        for (unsigned k = 0; k < n; ++k)
          if (subset & (uint32_t(1) << k)) {
            int64_t g = std::gcd(l, dilations[k]);
            // Past any |j - p| only p itself is a multiple.
            l = (l / g > (int64_t(1) << 42) / dilations[k])
                    ? (int64_t(1) << 42)
                    : l / g * dilations[k];
          }
        int64_t c = multiplesIn(a, b, p, l);
        total += (__builtin_popcount(subset) % 2) ? c : -c;
      }
    }
  }
  return total;
}
