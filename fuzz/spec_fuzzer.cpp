//===- spec_fuzzer.cpp - The spec parser, with round-trip oracles ---------===//
//
// Any input: parsed or rejected with a message that names the source, never
// a crash. An accepted spec also passes validatePatternSpec (the rules for
// specs built in C++) and its canonical JSON parses back to the same hash.
//
//===----------------------------------------------------------------------===//
#include "FuzzSupport.h"

#include "Spec/PatternSpec.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  sattn::Result<sattn::PatternSpec> spec =
      sattn::parsePatternSpec(text, "fuzz.json");
  if (!spec) {
    FUZZ_CHECK(spec.status().kind() == sattn::ErrorKind::InvalidInput,
               "a rejected spec is InvalidInput");
    FUZZ_CHECK(spec.status().message().rfind("fuzz.json: ", 0) == 0,
               "a rejection names the source");
    return 0;
  }
  FUZZ_CHECK(sattn::validatePatternSpec(*spec, "fuzz"),
             "a parsed spec validates");
  std::string canonical = sattn::canonicalSpecJson(*spec);
  sattn::Result<sattn::PatternSpec> again =
      sattn::parsePatternSpec(canonical, "canonical");
  FUZZ_CHECK(again.isOk(), "the canonical JSON parses");
  FUZZ_CHECK(sattn::canonicalSpecJson(*again) == canonical,
             "the canonical JSON is a fixed point");
  return 0;
}
