//===- CanonicalSpec.cpp - Canonical JSON of a spec and its hash ----------===//
//
// The canonical text fills in every default (the effective scale, tail_min)
// so that a spec written with or without them names the same kernels. It is
// itself a valid spec that parses back to an equal PatternSpec. Object keys
// come out sorted (nlohmann::json's default map); numbers are printed with
// the shortest text that round-trips, so the scale keeps full precision.
//
//===----------------------------------------------------------------------===//

#include "Spec/PatternSpec.h"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace sattn {
namespace {

using nlohmann::json;

json maskToJson(const MaskExpr &m) {
  switch (m.kind) {
  case MaskExpr::Kind::Causal:
    return {{"kind", "causal"}};
  case MaskExpr::Kind::Window: {
    json w = {{"kind", "window"}, {"left", m.left}, {"right", m.right}};
    // The default is left out, so that specs written before dilation
    // existed keep their hash.
    if (m.dilation != 1)
      w["dilation"] = m.dilation;
    return w;
  }
  case MaskExpr::Kind::Sink:
    return {{"kind", "sink"}, {"tokens", m.tokens}};
  case MaskExpr::Kind::Chunk:
    return {{"kind", "chunk"}, {"size", m.tokens}};
  case MaskExpr::Kind::PrefixLM:
    return {{"kind", "prefix_lm"}, {"prefix", m.tokens}};
  case MaskExpr::Kind::Documents:
    return {{"kind", "documents"}};
  case MaskExpr::Kind::BlockLayout: {
    json l = {{"kind", "block_layout"},
              {"block", json::array({m.blockRows, m.blockCols})}};
    if (!m.children.empty())
      l["mask"] = maskToJson(m.children[0]);
    return l;
  }
  case MaskExpr::Kind::Union:
  case MaskExpr::Kind::Intersect: {
    // Operand order is kept: reordering is a semantic identity we don't
    // attempt to normalise.
    json of = json::array();
    for (const MaskExpr &c : m.children)
      of.push_back(maskToJson(c));
    return {{"kind", m.kind == MaskExpr::Kind::Union ? "union" : "intersect"}, {"of", of}};
  }
  }
  return nullptr;
}

} // namespace

std::string canonicalSpecJson(const PatternSpec &spec) {
  json j = json::object();
  j["name"] = spec.name;
  j["dtype"] = dtypeName(spec.dtype);
  j["head_dim"] = spec.headDim;
  j["scale"] = spec.effectiveScale();
  if (spec.softcap)
    j["softcap"] = *spec.softcap;
  // An absent mask (dense) is left out, as the spec format spells it.
  if (spec.mask)
    j["mask"] = maskToJson(*spec.mask);
  if (spec.delta) {
    j["correction"] = {
        {"kind", "delta"}, {"gamma", spec.delta->gamma}, {"tail_min", spec.delta->tailMin}};
    // The default reference (causal) is left out, written or not, so that
    // specs from before references keep their hash.
    if (spec.delta->denseReference)
      j["correction"]["reference"] = "dense";
    else if (spec.delta->reference &&
             spec.delta->reference->kind != MaskExpr::Kind::Causal)
      j["correction"]["reference"] = maskToJson(*spec.delta->reference);
  }
  if (spec.alibi)
    j["alibi"] = {{"slopes", *spec.alibi == PatternSpec::AlibiSlopes::Geometric
                                 ? "geometric"
                                 : "tensor"}};
  // Left out when false, so that hashes of specs without it do not change.
  if (spec.learnableSinks)
    j["learnable_sinks"] = true;
  return j.dump();
}

std::string specHash(const PatternSpec &spec) {
  // FNV-1a 64: simple, stable across platforms and runs.
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : canonicalSpecJson(spec)) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

} // namespace sattn
