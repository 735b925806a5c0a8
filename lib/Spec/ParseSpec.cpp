//===- ParseSpec.cpp - JSON text to PatternSpec, with exact error paths ---===//
//
// Every rejection is ErrorKind::InvalidInput with the message
// "<source>: <json path>: <problem>", so a user can find the offending value
// without reading the parser. The checks are deliberately strict (unknown
// keys, integers written as 2.0 or "2", out-of-range sizes): the spec's
// canonical form is hashed to name compiled kernels, so anything ambiguous or
// silently coerced would make two different inputs look alike.
//
//===----------------------------------------------------------------------===//

#include "Spec/PatternSpec.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace sattn {
namespace spec_detail {
// Defined in StrictJson.cpp (lib/Spec has only the public header).
Result<nlohmann::json> parseStrictJson(const std::string &text, const std::string &source);
// ValidateSpec.cpp: rules over the whole spec, shared by both ways in.
Status checkLaunchMaskRules(const PatternSpec &spec, const std::string &source);
std::string pathSegment(const std::string &key);
} // namespace spec_detail

namespace {

using nlohmann::json;
using spec_detail::pathSegment;

/// Sizes are bounded so that products like B*H*S*D cannot overflow int64.
constexpr int64_t kMaxSize = int64_t(1) << 40;
constexpr size_t kMaxNameLength = 64;

/// The offending value as the user wrote it (shortened if huge).
std::string describe(const json &v) {
  std::string s = v.dump();
  return s.size() > 40 ? s.substr(0, 37) + "..." : s;
}

class SpecParser {
public:
  explicit SpecParser(std::string source) : source_(std::move(source)) {}

  Status parse(const json &root, PatternSpec &spec) {
    const std::string path = "$";
    if (Status s = expectObject(root, path); !s)
      return s;
    if (Status s = checkKeys(root, path,
                             {"name", "dtype", "head_dim", "scale", "softcap",
                              "mask", "correction", "learnable_sinks", "alibi"},
                             {"name", "dtype", "head_dim"});
        !s)
      return s;
    if (Status s = parseName(root.at("name"), path + ".name", spec.name); !s)
      return s;
    if (Status s = parseDTypeValue(root.at("dtype"), path + ".dtype", spec.dtype); !s)
      return s;
    if (Status s = parseHeadDim(root.at("head_dim"), path + ".head_dim", spec.headDim); !s)
      return s;
    if (root.contains("scale")) {
      double v;
      if (Status s = readScoreFactor(root.at("scale"), path + ".scale", v); !s)
        return s;
      spec.scale = v;
    }
    if (root.contains("softcap")) {
      double v;
      if (Status s = readScoreFactor(root.at("softcap"), path + ".softcap", v); !s)
        return s;
      spec.softcap = v;
    }
    if (root.contains("mask")) {
      MaskExpr m;
      if (Status s = parseMask(root.at("mask"), path + ".mask", 1, m); !s)
        return s;
      spec.mask = std::move(m);
    }
    if (root.contains("correction")) {
      DeltaCorrection d;
      if (Status s = parseCorrection(root.at("correction"), path + ".correction", d); !s)
        return s;
      spec.delta = d;
    }
    if (root.contains("alibi")) {
      const json &v = root.at("alibi");
      const std::string apath = path + ".alibi";
      if (Status s = expectObject(v, apath); !s)
        return s;
      if (Status s = checkKeys(v, apath, {"slopes"}, {"slopes"}); !s)
        return s;
      std::string slopes;
      if (Status s = readString(v.at("slopes"), apath + ".slopes", slopes); !s)
        return s;
      if (slopes == "geometric")
        spec.alibi = PatternSpec::AlibiSlopes::Geometric;
      else if (slopes == "tensor")
        spec.alibi = PatternSpec::AlibiSlopes::Tensor;
      else
        return fail(apath + ".slopes", "unknown slopes " +
                                           describe(v.at("slopes")) +
                                           " (supported: geometric, tensor)");
    }
    if (root.contains("learnable_sinks")) {
      const json &v = root.at("learnable_sinks");
      if (!v.is_boolean())
        return fail(path + ".learnable_sinks",
                    "expected true or false, got " + describe(v));
      spec.learnableSinks = v.get<bool>();
    }
    return spec_detail::checkLaunchMaskRules(spec, source_);
  }

private:
  std::string source_;
  size_t maskNodes_ = 0;

