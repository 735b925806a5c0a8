//===- ManifestReader.cpp - Manifest JSON: read with strict checks --------===//
//
// The manifest is the contract between the compiler and the runtime, so the
// reader rejects anything it does not understand (unknown keys, wrong types,
// out-of-range values, kernels that do not follow the ABI) instead of
// guessing. Every message carries the JSON path of the offending value.
//
//===----------------------------------------------------------------------===//
#include "sattn/Manifest.h"

#include "Chip.h"
#include "ManifestJson.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

namespace sattn {

using namespace manifest_json;

namespace {

/// Reads one manifest, remembering the source name for messages.
class Reader {
public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  Status fail(const std::string &path, const std::string &message) const {
    return Status::error(ErrorKind::InvalidInput,
                         source_ + ": " + path + ": " + message);
  }

  /// Unknown keys first: a misspelt key is reported as such rather than as
  /// the required key it was meant to be.
  /// `keys` are required; `optional` keys may be absent.
  Status checkKeys(const json &obj, const std::string &path,
                   std::initializer_list<const char *> keys,
                   std::initializer_list<const char *> optional = {}) const {
    std::set<std::string> known(keys.begin(), keys.end());
    known.insert(optional.begin(), optional.end());
    for (const auto &item : obj.items())
      if (!known.count(item.key()))
        return fail(path, "unknown key " + jsonQuote(item.key()));
    for (const char *key : keys)
      if (!obj.contains(key))
        return fail(path, "missing key " + jsonQuote(key));
    return Status::ok();
  }

  Status getObject(const json &value, const std::string &path) const {
    if (!value.is_object())
      return fail(path, "expected an object, got " + describe(value));
    return Status::ok();
  }

  Status getString(const json &obj, const std::string &path, const char *key,
                   std::string &out) const {
    const json &value = obj.at(key);
    if (!value.is_string())
      return fail(path + "." + key,
                  "expected a string, got " + describe(value));
    out = value.get<std::string>();
    return Status::ok();
  }

  Status getNonEmptyString(const json &obj, const std::string &path,
                           const char *key, std::string &out) const {
    if (Status s = getString(obj, path, key, out); !s)
      return s;
    if (out.empty())
      return fail(path + "." + key, "expected a non-empty string, got \"\"");
    return Status::ok();
  }

  /// One of `choices`; the message lists them ("bf16", "f16" or "f32").
  Status getEnum(const json &obj, const std::string &path, const char *key,
                 const std::vector<std::string> &choices,
                 std::string &out) const {
    const json &value = obj.at(key);
    if (value.is_string()) {
      out = value.get<std::string>();
      if (std::find(choices.begin(), choices.end(), out) != choices.end())
        return Status::ok();
    }
    std::string expected;
    for (size_t i = 0; i < choices.size(); ++i) {
      if (i > 0)
        expected += i + 1 == choices.size() ? " or " : ", ";
      expected += jsonQuote(choices[i]);
    }
    return fail(path + "." + key,
                "expected " + expected + ", got " + describe(value));
  }

  /// An integer in [lo, hi]; floats and booleans are rejected.
  Status getInt(const json &obj, const std::string &path, const char *key,
                int64_t lo, int64_t hi, int64_t &out) const {
    const json &value = obj.at(key);
    const std::string where = path + "." + key;
    bool fits = value.is_number_integer() &&
                !(value.is_number_unsigned() &&
                  value.get<uint64_t>() >
                      uint64_t(std::numeric_limits<int64_t>::max()));
    if (!fits)
      return fail(where, "expected an integer, got " + describe(value));
    out = value.get<int64_t>();
    if (out < lo || out > hi) {
      std::string range =
          hi == std::numeric_limits<int64_t>::max()
              ? ">= " + std::to_string(lo)
              : "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]";
      return fail(where, "expected an integer " + range + ", got " +
                             std::to_string(out));
    }
    return Status::ok();
  }

