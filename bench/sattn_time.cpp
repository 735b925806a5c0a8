//===- sattn_time.cpp - Time a compiled pattern on the GPU (no MLIR) ------===//
//
//   sattn_time <name>.manifest.json B,H,Hkv,S [reps]
//
// Loads the cubin through the runtime, fills q/k/v with random bf16/f16/f32
// values (never zeros), warms up, and prints the median of `reps` timed
// launches (CUDA events). A first, rough measure of the generated kernels;
// the side-by-side benchmark against SDPA/FlexAttention is bench's next step.
//
//===----------------------------------------------------------------------===//
#include "sattn/Runtime.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: sattn_time <name>.manifest.json B,H,Hkv,S [reps]\n");
    return 2;
  }
  std::vector<int64_t> v;
  std::stringstream ss(argv[2]);
  for (std::string item; std::getline(ss, item, ',');)
    v.push_back(std::atoll(item.c_str()));
  if (v.size() != 4) {
    std::fprintf(stderr, "sattn_time: shape must be B,H,Hkv,S\n");
    return 2;
  }
  int reps = argc > 3 ? std::atoi(argv[3]) : 10;
  auto module = sattn::rt::Module::loadFromFiles(argv[1]);
  if (!module) {
    std::fprintf(stderr, "sattn_time: %s\n", module.status().message().c_str());
    return 1;
  }
  const sattn::Manifest &m = (*module)->manifest();
  sattn::AttentionShape shape{v[0], v[1], v[2], v[3], v[3], m.headDim};
  size_t es = m.dtype == "f32" ? 4 : 2;
  size_t nq = size_t(shape.B * shape.H * shape.Sq * shape.D) * es;
  size_t nk = size_t(shape.B * shape.Hkv * shape.Sk * shape.D) * es;
  // Random bit patterns of values in [0.5, 1) with random signs: bf16/f16
  // exponent fields chosen so that every element is finite and non-zero.
  std::mt19937 rng(1);
  auto fill = [&](std::vector<uint8_t> &h) {
    for (size_t i = 0; i < h.size(); i += es) {
      uint32_t r = rng();
      if (es == 4) {
        float f = (0.5f + (r & 0xffff) / 131072.0f) * ((r >> 31) ? -1 : 1);
        std::memcpy(&h[i], &f, 4);
      } else if (m.dtype == "bf16") {
        uint16_t b = uint16_t(0x3f00 | (r & 0x7f) | ((r >> 16) & 0x8000));
        std::memcpy(&h[i], &b, 2);
      } else {
        uint16_t b = uint16_t(0x3800 | (r & 0x3ff) | ((r >> 16) & 0x8000));
        std::memcpy(&h[i], &b, 2);
      }
    }
  };
  std::vector<sattn::rt::DeviceBuffer> bufs;
  for (size_t n : {nq, nk, nk, nq}) {
    std::vector<uint8_t> host(n);
    fill(host);
    auto b = sattn::rt::DeviceBuffer::allocate(n);
    if (!b || !b->copyFromHost(host.data(), n)) {
      std::fprintf(stderr, "sattn_time: device allocation/copy failed\n");
      return 1;
    }
    bufs.push_back(b.take());
  }
  sattn::LaunchBuffers lb{bufs[0].get(), bufs[1].get(), bufs[2].get(),
                          bufs[3].get(), nullptr};
  // Launch tensors (learnable sinks' logits): random f32 values in [-4, 8),
  // as the numeric tests use.
  for (const sattn::TensorInfo &t : m.tensors) {
    if (t.dtype != "f32") {
      std::fprintf(stderr, "sattn_time: cannot fill %s tensor '%s'\n",
                   t.dtype.c_str(), t.name.c_str());
      return 1;
    }
    std::vector<int64_t> extents = sattn::tensorExtents(t, shape);
    size_t n = 1;
    for (int64_t e : extents)
      n *= size_t(e);
    std::vector<float> host(n);
    for (float &x : host)
      x = -4.0f + 12.0f * float(rng() >> 8) / float(1u << 24);
    auto b = sattn::rt::DeviceBuffer::allocate(n * 4);
    if (!b || !b->copyFromHost(host.data(), n * 4)) {
      std::fprintf(stderr, "sattn_time: device allocation/copy failed\n");
      return 1;
    }
    lb.tensors.push_back({t.name, b->get(), t.dtype, extents});
    bufs.push_back(b.take());
  }
  auto ms = sattn::rt::timeMedianMs(
      [&] { return (*module)->launch(shape, lb); }, 2, reps);
  if (!ms) {
    std::fprintf(stderr, "sattn_time: %s\n", ms.status().message().c_str());
    return 1;
  }
  std::printf("%s B=%lld H=%lld Hkv=%lld S=%lld D=%lld: median %.3f ms over "
              "%d runs\n", m.name.c_str(), (long long)shape.B,
              (long long)shape.H, (long long)shape.Hkv, (long long)shape.Sq,
              (long long)shape.D, *ms, reps);
  return 0;
}
