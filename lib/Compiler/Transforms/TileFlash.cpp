//===- TileFlash.cpp - Classified attention -> flash kernels --------------===//
//
// Builds the flash-attention loop nest of each kernel in the tiled form:
//
//   sattn.program grid(query tiles, B*H):
//     q  = load the tile's query rows
//     for each region R of the plan, for each key tile in R's closed-form
//     range that no earlier region's range covers:
//       s = score_mod(q . k^T)
//       if the tile is not full: s = mask(s)
//       online softmax step; acc = acc * alpha + p . v
//     epilogue (normalise, delta, store)
//
// Key-tile ranges and fullness are arithmetic on the tile's first and last
// query positions (see #sattn.tile_plan), evaluated once per tile: nothing
// here depends on enumerating the score matrix.
//
// Over packed documents (the plan's `documents`) a program takes one query
// tile of one document, found from the offsets read at launch, and the same
// loop runs in the document's coordinates: positions from its start, its
// lengths as Sq and Sk, its first key row added to every key tile's rows.
// Over a block layout (the plan's `layout`) the key tiles are those of the
// blocks its query tile's row lists, read at launch.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Analysis/MaskRegions.h"
#include "Compiler/Transforms/AlibiSlopes.h"
#include "Compiler/Transforms/DocumentTiles.h"
#include "Compiler/Transforms/IndexMath.h"
#include "Compiler/Transforms/TileClassification.h"
#include "sattn/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

#include <limits>

namespace mlir::sattn {
#define GEN_PASS_DEF_TILEFLASH
#include "sattn/Transforms/Passes.h.inc"
} // namespace mlir::sattn

using namespace mlir;
using namespace mlir::sattn;

namespace {

/// Kernel argument order: the ABI of the manifest (runtime/Manifest.h).
enum KernelArg { kQ, kK, kV, kO, kFirstSize };
/// The sizes, then "Nd" (documents a batch row packs) in kernels over
/// documents, or "LB" and "LH" (a block layout's batch rows and heads: 1 or
/// B, 1 or H) in kernels over a block layout.
constexpr const char *kSizeNames[] = {"B",  "H",  "Hkv", "Sq",
                                      "Sk", "Nd", "LB",  "LH"};
enum SizeIndex {
  kBatch,
  kHeads,
  kKvHeads,
  kSeqQ,
  kSeqK,
  kDocuments,
  kLayoutBatch,
  kLayoutHeads
};

/// Query rows of one program instance: rows start + r * step of q and o for
/// r < count, at positions first + r * step in the mask's coordinates (the
/// row itself, or its place in its document); `last` is the position of row
/// count-1.
struct RowSet {
  Value start, step, count, first, last;
};

/// Online-softmax state of one query tile.
struct FlashState {
  Value rowMax, rowSum, acc;
  SmallVector<Value> values() const { return {rowMax, rowSum, acc}; }
  static FlashState from(ValueRange v) { return {v[0], v[1], v[2]}; }
};

/// [first, last) key-tile ranges, one per region.
using TileRanges = SmallVector<std::pair<Value, Value>>;

class KernelEmitter {
public:
  KernelEmitter(AttentionOp op, TilePlanAttr plan, OpBuilder &builder,
                bool splitFullTiles)
      : op(op), b(builder), loc(op.getLoc()), splitFullTiles(splitFullTiles),
        headDim(op.getHeadDim()), blockM(plan.getBlockM()),
        blockN(plan.getBlockN()), elementType(op.getElementType()),
        maskRegions(regionsFromAttr(plan.getRegions())),
        documents(plan.getDocuments()), layout(plan.getLayout()),
        referenceRegions(plan.getReference()) {
    MLIRContext *ctx = op.getContext();
    Type f32 = Float32Type::get(ctx);
    qTileType = TileType::get(ctx, {blockM, headDim}, elementType);
    scoreType = TileType::get(ctx, {blockM, blockN}, f32);
    rowType = TileType::get(ctx, {blockM, 1}, f32);
    accType = TileType::get(ctx, {blockM, headDim}, f32);
    bufferType = MemRefType::get({ShapedType::kDynamic}, elementType);
    deltaBufferType = MemRefType::get({ShapedType::kDynamic}, f32);
    for (auto [name, value] : op.getLaunchTensors())
      launchTensors.push_back({name, value.getType()});
  }

  /// The single kernel of plain attention.
  void emitAttention(StringRef name) {
    beginKernel(name, ::sattn::KernelRole::Attention, /*withDelta=*/false);
    Value gridX = im().ceilDiv(seqQ(), blockM);
    emitProgram(gridX, [&](Value x) {
      RowSet rows = contiguousRows(im().mul(x, blockM), seqQ());
      Value qTile = loadQuery(rows);
      FlashState st = layout ? runLayoutKeyLoop(rows, qTile)
                             : runKeyLoop(maskRegions, rows, qTile);
      Value out = normalize(st);
      storeRows(out, args[kO], qBase, rows);
    });
    endKernel();
  }

