//===- CompareTest.cpp - The error metrics --------------------------------===//

#include "Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

using namespace sattn;

TEST(RefCompare, RelativeL2AndMaxAbs) {
  ref::ErrorStats e = ref::compare({3.0, 4.5}, {3.0, 4.0});
  EXPECT_DOUBLE_EQ(e.relL2, 0.5 / 5.0);
  EXPECT_DOUBLE_EQ(e.maxAbs, 0.5);
  e = ref::compare({1.0, -2.0}, {1.0, -2.0});
  EXPECT_EQ(e.relL2, 0.0);
  EXPECT_EQ(e.maxAbs, 0.0);
}

TEST(RefCompare, ZeroReference) {
  EXPECT_EQ(ref::compare({0.0}, {0.0}).relL2, 0.0);
  EXPECT_EQ(ref::compare({1e-3}, {0.0}).relL2, std::numeric_limits<double>::infinity());
}

TEST(RefCompare, NaNFailsEveryCheck) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  ref::ErrorStats e = ref::compare({1.0, nan}, {1.0, 2.0});
  EXPECT_TRUE(std::isnan(e.relL2));
  EXPECT_TRUE(std::isnan(e.maxAbs));
  EXPECT_FALSE(e.relL2 < 1.0);
}

TEST(RefCompare, SizeMismatchThrows) {
  EXPECT_THROW(ref::compare({1.0}, {1.0, 2.0}), std::invalid_argument);
}
