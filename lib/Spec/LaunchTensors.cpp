//===- LaunchTensors.cpp - The tensors a pattern reads at launch ----------===//
//
// One list, read by the importer (the kernels' parameters), the driver (the
// manifest's "tensors") and the tests that fill them.
//
//===----------------------------------------------------------------------===//

#include "Spec/PatternSpec.h"

#include <algorithm>
#include <cmath>

namespace sattn {

const char *tensorDTypeName(TensorDType t) {
  switch (t) {
  case TensorDType::F32:
    return "f32";
  case TensorDType::I32:
    return "i32";
  }
  return "unknown";
}

std::vector<LaunchTensor> launchTensors(const PatternSpec &spec) {
  std::vector<LaunchTensor> tensors;
  if (spec.alibi == PatternSpec::AlibiSlopes::Tensor)
    tensors.push_back({"alibi_slopes", TensorDType::F32, {"H"}});
  if (spec.learnableSinks)
    tensors.push_back({"sinks", TensorDType::F32, {"H"}});
  if (hasDocuments(spec)) {
    tensors.push_back({"cu_seqlens_q", TensorDType::I32, {"B", "Nd+1"}});
    tensors.push_back({"cu_seqlens_k", TensorDType::I32, {"B", "Nd+1"}});
  }
  if (const MaskExpr *layout = blockLayoutOf(spec)) {
    const std::string mb = "Sq/" + std::to_string(layout->blockRows);
    const std::string nb = "Sk/" + std::to_string(layout->blockCols);
    for (const char *kind : {"", "full_"}) {
      tensors.push_back({std::string(kind) + "kv_num_blocks",
                         TensorDType::I32,
                         {"LB", "LH", mb}});
      tensors.push_back({std::string(kind) + "kv_indices",
                         TensorDType::I32,
                         {"LB", "LH", mb, nb}});
    }
  }
  return tensors;
}

namespace {
/// The launch-time mask of kind `kind` (the mask itself or an operand of
/// the outermost intersect, where the spec's rules keep it), or null.
const MaskExpr *launchMaskOf(const PatternSpec &spec, MaskExpr::Kind kind) {
  if (!spec.mask)
    return nullptr;
  if (spec.mask->kind == kind)
    return &*spec.mask;
  if (spec.mask->kind != MaskExpr::Kind::Intersect)
    return nullptr;
  for (const MaskExpr &c : spec.mask->children)
    if (c.kind == kind)
      return &c;
  return nullptr;
}

/// The mask without its launch-time mask of kind `kind`: the other operands
/// of the outermost intersect (none: every pair).
std::optional<MaskExpr> maskWithout(const PatternSpec &spec,
                                    MaskExpr::Kind kind) {
  if (!launchMaskOf(spec, kind))
    return spec.mask;
  if (spec.mask->kind == kind)
    return std::nullopt;
  std::vector<MaskExpr> rest;
  for (const MaskExpr &c : spec.mask->children)
    if (c.kind != kind)
      rest.push_back(c);
  if (rest.empty())
    return std::nullopt;
  if (rest.size() == 1)
    return rest.front();
  return MaskExpr::intersect(std::move(rest));
}
} // namespace

bool hasDocuments(const PatternSpec &spec) {
  return launchMaskOf(spec, MaskExpr::Kind::Documents) != nullptr;
}

std::optional<MaskExpr> maskWithinDocuments(const PatternSpec &spec) {
  return maskWithout(spec, MaskExpr::Kind::Documents);
}

const MaskExpr *blockLayoutOf(const PatternSpec &spec) {
  return launchMaskOf(spec, MaskExpr::Kind::BlockLayout);
}

std::optional<MaskExpr> maskBesidesLayout(const PatternSpec &spec) {
  return maskWithout(spec, MaskExpr::Kind::BlockLayout);
}

double alibiGeometricSlope(int64_t h, int64_t H) {
  int64_t n = 1;
  while (2 * n <= H)
    n *= 2;
  return h < n ? std::exp2(-8.0 * double(h + 1) / double(n))
               : std::exp2(-4.0 * double(2 * (h - n) + 1) / double(n));
}

} // namespace sattn