  Status readTop(const json &doc, Manifest &m) const;
  Status readDelta(const json &value, Manifest &m) const;
  Status readVariants(const json &value, Manifest &m) const;
  Status readTensors(const json &value, Manifest &m) const;
  Status readKernel(const json &value, const std::string &path,
                    const Manifest &m, KernelInfo &k) const;
  Status readParam(const json &value, const std::string &path,
                   const Manifest &m, KernelParam &p) const;
  Status readTensorMap(const json &value, const std::string &path,
                       const Manifest &m, KernelParam &p) const;
  Status checkConsistency(const Manifest &m) const;
  Status checkDerived(const json &doc, const Manifest &m) const;

private:
  std::string source_;
};

constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();

Status Reader::readTop(const json &doc, Manifest &m) const {
  if (Status s = getObject(doc, "$"); !s)
    return s;
  if (Status s =
          checkKeys(doc, "$",
                    {"format", "format_version", "name", "compiler_version",
                     "spec_hash", "chip", "dtype", "head_dim", "cubin",
                     "cubin_size", "cubin_hash", "delta", "kernels"},
                    {"supports", "variants", "tensors"});
      !s)
    return s;

  std::string format;
  if (Status s = getEnum(doc, "$", "format", {kFormat}, format); !s)
    return s;
  int64_t version = 0;
  if (Status s = getInt(doc, "$", "format_version", 0, kMaxI64, version); !s)
    return s;
  if (version < 1 || version > Manifest::kFormatVersion)
    return fail("$.format_version",
                "unsupported version " + std::to_string(version) +
                    " (this runtime reads versions 1 to " +
                    std::to_string(Manifest::kFormatVersion) + ")");
  if (version >= 2 && !doc.contains("variants"))
    return fail("$", "missing key \"variants\" (format version 2)");
  if (version < 2 && doc.contains("variants"))
    return fail("$.variants", "needs format version 2");
  if (doc.contains("variants"))
    if (Status s = readVariants(doc.at("variants"), m); !s)
      return s;
  if (version >= 4 && !doc.contains("tensors"))
    return fail("$", "missing key \"tensors\" (format version 4)");
  if (version < 4 && doc.contains("tensors"))
    return fail("$.tensors", "needs format version 4");
  if (doc.contains("tensors"))
    if (Status s = readTensors(doc.at("tensors"), m); !s)
      return s;
  // Documents change the grid and add the size "Nd": a reader of version 4
  // would launch such kernels wrongly, so they need version 5.
  if (version < 5 && usesDocuments(m))
    return fail("$.tensors", "the size \"Nd+1\" (documents) needs format "
                             "version 5");
  // Likewise a block layout adds the sizes "LB" and "LH".
  if (version < 6 && usesBlockLayout(m))
    return fail("$.tensors", "a block layout's sizes (\"LB\", \"LH\", "
                             "block counts) need format version 6");
  if (usesDocuments(m) && usesBlockLayout(m))
    return fail("$.tensors", "documents and a block layout in one manifest "
                             "are not supported");

  if (Status s = getNonEmptyString(doc, "$", "name", m.name); !s)
    return s;
  if (Status s = getString(doc, "$", "compiler_version", m.compilerVersion); !s)
    return s;
  if (Status s = getString(doc, "$", "spec_hash", m.specHash); !s)
    return s;

  if (Status s = getString(doc, "$", "chip", m.chip); !s)
    return s;
  if (m.chip != "host" && !rt::detail::parseChip(m.chip))
    return fail("$.chip",
                "expected \"sm_<NN>\", \"sm_<NN>a\" or \"host\", got " +
                    jsonQuote(m.chip));

  if (Status s = getEnum(doc, "$", "dtype", {"bf16", "f16", "f32"}, m.dtype);
      !s)
    return s;
  if (Status s = getInt(doc, "$", "head_dim", 0, kMaxI64, m.headDim); !s)
    return s;
  if (m.headDim != 64 && m.headDim != 128)
    return fail("$.head_dim",
                "expected 64 or 128, got " + std::to_string(m.headDim));

  if (Status s = getNonEmptyString(doc, "$", "cubin", m.cubinFile); !s)
    return s;
  if (m.cubinFile.front() == '/')
    return fail("$.cubin", "expected a path relative to the manifest, got " +
                               jsonQuote(m.cubinFile));
  if (Status s = getInt(doc, "$", "cubin_size", 0, kMaxI64, m.cubinSize); !s)
    return s;
  if (Status s = getString(doc, "$", "cubin_hash", m.cubinHash); !s)
    return s;
  bool hexOk = m.cubinHash.size() == 16 &&
               std::all_of(m.cubinHash.begin(), m.cubinHash.end(), [](char c) {
                 return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
               });
  if (!hexOk)
    return fail("$.cubin_hash", "expected 16 lowercase hex digits, got " +
                                    jsonQuote(m.cubinHash));

  if (Status s = readDelta(doc.at("delta"), m); !s)
    return s;

  const json &kernels = doc.at("kernels");
  if (!kernels.is_array())
    return fail("$.kernels", "expected an array, got " + describe(kernels));
  m.kernels.resize(kernels.size());
  for (size_t i = 0; i < kernels.size(); ++i)
    if (Status s =
            readKernel(kernels[i], "$.kernels[" + std::to_string(i) + "]", m,
                       m.kernels[i]);
        !s)
      return s;
  if (Status s = checkConsistency(m); !s)
    return s;
  return checkDerived(doc, m);
}

Status Reader::checkDerived(const json &doc, const Manifest &m) const {
  auto same = [](const json &a, const ordered_json &b) {
    return a == json::parse(b.dump());
  };
  if (doc.contains("supports") && !same(doc.at("supports"), supportsJson(m)))
    return fail("$.supports", "does not match the manifest's dtype, head_dim "
                              "and delta (stale or edited manifest)");
  if (m.hasDelta && doc.at("delta").contains("rows") &&
      !same(doc.at("delta").at("rows"), deltaRowsJson()))
    return fail("$.delta.rows", "does not match the delta row definitions");
  const json &kernels = doc.at("kernels");
  for (size_t i = 0; i < m.kernels.size(); ++i)
    if (kernels[i].contains("launch") &&
        !same(kernels[i].at("launch"), launchJson(m.kernels[i])))
      return fail("$.kernels[" + std::to_string(i) + "].launch",
                  "does not match the kernel's role, block_m, threads and "
                  "persistent "
                  "(expected " +
                      launchJson(m.kernels[i]).dump() + ")");
  return Status::ok();
}

Status Reader::readDelta(const json &value, Manifest &m) const {
  m.hasDelta = !value.is_null();
  if (!m.hasDelta)
    return Status::ok();
  if (!value.is_object())
    return fail("$.delta",
                "expected an object or null, got " + describe(value));
  if (Status s = checkKeys(value, "$.delta", {"gamma", "tail_min"}, {"rows"});
      !s)
    return s;
  if (Status s = getInt(value, "$.delta", "gamma", 1, kMaxI64, m.deltaGamma);
      !s)
    return s;
  return getInt(value, "$.delta", "tail_min", 0, kMaxI64, m.deltaTailMin);
}

/// [{"name", "dtype": "f32"|"i32", "shape": [size names]}, ...]: names
/// that are identifiers, unique and not those of the ABI.
Status Reader::readTensors(const json &value, Manifest &m) const {
  if (!value.is_array())
    return fail("$.tensors", "expected an array, got " + describe(value));
  // Each tensor is a kernel parameter; a few dozen is already absurd.
  constexpr size_t kMaxTensors = 16;
  if (value.size() > kMaxTensors)
    return fail("$.tensors", "has " + std::to_string(value.size()) +
                                 " tensors, more than the " +
                                 std::to_string(kMaxTensors) + " supported");
  const std::vector<KernelParam> reserved = abiParams(Manifest{});
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string path = "$.tensors[" + std::to_string(i) + "]";
    const json &v = value[i];
    if (Status s = getObject(v, path); !s)
      return s;
    if (Status s = checkKeys(v, path, {"name", "dtype", "shape"}); !s)
      return s;
    TensorInfo t;
    if (Status s = getNonEmptyString(v, path, "name", t.name); !s)
      return s;
    bool identifier = t.name.size() <= 64 &&
                      (std::isalpha(static_cast<unsigned char>(t.name[0])) ||
                       t.name[0] == '_');
    for (char c : t.name)
      identifier = identifier && static_cast<unsigned char>(c) < 128 &&
                   (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!identifier)
      return fail(path + ".name",
                  "expected an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 64 "
                  "characters), got " +
                      jsonQuote(t.name));
    bool clash = t.name == "delta";
    for (const KernelParam &p : reserved)
      clash = clash || p.name == t.name;
    for (const TensorInfo &earlier : m.tensors)
      clash = clash || earlier.name == t.name;
    if (clash)
      return fail(path + ".name",
                  "duplicate or reserved name " + jsonQuote(t.name));
    if (Status s = getEnum(v, path, "dtype", {"f32", "i32"}, t.dtype); !s)
      return s;
    const json &shape = v.at("shape");
    if (!shape.is_array() || shape.empty() || shape.size() > 4)
      return fail(path + ".shape",
                  "expected an array of 1 to 4 size names, got " +
                      describe(shape));
    for (size_t d = 0; d < shape.size(); ++d) {
      const auto &names = shapeNames();
      if (!shape[d].is_string() ||
          (std::find(names.begin(), names.end(), shape[d].get<std::string>()) ==
               names.end() &&
           blockCountDivisor(shape[d].get<std::string>()) == 0))
        return fail(path + ".shape[" + std::to_string(d) + "]",
                    "expected one of \"B\", \"H\", \"Hkv\", \"Sq\", \"Sk\", "
                    "\"Nd+1\", \"LB\", \"LH\", \"Sq/n\" or \"Sk/n\" (n a "
                    "multiple of 16 up to 65536), got " +
                        describe(shape[d]));
      t.shape.push_back(shape[d].get<std::string>());
    }
    m.tensors.push_back(std::move(t));
  }
  return Status::ok();
}

/// [{"name": ..., "seq_q": [min, max or null]}, ...]: ordered, from 0,
/// each starting where the last ended, the last unbounded.
Status Reader::readVariants(const json &value, Manifest &m) const {
  if (!value.is_array() || value.empty())
    return fail("$.variants",
                "expected a non-empty array, got " + describe(value));
  m.variants.clear();
  int64_t expectedMin = 0;
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string path = "$.variants[" + std::to_string(i) + "]";
    const json &v = value[i];
    if (Status s = getObject(v, path); !s)
      return s;
    if (Status s = checkKeys(v, path, {"name", "seq_q"}); !s)
      return s;
    LaunchVariant lv;
    if (Status s = getNonEmptyString(v, path, "name", lv.name); !s)
      return s;
    const json &range = v.at("seq_q");
    if (!range.is_array() || range.size() != 2 ||
        !range[0].is_number_integer() ||
        !(range[1].is_number_integer() || range[1].is_null()))
      return fail(path + ".seq_q",
                  "expected [min, max] (integers; max null for no bound), "
                  "got " + describe(range));
    lv.minSeqQ = range[0].get<int64_t>();
    lv.maxSeqQ = range[1].is_null() ? -1 : range[1].get<int64_t>();
    if (lv.minSeqQ != expectedMin)
      return fail(path + ".seq_q",
                  "must start at " + std::to_string(expectedMin) +
                      " (where the previous variant ends), got " +
                      std::to_string(lv.minSeqQ));
    bool last = i + 1 == value.size();
    if (last != (lv.maxSeqQ < 0))
      return fail(path + ".seq_q", last ? "the last variant must have no "
                                          "upper bound (null)"
                                        : "only the last variant may be "
                                          "unbounded");
    if (!last && lv.maxSeqQ <= lv.minSeqQ)
      return fail(path + ".seq_q", "max must exceed min");
    for (const LaunchVariant &earlier : m.variants)
      if (earlier.name == lv.name)
        return fail(path + ".name", "duplicate variant " + jsonQuote(lv.name));
    expectedMin = lv.maxSeqQ;
    m.variants.push_back(std::move(lv));
  }
  return Status::ok();
}