  /// The single kernel over packed documents: one program per query tile
  /// of a document (KernelRole.h's document_attention).
  void emitDocumentAttention(StringRef name) {
    beginKernel(name, ::sattn::KernelRole::DocumentAttention,
                /*withDelta=*/false);
    Value gridX = im().add(im().ceilDiv(seqQ(), blockM), size(kDocuments));
    emitProgram(gridX, [&](Value x) {
      RowSet rows = documentRows(x);
      Value qTile = loadQuery(rows);
      FlashState st = runKeyLoop(maskRegions, rows, qTile);
      storeRows(normalize(st), args[kO], qBase, rows);
    });
    endKernel();
  }

  /// The delta correction's two kernels.
  void emitDelta(StringRef name, DeltaAttr delta) {
    emitDeltaAnchor((name + "_delta_anchor").str(), delta);
    emitDeltaMain((name + "_delta_main").str(), delta);
  }

private:
  //===--------------------------------------------------------------------===//
  // Kernel and program scaffolding
  //===--------------------------------------------------------------------===//

  IndexMath im() { return IndexMath{b, loc}; }
  /// Kernel parameters: q, k, v, o[, delta][, alibi_slopes][, sinks], then
  /// the sizes (the manifest's ABI).
  unsigned firstLaunchTensor() { return kO + 1 + (withDelta ? 1 : 0); }
  /// The kernel's size parameters, in order (kSizeNames).
  SmallVector<SizeIndex> sizeParams() {
    SmallVector<SizeIndex> sizes = {kBatch, kHeads, kKvHeads, kSeqQ, kSeqK};
    if (documents)
      sizes.push_back(kDocuments);
    if (layout)
      sizes.append({kLayoutBatch, kLayoutHeads});
    return sizes;
  }
  Value size(SizeIndex i) {
    auto sizes = sizeParams();
    auto at = llvm::find(sizes, i);
    assert(at != sizes.end() && "a size this kernel does not take");
    return args[firstLaunchTensor() + launchTensors.size() +
                (at - sizes.begin())];
  }
  /// The parameter of launch tensor `name`, or null if the pattern has none.
  Value launchBuffer(StringRef name) {
    for (auto [i, tensor] : llvm::enumerate(launchTensors))
      if (tensor.first == name)
        return args[firstLaunchTensor() + i];
    return Value();
  }
  Value seqQ() { return size(kSeqQ); }
  Value seqK() { return size(kSeqK); }
  Value deltaBuffer() { return args[kO + 1]; }

  void beginKernel(StringRef name, ::sattn::KernelRole role, bool delta) {
    withDelta = delta;
    SmallVector<Type> types(4, bufferType);
    if (delta)
      types.push_back(deltaBufferType);
    for (auto [tensorName, type] : launchTensors)
      types.push_back(type);
    SmallVector<SizeIndex> sizes = sizeParams();
    types.append(sizes.size(), b.getIndexType());
    auto fn = func::FuncOp::create(b, loc, name, b.getFunctionType(types, {}));
    SmallVector<Attribute> names = {b.getStringAttr("q"), b.getStringAttr("k"),
                                    b.getStringAttr("v"), b.getStringAttr("o")};
    if (delta)
      names.push_back(b.getStringAttr("delta"));
    for (auto [tensorName, type] : launchTensors)
      names.push_back(b.getStringAttr(tensorName));
    for (SizeIndex i : sizes)
      names.push_back(b.getStringAttr(kSizeNames[i]));
    fn->setAttr(attrs::kKernel,
                KernelAttr::get(b.getContext(), role, blockM, blockN,
                                b.getArrayAttr(names), b.getArrayAttr({})));
    kernel = fn;
    Block *entry = fn.addEntryBlock();
    args.assign(entry->args_begin(), entry->args_end());
    b.setInsertionPointToStart(entry);
  }

  void endKernel() {
    func::ReturnOp::create(b, loc);
    b.setInsertionPointAfter(kernel);
  }