  Status fail(const std::string &path, const std::string &problem) const {
    return Status::error(ErrorKind::InvalidInput, source_ + ": " + path + ": " + problem);
  }

  Status expectObject(const json &v, const std::string &path) const {
    if (!v.is_object())
      return fail(path, "expected an object, got " + describe(v));
    return Status::ok();
  }

  /// Unknown keys first (a typo is the likelier mistake), then missing ones.
  Status checkKeys(const json &obj, const std::string &path,
                   const std::vector<std::string> &allowed,
                   const std::vector<std::string> &required) const {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      bool known = false;
      for (const std::string &a : allowed)
        known = known || it.key() == a;
      if (!known) {
        std::string list;
        for (const std::string &a : allowed)
          list += (list.empty() ? "" : ", ") + a;
        return fail(path, "unknown key " + json(it.key()).dump() + " (allowed: " + list + ")");
      }
    }
    for (const std::string &r : required)
      if (!obj.contains(r))
        return fail(path, "missing required key " + json(r).dump());
    return Status::ok();
  }

  Status readString(const json &v, const std::string &path, std::string &out) const {
    if (!v.is_string())
      return fail(path, "expected a string, got " + describe(v));
    out = v.get<std::string>();
    return Status::ok();
  }

  /// A JSON integer (not 2.0, "2" or true) in [minimum, kMaxSize].
  Status readSize(const json &v, const std::string &path, int64_t minimum,
                  int64_t &out) const {
    const std::string expected = minimum == 0
                                     ? "expected a non-negative integer"
                                     : "expected an integer >= " + std::to_string(minimum);
    if (!v.is_number_integer())
      return fail(path, expected + ", got " + describe(v));
    if (v.is_number_unsigned()) {
      uint64_t u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(kMaxSize))
        return fail(path, "integer " + describe(v) + " is too large (maximum " +
                              std::to_string(kMaxSize) + ")");
      out = static_cast<int64_t>(u);
    } else {
      out = v.get<int64_t>();
      if (out > kMaxSize)
        return fail(path, "integer " + describe(v) + " is too large (maximum " +
                              std::to_string(kMaxSize) + ")");
    }
    if (out < minimum)
      return fail(path, expected + ", got " + describe(v));
    return Status::ok();
  }

  /// A finite number > 0; integers are fine here (a scale of 1 is a scale).
  Status readPositive(const json &v, const std::string &path, double &out) const {
    if (!v.is_number())
      return fail(path, "expected a finite number > 0, got " + describe(v));
    out = v.get<double>();
    if (!std::isfinite(out) || !(out > 0))
      return fail(path, "expected a finite number > 0, got " + describe(v));
    return Status::ok();
  }

  /// A scale or softcap: positive and in the range scoreFactorInRange
  /// explains.
  Status readScoreFactor(const json &v, const std::string &path, double &out) const {
    if (Status s = readPositive(v, path, out); !s)
      return s;
    if (!scoreFactorInRange(out))
      return fail(path, describe(v) + " is outside [2^-63, 2^63] (about [1.1e-19, 9.2e18]): "
                                      "scaled scores would overflow or vanish in f32");
    return Status::ok();
  }

  /// The name becomes a file name and a kernel symbol.
  Status parseName(const json &v, const std::string &path, std::string &out) const {
    if (Status s = readString(v, path, out); !s)
      return s;
    bool ok = !out.empty() && out.size() <= kMaxNameLength &&
              (std::isalpha(static_cast<unsigned char>(out[0])) || out[0] == '_');
    for (char c : out)
      ok = ok && static_cast<unsigned char>(c) < 128 &&
           (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok)
      return fail(path, "invalid name " + describe(v) +
                            " (must match [A-Za-z_][A-Za-z0-9_]* and have at most " +
                            std::to_string(kMaxNameLength) + " characters)");
    return Status::ok();
  }

  Status parseDTypeValue(const json &v, const std::string &path, DType &out) const {
    std::string name;
    if (Status s = readString(v, path, name); !s)
      return s;
    std::optional<DType> t = parseDType(name);
    if (!t)
      return fail(path, "unsupported dtype " + describe(v) + " (supported: bf16, f16, f32)");
    out = *t;
    return Status::ok();
  }

  Status parseHeadDim(const json &v, const std::string &path, int64_t &out) const {
    if (!v.is_number_integer())
      return fail(path, "expected an integer, got " + describe(v));
    // Negative values are signed JSON integers, never 64 or 128.
    uint64_t d = v.is_number_unsigned() ? v.get<uint64_t>() : 0;
    if (d != 64 && d != 128)
      return fail(path, "unsupported head_dim " + describe(v) + " (supported: 64, 128)");
    out = static_cast<int64_t>(d);
    return Status::ok();
  }

  Status parseMask(const json &v, const std::string &path, int depth, MaskExpr &out) {
    if (depth > kMaxMaskDepth)
      return fail(path, "mask nested deeper than " + std::to_string(kMaxMaskDepth) + " levels");
    if (++maskNodes_ > kMaxMaskNodes)
      return fail(path, "the mask has more than " + std::to_string(kMaxMaskNodes) +
                            " nodes (the supported maximum)");
    if (Status s = expectObject(v, path); !s)
      return s;
    if (!v.contains("kind"))
      return fail(path, "missing required key \"kind\"");
    std::string kind;
    if (Status s = readString(v.at("kind"), path + ".kind", kind); !s)
      return s;

    if (kind == "causal") {
      if (Status s = checkKeys(v, path, {"kind"}, {}); !s)
        return s;
      out = MaskExpr::causal();
      return Status::ok();
    }
    if (kind == "window") {
      if (Status s = checkKeys(v, path, {"kind", "left", "right", "dilation"},
                               {"left", "right"});
          !s)
        return s;
      int64_t l, r, d = 1;
      if (Status s = readSize(v.at("left"), path + ".left", 0, l); !s)
        return s;
      if (Status s = readSize(v.at("right"), path + ".right", 0, r); !s)
        return s;
      if (v.contains("dilation"))
        if (Status s = readSize(v.at("dilation"), path + ".dilation", 1, d); !s)
          return s;
      out = MaskExpr::window(l, r, d);
      return Status::ok();
    }
    // One positive size under its own key.
    auto sized = [&](const char *key, MaskExpr (*make)(int64_t)) -> Status {
      if (Status s = checkKeys(v, path, {"kind", key}, {key}); !s)
        return s;
      int64_t n;
      if (Status s = readSize(v.at(key), path + "." + key, 1, n); !s)
        return s;
      out = make(n);
      return Status::ok();
    };
    if (kind == "sink")
      return sized("tokens", MaskExpr::sink);
    if (kind == "chunk")
      return sized("size", MaskExpr::chunk);
    if (kind == "prefix_lm")
      return sized("prefix", MaskExpr::prefixLM);
    if (kind == "documents") {
      if (Status s = checkKeys(v, path, {"kind"}, {}); !s)
        return s;
      out = MaskExpr::documents();
      return Status::ok();
    }
    if (kind == "block_layout") {
      if (Status s = checkKeys(v, path, {"kind", "block", "mask"}, {"block"});
          !s)
        return s;
      const json &block = v.at("block");
      const std::string blockPath = path + ".block";
      if (!block.is_array() || block.size() != 2)
        return fail(blockPath, "expected [rows, columns] of a layout block, "
                               "got " +
                                   describe(block));
      int64_t side[2];
      for (size_t i = 0; i < 2; ++i) {
        const std::string p = blockPath + "[" + std::to_string(i) + "]";
        if (Status s = readSize(block[i], p, 16, side[i]); !s)
          return s;
        if (side[i] % 16 != 0 || side[i] > kMaxLayoutBlock)
          return fail(p, "a layout block's side must be a multiple of 16 in "
                         "[16, " +
                             std::to_string(kMaxLayoutBlock) + "], got " +
                             std::to_string(side[i]));
      }
      std::optional<MaskExpr> partial;
      if (v.contains("mask")) {
        partial.emplace();
        if (Status s =
                parseMask(v.at("mask"), path + ".mask", depth + 1, *partial);
            !s)
          return s;
      }
      out = MaskExpr::blockLayout(side[0], side[1], std::move(partial));
      return Status::ok();
    }
    if (kind == "union" || kind == "intersect") {
      if (Status s = checkKeys(v, path, {"kind", "of"}, {"of"}); !s)
        return s;
      const json &of = v.at("of");
      const std::string ofPath = path + ".of";
      if (!of.is_array())
        return fail(ofPath, "expected an array of masks, got " + describe(of));
      if (of.empty())
        return fail(ofPath, "expected at least one mask, got []");
      if (of.size() > kMaxMaskChildren)
        return fail(ofPath, "has " + std::to_string(of.size()) + " masks, more than the " +
                                std::to_string(kMaxMaskChildren) + " a " + kind +
                                " may have");
      std::vector<MaskExpr> children(of.size());
      for (size_t i = 0; i < of.size(); ++i)
        if (Status s = parseMask(of[i], ofPath + "[" + std::to_string(i) + "]", depth + 1,
                                 children[i]);
            !s)
          return s;
      out = kind == "union" ? MaskExpr::unite(std::move(children))
                            : MaskExpr::intersect(std::move(children));
      return Status::ok();
    }
    return fail(
        path + ".kind",
        "unknown mask kind " + describe(v.at("kind")) +
            " (supported: causal, window, sink, chunk, prefix_lm, documents, "
            "block_layout, union, intersect)");
  }

  Status parseCorrection(const json &v, const std::string &path,
                         DeltaCorrection &out) {
    if (Status s = expectObject(v, path); !s)
      return s;
    if (!v.contains("kind"))
      return fail(path, "missing required key \"kind\"");
    std::string kind;
    if (Status s = readString(v.at("kind"), path + ".kind", kind); !s)
      return s;
    if (kind != "delta")
      return fail(path + ".kind",
                  "unknown correction kind " + describe(v.at("kind")) + " (supported: delta)");
    if (Status s = checkKeys(
            v, path, {"kind", "gamma", "tail_min", "reference"}, {"gamma"});
        !s)
      return s;
    if (Status s = readSize(v.at("gamma"), path + ".gamma", 1, out.gamma); !s)
      return s;
    out.tailMin = DeltaCorrection{}.tailMin;
    if (v.contains("tail_min"))
      if (Status s = readSize(v.at("tail_min"), path + ".tail_min", 0, out.tailMin); !s)
        return s;
    if (v.contains("reference")) {
      const json &r = v.at("reference");
      if (r.is_string() && r.get<std::string>() == "dense") {
        out.denseReference = true;
      } else if (r.is_object()) {
        MaskExpr m;
        if (Status s = parseMask(r, path + ".reference", 1, m); !s)
          return s;
        out.reference = std::move(m);
      } else {
        return fail(path + ".reference",
                    "expected \"dense\" or a mask, got " + describe(r));
      }
    }
    return Status::ok();
  }
};

} // namespace

Result<PatternSpec> parsePatternSpec(const std::string &jsonText, const std::string &source) {
  if (jsonText.size() > kMaxSpecBytes)
    return Status::error(ErrorKind::InvalidInput,
                         source + ": " + std::to_string(jsonText.size()) +
                             " bytes, more than the " + std::to_string(kMaxSpecBytes) +
                             " a spec may have");
  Result<nlohmann::json> root = spec_detail::parseStrictJson(jsonText, source);
  if (!root)
    return root.status();
  PatternSpec spec;
  if (Status s = SpecParser(source).parse(*root, spec); !s)
    return s;
  return spec;
}

} // namespace sattn
