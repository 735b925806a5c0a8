//===- LaunchTensors.cpp - The tensors a pattern reads at launch ----------===//
//
// One list, read by the importer (the kernels' parameters), the driver (the
// manifest's "tensors") and the tests that fill them.
//
//===----------------------------------------------------------------------===//

#include "Spec/PatternSpec.h"

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
  if (spec.learnableSinks)
    tensors.push_back({"sinks", TensorDType::F32, {"H"}});
  return tensors;
}

} // namespace sattn
