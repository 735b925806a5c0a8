//===- JitTestSupport.h - Helpers the JIT API tests share -------*- C++ -*-===//
//
// Small helpers and two spec texts used by JitApiTest.cpp (compile, cache,
// error values) and JitGpuTargetTest.cpp (GPU backend, manifests, cubins).
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_TEST_JITTESTSUPPORT_H
#define SATTN_TEST_JITTESTSUPPORT_H

#include "Compiler/Jit.h"
#include "sattn/Runtime.h"

#include <cstdlib>
#include <string>
#include <unistd.h>

namespace sattn::test {

inline bool contains(const std::string &haystack, const std::string &needle) {
  return haystack.find(needle) != std::string::npos;
}

inline const char *kindName(ErrorKind k) {
  switch (k) {
  case ErrorKind::None:
    return "None";
  case ErrorKind::InvalidInput:
    return "InvalidInput";
  case ErrorKind::InvalidArgument:
    return "InvalidArgument";
  case ErrorKind::CompileFailed:
    return "CompileFailed";
  case ErrorKind::Unavailable:
    return "Unavailable";
  case ErrorKind::IOError:
    return "IOError";
  }
  return "?";
}

inline JitOptions cpuOptions() {
  JitOptions o;
  o.backend = Backend::Cpu;
  return o;
}

inline const char *const kCausalJson =
    R"({"name": "api_causal", "dtype": "bf16",
  "head_dim": 128, "mask": {"kind": "causal"}})";

inline const char *const kDeltaJson = R"({
  "name": "api_delta", "dtype": "f32", "head_dim": 64,
  "mask": {"kind": "intersect", "of": [
    {"kind": "causal"},
    {"kind": "union", "of": [{"kind": "window", "left": 15, "right": 0},
                             {"kind": "sink", "tokens": 4}]}]},
  "correction": {"kind": "delta", "gamma": 16, "tail_min": 8}})";

/// Mirrors the compiler's ptxas lookup ($SATTN_PTXAS, $CUDA_HOME/bin, PATH,
/// /usr/local/cuda/bin).
inline bool ptxasAvailable() {
  auto executable = [](const std::string &p) {
    return !p.empty() && ::access(p.c_str(), X_OK) == 0;
  };
  if (const char *p = std::getenv("SATTN_PTXAS"); p && *p)
    return executable(p);
  if (const char *h = std::getenv("CUDA_HOME"); h && *h)
    if (executable(std::string(h) + "/bin/ptxas"))
      return true;
  if (const char *path = std::getenv("PATH")) {
    std::string all = path;
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(':', start);
      if (end == std::string::npos)
        end = all.size();
      if (executable(all.substr(start, end - start) + "/ptxas"))
        return true;
      start = end + 1;
    }
  }
  return executable("/usr/local/cuda/bin/ptxas");
}

} // namespace sattn::test

#endif // SATTN_TEST_JITTESTSUPPORT_H
