//===- EffectiveScale.cpp - The score scale a spec actually uses ----------===//

#include "Spec/PatternSpec.h"

#include <cmath>

namespace sattn {

double PatternSpec::effectiveScale() const {
  // The usual softmax temperature 1/sqrt(D) unless the user overrides it.
  // Written as sqrt(1/D): for the power-of-two head dims 1/D is exact, so
  // this is the correctly rounded value (0.08838834764831845 for D = 128),
  // where 1/sqrt(D) rounds twice and lands one ulp low.
  return scale ? *scale : std::sqrt(1.0 / static_cast<double>(headDim));
}

} // namespace sattn
