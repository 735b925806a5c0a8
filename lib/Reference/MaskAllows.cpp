//===- MaskAllows.cpp - One mask element, straight from the definition ----===//

#include "Reference/Reference.h"

namespace sattn::ref {
namespace {

/// Rounds towards minus infinity: a query's position i' is negative when
/// Sq > Sk, and it lies in chunk -1, -2, ..., which no key shares.
int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

} // namespace

bool maskAllows(const MaskExpr &mask, int64_t i, int64_t j, int64_t Sq, int64_t Sk) {
  // Bottom-right alignment: the last query sits on the last key.
  const int64_t ip = i + (Sk - Sq);
  switch (mask.kind) {
  case MaskExpr::Kind::Causal:
    return j <= ip;
  case MaskExpr::Kind::Window:
    return ip - mask.left <= j && j <= ip + mask.right &&
           (ip - j) % mask.dilation == 0;
  case MaskExpr::Kind::Sink:
    return j < mask.tokens;
  case MaskExpr::Kind::Chunk:
    return floorDiv(j, mask.tokens) == floorDiv(ip, mask.tokens);
  case MaskExpr::Kind::PrefixLM:
    return j < mask.tokens || j <= ip;
  case MaskExpr::Kind::Documents:
    // Within one document, whose coordinates i, j, Sq and Sk are here
    // (attention() keeps each row to its document's keys).
    return true;
  case MaskExpr::Kind::BlockLayout:
    // Read at launch: attention() evaluates the layout from its tensors and
    // intersects it with the rest of the mask.
    return true;
  case MaskExpr::Kind::Union:
    for (const MaskExpr &c : mask.children)
      if (maskAllows(c, i, j, Sq, Sk))
        return true;
    return false;
  case MaskExpr::Kind::Intersect:
    for (const MaskExpr &c : mask.children)
      if (!maskAllows(c, i, j, Sq, Sk))
        return false;
    return true;
  }
  return false;
}

} // namespace sattn::ref