Status Reader::readKernel(const json &value, const std::string &path,
                          const Manifest &m, KernelInfo &k) const {
  if (Status s = getObject(value, path); !s)
    return s;
  if (Status s = checkKeys(value, path,
                           {"name", "role", "params", "block_m", "block_n",
                            "shared_memory_bytes", "registers", "spill_bytes"},
                           {"threads", "launch", "variant", "persistent"});
      !s)
    return s;
  if (value.contains("variant"))
    if (Status s = getInt(value, path, "variant", 0,
                          int64_t(m.variants.size()) - 1, k.variant);
        !s)
      return s;
  if (Status s = getNonEmptyString(value, path, "name", k.name); !s)
    return s;
  std::string role;
  if (Status s = getEnum(value, path, "role",
                         {kernelRoleName(KernelRole::Attention),
                          kernelRoleName(KernelRole::DocumentAttention),
                          kernelRoleName(KernelRole::DeltaAnchor),
                          kernelRoleName(KernelRole::DeltaMain)},
                         role);
      !s)
    return s;
  k.role = *parseKernelRole(role);

  const json &params = value.at("params");
  if (!params.is_array())
    return fail(path + ".params", "expected an array, got " + describe(params));
  k.params.resize(params.size());
  for (size_t i = 0; i < params.size(); ++i)
    if (Status s =
            readParam(params[i], path + ".params[" + std::to_string(i) + "]", m,
                      k.params[i]);
        !s)
      return s;

  // A SIMT kernel runs block_m threads, so CUDA caps block_m at 1024.
  if (Status s = getInt(value, path, "block_m", 1, 1024, k.blockM); !s)
    return s;
  // Optional: manifests from before the tensor-core lowering ran a thread
  // per query row.
  k.threads = k.blockM;
  if (value.contains("threads"))
    if (Status s = getInt(value, path, "threads", 1, 1024, k.threads); !s)
      return s;
  if (value.contains("persistent")) {
    const json &persistent = value.at("persistent");
    if (!persistent.is_boolean())
      return fail(path + ".persistent",
                  "expected true or false, got " + describe(persistent));
    k.persistent = persistent.get<bool>();
  }
  if (Status s = getInt(value, path, "block_n", 1, kMaxI64, k.blockN); !s)
    return s;
  if (Status s = getInt(value, path, "shared_memory_bytes", 0,
                        std::numeric_limits<uint32_t>::max(), k.sharedMemBytes);
      !s)
    return s;
  if (Status s = getInt(value, path, "registers", -1, kMaxI64, k.registers); !s)
    return s;
  return getInt(value, path, "spill_bytes", -1, kMaxI64, k.spillBytes);
}

