//===- Compare.cpp - The error metrics every numeric test reports ---------===//

#include "Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace sattn::ref {

ErrorStats compare(const std::vector<double> &got, const std::vector<double> &ref) {
  if (got.size() != ref.size())
    throw std::invalid_argument("ref::compare: sizes differ (" + std::to_string(got.size()) +
                                " vs " + std::to_string(ref.size()) + ")");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  double diff2 = 0, ref2 = 0, maxAbs = 0;
  bool sawNaN = false;
  for (size_t n = 0; n < got.size(); ++n) {
    double d = got[n] - ref[n];
    // std::max drops NaN; a kernel that writes NaN must fail every check.
    if (std::isnan(d)) {
      sawNaN = true;
      continue;
    }
    diff2 += d * d;
    ref2 += ref[n] * ref[n];
    maxAbs = std::max(maxAbs, std::fabs(d));
  }
  if (sawNaN)
    return {nan, nan};
  double rel;
  if (ref2 == 0)
    rel = diff2 == 0 ? 0.0 : std::numeric_limits<double>::infinity();
  else
    rel = std::sqrt(diff2) / std::sqrt(ref2);
  return {rel, maxAbs};
}

double relL2Tolerance(DType t) {
  switch (t) {
  case DType::BF16:
    return 2e-2;
  case DType::F16:
    return 5e-3;
  case DType::F32:
    return 1e-4;
  }
  return 0;
}

} // namespace sattn::ref
