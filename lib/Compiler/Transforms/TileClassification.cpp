//===- TileClassification.cpp - #sattn.tile_plan's rules as IR ------------===//
#include "Compiler/Transforms/TileClassification.h"
#include "Compiler/Transforms/IndexMath.h"

using namespace mlir;
using namespace mlir::sattn;

namespace {

/// The first position of the chunk of position `p` (floor(p / C) * C; p may
/// be negative).
Value chunkStart(IndexMath m, Value p, int64_t chunk) {
  return m.mul(m.floorDiv(p, chunk), chunk);
}

} // namespace

/// Keys [max(col_lo, first' + diag_lo), min(col_hi, Sk, last' + diag_hi +
/// 1)), and with chunks [chunkStart(first'), chunkStart(last') + C). The
/// dilation thins the range without bounding it.
std::pair<Value, Value>
TileClassifier::tileRange(const MaskRegion &r, Value rowFirst, Value rowLast) {
  IndexMath m{b, loc};
  Value first = m.add(rowFirst, keyOffset);
  Value last = m.add(rowLast, keyOffset);
  Value lo = m.c(std::max<int64_t>(r.colLo.value_or(0), 0));
  if (r.diagLo)
    lo = m.max(lo, m.add(first, *r.diagLo));
  if (r.chunk)
    lo = m.max(lo, chunkStart(m, first, *r.chunk));
  Value hi = seqK;
  if (r.colHi)
    hi = m.min(hi, m.c(*r.colHi));
  if (r.diagHi)
    hi = m.min(hi, m.add(last, *r.diagHi + 1));
  if (r.chunk)
    hi = m.min(hi, m.add(chunkStart(m, last, *r.chunk), *r.chunk));
  Value tileLo = m.floorDiv(lo, blockN);
  Value tileHi = m.select(m.lt(lo, hi), m.ceilDiv(hi, blockN), tileLo);
  return {tileLo, tileHi};
}

/// tileFull's conditions for the one region, each a bound on kt
/// (kt * blockN = j0, jLast = j0 + blockN - 1):
///   jLast < Sk             kt < Sk floordiv blockN
///   j0 >= col_lo           kt >= col_lo ceildiv blockN
///   jLast < col_hi         kt < col_hi floordiv blockN
///   j0 - last' >= diag_lo  kt >= (last' + diag_lo) ceildiv blockN
///   jLast - first' <= diag_hi
///                          kt < (first' + diag_hi + 1) floordiv blockN
///   every row's chunk      kt >= chunkStart(last') ceildiv blockN,
///                          kt < (chunkStart(first') + C) floordiv blockN
///     (chunkStart grows with the row, so the last row bounds j0 and the
///     first bounds jLast; rows in two chunks give an empty range)
/// A dilated region has no full tiles.
std::pair<Value, Value> TileClassifier::fullTileRange(const MaskRegion &r,
                                                      Value rowFirst,
                                                      Value rowLast) {
  IndexMath m{b, loc};
  if (r.dilation)
    return {m.c(0), m.c(0)};
  Value first = m.add(rowFirst, keyOffset);
  Value last = m.add(rowLast, keyOffset);
  Value lo = m.c(0);
  Value hi = m.floorDiv(seqK, blockN);
  if (r.chunk) {
    lo = m.max(lo, m.ceilDiv(chunkStart(m, last, *r.chunk), blockN));
    hi = m.min(hi, m.floorDiv(m.add(chunkStart(m, first, *r.chunk), *r.chunk),
                              blockN));
  }
  if (r.colLo)
    lo = m.max(lo, m.ceilDiv(m.c(*r.colLo), blockN));
  if (r.colHi)
    hi = m.min(hi, m.floorDiv(m.c(*r.colHi), blockN));
  if (r.diagLo)
    lo = m.max(lo, m.ceilDiv(m.add(last, *r.diagLo), blockN));
  if (r.diagHi)
    hi = m.min(hi, m.floorDiv(m.add(first, *r.diagHi + 1), blockN));
  return {lo, hi};
}

Value TileClassifier::tileFull(ArrayRef<MaskRegion> regions, Value rowFirst,
                               Value rowLast, Value kt) {
  IndexMath m{b, loc};
  Value j0 = m.mul(kt, blockN);
  Value jLast = m.add(j0, blockN - 1);
  Value first = m.add(rowFirst, keyOffset);
  Value last = m.add(rowLast, keyOffset);
  Value inBounds = m.lt(jLast, seqK);
  Value any = m.boolean(false);
  for (const MaskRegion &r : regions) {
    if (r.dilation)
      continue; // never full
    Value full = inBounds;
    if (r.chunk) {
      full = m.land(full, m.ge(j0, chunkStart(m, last, *r.chunk)));
      full = m.land(
          full, m.lt(jLast, m.add(chunkStart(m, first, *r.chunk), *r.chunk)));
    }
    if (r.colLo)
      full = m.land(full, m.ge(j0, m.c(*r.colLo)));
    if (r.colHi)
      full = m.land(full, m.lt(jLast, m.c(*r.colHi)));
    if (r.diagLo)
      full = m.land(full, m.ge(m.sub(j0, last), m.c(*r.diagLo)));
    if (r.diagHi)
      full = m.land(full, m.le(m.sub(jLast, first), m.c(*r.diagHi)));
    any = m.lor(any, full);
  }
  return any;
}
