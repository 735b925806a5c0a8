//===- PrecisionTest.cpp - bf16 / f16 rounding against known bit patterns -===//

#include "Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace sattn;

namespace {

uint16_t bits16(DType t, double x) {
  uint16_t b;
  ref::toStorage(t, {x}, &b);
  return b;
}

double value16(DType t, uint16_t b) { return ref::fromStorage(t, &b, 1)[0]; }

const double kInf = std::numeric_limits<double>::infinity();

} // namespace

TEST(RefPrecision, BF16KnownPatterns) {
  EXPECT_EQ(bits16(DType::BF16, 1.0), 0x3F80);
  EXPECT_EQ(bits16(DType::BF16, -2.0), 0xC000);
  EXPECT_EQ(bits16(DType::BF16, 1.0 / 3.0), 0x3EAB);
  EXPECT_EQ(ref::roundTo(DType::BF16, 1.0 / 3.0), 0.333984375);
  EXPECT_EQ(bits16(DType::BF16, 0.0), 0x0000);
  EXPECT_EQ(bits16(DType::BF16, -0.0), 0x8000);
  // Largest finite: (2 - 2^-7) * 2^127.
  double maxBf16 = std::ldexp(2.0 - std::ldexp(1.0, -7), 127);
  EXPECT_EQ(bits16(DType::BF16, maxBf16), 0x7F7F);
  EXPECT_EQ(bits16(DType::BF16, kInf), 0x7F80);
  EXPECT_EQ(ref::roundTo(DType::BF16, 1e39), kInf);
  // Smallest subnormal 2^-133.
  EXPECT_EQ(bits16(DType::BF16, std::ldexp(1.0, -133)), 0x0001);
}

TEST(RefPrecision, BF16TiesToEven) {
  // 1 + 2^-8 lies halfway between 1 (even) and 1 + 2^-7 (odd): down.
  EXPECT_EQ(ref::roundTo(DType::BF16, 1.0 + std::ldexp(1.0, -8)), 1.0);
  // 1 + 3*2^-8 lies halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
  EXPECT_EQ(ref::roundTo(DType::BF16, 1.0 + 3 * std::ldexp(1.0, -8)),
            1.0 + std::ldexp(1.0, -6));
  // Just above a tie rounds up. Rounding through float first would land on
  // the tie and then round down: this catches double rounding.
  EXPECT_EQ(ref::roundTo(DType::BF16, 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -30)),
            1.0 + std::ldexp(1.0, -7));
  EXPECT_EQ(ref::roundTo(DType::BF16, -(1.0 + std::ldexp(1.0, -8))), -1.0);
}

TEST(RefPrecision, F16KnownPatterns) {
  EXPECT_EQ(bits16(DType::F16, 1.0), 0x3C00);
  EXPECT_EQ(bits16(DType::F16, -2.0), 0xC000);
  EXPECT_EQ(bits16(DType::F16, 1.0 / 3.0), 0x3555);
  EXPECT_EQ(ref::roundTo(DType::F16, 1.0 / 3.0), 0.333251953125);
  EXPECT_EQ(bits16(DType::F16, 65504.0), 0x7BFF);
  EXPECT_EQ(ref::roundTo(DType::F16, 65504.0), 65504.0);
  EXPECT_EQ(ref::roundTo(DType::F16, 65519.0), 65504.0);     // below the halfway point
  EXPECT_EQ(ref::roundTo(DType::F16, 65520.0), kInf);        // tie goes to even: inf
  EXPECT_EQ(ref::roundTo(DType::F16, -1e6), -kInf);
  EXPECT_EQ(bits16(DType::F16, kInf), 0x7C00);
  EXPECT_EQ(bits16(DType::F16, std::ldexp(1.0, -14)), 0x0400); // smallest normal
  EXPECT_EQ(bits16(DType::F16, std::ldexp(1.0, -24)), 0x0001); // smallest subnormal
  EXPECT_EQ(bits16(DType::F16, std::ldexp(1023.0, -24)), 0x03FF);
}