  /// One program instance per (x < gridX, batch*head); `body(x)` fills it
  /// after the per-head prologue has computed the buffer bases.
  void emitProgram(Value gridX, function_ref<void(Value)> body) {
    Value bh = im().mul(size(kBatch), size(kHeads));
    auto program = ProgramOp::create(b, loc, gridX, bh,
                                     b.getI64IntegerAttr(blockM));
    OpBuilder::InsertionGuard guard(b);
    Block *block = b.createBlock(&program.getBody(), {},
                                 {b.getIndexType(), b.getIndexType()},
                                 {loc, loc});
    // Programs take query tiles in reverse order: GPUs start blocks roughly
    // in index order, and under causal-style masks (and in the delta anchor
    // kernel, whose tail tiles and late anchors scan about S keys) the last
    // tiles carry the most work, so they should start first.
    Value x = im().sub(im().sub(gridX, im().c(1)), block->getArgument(0));
    Value y = block->getArgument(1);
    // y = b * H + h; query head h reads kv head h / (H / Hkv). In 32 bits,
    // since validateShape bounds B * H by 65535: a 64-bit division is a
    // call, and its register convention crowds a persistent producer's few
    // registers.
    IndexMath m = im();
    Value y32 = m.toU32(y), heads = m.toU32(size(kHeads)),
          kvHeads = m.toU32(size(kKvHeads));
    Value batch = m.fromU32(arith::DivUIOp::create(b, loc, y32, heads));
    batchIndex = batch;
    Value head = arith::RemUIOp::create(b, loc, y32, heads);
    Value group = arith::DivUIOp::create(b, loc, heads, kvHeads);
    Value kvHead = m.fromU32(arith::DivUIOp::create(b, loc, head, group));
    headOfBatch = m.fromU32(head);
    qBase = m.mul(m.mul(y, seqQ()), headDim);
    kvBase = m.mul(m.mul(m.add(m.mul(batch, size(kKvHeads)), kvHead), seqK()),
                   headDim);
    // Positions are the rows' own until documentRows says otherwise.
    posSeqQ = seqQ();
    posSeqK = seqK();
    keyOffset = m.sub(seqK(), seqQ());
    docKeyStart = Value();
    headIndex = y;
    // Learnable sinks: the head's logit, read once per program.
    Value sinks = launchBuffer("sinks");
    sinkLogit = sinks ? memref::LoadOp::create(b, loc, sinks,
                                               ValueRange{m.fromU32(head)})
                            .getResult()
                      : Value();
    alibiSlope = alibiSlopeOf(head, heads);
    body(x);
  }

  RowSet contiguousRows(Value start, Value limit) {
    IndexMath m = im();
    Value count = m.min(m.c(blockM), m.sub(limit, start));
    return makeRows(start, m.c(1), count);
  }

  /// Rows at their own positions.
  RowSet makeRows(Value start, Value step, Value count) {
    return makeRows(start, step, count, start);
  }

  RowSet makeRows(Value start, Value step, Value count, Value first) {
    IndexMath m = im();
    Value last = m.add(first, m.mul(m.sub(count, m.c(1)), step));
    return {start, step, count, first, last};
  }

  /// The rows of program x over packed documents (DocumentTiles.h), and
  /// the program's coordinates (posSeqQ, posSeqK, keyOffset, docKeyStart)
  /// set to its document's.
  RowSet documentRows(Value x) {
    DocumentTiles tiles{b,
                        loc,
                        launchBuffer("cu_seqlens_q"),
                        launchBuffer("cu_seqlens_k"),
                        batchIndex,
                        size(kDocuments),
                        seqQ(),
                        seqK(),
                        blockM};
    DocumentTile t = tiles.tileOf(x);
    posSeqQ = t.seqQ;
    posSeqK = t.seqK;
    keyOffset = im().sub(posSeqK, posSeqQ);
    docKeyStart = t.keyStart;
    return makeRows(t.rowStart, im().c(1), t.count, t.pos);
  }

  Value loadQuery(const RowSet &rows) {
    return TileLoadOp::create(b, loc, qTileType, args[kQ], qBase, rows.start,
                              rows.step, rows.count, b.getI64IntegerAttr(1));
  }

  void storeRows(Value tile, Value buffer, Value base, const RowSet &rows) {
    TileStoreOp::create(b, loc, tile, buffer, base, rows.start, rows.step,
                        rows.count);
  }

  FlashState initialState() {
    auto fill = [&](Type t, float v) {
      return TileFillOp::create(b, loc, t, b.getF32FloatAttr(v)).getResult();
    };
    return {fill(rowType, -std::numeric_limits<float>::infinity()),
            fill(rowType, 0.0f), fill(accType, 0.0f)};
  }

  Value normalize(const FlashState &st) {
    return TileNormalizeOp::create(b, loc, st.acc, st.rowSum, sinkLogit,
                                   sinkLogit ? st.rowMax : Value());
  }

  //===--------------------------------------------------------------------===//
  // Closed-form tile classification (TileClassification.h)
  //===--------------------------------------------------------------------===//

  TileClassifier classifier() {
    return TileClassifier{b, loc, keyOffset, posSeqK, blockN};
  }

  TileRanges tileRanges(ArrayRef<MaskRegion> regions, const RowSet &rows) {
    TileRanges ranges;
    for (const MaskRegion &r : regions)
      ranges.push_back(classifier().tileRange(r, rows.first, rows.last));
    return ranges;
  }

