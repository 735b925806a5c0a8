//===- Hash.cpp - FNV-1a 64 fingerprint of cubin bytes --------------------===//
//
// The manifest records this hash so that a cubin swapped or corrupted after
// compilation is caught before it reaches the driver. It is a fingerprint,
// not a security measure.
//
//===----------------------------------------------------------------------===//
#include "sattn/Manifest.h"

#include <cstdio>

namespace sattn {

std::string fnv1a64Hex(const void *data, size_t size) {
  const auto *bytes = static_cast<const unsigned char *>(data);
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx",
                static_cast<unsigned long long>(hash));
  return hex;
}

} // namespace sattn
