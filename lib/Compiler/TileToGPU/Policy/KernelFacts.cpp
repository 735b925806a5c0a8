//===- KernelFacts.cpp - What the GPU policy reads off a kernel -----------===//
#include "Compiler/TileToGPU/Policy/KernelFacts.h"

#include "Compiler/Transforms/KeyLoopPipelining.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::sattn;

std::string mlir::sattn::pairProducts(
    ProgramOp program, SmallVectorImpl<std::pair<TileQKOp, TilePVOp>> &pairs) {
  DominanceInfo dom(program);
  std::string why;
  program.walk([&](Operation *op) {
    if (!why.empty())
      return WalkResult::interrupt();
    if (auto qk = dyn_cast<TileQKOp>(op)) {
      Type elt = cast<MemRefType>(qk.getKeys().getType()).getElementType();
      TilePVOp pv = pvOfSameKeyTile(qk);
      if (!pv)
        why = "a qk without the pv of the same key tile";
      else if (!dom.properlyDominates(pv.getValues(), op) ||
               !dom.properlyDominates(pv.getBase(), op))
        why = "values not available at the qk";
      else if (cast<MemRefType>(pv.getValues().getType()).getElementType() !=
               elt)
        why = "values and keys of different types";
      else
        pairs.push_back({qk, pv});
    }
    if (auto pv = dyn_cast<TilePVOp>(op)) {
      bool paired =
          llvm::any_of(pairs, [&](auto &qkPv) { return qkPv.second == pv; });
      if (!paired)
        why = "a pv without a qk of the same key tile before it";
    }
    return WalkResult::advance();
  });
  return why;
}

Value mlir::sattn::sequenceClip(Value count, Value first, int64_t blockN) {
  auto min = count.getDefiningOp<arith::MinSIOp>();
  if (!min)
    return {};
  for (unsigned i = 0; i < 2; ++i) {
    APInt bound;
    if (!matchPattern(min->getOperand(1 - i), m_ConstantInt(&bound)) ||
        bound != blockN)
      continue;
    if (auto sub = min->getOperand(i).getDefiningOp<arith::SubIOp>())
      if (sub.getRhs() == first)
        return sub.getLhs();
  }
  return {};
}

namespace {

/// Why the tensor-core lowerings cannot take `program`: its tiles must be
/// block_m rows (a multiple of 16) and a multiple of 16 columns (or one, the
/// row statistics), its keys and values bf16 or f16, every qk paired with
/// the pv of the same key tile, all key tiles of one shape.
std::string whyNotTensorCores(ProgramOp program, int64_t &headDim,
                              int64_t &blockN) {
  int64_t blockM = program.getBlockMAttr().getInt();
  if (blockM % 16 != 0)
    return "block_m is not a multiple of 16";
  if (blockM / 16 * 32 > 1024)
    return "more than 1024 threads";
  std::string why;
  program.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto tile = dyn_cast<TileType>(t)) {
        if (tile.getRows() != blockM)
          why = "a tile with other than block_m rows";
        else if (tile.getCols() != 1 && tile.getCols() % 16 != 0)
          why = "a tile whose columns are not a multiple of 16";
      }
    if (auto qk = dyn_cast<TileQKOp>(op)) {
      Type elt = cast<MemRefType>(qk.getKeys().getType()).getElementType();
      if (!elt.isBF16() && !elt.isF16())
        why = "keys that are not bf16 or f16";
      int64_t d = cast<TileType>(qk.getQ().getType()).getCols();
      int64_t n = cast<TileType>(qk.getType()).getCols();
      if ((headDim && headDim != d) || (blockN && blockN != n))
        why = "key tiles of different shapes";
      headDim = d;
      blockN = n;
    }
    return why.empty() ? WalkResult::advance() : WalkResult::interrupt();
  });
  if (!why.empty())
    return why;
  SmallVector<std::pair<TileQKOp, TilePVOp>> pairs;
  if (std::string unpaired = pairProducts(program, pairs); !unpaired.empty())
    return unpaired;
  if (headDim == 0)
    return "no qk";
  return "";
}

/// Why TMA cannot fill the program's K/V tiles: the buffers must be kernel
/// parameters (a tensor map describes each) and every key tile clipped by
/// one sequence length alone (TMA zero-fills exactly the rows past it).
std::string whyNotTma(func::FuncOp fn, ProgramOp program, int64_t blockN) {
  SmallVector<std::pair<TileQKOp, TilePVOp>> pairs;
  (void)pairProducts(program, pairs);
  Block &entry = fn.getBody().front();
  auto isKernelArg = [&](Value v) {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg && arg.getOwner() == &entry;
  };
  Value seqK;
  for (auto [qk, pv] : pairs) {
    if (!isKernelArg(qk.getKeys()) || !isKernelArg(pv.getValues()))
      return "a key or value buffer that is not a kernel argument";
    Value clip = sequenceClip(qk.getCount(), qk.getFirst(), blockN);
    if (!clip || !isKernelArg(clip))
      return "a key tile whose count is not min(Sk - first, block_n)";
    if (seqK && seqK != clip)
      return "key tiles clipped to different sequence lengths";
    seqK = clip;
  }
  return "";
}

MaskBounds maskBounds(ProgramOp program) {
  MaskBounds mb;
  program.walk([&](TileMaskOp mask) {
    ArrayAttr regions = mask.getRegions();
    mb.boundedKeys |= regions.size() > 1;
    mb.masked |= regions.size() != 1;
    for (auto r : regions.getAsRange<RegionAttr>()) {
      bool fromBelow =
          r.getDiagLo() || r.getColLo() || r.getColHi() || r.getChunk();
      mb.boundedKeys |= fromBelow;
      mb.masked |= fromBelow || r.getDiagHi() || r.getDilation();
    }
  });
  return mb;
}

} // namespace

KernelFacts mlir::sattn::analyzeKernel(func::FuncOp fn, ProgramOp program) {
  KernelFacts f;
  KernelAttr kernel = getKernelAttr(fn);
  f.role = kernel.getRole();
  f.blockM = program.getBlockMAttr().getInt();
  f.blockN = kernel.getBlockN();
  f.whyNotTensorCores = whyNotTensorCores(program, f.headDim, f.blockN);
  if (f.whyNotTensorCores.empty())
    f.whyNotTma = whyNotTma(fn, program, f.blockN);
  f.masks = maskBounds(program);
  program.walk(
      [&](TileScoreModOp mod) { f.softcap |= bool(mod.getSoftcap()); });
  // A key loop whose bound is a load (sattn-tile-flash's walk of a layout's
  // lists).
  program.walk([&](scf::ForOp loop) {
    Operation *bound = loop.getUpperBound().getDefiningOp();
    bool loaded = false;
    SmallVector<Operation *> work = {bound};
    for (unsigned n = 0; n < work.size() && n < 16 && !loaded; ++n) {
      if (!work[n])
        continue;
      loaded |= isa<memref::LoadOp>(work[n]);
      for (Value v : work[n]->getOperands())
        work.push_back(v.getDefiningOp());
    }
    bool keyLoop = false;
    loop.walk([&](TileQKOp) { keyLoop = true; });
    f.listedKeyTiles |= loaded && keyLoop;
  });
  if (f.listedKeyTiles)
    f.masks.masked = f.masks.boundedKeys = true;
  return f;
}