/// The keys only a "tensor_map" parameter has.
constexpr std::initializer_list<const char *> kTensorMapKeys = {"tensor", "box",
                                                                "swizzle"};

Status Reader::readParam(const json &value, const std::string &path,
                         const Manifest &m, KernelParam &p) const {
  if (Status s = getObject(value, path); !s)
    return s;
  if (Status s = checkKeys(value, path, {"name", "kind"}, kTensorMapKeys); !s)
    return s;
  if (Status s = getNonEmptyString(value, path, "name", p.name); !s)
    return s;
  if (Status s =
          getEnum(value, path, "kind", {"ptr", "i64", "tensor_map"}, p.kind);
      !s)
    return s;
  if (p.kind == "tensor_map")
    return readTensorMap(value, path, m, p);
  for (const char *key : kTensorMapKeys)
    if (value.contains(key))
      return fail(path, "unknown key " + jsonQuote(key) +
                            " (only \"tensor_map\" parameters have it)");
  return Status::ok();
}

/// {"name", "kind": "tensor_map", "tensor": "k"|"v", "box": [cols, rows],
///  "swizzle": "128B"}; see Manifest.h for what the launcher encodes.
Status Reader::readTensorMap(const json &value, const std::string &path,
                             const Manifest &m, KernelParam &p) const {
  if (Status s =
          checkKeys(value, path, {"name", "kind", "tensor", "box", "swizzle"});
      !s)
    return s;
  if (Status s = getEnum(value, path, "tensor", {"k", "v"}, p.tensor); !s)
    return s;

  const std::string boxPath = path + ".box";
  const json &box = value.at("box");
  auto positive = [](const json &v) {
    return v.is_number_integer() &&
           (v.is_number_unsigned() ? v.get<uint64_t>() > 0
                                   : v.get<int64_t>() > 0);
  };
  if (!box.is_array() || box.size() != 2 || !positive(box[0]) ||
      !positive(box[1]))
    return fail(boxPath,
                "expected an array of 2 positive integers [cols, rows], got " +
                    (box.is_array() ? shortText(box) : describe(box)));
  // Unsigned values beyond int64 saturate; the range checks below reject
  // them.
  auto extent = [](const json &v) {
    return v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(kMaxI64)
               ? kMaxI64
               : v.get<int64_t>();
  };
  p.boxCols = extent(box[0]);
  p.boxRows = extent(box[1]);

  std::string swizzle;
  if (Status s = getEnum(value, path, "swizzle", {kTensorMapSwizzle}, swizzle);
      !s)
    return s;

  // Tensor maps (TMA) exist from sm_90 on; only the sm_90a pipeline (wgmma)
  // emits kernels that take them.
  if (m.chip != "sm_90a")
    return fail(path, "a \"tensor_map\" parameter needs chip \"sm_90a\" "
                      "(tensor maps are an sm_90 feature), but the manifest's "
                      "chip is " +
                          jsonQuote(m.chip));
  const int64_t es = dtypeBytes(m.dtype);
  if (m.dtype != "bf16" && m.dtype != "f16")
    return fail(path,
                "a \"tensor_map\" parameter needs dtype \"bf16\" or "
                "\"f16\" (tensor maps are used by the sm_90a "
                "tensor-core kernels only), but the manifest's dtype is " +
                    jsonQuote(m.dtype));
  const std::string got = " (box " + shortText(box) + ")";
  if (p.boxRows > kMaxBoxExtent)
    return fail(boxPath, "rows (" + std::to_string(p.boxRows) +
                             ") must be <= " + std::to_string(kMaxBoxExtent) +
                             " (the TMA box limit)" + got);
  if (p.boxCols > m.headDim || m.headDim % p.boxCols != 0)
    return fail(boxPath, "cols (" + std::to_string(p.boxCols) +
                             ") must divide head_dim (" +
                             std::to_string(m.headDim) + ")" + got);
  if (p.boxCols * es != kSwizzleSpanBytes)
    return fail(boxPath, "cols * element bytes (" + std::to_string(p.boxCols) +
                             " * " + std::to_string(es) + " = " +
                             std::to_string(p.boxCols * es) +
                             ") must equal the " +
                             std::to_string(kSwizzleSpanBytes) +
                             "-byte span of the \"128B\" swizzle" + got);
  return Status::ok();
}

