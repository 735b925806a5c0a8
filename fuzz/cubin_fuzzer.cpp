//===- cubin_fuzzer.cpp - The cubin ELF checks ----------------------------===//
//
// Any bytes: accepted or rejected with a message that names the source,
// never a read outside the input (ASan) or an overflowing offset (UBSan).
// Each input is checked against an sm_80 and an sm_90a expectation, so
// both ELF ABI versions' flag layouts and the .nv.compat scan are reached.
//
//===----------------------------------------------------------------------===//
#include "FuzzSupport.h"

#include "sattn/Runtime.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  for (const char *chip : {"sm_80", "sm_90a"}) {
    sattn::Status s = sattn::rt::validateCubin(bytes, chip, "fuzz.cubin");
    if (!s)
      FUZZ_CHECK(s.message().rfind("fuzz.cubin: ", 0) == 0,
                 "a rejection names the source");
  }
  return 0;
}
