//===- ManifestJson.h - What the manifest reader and writer share -*- C++ -*-===//
//
// Internal to the runtime: the format's constants, the ABI parameter list,
// the fields a manifest derives from its others (written out by
// manifestToJson, checked by the reader) and JSON text helpers for
// messages.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_RUNTIME_MANIFESTJSON_H
#define SATTN_RUNTIME_MANIFESTJSON_H

#include "sattn/Manifest.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sattn::manifest_json {

using json = nlohmann::json;
// Insertion order keeps the written file in the documented key order.
using ordered_json = nlohmann::ordered_json;

inline constexpr const char *kFormat = "sattn-manifest";
/// The only swizzle a tensor map has today (the wgmma B-operand layout).
inline constexpr const char *kTensorMapSwizzle = "128B";
/// TMA's largest box extent per dimension.
inline constexpr int64_t kMaxBoxExtent = 256;
/// The span of the 128-byte swizzle: a box row is exactly this long.
inline constexpr int64_t kSwizzleSpanBytes = 128;

/// Bytes of one element of a manifest dtype (0 if unknown).
inline int64_t dtypeBytes(const std::string &dtype) {
  if (dtype == "bf16" || dtype == "f16")
    return 2;
  if (dtype == "f32")
    return 4;
  return 0;
}

/// Size names a launch tensor's shape may use (Manifest.h), besides the
/// block counts "Sq/n" and "Sk/n".
inline const std::vector<std::string> &shapeNames() {
  static const std::vector<std::string> names = {"B",  "H",    "Hkv", "Sq",
                                                 "Sk", "Nd+1", "LB",  "LH"};
  return names;
}

/// Whether a launch tensor's shape names a block layout's sizes.
inline bool usesBlockLayout(const Manifest &m) {
  for (const TensorInfo &t : m.tensors)
    for (const std::string &d : t.shape)
      if (d == "LB" || d == "LH" || blockCountDivisor(d) > 0)
        return true;
  return false;
}

/// Whether a launch tensor's shape names the document count.
inline bool usesDocuments(const Manifest &m) {
  for (const TensorInfo &t : m.tensors)
    for (const std::string &d : t.shape)
      if (d == "Nd+1")
        return true;
  return false;
}

/// The ABI parameter list of every kernel of a manifest (see Manifest.h).
inline std::vector<KernelParam> abiParams(const Manifest &m) {
  std::vector<KernelParam> params = {
      {"q", "ptr"}, {"k", "ptr"}, {"v", "ptr"}, {"o", "ptr"}};
  if (m.hasDelta)
    params.push_back({"delta", "ptr"});
  for (const TensorInfo &t : m.tensors)
    params.push_back({t.name, "ptr"});
  for (const char *size : {"B", "H", "Hkv", "Sq", "Sk"})
    params.push_back({size, "i64"});
  if (usesDocuments(m))
    params.push_back({"Nd", "i64"});
  if (usesBlockLayout(m)) {
    params.push_back({"LB", "i64"});
    params.push_back({"LH", "i64"});
  }
  return params;
}

// Invalid UTF-8 is replaced, not thrown about: the library never throws.
inline std::string dumpText(const json &value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

/// The JSON text of a value, cut short for messages.
inline std::string shortText(const json &value) {
  std::string text = dumpText(value);
  constexpr size_t kMax = 40;
  if (text.size() > kMax)
    text = text.substr(0, kMax) + "...";
  return text;
}

/// Short rendering of a JSON value for "got ..." in messages.
inline std::string describe(const json &value) {
  if (value.is_object())
    return "an object";
  if (value.is_array())
    return "an array";
  return shortText(value);
}

inline std::string jsonQuote(const std::string &s) { return dumpText(json(s)); }

/// What a manifest derives from its other fields, written out so that a
/// reader needs no other document: the shapes and layouts the kernels
/// accept and each kernel's launch geometry. Readers accept a manifest
/// without these keys and reject one whose copies disagree (a stale or
/// edited file).
inline ordered_json supportsJson(const Manifest &m) {
  ordered_json s;
  s["dtype"] = m.dtype;
  s["head_dim"] = m.headDim;
  s["layout"] = "q, o: [B, H, Sq, D]; k, v: [B, Hkv, Sk, D]; contiguous";
  s["pointer_alignment_bytes"] = 16;
  s["gqa"] = "H % Hkv == 0; head h reads kv head h / (H / Hkv)";
  s["seq_q_equals_seq_k"] = m.hasDelta;
  s["max_batch_heads"] = 65535;
  return s;
}

inline std::string gridXFormula(const KernelInfo &k) {
  std::string bm = std::to_string(k.blockM);
  if (k.role == KernelRole::DeltaAnchor)
    return "ceil(numAnchors / " + bm + ") + ceil(tailRows / " + bm + ")";
  if (k.role == KernelRole::DeltaMain)
    return "ceil(mainRows / " + bm + ")";
  if (k.role == KernelRole::DocumentAttention)
    return "ceil(Sq / " + bm + ") + Nd";
  return "ceil(Sq / " + bm + ")";
}

inline ordered_json launchJson(const KernelInfo &k) {
  ordered_json l;
  l["block"] = {k.threads, 1, 1};
  if (k.persistent) {
    l["instances"] = {gridXFormula(k), "B * H"};
    l["grid"] = {"min(instances, resident blocks)", "1", "1"};
  } else {
    l["grid"] = {gridXFormula(k), "B * H", "1"};
  }
  return l;
}

inline ordered_json deltaRowsJson() {
  return {{"main_rows",
           "max(0, Sq - (Sq mod gamma + max(tail_min, gamma)))"},
          {"num_anchors", "ceil(mainRows / gamma)"},
          {"tail_rows", "Sq - mainRows"}};
}

} // namespace sattn::manifest_json

#endif // SATTN_RUNTIME_MANIFESTJSON_H