/// Kernel roles and parameters must match the ABI the runtime launches.
Status Reader::checkConsistency(const Manifest &m) const {
  std::vector<KernelRole> expected =
      m.hasDelta ? std::vector<KernelRole>{KernelRole::DeltaAnchor,
                                           KernelRole::DeltaMain}
      : usesDocuments(m)
          ? std::vector<KernelRole>{KernelRole::DocumentAttention}
          : std::vector<KernelRole>{KernelRole::Attention};
  for (size_t v = 0; v < m.variants.size(); ++v) {
    std::vector<KernelRole> roles;
    for (const KernelInfo &k : m.kernels)
      if (k.variant == int64_t(v))
        roles.push_back(k.role);
    if (roles == expected)
      continue;
    std::string got;
    for (KernelRole r : roles)
      got += (got.empty() ? "" : ", ") + jsonQuote(kernelRoleName(r));
    std::string which = m.variants.size() > 1
                            ? " (variant " + jsonQuote(m.variants[v].name) + ")"
                            : std::string();
    return fail(
        "$.kernels",
        std::string(m.hasDelta ? "a manifest with delta needs a "
                                 "\"delta_anchor\" kernel followed by a "
                                 "\"delta_main\" kernel"
                               : "a manifest without delta needs exactly one " +
                                     jsonQuote(kernelRoleName(expected[0])) +
                                     " kernel") +
            which + ", got [" + got + "]");
  }

  for (size_t i = 0; i < m.kernels.size(); ++i) {
    const KernelInfo &k = m.kernels[i];
    const std::string path = "$.kernels[" + std::to_string(i) + "].params";
    std::vector<KernelParam> abi = abiParams(m);
    std::string abiNames;
    for (const KernelParam &p : abi)
      abiNames += (abiNames.empty() ? "" : ", ") + p.name;
    // Tensor maps are extra parameters after the ABI's pointers and sizes.
    size_t maps = size_t(std::count_if(
        k.params.begin(), k.params.end(),
        [](const KernelParam &p) { return p.kind == "tensor_map"; }));
    size_t others = k.params.size() - maps;
    if (others != abi.size())
      return fail(path, "expected " + std::to_string(abi.size()) +
                            " parameters (" + abiNames + "), got " +
                            std::to_string(others) +
                            (maps ? " besides " + std::to_string(maps) +
                                        " tensor_map parameter(s)"
                                  : std::string()));
    for (size_t j = 0; j < abi.size(); ++j) {
      const std::string where = path + "[" + std::to_string(j) + "]";
      if (k.params[j].kind == "tensor_map")
        return fail(where + ".kind",
                    "tensor_map parameters must follow the ABI parameters (" +
                        abiNames + "), got one at index " + std::to_string(j));
      if (k.params[j].name != abi[j].name)
        return fail(where + ".name",
                    "expected " + jsonQuote(abi[j].name) + " (ABI order: " +
                        abiNames + "), got " + jsonQuote(k.params[j].name));
      if (k.params[j].kind != abi[j].kind)
        return fail(where + ".kind", "parameter '" + abi[j].name +
                                         "' must be " + jsonQuote(abi[j].kind) +
                                         ", got " +
                                         jsonQuote(k.params[j].kind));
    }
    for (size_t j = abi.size(); j < k.params.size(); ++j)
      for (size_t earlier = 0; earlier < j; ++earlier)
        if (k.params[j].name == k.params[earlier].name)
          return fail(path + "[" + std::to_string(j) + "].name",
                      "duplicate parameter name " +
                          jsonQuote(k.params[j].name) + " (also params[" +
                          std::to_string(earlier) + "])");
  }
  return Status::ok();
}


} // namespace

