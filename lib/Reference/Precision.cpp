//===- Precision.cpp - bf16 / f16 / f32 rounding and storage --------------===//
//
// Written from the IEEE 754 definitions rather than with float casts or
// compiler half types: rounding a double to bf16 through float would round
// twice (double -> float -> bf16) and can miss ties-to-even, and the
// reference must not depend on what the host compiler supports.
//
//===----------------------------------------------------------------------===//

#include "Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace sattn::ref {
namespace {

/// A binary floating-point format narrower than double.
struct Format {
  int mantBits; ///< Stored fraction bits (bf16: 7, f16: 10).
  int expBits;  ///< Exponent field bits (bf16: 8, f16: 5).
  int bias() const { return (1 << (expBits - 1)) - 1; }
  int emin() const { return 1 - bias(); }
  int emax() const { return bias(); }
  double maxFinite() const { return std::ldexp(2.0 - std::ldexp(1.0, -mantBits), emax()); }
  uint16_t expMask() const { return static_cast<uint16_t>(((1 << expBits) - 1) << mantBits); }
};

constexpr Format kBF16{7, 8};
constexpr Format kF16{10, 5};

const Format &formatOf(DType t) {
  if (t == DType::BF16)
    return kBF16;
  if (t == DType::F16)
    return kF16;
  throw std::invalid_argument("ref: f32 is not a 16-bit format");
}

/// Round half to even of a non-negative y, done exactly (no dependence on
/// the FPU rounding mode).
double roundHalfEven(double y) {
  double lo = std::floor(y);
  double frac = y - lo;
  if (frac > 0.5)
    return lo + 1;
  if (frac < 0.5)
    return lo;
  return std::fmod(lo, 2.0) == 0 ? lo : lo + 1;
}

double roundToFormat(const Format &f, double x) {
  if (std::isnan(x) || std::isinf(x) || x == 0)
    return x;
  double a = std::fabs(x);
  int ex;
  std::frexp(a, &ex); // a = m * 2^ex, m in [0.5, 1): leading bit is 2^(ex-1)
  // Below the normal range the spacing stays that of the smallest binade.
  int e = std::max(ex - 1, f.emin());
  double quantum = std::ldexp(1.0, e - f.mantBits);
  double r = roundHalfEven(a / quantum) * quantum; // division by 2^k is exact
  if (r > f.maxFinite())
    r = std::numeric_limits<double>::infinity();
  return std::copysign(r, x);
}

/// Bits of a value already representable in `f`.
uint16_t encode(const Format &f, double r) {
  uint16_t sign = std::signbit(r) ? 0x8000 : 0;
  if (std::isnan(r))
    return static_cast<uint16_t>(f.expMask() | (1u << (f.mantBits - 1))); // quiet NaN
  if (std::isinf(r))
    return sign | f.expMask();
  double a = std::fabs(r);
  if (a == 0)
    return sign;
  int ex;
  std::frexp(a, &ex);
  int e = ex - 1;
  if (e < f.emin()) { // subnormal: fraction counts units of 2^(emin - mantBits)
    auto mant = static_cast<uint16_t>(std::ldexp(a, f.mantBits - f.emin()));
    return sign | mant;
  }
  auto mant = static_cast<uint16_t>(std::ldexp(std::ldexp(a, -e) - 1.0, f.mantBits));
  auto field = static_cast<uint16_t>((e + f.bias()) << f.mantBits);
  return sign | field | mant;
}

double decode(const Format &f, uint16_t bits) {
  double sign = (bits & 0x8000) ? -1.0 : 1.0;
  int field = (bits & f.expMask()) >> f.mantBits;
  int mant = bits & ((1 << f.mantBits) - 1);
  if (field == (1 << f.expBits) - 1)
    return mant ? std::numeric_limits<double>::quiet_NaN()
                : sign * std::numeric_limits<double>::infinity();
  if (field == 0)
    return sign * std::ldexp(mant, f.emin() - f.mantBits);
  return sign * std::ldexp(1.0 + std::ldexp(mant, -f.mantBits), field - f.bias());
}

} // namespace

double roundTo(DType t, double x) {
  if (t == DType::F32)
    return static_cast<double>(static_cast<float>(x)); // one IEEE rounding
  return roundToFormat(formatOf(t), x);
}

void toStorage(DType t, const std::vector<double> &src, void *dst) {
  auto *bytes = static_cast<unsigned char *>(dst);
  for (size_t n = 0; n < src.size(); ++n) {
    if (t == DType::F32) {
      float f = static_cast<float>(src[n]);
      std::memcpy(bytes + n * sizeof f, &f, sizeof f);
    } else {
      const Format &f = formatOf(t);
      uint16_t bits = encode(f, roundToFormat(f, src[n]));
      std::memcpy(bytes + n * sizeof bits, &bits, sizeof bits);
    }
  }
}

std::vector<double> fromStorage(DType t, const void *src, size_t n) {
  const auto *bytes = static_cast<const unsigned char *>(src);
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    if (t == DType::F32) {
      float f;
      std::memcpy(&f, bytes + i * sizeof f, sizeof f);
      out[i] = f;
    } else {
      uint16_t bits;
      std::memcpy(&bits, bytes + i * sizeof bits, sizeof bits);
      out[i] = decode(formatOf(t), bits);
    }
  }
  return out;
}

} // namespace sattn::ref
