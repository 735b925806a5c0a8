//===- LaunchTensors.cpp - The tensors a pattern reads at launch ----------===//
//
// One list, read by the importer (the kernels' parameters), the driver (the
// manifest's "tensors") and the tests that fill them.
//
//===----------------------------------------------------------------------===//

#include "Spec/PatternSpec.h"

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
  return tensors;
}

double alibiGeometricSlope(int64_t h, int64_t H) {
  int64_t n = 1;
  while (2 * n <= H)
    n *= 2;
  return h < n ? std::exp2(-8.0 * double(h + 1) / double(n))
               : std::exp2(-4.0 * double(2 * (h - n) + 1) / double(n));
}

} // namespace sattn
