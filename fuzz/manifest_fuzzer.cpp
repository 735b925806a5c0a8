//===- manifest_fuzzer.cpp - The manifest reader and the launch plan ------===//
//
// Any input: parsed or rejected with a message that names the source. An
// accepted manifest writes back to JSON that reads to the same text, and
// its launch plans for a few shapes are computed (or refused) without
// overflow or out-of-range access (UBSan / ASan watch the arithmetic).
//
//===----------------------------------------------------------------------===//
#include "FuzzSupport.h"

#include "sattn/Manifest.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  sattn::Result<sattn::Manifest> m = sattn::parseManifest(text, "fuzz.json");
  if (!m) {
    FUZZ_CHECK(m.status().message().rfind("fuzz.json: ", 0) == 0,
               "a rejection names the source");
    return 0;
  }
  std::string written = sattn::manifestToJson(*m);
  sattn::Result<sattn::Manifest> again =
      sattn::parseManifest(written, "written");
  FUZZ_CHECK(again.isOk(), "a written manifest reads back");
  FUZZ_CHECK(sattn::manifestToJson(*again) == written,
             "writing is a fixed point");

  // Distinct, 16-byte aligned fake addresses: nothing is dereferenced.
  sattn::LaunchBuffers bufs;
  bufs.q = reinterpret_cast<const void *>(uintptr_t(0x10000));
  bufs.k = reinterpret_cast<const void *>(uintptr_t(0x20000));
  bufs.v = reinterpret_cast<const void *>(uintptr_t(0x30000));
  bufs.o = reinterpret_cast<void *>(uintptr_t(0x40000));
  bufs.deltaWorkspace = reinterpret_cast<void *>(uintptr_t(0x50000));
  const int64_t shapes[][5] = {{1, 1, 1, 1, 1},
                               {2, 8, 2, 1000, 1000},
                               {1, 4, 4, 777, 1300},
                               {3, 6, 3, 65537, 65537},
                               {1, 1, 1, int64_t(1) << 31, int64_t(1) << 31}};
  for (const auto &s : shapes) {
    sattn::AttentionShape shape;
    shape.B = s[0];
    shape.H = s[1];
    shape.Hkv = s[2];
    shape.Sq = s[3];
    shape.Sk = m->hasDelta ? s[3] : s[4];
    shape.D = m->headDim;
    (void)sattn::validateShape(*m, shape);
    (void)sattn::deltaWorkspaceBytes(*m, shape);
    (void)sattn::planLaunches(*m, shape, bufs);
  }
  return 0;
}
