//===- SattnTileOps.cpp - Tiled-form op verifiers and effects -------------===//
#include <cmath>
#include "sattn/IR/Sattn.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::sattn;

#define GET_OP_CLASSES
#include "sattn/IR/SattnTileOps.cpp.inc"

LogicalResult ProgramOp::verify() {
  Block &body = getBody().front();
  if (body.getNumArguments() != 2 ||
      !llvm::all_of(body.getArgumentTypes(),
                    [](Type t) { return t.isIndex(); }))
    return emitOpError("body must take two index arguments (x, y)");
  if (getBlockMAttr().getInt() <= 0)
    return emitOpError("block_m must be positive, got ") << getBlockMAttr().getInt();
  return success();
}

LogicalResult WorkLoopOp::verify() {
  auto program = (*this)->getParentOfType<ProgramOp>();
  if (!program)
    return emitOpError("must be nested in a sattn.program");
  if ((*this)->getParentOfType<WorkLoopOp>())
    return emitOpError("must not be nested in another sattn.work_loop");
  Block &body = getBody().front();
  if (body.getNumArguments() != 2 ||
      !llvm::all_of(body.getArgumentTypes(),
                    [](Type t) { return t.isIndex(); }))
    return emitOpError("body must take two index arguments (x, y)");
  for (BlockArgument arg : program.getBody().front().getArguments())
    if (!arg.use_empty())
      return emitOpError("needs the enclosing program's instance index #")
             << arg.getArgNumber()
             << " unused: a block of a persistent grid runs the instances "
                "its work loops take";
  return success();
}

LogicalResult LaneIdOp::verify() {
  if (!(*this)->getParentOfType<ProgramOp>())
    return emitOpError("must be nested in a sattn.program");
  return success();
}

static TileType tileOf(Value v) { return cast<TileType>(v.getType()); }
static Type elementOf(Value buffer) {
  return cast<MemRefType>(buffer.getType()).getElementType();
}

LogicalResult TileLoadOp::verify() {
  if (getResult().getType().getElementType() != elementOf(getBuffer()))
    return emitOpError("result element type ")
           << getResult().getType().getElementType()
           << " must match the buffer's " << elementOf(getBuffer());
  if (getRowDivAttr().getInt() < 1)
    return emitOpError("row_div must be >= 1, got ") << getRowDivAttr().getInt();
  return success();
}

LogicalResult TileStoreOp::verify() {
  Type t = tileOf(getTile()).getElementType();
  if (!t.isF32() && t != elementOf(getBuffer()))
    return emitOpError("tile element type ")
           << t << " must be f32 or the buffer's " << elementOf(getBuffer());
  return success();
}

LogicalResult TileQKOp::verify() {
  TileType q = tileOf(getQ()), s = tileOf(getScores());
  if (q.getRows() != s.getRows())
    return emitOpError("scores rows (")
           << s.getRows() << ") must equal q rows (" << q.getRows() << ")";
  if (!s.getElementType().isF32())
    return emitOpError("scores must be f32");
  if (q.getElementType() != elementOf(getKeys()))
    return emitOpError("q element type ")
           << q.getElementType() << " differs from the keys' "
           << elementOf(getKeys());
  return success();
}

static bool isRowVector(TileType t, int64_t rows) {
  return t.getRows() == rows && t.getCols() == 1 && t.getElementType().isF32();
}

LogicalResult TileSoftmaxStepOp::verify() {
  TileType s = tileOf(getScores());
  if (!s.getElementType().isF32())
    return emitOpError("scores must be f32");
  for (Value v : {getRowMax(), getRowSum(), getNewMax(), getNewSum(),
                  getAlpha()})
    if (!isRowVector(tileOf(v), s.getRows()))
      return emitOpError("row statistics must be tile<")
             << s.getRows() << "x1xf32>, got " << v.getType();
  if (getProbs().getType() != s)
    return emitOpError("probs must have the scores' type");
  double scale = getScale().convertToDouble();
  if (!(scale > 0.0) || !std::isfinite(scale))
    return emitOpError("scale must be a positive finite number, got ")
           << scale;
  return success();
}

LogicalResult TilePVOp::verify() {
  TileType p = tileOf(getProbs()), acc = tileOf(getAcc());
  if (p.getRows() != acc.getRows())
    return emitOpError("probs rows and acc rows differ");
  if (!acc.getElementType().isF32())
    return emitOpError("acc must be f32");
  if (!p.getElementType().isF32() && p.getElementType() != elementOf(getValues()))
    return emitOpError("probs must be f32 or the values' element type ")
           << elementOf(getValues()) << ", got " << p.getElementType();
  return success();
}

LogicalResult TileNormalizeOp::verify() {
  if (bool(getSink()) != bool(getRowMax()))
    return emitOpError("takes a sink logit and the row maximum together");
  if (getRowMax() && getRowMax().getType() != getRowSum().getType())
    return emitOpError("row_max must have the type of row_sum, ")
           << getRowSum().getType() << ", got " << getRowMax().getType();
  return success();
}

LogicalResult TileTruncFOp::verify() {
  TileType in = tileOf(getTile()), out = tileOf(getResult());
  if (in.getShape() != out.getShape())
    return emitOpError("result shape must equal the input's");
  auto inElt = dyn_cast<FloatType>(in.getElementType());
  auto outElt = dyn_cast<FloatType>(out.getElementType());
  if (!inElt || !outElt || outElt.getWidth() >= inElt.getWidth())
    return emitOpError("result element type ")
           << out.getElementType() << " must be a float type narrower than "
           << in.getElementType();
  return success();
}

// Memory effects: loads and the two products read their buffer, stores
// write theirs; nothing else is touched.
void TileLoadOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Read::get(), &getBufferMutable(),
                 SideEffects::DefaultResource::get());
}
void TileStoreOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Write::get(), &getBufferMutable(),
                 SideEffects::DefaultResource::get());
}
void TileQKOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Read::get(), &getKeysMutable(),
                 SideEffects::DefaultResource::get());
}
void TilePVOp::getEffects(
    SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>> &e) {
  e.emplace_back(MemoryEffects::Read::get(), &getValuesMutable(),
                 SideEffects::DefaultResource::get());
}