  /// True when key tile `kt` lies in one of the first `n` ranges.
  Value inRanges(const TileRanges &ranges, size_t n, Value kt) {
    IndexMath m = im();
    Value any = m.boolean(false);
    for (size_t i = 0; i < n; ++i)
      any = m.lor(any, m.land(m.ge(kt, ranges[i].first),
                              m.lt(kt, ranges[i].second)));
    return any;
  }

  //===--------------------------------------------------------------------===//
  // The key loop
  //===--------------------------------------------------------------------===//

  /// Runs `step` over every key tile in the union of `ranges`, each tile
  /// once. Two ranges (a window and its sinks) make one loop
  /// (mergedKeyTileLoop) where `mergeTwoRanges`; otherwise region i's loop
  /// skips tiles an earlier region's range holds.
  /// With `splitFullTiles` each range is split around the tiles
  /// `fullRanges[i]` says are full: a loop before them, one over them
  /// (step's `full` true: no mask, so no branch in the body, which the
  /// sm_90a pipelined loop needs), one after; the tile order is unchanged.
  SmallVector<Value>
  forEachKeyTile(const TileRanges &ranges, const TileRanges &fullRanges,
                 ValueRange init, bool mergeTwoRanges,
                 function_ref<SmallVector<Value>(Value kt, bool full,
                                                 ValueRange)> step) {
    if (ranges.size() == 2 && mergeTwoRanges && !splitFullTiles)
      return mergedKeyTileLoop(ranges, init, step);
    SmallVector<Value> state(init);
    for (size_t i = 0; i < ranges.size(); ++i) {
      IndexMath m = im();
      auto [lo, hi] = ranges[i];
      if (!splitFullTiles) {
        state = keyTileLoop(ranges, i, lo, hi, false, state, step);
        continue;
      }
      Value fullLo = m.min(m.max(fullRanges[i].first, lo), hi);
      Value fullHi = m.max(m.min(fullRanges[i].second, hi), fullLo);
      state = keyTileLoop(ranges, i, lo, fullLo, false, state, step);
      state = keyTileLoop(ranges, i, fullLo, fullHi, true, state, step);
      state = keyTileLoop(ranges, i, fullHi, hi, false, state, step);
    }
    return state;
  }