TEST(RefPrecision, F16TiesToEven) {
  EXPECT_EQ(ref::roundTo(DType::F16, 1.0 + std::ldexp(1.0, -11)), 1.0);
  EXPECT_EQ(ref::roundTo(DType::F16, 1.0 + 3 * std::ldexp(1.0, -11)),
            1.0 + std::ldexp(1.0, -9));
  // Subnormal ties: 2^-25 is halfway between 0 and 2^-24: to 0 (even).
  EXPECT_EQ(ref::roundTo(DType::F16, std::ldexp(1.0, -25)), 0.0);
  EXPECT_EQ(ref::roundTo(DType::F16, 3 * std::ldexp(1.0, -25)), std::ldexp(2.0, -24));
  EXPECT_EQ(ref::roundTo(DType::F16, 1.5 * std::ldexp(1.0, -25)), std::ldexp(1.0, -24));
  // 2049 lies halfway between 2048 and 2050 (f16 spacing 2 there): 2048.
  EXPECT_EQ(ref::roundTo(DType::F16, 2049.0), 2048.0);
  EXPECT_EQ(ref::roundTo(DType::F16, 2051.0), 2052.0);
}

TEST(RefPrecision, F32IsOneIEEERounding) {
  EXPECT_EQ(ref::roundTo(DType::F32, 1.0 / 3.0), static_cast<double>(1.0f / 3.0f));
  EXPECT_EQ(ref::roundTo(DType::F32, 1.0 + std::ldexp(1.0, -24)), 1.0);
  std::vector<double> src{1.5, -0.1, 1e30};
  std::vector<float> dst(3);
  ref::toStorage(DType::F32, src, dst.data());
  EXPECT_EQ(dst[0], 1.5f);
  EXPECT_EQ(dst[1], -0.1f);
  EXPECT_EQ(dst[2], 1e30f);
  std::vector<double> back = ref::fromStorage(DType::F32, dst.data(), 3);
  EXPECT_EQ(back[1], static_cast<double>(-0.1f));
}

TEST(RefPrecision, NaNStaysNaN) {
  for (DType t : {DType::BF16, DType::F16, DType::F32}) {
    double nan = std::numeric_limits<double>::quiet_NaN();
    EXPECT_TRUE(std::isnan(ref::roundTo(t, nan)));
    std::vector<unsigned char> buf(4);
    ref::toStorage(t, {nan}, buf.data());
    EXPECT_TRUE(std::isnan(ref::fromStorage(t, buf.data(), 1)[0])) << dtypeName(t);
  }
}

TEST(RefPrecision, StorageRoundTripsRoundedValues) {
  std::mt19937 gen(5);
  std::normal_distribution<double> dist(0.0, 100.0);
  for (DType t : {DType::BF16, DType::F16, DType::F32}) {
    std::vector<double> src(2000);
    for (double &x : src)
      x = dist(gen) * std::ldexp(1.0, static_cast<int>(gen() % 40) - 30);
    std::vector<unsigned char> buf(src.size() * dtypeSize(t));
    ref::toStorage(t, src, buf.data());
    std::vector<double> back = ref::fromStorage(t, buf.data(), src.size());
    for (size_t n = 0; n < src.size(); ++n)
      ASSERT_EQ(back[n], ref::roundTo(t, src[n])) << dtypeName(t) << " " << src[n];
  }
}

TEST(RefPrecision, EveryF16AndBF16PatternDecodesAndReencodes) {
  for (DType t : {DType::BF16, DType::F16})
    for (uint32_t b = 0; b <= 0xFFFF; ++b) {
      double x = value16(t, static_cast<uint16_t>(b));
      if (std::isnan(x))
        continue;
      ASSERT_EQ(ref::roundTo(t, x), x) << dtypeName(t) << " " << b;
      ASSERT_EQ(bits16(t, x), b) << dtypeName(t) << " " << b;
    }
}
