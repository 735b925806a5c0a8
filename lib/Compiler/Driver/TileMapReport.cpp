//===- TileMapReport.cpp - A pattern's tile map for people ----------------===//
#include "Compiler/Driver/TileMapReport.h"
#include "sattn/IR/Sattn.h"

#include "llvm/Support/CRC.h"
#include "llvm/Support/Compression.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

using mlir::sattn::TileClass;
using mlir::sattn::TileMap;

namespace sattn {
namespace {

/// The classes of the f x f tiles of cell (r, c): bit 0 empty, 1 partial,
/// 2 full.
unsigned cellClasses(const TileMap &map, int64_t f, int64_t r, int64_t c) {
  unsigned seen = 0;
  for (int64_t qt = r * f; qt < std::min(map.tilesM, (r + 1) * f); ++qt)
    for (int64_t kt = c * f; kt < std::min(map.tilesN, (c + 1) * f); ++kt)
      seen |= 1u << unsigned(map.at(qt, kt));
  return seen;
}

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

void putU32(std::string &out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8)
    out.push_back(char((v >> s) & 0xff));
}

void putChunk(std::string &out, const char type[4], const std::string &data) {
  putU32(out, uint32_t(data.size()));
  std::string body(type, 4);
  body += data;
  out += body;
  putU32(out, llvm::crc32(llvm::arrayRefFromStringRef(body)));
}

/// A zlib stream of `raw`: deflate through LLVM's zlib where it has one,
/// else stored (uncompressed) deflate blocks with the Adler-32 trailer.
std::string zlibStream(const std::vector<uint8_t> &raw) {
  if (llvm::compression::zlib::isAvailable()) {
    llvm::SmallVector<uint8_t, 0> packed;
    llvm::compression::zlib::compress(raw, packed);
    return std::string(packed.begin(), packed.end());
  }
  std::string out = "\x78\x01";
  size_t pos = 0;
  do {
    size_t n = std::min<size_t>(65535, raw.size() - pos);
    bool last = pos + n == raw.size();
    out.push_back(char(last ? 1 : 0));
    out.push_back(char(n & 0xff));
    out.push_back(char(n >> 8));
    out.push_back(char(~n & 0xff));
    out.push_back(char((~n >> 8) & 0xff));
    out.append(reinterpret_cast<const char *>(raw.data()) + pos, n);
    pos += n;
  } while (pos < raw.size());
  uint32_t a = 1, b = 0;
  for (uint8_t byte : raw) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  putU32(out, (b << 16) | a);
  return out;
}

} // namespace

std::string renderTileMapText(const TileMap &map, int64_t maxColumns) {
  int64_t f = std::max<int64_t>(1, ceilDiv(map.tilesN, maxColumns));
  f = std::max(f, ceilDiv(map.tilesM, maxColumns));
  std::string out;
  if (f > 1)
    out += "(each character: " + std::to_string(f) + " x " + std::to_string(f) +
           " tiles)\n";
  for (int64_t r = 0; r < ceilDiv(map.tilesM, f); ++r) {
    for (int64_t c = 0; c < ceilDiv(map.tilesN, f); ++c) {
      unsigned seen = cellClasses(map, f, r, c);
      out += seen == 4u ? '#' : seen == 1u ? '.' : '+';
    }
    out += '\n';
  }
  return out;
}

std::string encodeTileMapPng(const TileMap &map) {
  constexpr int64_t kMaxCells = 2048, kTargetPixels = 512;
  int64_t longest = std::max(map.tilesM, map.tilesN);
  int64_t f = std::max<int64_t>(1, ceilDiv(longest, kMaxCells));
  int64_t cellsM = ceilDiv(map.tilesM, f), cellsN = ceilDiv(map.tilesN, f);
  int64_t scale =
      std::max<int64_t>(1, kTargetPixels / std::max(cellsM, cellsN));
  int64_t width = cellsN * scale, height = cellsM * scale;
  // Palette: 0 empty (white), 1 partial (orange), 2 full (dark blue).
  std::vector<uint8_t> raw;
  raw.reserve(size_t((width + 1) * height));
  std::vector<uint8_t> line(static_cast<size_t>(width));
  for (int64_t r = 0; r < cellsM; ++r) {
    for (int64_t c = 0; c < cellsN; ++c) {
      unsigned seen = cellClasses(map, f, r, c);
      uint8_t index = (seen & 4u) ? 2 : (seen & 2u) ? 1 : 0;
      std::fill_n(line.begin() + c * scale, scale, index);
    }
    for (int64_t y = 0; y < scale; ++y) {
      raw.push_back(0); // filter: none
      raw.insert(raw.end(), line.begin(), line.end());
    }
  }
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string header;
  putU32(header, uint32_t(width));
  putU32(header, uint32_t(height));
  header += std::string("\x08\x03\x00\x00\x00", 5); // 8-bit, palette
  putChunk(png, "IHDR", header);
  putChunk(png, "PLTE",
           std::string("\xff\xff\xff"
                       "\xf0\x90\x30"
                       "\x1f\x3a\x6e",
                       9));
  putChunk(png, "IDAT", zlibStream(raw));
  putChunk(png, "IEND", "");
  return png;
}