  /// Two ranges (R0, R1) as one loop over R0, then R1's tiles before R0,
  /// then R1's tiles after it (R1 minus R0 is those two pieces): iteration
  /// k maps to a key tile by two compares. One loop instead of two lets the
  /// staging prefetch the next tile across the pieces (a sliding window's
  /// sink tiles otherwise start a loop with an unprefetched K), and there is
  /// no "already covered" branch.
  SmallVector<Value>
  mergedKeyTileLoop(const TileRanges &ranges, ValueRange init,
                    function_ref<SmallVector<Value>(Value kt, bool full,
                                                    ValueRange)> step) {
    IndexMath m = im();
    auto [lo0, hi0] = ranges[0];
    auto [lo1, hi1] = ranges[1];
    auto length = [&](Value lo, Value hi) { return m.max(m.sub(hi, lo), m.c(0)); };
    Value beforeLen = length(lo1, m.min(hi1, lo0));
    Value afterLo = m.max(lo1, hi0);
    Value afterLen = length(afterLo, hi1);
    Value len0 = length(lo0, hi0);
    Value beforeEnd = m.add(len0, beforeLen);
    Value total = m.add(beforeEnd, afterLen);
    auto loop = scf::ForOp::create(
        b, loc, m.c(0), total, m.c(1), init,
        [&](OpBuilder &nb, Location, Value k, ValueRange iter) {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(nb.getInsertionBlock());
          IndexMath bm = im();
          Value inAfter = bm.ge(k, beforeEnd);
          Value kt = bm.select(
              bm.lt(k, len0), bm.add(lo0, k),
              bm.select(inAfter, bm.add(afterLo, bm.sub(k, beforeEnd)),
                        bm.add(lo1, bm.sub(k, len0))));
          scf::YieldOp::create(b, loc, step(kt, /*full=*/false, iter));
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// One loop of forEachKeyTile: tiles [lo, hi) of range i.
  SmallVector<Value>
  keyTileLoop(const TileRanges &ranges, size_t i, Value lo, Value hi,
              bool full, ValueRange init,
              function_ref<SmallVector<Value>(Value kt, bool full,
                                              ValueRange)> step) {
    auto loop = scf::ForOp::create(
        b, loc, lo, hi, im().c(1), init,
        [&](OpBuilder &nb, Location, Value kt, ValueRange iter) {
          OpBuilder::InsertionGuard g(b);
          b.setInsertionPointToStart(nb.getInsertionBlock());
          if (i == 0) {
            scf::YieldOp::create(b, loc, step(kt, full, iter));
            return;
          }
          Value covered = inRanges(ranges, i, kt);
          auto ifOp = scf::IfOp::create(
              b, loc, covered,
              [&](OpBuilder &tb, Location) {
                scf::YieldOp::create(tb, loc, iter);
              },
              [&](OpBuilder &eb, Location) {
                OpBuilder::InsertionGuard g2(b);
                b.setInsertionPointToStart(eb.getInsertionBlock());
                scf::YieldOp::create(b, loc, step(kt, full, iter));
              });
          scf::YieldOp::create(b, loc, ifOp.getResults());
        });
    return SmallVector<Value>(loop.getResults());
  }

  /// ALiBi's slope of head `head` (u32) of `heads` (u32), or null without
  /// ALiBi: read from the slopes buffer, or the geometric series.
  Value alibiSlopeOf(Value head, Value heads) {
    if (!op.getAlibi())
      return Value();
    IndexMath m = im();
    if (Value slopes = launchBuffer("alibi_slopes"))
      return memref::LoadOp::create(b, loc, slopes,
                                    ValueRange{m.fromU32(head)});
    return geometricAlibiSlope(b, loc, head, heads);
  }

  /// Key tile `kt`: the position of its first key in the mask's
  /// coordinates (j0), its first row in k and v, and its rows there (the
  /// tile clipped only by Sk, so that TMA's zero fill past Sk is the clip;
  /// in a document the keys past its end are masked).
  struct KeyTile {
    Value j0, first, count;
  };
  KeyTile keyTile(Value kt) {
    IndexMath m = im();
    Value j0 = m.mul(kt, blockN);
    Value first = docKeyStart ? m.add(docKeyStart, j0) : j0;
    return {j0, first, m.min(m.c(blockN), m.sub(seqK(), first))};
  }

  /// Modified scores of key tile `kt` for the query tile `qTile` of `rows`.
  Value scoresOf(Value qTile, const KeyTile &kt, const RowSet &rows) {
    Value s = TileQKOp::create(b, loc, scoreType, qTile, args[kK], kvBase,
                               kt.first, kt.count);
    // Without a softcap or ALiBi the scale folds into the softmax step's
    // exponent; ALiBi's bias is in the units of scaled scores.
    if (scoresScaled())
      s = TileScoreModOp::create(b, loc, s, b.getF64FloatAttr(scale()),
                                 op.getSoftcapAttr());
    if (alibiSlope)
      s = TileAlibiOp::create(b, loc, s, alibiSlope, rows.first, rows.step,
                              kt.j0, posSeqQ, posSeqK);
    return s;
  }

  /// Whether tile.score_mod scales the scores (else the softmax step does).
  bool scoresScaled() { return op.getSoftcapAttr() || op.getAlibi(); }

  /// The scale the softmax step applies: 1 once score_mod has scaled.
  double softmaxScale() { return scoresScaled() ? 1.0 : scale(); }

  double scale() { return op.getEffectiveScale(); }

  /// Masks `s` unless the tile is full for `regions` (`knownFull`: known
  /// at compile time), then folds it into the online softmax state. With
  /// `maskAlways` a tile not known full is masked without asking whether it
  /// is: no branch in the loop body, which the sm_90a pipelined loop needs.
  FlashState attend(const FlashState &st, Value s, Value kt,
                    const KeyTile &tile, ArrayRef<MaskRegion> regions,
                    const RowSet &rows, bool knownFull,
                    bool maskAlways = false) {
    Value kept = s;
    if (!knownFull && maskAlways) {
      kept =
          TileMaskOp::create(b, loc, s, rows.first, rows.step, tile.j0, posSeqQ,
                             posSeqK, regionsToAttr(op.getContext(), regions));
    } else if (!knownFull) {
      Value full = classifier().tileFull(regions, rows.first, rows.last, kt);
      ArrayAttr regionAttr = regionsToAttr(op.getContext(), regions);
      auto masked = scf::IfOp::create(
          b, loc, full,
          [&](OpBuilder &tb, Location) { scf::YieldOp::create(tb, loc, s); },
          [&](OpBuilder &eb, Location) {
            Value r = TileMaskOp::create(eb, loc, s, rows.first, rows.step,
                                         tile.j0, posSeqQ, posSeqK, regionAttr);
            scf::YieldOp::create(eb, loc, r);
          });
      kept = masked.getResult(0);
    }
    auto stepOp = TileSoftmaxStepOp::create(
        b, loc, kept, st.rowMax, st.rowSum,
        b.getF64FloatAttr(softmaxScale()));
    Value acc = TileScaleRowsOp::create(b, loc, st.acc, stepOp.getAlpha());
    acc = TilePVOp::create(b, loc, stepOp.getProbs(), args[kV], kvBase,
                           tile.first, tile.count, acc);
    return {stepOp.getNewMax(), stepOp.getNewSum(), acc};
  }

  /// The flash loop of one query tile over the tiles of `regions`;
  /// `mergeTwoRanges` as forEachKeyTile.
  FlashState runKeyLoop(ArrayRef<MaskRegion> regions, const RowSet &rows,
                        Value qTile, bool mergeTwoRanges = true) {
    TileRanges ranges = tileRanges(regions, rows);
    TileRanges fullRanges; // read only by the split loops
    if (splitFullTiles)
      for (const MaskRegion &r : regions)
        fullRanges.push_back(
            classifier().fullTileRange(r, rows.first, rows.last));
    FlashState init = initialState();
    auto out = forEachKeyTile(ranges, fullRanges, init.values(), mergeTwoRanges,
                              [&](Value kt, bool full, ValueRange iter) {
                                KeyTile tile = keyTile(kt);
                                Value s = scoresOf(qTile, tile, rows);
                                return attend(FlashState::from(iter), s, kt,
                                              tile, regions, rows, full)
                                    .values();
                              });
    return FlashState::from(out);
  }

  /// The flash loop of one query tile over a block layout (the plan's
  /// `layout`): the key tiles of its row's partial blocks, classified by the
  /// layout's partial regions, then those of its full blocks, classified by
  /// the rest of the mask. A listed block is layout_n / block_n key tiles
  /// (entry e of a list covers iterations [e * per, (e + 1) * per)), and a
  /// query tile lies in one layout row (the plan's tiles divide the
  /// layout's blocks). Counts are clamped to [0, Nb] and indices to
  /// [0, Nb): values a caller got wrong never move a read out of k or v.
  FlashState runLayoutKeyLoop(const RowSet &rows, Value qTile) {
    IndexMath m = im();
    const int64_t per = layout.getBlockN() / blockN;
    Value queryBlocks = m.ceilDiv(seqQ(), layout.getBlockM());
    Value keyBlocks = m.ceilDiv(seqK(), layout.getBlockN());
    auto shared = [&](SizeIndex n) { return m.le(size(n), m.c(1)); };
    Value lb = m.select(shared(kLayoutBatch), m.c(0), batchIndex);
    Value lh = m.select(shared(kLayoutHeads), m.c(0), headOfBatch);
    Value row =
        m.add(m.mul(m.add(m.mul(lb, size(kLayoutHeads)), lh), queryBlocks),
              m.div(rows.start, m.c(layout.getBlockM())));
    auto load = [&](Value buffer, Value at) -> Value {
      Value raw = memref::LoadOp::create(b, loc, buffer, ValueRange{at});
      return arith::IndexCastOp::create(b, loc, b.getIndexType(), raw);
    };
    auto clamp = [&](Value v, Value lo, Value hi) {
      return m.min(m.max(v, lo), hi);
    };
    FlashState st = initialState();
    SmallVector<MaskRegion> partial = regionsFromAttr(layout.getPartial());
    for (auto [prefix, regions] :
         {std::pair{"", ArrayRef<MaskRegion>(partial)},
          std::pair{"full_", ArrayRef<MaskRegion>(maskRegions)}}) {
      Value counts = launchBuffer((Twine(prefix) + "kv_num_blocks").str());
      Value indices = launchBuffer((Twine(prefix) + "kv_indices").str());
      Value listed = clamp(load(counts, row), m.c(0), keyBlocks);
      Value rowStart = m.mul(row, keyBlocks);
      auto loop = scf::ForOp::create(
          b, loc, m.c(0), m.mul(listed, per), m.c(1), st.values(),
          [&](OpBuilder &nb, Location, Value e, ValueRange iter) {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(nb.getInsertionBlock());
            IndexMath lm = im();
            // Clamped too: the staging may evaluate this for the tile
            // after the last (behind its own bounds check).
            Value entry = lm.min(per == 1 ? e : lm.div(e, lm.c(per)),
                                 lm.sub(keyBlocks, lm.c(1)));
            Value block = clamp(load(indices, lm.add(rowStart, entry)), lm.c(0),
                                lm.sub(keyBlocks, lm.c(1)));
            Value kt = lm.mul(block, per);
            if (per > 1)
              kt = lm.add(kt, lm.rem(e, lm.c(per)));
            KeyTile tile = keyTile(kt);
            Value s = scoresOf(qTile, tile, rows);
            // Where key loops are pipelined (splitFullTiles) every listed
            // tile is masked, branch-free: which tiles are full is data.
            scf::YieldOp::create(b, loc,
                                 attend(FlashState::from(iter), s, kt, tile,
                                        regions, rows, /*knownFull=*/false,
                                        /*maskAlways=*/splitFullTiles)
                                     .values());
          });
      st = FlashState::from(loop.getResults());
    }
    return st;
  }

  //===--------------------------------------------------------------------===//
  // The delta correction
  //===--------------------------------------------------------------------===//

  /// Row counts of shared/notes/methods.md: mainRows = max(0, sp).
  struct DeltaRowsIR {
    Value mainRows, numAnchors, tailRows;
  };
  DeltaRowsIR deltaRows(DeltaAttr delta) {
    IndexMath m = im();
    int64_t gamma = delta.getGamma();
    Value cut = m.add(m.rem(seqQ(), m.c(gamma)),
                      std::max(delta.getTailMin(), gamma));
    Value mainRows = m.max(m.sub(seqQ(), cut), m.c(0));
    return {mainRows, m.ceilDiv(mainRows, gamma), m.sub(seqQ(), mainRows)};
  }

  /// Anchor rows (packed: positions 0, gamma, 2 gamma, ...) get the f32
  /// delta dense - sparse; tail rows get dense attention. "Dense" is the
  /// plan's reference (causal unless the spec names another).
  ///
  /// Both kinds of program start with the same dense key loop, over
  /// different row sets (anchors at stride gamma, tail rows at stride 1), so
  /// the loop is emitted once for both: every copy of a key loop is a full
  /// unrolled tile body for LLVM and ptxas, and this kernel's compile time
  /// is most of a delta pattern's.
  void emitDeltaAnchor(StringRef name, DeltaAttr delta) {
    beginKernel(name, ::sattn::KernelRole::DeltaAnchor, /*withDelta=*/true);
    DeltaRowsIR dr = deltaRows(delta);
    Value anchorTiles = im().ceilDiv(dr.numAnchors, blockM);
    Value gridX = im().add(anchorTiles, im().ceilDiv(dr.tailRows, blockM));
    SmallVector<MaskRegion> dense = referenceRegions
                                        ? regionsFromAttr(referenceRegions)
                                        : denseCausalRegions();
    int64_t gamma = delta.getGamma();
    emitProgram(gridX, [&](Value x) {
      IndexMath m = im();
      Value isAnchorTile = m.lt(x, anchorTiles);
      Value firstAnchor = m.mul(x, blockM);
      Value anchorCount =
          m.min(m.c(blockM), m.sub(dr.numAnchors, firstAnchor));
      Value tailStart =
          m.add(dr.mainRows, m.mul(m.sub(x, anchorTiles), blockM));
      Value tailCount = m.min(m.c(blockM), m.sub(seqQ(), tailStart));
      RowSet rows = makeRows(
          m.select(isAnchorTile, m.mul(firstAnchor, gamma), tailStart),
          m.select(isAnchorTile, m.c(gamma), m.c(1)),
          m.select(isAnchorTile, anchorCount, tailCount));
      Value qTile = loadQuery(rows);
      FlashState denseSt = runKeyLoop(dense, rows, qTile);
      Value denseOut = normalize(denseSt);
      scf::IfOp::create(
          b, loc, isAnchorTile,
          [&](OpBuilder &tb, Location) {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(tb.getInsertionBlock());
            finishAnchorTile(firstAnchor, rows, qTile, denseOut, dr);
            scf::YieldOp::create(b, loc);
          },
          [&](OpBuilder &eb, Location) {
            OpBuilder::InsertionGuard g(b);
            b.setInsertionPointToStart(eb.getInsertionBlock());
            storeRows(denseOut, args[kO], qBase, rows);
            scf::YieldOp::create(b, loc);
          });
    });
    endKernel();
  }

  /// The anchor rows' delta: their dense result `denseOut` minus the
  /// pattern's result. Two flash loops (the dense one done by the caller)
  /// rather than one carrying both states: one loop would share the scores
  /// of common tiles, but it keeps two accumulators live across the whole
  /// causal prefix (spills in the SIMT form, too many registers for a
  /// tensor-core tile); the pattern's tiles are few next to the prefix, so
  /// recomputing their scores costs little. The dense result waits in the
  /// delta workspace (each row is read back by whoever wrote it) so that
  /// only one accumulator is ever live.
  void finishAnchorTile(Value firstAnchor, const RowSet &rows, Value qTile,
                        Value denseOut, const DeltaRowsIR &dr) {
    IndexMath m = im();
    // Delta rows are packed per head: [B*H, numAnchors, D].
    Value base = m.mul(m.mul(headIndex, dr.numAnchors), headDim);
    TileStoreOp::create(b, loc, denseOut, deltaBuffer(), base, firstAnchor,
                        m.c(1), rows.count);
    // The pattern's tiles here are a short tail after the dense prefix, so
    // its two ranges keep two loops: merging them saves one unprefetched
    // tile per program but costs the anchor kernel registers it does not
    // have to spare.
    FlashState sparseSt =
        runKeyLoop(maskRegions, rows, qTile, /*mergeTwoRanges=*/false);
    Value stored =
        TileLoadOp::create(b, loc, accType, deltaBuffer(), base, firstAnchor,
                           m.c(1), rows.count, b.getI64IntegerAttr(1));
    Value deltaTile = TileSubOp::create(b, loc, stored, normalize(sparseSt));
    TileStoreOp::create(b, loc, deltaTile, deltaBuffer(), base, firstAnchor,
                        m.c(1), rows.count);
  }

  /// Rows below mainRows: sparse attention plus their anchor's delta.
  void emitDeltaMain(StringRef name, DeltaAttr delta) {
    beginKernel(name, ::sattn::KernelRole::DeltaMain, /*withDelta=*/true);
    DeltaRowsIR dr = deltaRows(delta);
    Value gridX = im().ceilDiv(dr.mainRows, blockM);
    emitProgram(gridX, [&](Value x) {
      IndexMath m = im();
      RowSet rows = contiguousRows(m.mul(x, blockM), dr.mainRows);
      FlashState st = runKeyLoop(maskRegions, rows, loadQuery(rows));
      Value base = m.mul(m.mul(headIndex, dr.numAnchors), headDim);
      Value anchorDelta = TileLoadOp::create(
          b, loc, accType, deltaBuffer(), base, rows.start, rows.step,
          rows.count, b.getI64IntegerAttr(delta.getGamma()));
      Value out = TileAddOp::create(b, loc, normalize(st), anchorDelta);
      storeRows(out, args[kO], qBase, rows);
    });
    endKernel();
  }

  AttentionOp op;
  OpBuilder &b;
  Location loc;
  bool splitFullTiles;
  int64_t headDim, blockM, blockN;
  Type elementType;
  SmallVector<MaskRegion> maskRegions;
  TileType qTileType, scoreType, rowType, accType;
  MemRefType bufferType, deltaBufferType;
  /// The launch-tensor operands' names and types (kernel parameters after
  /// o and delta).
  SmallVector<std::pair<StringRef, Type>> launchTensors;

  /// The plan's `documents`: kernels over packed documents.
  bool documents;
  /// The plan's `layout`: kernels over a block layout (null: none).
  LayoutPlanAttr layout;
  /// The plan's `reference`: the delta correction's dense rows' regions
  /// (null: causal).
  ArrayAttr referenceRegions;

  // Per kernel.
  func::FuncOp kernel;
  bool withDelta = false;
  SmallVector<Value> args;
  // Per program instance. posSeqQ / posSeqK: the sequence lengths in the
  // mask's coordinates (Sq and Sk, or the document's); keyOffset their
  // difference; docKeyStart: the document's first key row (null: 0).
  // headIndex: b * H + h; headOfBatch: h.
  Value qBase, kvBase, batchIndex, keyOffset, headIndex, headOfBatch, sinkLogit,
      alibiSlope;
  Value posSeqQ, posSeqK, docKeyStart;
};

/// The function must hold the attention op on its own arguments and
/// nothing but mask ops besides.
LogicalResult checkKernelSource(func::FuncOp fn, AttentionOp op) {
  SmallVector<Value> buffers = {op.getQ(), op.getK(), op.getV(), op.getO()};
  for (auto [name, value] : op.getLaunchTensors())
    buffers.push_back(value);
  for (Value v : buffers)
    if (!isa<BlockArgument>(v) ||
        cast<BlockArgument>(v).getOwner()->getParentOp() != fn)
      return op.emitOpError("sattn-tile-flash needs q, k, v, o (and its "
                            "launch tensors) to be arguments of the "
                            "enclosing function");
  for (Operation &other : fn.getBody().front()) {
    if (&other == op.getOperation() || isa<func::ReturnOp>(other) ||
        other.getName().getStringRef().starts_with("sattn.mask."))
      continue;
    return other.emitOpError("unexpected op in a function with "
                             "sattn.attention; sattn-tile-flash turns the "
                             "whole function into kernels");
  }
  return success();
}

struct TileFlashPass : public mlir::sattn::impl::TileFlashBase<TileFlashPass> {
  using Base::Base;
  void runOnOperation() override {
    SmallVector<std::pair<func::FuncOp, AttentionOp>> work;
    auto walk = getOperation().walk([&](AttentionOp op) {
      auto fn = op->getParentOfType<func::FuncOp>();
      if (!fn) {
        op.emitOpError("must be inside a func.func");
        return WalkResult::interrupt();
      }
      if (!op.getTilePlan()) {
        op.emitOpError("has no tile_plan; run sattn-classify-tiles first");
        return WalkResult::interrupt();
      }
      if (failed(checkKernelSource(fn, op)))
        return WalkResult::interrupt();
      work.push_back({fn, op});
      return WalkResult::advance();
    });
    if (walk.wasInterrupted())
      return signalPassFailure();

    for (auto [fn, op] : work) {
      OpBuilder b(fn);
      KernelEmitter emitter(op, *op.getTilePlan(), b, splitFullTiles);
      if (auto delta = op.getDeltaAttr())
        emitter.emitDelta(fn.getSymName(), delta);
      else if (op.getTilePlan()->getDocuments())
        emitter.emitDocumentAttention(fn.getSymName());
      else
        emitter.emitAttention(fn.getSymName());
      fn.erase();
    }
  }
};

} // namespace
