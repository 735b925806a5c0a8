//===- DType.cpp - Element types of a pattern spec ------------------------===//

#include "Spec/PatternSpec.h"

namespace sattn {

const char *dtypeName(DType t) {
  switch (t) {
  case DType::BF16:
    return "bf16";
  case DType::F16:
    return "f16";
  case DType::F32:
    return "f32";
  }
  return "unknown";
}

std::optional<DType> parseDType(const std::string &name) {
  for (DType t : {DType::BF16, DType::F16, DType::F32})
    if (name == dtypeName(t))
      return t;
  return std::nullopt;
}

int64_t dtypeSize(DType t) {
  switch (t) {
  case DType::BF16:
  case DType::F16:
    return 2;
  case DType::F32:
    return 4;
  }
  return 0;
}

} // namespace sattn