namespace {

std::string percent(int64_t part, int64_t whole) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f%%",
                whole ? 100.0 * double(part) / double(whole) : 0.0);
  return buf;
}

} // namespace

Result<TileMapReport>
reportTileMap(CompilerSession &session, mlir::ModuleOp module,
              const PatternInfo &info, const std::string &target,
              const TileOptions &tiles, int64_t seqQ, int64_t seqK,
              const DocumentOffsets *documents,
              const BlockLayoutLists *layout) {
  std::vector<CompileVariant> variants = compileVariants(target, info, tiles);
  if (variants.empty())
    return Status::error(ErrorKind::CompileFailed,
                         "no launch variant for '" + info.name + "'");
  const CompileVariant *variant = &variants.front();
  for (const CompileVariant &v : variants)
    if (v.launch.holds(seqQ))
      variant = &v;
  mlir::OwningOpRef<mlir::ModuleOp> planned = module.clone();
  std::string classify = "builtin.module(sattn-classify-tiles{block-m=" +
                         std::to_string(variant->tiles.blockM) +
                         " block-n=" + std::to_string(variant->tiles.blockN) +
                         " chip=" + target + "})";
  if (Status s = session.runPipeline(*planned, classify, "tile classification");
      !s)
    return s;
  mlir::sattn::TilePlanAttr plan;
  planned->walk(
      [&](mlir::sattn::AttentionOp op) { plan = op.getTilePlanAttr(); });
  if (!plan)
    return Status::error(ErrorKind::CompileFailed,
                         "no tile plan for '" + info.name + "'");
  // The documents' offsets decide which tiles each query tile visits;
  // they exist only at launch.
  if (plan.getDocuments() && !documents)
    return Status::error(
        ErrorKind::InvalidInput,
        "'" + info.name +
            "' packs documents, whose tile map depends on the offsets given "
            "at launch (cu_seqlens_q, cu_seqlens_k): sparse-run --show-tiles "
            "draws random documents and shows theirs");
  // A layout's lists decide which tiles each query tile visits; they exist
  // only at launch.
  if (plan.getLayout() && !layout)
    return Status::error(
        ErrorKind::InvalidInput,
        "'" + info.name +
            "' reads a block layout at launch, whose tile map depends on its "
            "lists (kv_num_blocks, kv_indices, full_kv_*): sparse-run "
            "--show-tiles draws a layout and shows its map");
  auto regions = mlir::sattn::regionsFromAttr(plan.getRegions());
  const int64_t bm = plan.getBlockM(), bn = plan.getBlockN();

  TileMapReport r;
  using mlir::sattn::TileClass;
  // Tile counts: of the sequence's tiles, or of the documents' own.
  int64_t full = 0, partial = 0, empty = 0;
  std::string docsLine;
  if (mlir::sattn::LayoutPlanAttr lp = plan.getLayout()) {
    // The sequence's tiles, all empty; each query tile's listed key tiles
    // marked as its kernel takes them: classified by the regions of their
    // list, and masked when those call them empty (the kernel does not
    // skip a listed tile).
    const int64_t lm = lp.getBlockM(), ln = lp.getBlockN();
    const int64_t queryBlocks = (seqQ + lm - 1) / lm;
    const int64_t keyBlocks = (seqK + ln - 1) / ln;
    llvm::SmallVector<mlir::sattn::MaskRegion> listRegions[2] = {
        mlir::sattn::regionsFromAttr(lp.getPartial()), regions};
    TileMap byList[2] = {
        mlir::sattn::classifyTileMap(listRegions[0], seqQ, seqK, bm, bn),
        mlir::sattn::classifyTileMap(listRegions[1], seqQ, seqK, bm, bn)};
    r.map = mlir::sattn::classifyTileMap({}, seqQ, seqK, bm, bn);
    int64_t listed[2] = {0, 0};
    for (int list = 0; list < 2; ++list) {
      const auto &rows = layout->lists[list];
      if (int64_t(rows.size()) != queryBlocks)
        return Status::error(
            ErrorKind::InvalidInput,
            "tile map: the layout has " + std::to_string(rows.size()) +
                " query blocks, the shape " + std::to_string(queryBlocks));
      for (int64_t qb = 0; qb < queryBlocks; ++qb)
        for (int64_t c : rows[size_t(qb)]) {
          if (c < 0 || c >= keyBlocks)
            return Status::error(ErrorKind::InvalidInput,
                                 "tile map: key block " + std::to_string(c) +
                                     " is outside [0, " +
                                     std::to_string(keyBlocks) + ")");
          ++listed[list];
          r.keptPairs += mlir::sattn::countKeptPairs(
              listRegions[list], seqQ, seqK, qb * lm, (qb + 1) * lm, c * ln,
              (c + 1) * ln);
          for (int64_t qt = qb * lm / bm;
               qt < std::min((qb + 1) * lm / bm, r.map.tilesM); ++qt)
            for (int64_t kt = c * ln / bn;
                 kt < std::min((c + 1) * ln / bn, r.map.tilesN); ++kt) {
              TileClass given = byList[list].at(qt, kt);
              TileClass &cell = r.map.classes[size_t(qt * r.map.tilesN + kt)];
              cell = given == TileClass::Full && cell != TileClass::Partial
                         ? TileClass::Full
                         : TileClass::Partial;
            }
        }
    }
    full = r.map.count(TileClass::Full);
    partial = r.map.count(TileClass::Partial);
    empty = r.map.count(TileClass::Empty);
    docsLine =
        "block layout of " + std::to_string(lm) + " x " + std::to_string(ln) +
        " blocks (batch row 0, head 0): " + std::to_string(listed[0]) +
        " partial and " + std::to_string(listed[1]) + " full blocks listed\n";
  } else if (!plan.getDocuments()) {
    r.map = mlir::sattn::classifyTileMap(regions, seqQ, seqK, bm, bn);
    r.keptPairs = mlir::sattn::countKeptPairs(regions, seqQ, seqK);
    full = r.map.count(TileClass::Full);
    partial = r.map.count(TileClass::Partial);
    empty = r.map.count(TileClass::Empty);
  } else {
    const std::vector<int64_t> &cq = documents->q, &ck = documents->k;
    if (cq.size() < 2 || cq.size() != ck.size() || cq.front() != 0 ||
        ck.front() != 0 || cq.back() != seqQ || ck.back() != seqK ||
        !std::is_sorted(cq.begin(), cq.end()) ||
        !std::is_sorted(ck.begin(), ck.end()))
      return Status::error(ErrorKind::InvalidInput,
                           "tile map: document offsets must go from 0 to "
                           "Sq / Sk without decreasing");
    // The sequence's tiles, all empty (no region); the documents' tiles
    // are marked on it below.
    r.map = mlir::sattn::classifyTileMap({}, seqQ, seqK, bm, bn);
    auto mark = [&](int64_t qt, int64_t kt, TileClass c) {
      TileClass &cell = r.map.classes[size_t(qt * r.map.tilesN + kt)];
      // The most worked class: partial over full over empty.
      if (cell == TileClass::Empty || c == TileClass::Partial)
        cell = c;
    };
    int64_t programs = 0;
    for (size_t d = 0; d + 1 < cq.size(); ++d) {
      const int64_t qlen = cq[d + 1] - cq[d], klen = ck[d + 1] - ck[d];
      if (qlen == 0)
        continue;
      TileMap local = mlir::sattn::classifyTileMap(regions, qlen, klen, bm, bn);
      r.keptPairs += mlir::sattn::countKeptPairs(regions, qlen, klen);
      programs += local.tilesM;
      empty += local.tilesM * local.tilesN - local.count(TileClass::Full) -
               local.count(TileClass::Partial);
      full += local.count(TileClass::Full);
      partial += local.count(TileClass::Partial);
      for (int64_t t = 0; t < local.tilesM; ++t)
        for (int64_t kt = 0; kt < local.tilesN; ++kt) {
          TileClass c = local.at(t, kt);
          if (c == TileClass::Empty)
            continue;
          const int64_t r0 = cq[d] + t * bm,
                        r1 = cq[d] + std::min((t + 1) * bm, qlen) - 1;
          const int64_t c0 = ck[d] + kt * bn,
                        c1 = ck[d] + std::min((kt + 1) * bn, klen) - 1;
          for (int64_t qt = r0 / bm; qt <= r1 / bm; ++qt)
            for (int64_t gk = c0 / bn; gk <= c1 / bn; ++gk)
              mark(qt, gk, c);
        }
    }
    docsLine = std::to_string(cq.size() - 1) +
               " documents (batch row 0): the kernels run " +
               std::to_string(programs) +
               " query tiles, each in its document's coordinates; a cell "
               "below is the most worked of their tiles that overlap it\n";
  }
  r.png = encodeTileMapPng(r.map);
  const TileMap &map = r.map;
  int64_t all = full + partial + empty, pairs = seqQ * seqK;
  r.text = info.name + " at Sq=" + std::to_string(seqQ) +
           ", Sk=" + std::to_string(seqK) + ": " + std::to_string(map.blockM) +
           " x " + std::to_string(map.blockN) + " tiles (" + target +
           ", launch variant '" + variant->launch.name + "')\n" + docsLine +
           renderTileMapText(map) +
           "legend: '#' full (no mask), '+' partial (masked per element), "
           "'.' empty (skipped)\n" +
           "tiles: " + std::to_string(full) + " full, " +
           std::to_string(partial) + " partial, " + std::to_string(empty) +
           " empty of " + std::to_string(all) + " (visited " +
           percent(all - empty, all) + ")\n" +
           "kept pairs: " + std::to_string(r.keptPairs) + " of " +
           std::to_string(pairs) + " (density " + percent(r.keptPairs, pairs) +
           ")\n";
  if (info.hasDelta)
    r.text += "delta correction: the map is the sparse pattern's; the anchor "
              "rows and the tail attend causally to every earlier key\n";
  return r;
}

} // namespace sattn
