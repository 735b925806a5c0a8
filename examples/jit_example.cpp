//===- jit_example.cpp - Using the JIT API from a host program ------------===//
//
//   jit_example [spec.json] [S]
//
// Compiles a pattern in-process, runs it on random inputs (GPU if one is
// found, else the CPU backend) and prints a checksum. Every error is a value:
// the program reports it and exits non-zero.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Jit.h"
#include "sattn/Runtime.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

namespace {

/// bf16 bits of a float (round to nearest even).
uint16_t toBF16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return uint16_t((u + 0x7fff + ((u >> 16) & 1)) >> 16);
}
float fromBF16(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

int report(const sattn::Status &s) {
  std::fprintf(stderr, "jit_example: %s\n", s.message().c_str());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  const char *specPath = argc > 1 ? argv[1] : SATTN_EXAMPLE_SPEC;
  int64_t S = argc > 2 ? std::atoll(argv[2]) : 1024;

  // 1. Compile (cached per spec within this Jit object).
  sattn::Jit jit; // Backend::Auto: the GPU when one is found.
  auto kernel = jit.compileSpecFile(specPath);
  if (!kernel)
    return report(kernel.status());
  const sattn::Manifest &m = (*kernel)->manifest();
  if (m.dtype != "bf16") {
    std::fprintf(stderr, "jit_example: this example fills bf16 buffers; "
                         "%s is %s\n", m.name.c_str(), m.dtype.c_str());
    return 1;
  }

  // 2. Inputs: B=1, H=8 query heads sharing Hkv=2 kv heads (GQA).
  sattn::AttentionShape shape{1, 8, 2, S, S, m.headDim};
  size_t nq = size_t(shape.B * shape.H * S * shape.D);
  size_t nkv = size_t(shape.B * shape.Hkv * S * shape.D);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<uint16_t> q(nq), k(nkv), v(nkv), o(nq);
  for (auto *t : {&q, &k, &v})
    for (uint16_t &x : *t)
      x = toBF16(dist(rng));

  // 3. Launch on the backend's memory.
  if ((*kernel)->backend() == sattn::Backend::Gpu) {
    auto dq = sattn::rt::DeviceBuffer::allocate(nq * 2);
    auto dk = sattn::rt::DeviceBuffer::allocate(nkv * 2);
    auto dv = sattn::rt::DeviceBuffer::allocate(nkv * 2);
    auto dout = sattn::rt::DeviceBuffer::allocate(nq * 2);
    for (auto *b : {&dq, &dk, &dv, &dout})
      if (!*b)
        return report(b->status());
    if (auto s = dq->copyFromHost(q.data(), nq * 2); !s)
      return report(s);
    if (auto s = dk->copyFromHost(k.data(), nkv * 2); !s)
      return report(s);
    if (auto s = dv->copyFromHost(v.data(), nkv * 2); !s)
      return report(s);
    sattn::Status s = (*kernel)->launch(
        shape, {dq->get(), dk->get(), dv->get(), dout->get()});
    if (!s)
      return report(s);
    if (auto s2 = sattn::rt::Module::synchronize(); !s2)
      return report(s2);
    if (auto s2 = dout->copyToHost(o.data(), nq * 2); !s2)
      return report(s2);
  } else {
    // std::vector<uint16_t> storage is 16-byte aligned (malloc alignment).
    sattn::Status s =
        (*kernel)->launch(shape, {q.data(), k.data(), v.data(), o.data()});
    if (!s)
      return report(s);
  }

  double checksum = 0;
  for (uint16_t x : o)
    checksum += fromBF16(x);
  std::printf("%s on %s (%s): S=%lld, %zu outputs, checksum %.6f\n",
              m.name.c_str(), sattn::backendName((*kernel)->backend()),
              m.chip.c_str(), (long long)S, nq, checksum);
  return 0;
}
