//===- Manifest.cpp - Manifest JSON: the writer ----------------------------===//
//
// manifestToJson writes the documented layout, derived fields included
// (ManifestJson.h); ManifestReader.cpp reads it back with strict checks.
//
//===----------------------------------------------------------------------===//
#include "sattn/Manifest.h"

#include "ManifestJson.h"

namespace sattn {

using namespace manifest_json;

std::string manifestToJson(const Manifest &m) {
  ordered_json doc;
  doc["format"] = kFormat;
  doc["format_version"] = Manifest::kFormatVersion;
  doc["name"] = m.name;
  doc["compiler_version"] = m.compilerVersion;
  doc["spec_hash"] = m.specHash;
  doc["chip"] = m.chip;
  doc["dtype"] = m.dtype;
  doc["head_dim"] = m.headDim;
  doc["cubin"] = m.cubinFile;
  doc["cubin_size"] = m.cubinSize;
  doc["cubin_hash"] = m.cubinHash;
  doc["supports"] = supportsJson(m);
  if (m.hasDelta)
    doc["delta"] = {{"gamma", m.deltaGamma},
                    {"tail_min", m.deltaTailMin},
                    {"rows", deltaRowsJson()}};
  else
    doc["delta"] = nullptr;
  ordered_json variants = ordered_json::array();
  for (const LaunchVariant &v : m.variants) {
    ordered_json range = {v.minSeqQ, nullptr};
    if (v.maxSeqQ >= 0)
      range[1] = v.maxSeqQ;
    variants.push_back({{"name", v.name}, {"seq_q", range}});
  }
  doc["variants"] = std::move(variants);
  ordered_json tensors = ordered_json::array();
  for (const TensorInfo &t : m.tensors)
    tensors.push_back(
        {{"name", t.name}, {"dtype", t.dtype}, {"shape", t.shape}});
  doc["tensors"] = std::move(tensors);
  ordered_json kernels = ordered_json::array();
  for (const KernelInfo &k : m.kernels) {
    ordered_json params = ordered_json::array();
    for (const KernelParam &p : k.params) {
      ordered_json param;
      param["name"] = p.name;
      param["kind"] = p.kind;
      if (p.kind == "tensor_map") {
        param["tensor"] = p.tensor;
        param["box"] = {p.boxCols, p.boxRows};
        param["swizzle"] = kTensorMapSwizzle;
      }
      params.push_back(std::move(param));
    }
    ordered_json kernel;
    kernel["name"] = k.name;
    kernel["variant"] = k.variant;
    kernel["role"] = kernelRoleName(k.role);
    kernel["params"] = std::move(params);
    kernel["block_m"] = k.blockM;
    kernel["threads"] = k.threads;
    kernel["persistent"] = k.persistent;
    kernel["block_n"] = k.blockN;
    kernel["launch"] = launchJson(k);
    kernel["shared_memory_bytes"] = k.sharedMemBytes;
    kernel["registers"] = k.registers;
    kernel["spill_bytes"] = k.spillBytes;
    kernels.push_back(std::move(kernel));
  }
  doc["kernels"] = std::move(kernels);
  return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

size_t selectVariant(const Manifest &m, int64_t seqQ) {
  for (size_t v = 0; v < m.variants.size(); ++v)
    if (m.variants[v].holds(seqQ))
      return v;
  return 0;
}

} // namespace sattn
