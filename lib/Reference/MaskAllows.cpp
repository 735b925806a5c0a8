//===- MaskAllows.cpp - One mask element, straight from the definition ----===//

#include "Reference/Reference.h"

namespace sattn::ref {

bool maskAllows(const MaskExpr &mask, int64_t i, int64_t j, int64_t Sq, int64_t Sk) {
  // Bottom-right alignment: the last query sits on the last key.
  const int64_t ip = i + (Sk - Sq);
  switch (mask.kind) {
  case MaskExpr::Kind::Causal:
    return j <= ip;
  case MaskExpr::Kind::Window:
    return ip - mask.left <= j && j <= ip + mask.right;
  case MaskExpr::Kind::Sink:
    return j < mask.tokens;
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
