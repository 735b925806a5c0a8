//===- ValidateSpec.cpp - The rules of a PatternSpec, for built structs ---===//
//
// parsePatternSpec enforces these rules while reading JSON; specs built in
// C++ (the JIT API takes a PatternSpec) are checked here with the same
// paths in the messages, so every way into the compiler has the same rules.
//
//===----------------------------------------------------------------------===//
#include "Spec/PatternSpec.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>

namespace sattn {
namespace {

constexpr int64_t kMaxSize = int64_t(1) << 40;

Status invalid(const std::string &source, const std::string &path,
               const std::string &problem) {
  return Status::error(ErrorKind::InvalidInput,
                       source + ": " + path + ": " + problem);
}

/// "1e-46", not std::to_string's "0.000000".
std::string shortNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool validName(const std::string &n) {
  if (n.empty() || n.size() > 64 ||
      !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_'))
    return false;
  for (char c : n)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  return true;
}

Status checkRange(const std::string &source, const std::string &path,
                  int64_t v, int64_t lo) {
  if (v < lo || v > kMaxSize)
    return invalid(source, path,
                   "must be in [" + std::to_string(lo) + ", " +
                       std::to_string(kMaxSize) + "], got " +
                       std::to_string(v));
  return Status::ok();
}

Status checkMask(const std::string &source, const std::string &path,
                 const MaskExpr &m, int depth, size_t &nodes) {
  if (depth > kMaxMaskDepth)
    return invalid(source, path,
                   "mask nested deeper than " + std::to_string(kMaxMaskDepth));
  if (++nodes > kMaxMaskNodes)
    return invalid(source, path,
                   "the mask has more than " + std::to_string(kMaxMaskNodes) +
                       " nodes (the supported maximum)");
  switch (m.kind) {
  case MaskExpr::Kind::Causal:
    return Status::ok();
  case MaskExpr::Kind::Window:
    if (Status s = checkRange(source, path + ".left", m.left, 0); !s)
      return s;
    if (Status s = checkRange(source, path + ".right", m.right, 0); !s)
      return s;
    return checkRange(source, path + ".dilation", m.dilation, 1);
  case MaskExpr::Kind::Sink:
    return checkRange(source, path + ".tokens", m.tokens, 1);
  case MaskExpr::Kind::Chunk:
    return checkRange(source, path + ".size", m.tokens, 1);
  case MaskExpr::Kind::PrefixLM:
    return checkRange(source, path + ".prefix", m.tokens, 1);
  case MaskExpr::Kind::Documents:
    return Status::ok();
  case MaskExpr::Kind::BlockLayout: {
    for (auto [key, v] : {std::pair{".block[0]", m.blockRows},
                          std::pair{".block[1]", m.blockCols}})
      if (v < 16 || v > kMaxLayoutBlock || v % 16 != 0)
        return invalid(source, path + key,
                       "a layout block's side must be a multiple of 16 in "
                       "[16, " +
                           std::to_string(kMaxLayoutBlock) + "], got " +
                           std::to_string(v));
    if (m.children.size() > 1)
      return invalid(source, path + ".mask",
                     "a block layout has at most one mask for its partial "
                     "blocks");
    if (!m.children.empty())
      return checkMask(source, path + ".mask", m.children[0], depth + 1, nodes);
    return Status::ok();
  }
  case MaskExpr::Kind::Union:
  case MaskExpr::Kind::Intersect:
    if (m.children.empty())
      return invalid(source, path + ".of",
                     std::string(m.kind == MaskExpr::Kind::Union ? "union"
                                                                 : "intersect") +
                         " needs at least one mask");
    if (m.children.size() > kMaxMaskChildren)
      return invalid(source, path + ".of",
                     "has " + std::to_string(m.children.size()) +
                         " masks, more than the " +
                         std::to_string(kMaxMaskChildren) + " a " +
                         (m.kind == MaskExpr::Kind::Union ? "union"
                                                          : "intersect") +
                         " may have");
    for (size_t i = 0; i < m.children.size(); ++i)
      if (Status s = checkMask(source,
                               path + ".of[" + std::to_string(i) + "]",
                               m.children[i], depth + 1, nodes);
          !s)
        return s;
    return Status::ok();
  }
  return invalid(source, path, "unknown mask kind");
}

/// The JSON path of child i of `m` at `path`.
std::string childPath(const MaskExpr &m, const std::string &path, size_t i) {
  return m.kind == MaskExpr::Kind::BlockLayout
             ? path + ".mask"
             : path + ".of[" + std::to_string(i) + "]";
}

/// The first mask of kind `kind` at or below `m` (its JSON path in `where`).
bool findKind(const MaskExpr &m, MaskExpr::Kind kind, const std::string &path,
              std::string &where) {
  if (m.kind == kind) {
    where = path;
    return true;
  }
  for (size_t i = 0; i < m.children.size(); ++i)
    if (findKind(m.children[i], kind, childPath(m, path, i), where))
      return true;
  return false;
}

/// A mask read at launch: its kind, spelling, and why it may only narrow
/// the rest of the mask.
struct LaunchMask {
  MaskExpr::Kind kind;
  const char *name;
  const char *why;
  const char *once;
};
constexpr LaunchMask kLaunchMasks[] = {
    {MaskExpr::Kind::Documents, "documents",
     "documents only narrow the other masks; under a union a query would "
     "see keys of other documents",
     "a pattern packs one set of documents"},
    {MaskExpr::Kind::BlockLayout, "block_layout",
     "a layout's key blocks are the key tiles a query tile visits; under a "
     "union other masks would add tiles it does not list",
     "a pattern reads one layout"},
};

/// `lm` is the mask itself or an operand of the outermost intersect, at
/// most once, and nowhere else (not in a layout's partial-block mask, not
/// in the delta correction's static reference).
Status checkLaunchMaskPlacement(const PatternSpec &spec, const LaunchMask &lm,
                                const std::string &source) {
  std::string where;
  if (spec.delta && spec.delta->reference &&
      findKind(*spec.delta->reference, lm.kind, "$.correction.reference",
               where))
    return invalid(source, where,
                   std::string("the delta correction's reference is a static "
                               "mask; \"") +
                       lm.name + "\" is read at launch");
  if (!spec.mask)
    return Status::ok();
  const MaskExpr &root = *spec.mask;
  if (root.kind == MaskExpr::Kind::Intersect) {
    bool seen = false;
    for (size_t i = 0; i < root.children.size() && where.empty(); ++i) {
      const std::string path = "$.mask.of[" + std::to_string(i) + "]";
      const MaskExpr &c = root.children[i];
      if (c.kind == lm.kind) {
        if (seen)
          return invalid(source, path,
                         std::string("a second \"") + lm.name + "\" mask; " +
                             lm.once);
        seen = true;
        // Its own operands (a layout's partial-block mask) are static.
        for (size_t j = 0; j < c.children.size() && where.empty(); ++j)
          findKind(c.children[j], lm.kind, childPath(c, path, j), where);
      } else {
        findKind(c, lm.kind, path, where);
      }
    }
  } else if (root.kind == lm.kind) {
    for (size_t j = 0; j < root.children.size() && where.empty(); ++j)
      findKind(root.children[j], lm.kind, childPath(root, "$.mask", j), where);
  } else {
    findKind(root, lm.kind, "$.mask", where);
  }
  if (!where.empty())
    return invalid(source, where,
                   std::string("\"") + lm.name +
                       "\" must be the mask itself or an operand of the "
                       "outermost \"intersect\" (" +
                       lm.why + ")");
  return Status::ok();
}

} // namespace

namespace spec_detail {
/// Masks read at launch only narrow the rest of the mask (see
/// kLaunchMasks); a pattern reads at most one of each, and not both yet.
Status checkLaunchMaskRules(const PatternSpec &spec,
                            const std::string &source) {
  for (const LaunchMask &lm : kLaunchMasks)
    if (Status s = checkLaunchMaskPlacement(spec, lm, source); !s)
      return s;
  // Inside a layout's partial-block mask the walk above reports a
  // documents mask as misplaced; here both are where they may be.
  if (hasDocuments(spec) && blockLayoutOf(spec))
    return invalid(source, "$.mask",
                   "documents and a block layout in one pattern are not "
                   "supported yet (the layout's blocks would have to be "
                   "numbered within each document)");
  if (spec.delta && hasDocuments(spec))
    return invalid(source, "$.correction",
                   "the delta correction over documents is not supported "
                   "yet (its dense reference rows would have to follow the "
                   "documents too)");
  if (spec.delta && blockLayoutOf(spec))
    return invalid(source, "$.correction",
                   "the delta correction over a block layout is not "
                   "supported yet (its anchor rows, gamma apart, span many "
                   "of the layout's query blocks)");
  return Status::ok();
}
} // namespace spec_detail

Status validatePatternSpec(const PatternSpec &spec, const std::string &source) {
  if (!validName(spec.name))
    return invalid(source, "$.name",
                   "invalid name \"" + spec.name +
                       "\" (want [A-Za-z_][A-Za-z0-9_]*, at most 64 chars)");
  if (spec.headDim != 64 && spec.headDim != 128)
    return invalid(source, "$.head_dim",
                   "unsupported head_dim " + std::to_string(spec.headDim) +
                       " (supported: 64, 128)");
  if (spec.scale && !(std::isfinite(*spec.scale) && *spec.scale > 0))
    return invalid(source, "$.scale", "must be a positive finite number");
  if (spec.softcap && !(std::isfinite(*spec.softcap) && *spec.softcap > 0))
    return invalid(source, "$.softcap", "must be a positive finite number");
  for (auto [path, v] : {std::pair{"$.scale", spec.scale},
                         std::pair{"$.softcap", spec.softcap}})
    if (v && !scoreFactorInRange(*v))
      return invalid(source, path,
                     shortNumber(*v) +
                         " is outside [2^-63, 2^63] (about [1.1e-19, "
                         "9.2e18]): scaled scores would overflow or vanish "
                         "in f32");
  size_t maskNodes = 0;
  if (spec.mask)
    if (Status s = checkMask(source, "$.mask", *spec.mask, 1, maskNodes); !s)
      return s;
  if (spec.delta) {
    if (Status s = checkRange(source, "$.correction.gamma", spec.delta->gamma,
                              1);
        !s)
      return s;
    if (Status s = checkRange(source, "$.correction.tail_min",
                              spec.delta->tailMin, 0);
        !s)
      return s;
    if (spec.delta->reference) {
      if (spec.delta->denseReference)
        return invalid(source, "$.correction.reference",
                       "both \"dense\" and a mask");
      size_t referenceNodes = 0;
      if (Status s = checkMask(source, "$.correction.reference",
                               *spec.delta->reference, 1, referenceNodes);
          !s)
        return s;
    }
  }
  return spec_detail::checkLaunchMaskRules(spec, source);
}

} // namespace sattn
