//===- DocumentTiles.h - A program's query tile over documents --*- C++ -*-===//
//
// Over packed documents (#sattn.tile_plan's `documents`) each program takes
// one query tile of one document. Document d's tiles take the programs from
// tileBase(d) = d + floor(cq[d] / block_m) on: each document starts on a
// program of its own, so the numbering needs no prefix sum (tileBase(d + 1)
// - tileBase(d) >= ceil(qlen_d / block_m)), at the cost of at most one idle
// program a document, and a grid of ceil(Sq / block_m) + Nd programs.
// Program x's document is the last d with tileBase(d) <= x, found by binary
// search in the offsets read at launch. Offsets are clamped to the
// sequences (and to the previous offset), so that offsets a caller got
// wrong never move a row or key outside q, k, v and o. sattn-tile-flash
// runs its key loops in the coordinates this gives.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TRANSFORMS_DOCUMENTTILES_H
#define SATTN_TRANSFORMS_DOCUMENTTILES_H

#include "mlir/IR/Builders.h"

namespace mlir::sattn {

/// One program's work over documents, as index values.
struct DocumentTile {
  Value rowStart; ///< Its first row of q and o.
  Value pos;      ///< That row's position in its document.
  Value count;    ///< Its rows (0: an idle program).
  Value seqQ;     ///< The document's queries.
  Value seqK;     ///< The document's keys (0 for an idle program).
  Value keyStart; ///< The document's first row of k and v.
};

struct DocumentTiles {
  OpBuilder &b;
  Location loc;
  Value cuSeqlensQ, cuSeqlensK; ///< int32 [B, Nd + 1], flat
  Value batch, documents;       ///< the program's batch row, Nd
  Value seqQ, seqK;
  int64_t blockM;

  /// The work of program x (see the header comment).
  DocumentTile tileOf(Value x);

private:
  /// Offset `d` of the batch row in a [B, Nd + 1] int32 buffer.
  Value offset(Value buffer, Value d);
};

} // namespace mlir::sattn

#endif // SATTN_TRANSFORMS_DOCUMENTTILES_H