namespace {

/// A manifest is five levels deep; anything far deeper is not one.
constexpr int kMaxManifestDepth = 32;

/// What nlohmann's parser lets through: a NUL byte (its lexer takes one for
/// the end of the input, so `{...}\0anything` would parse as `{...}`) and
/// unbounded nesting (the parser is iterative, but dump() and operator==
/// recurse: a box of a million nested arrays overflowed the stack in the
/// error message). One pass over the text, brackets counted outside strings.
Status checkText(const Reader &reader, const std::string &text) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\0')
      return reader.fail("$", "invalid JSON: NUL byte at offset " +
                                  std::to_string(i));
    if (inString) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxManifestDepth)
        return reader.fail("$", "invalid manifest: JSON nested deeper than " +
                                    std::to_string(kMaxManifestDepth) +
                                    " levels (at offset " + std::to_string(i) +
                                    ")");
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return Status::ok();
}

} // namespace

Result<Manifest> parseManifest(const std::string &jsonText,
                               const std::string &source) {
  Reader reader(source);
  if (Status s = checkText(reader, jsonText); !s)
    return s;
  // nlohmann reports syntax errors by exception; it stays inside this call.
  json doc;
  try {
    doc = json::parse(jsonText);
  } catch (const json::exception &e) {
    return reader.fail("$", std::string("invalid JSON: ") + e.what());
  }
  Manifest m;
  if (Status s = reader.readTop(doc, m); !s)
    return s;
  return m;
}

} // namespace sattn
