//===- FuzzSupport.h - Shared by the fuzz targets -------------------------===//
#ifndef SATTN_FUZZ_FUZZSUPPORT_H
#define SATTN_FUZZ_FUZZSUPPORT_H

#include <cstdio>
#include <cstdlib>

/// A broken invariant (not a rejected input): report it and abort, which
/// libFuzzer records as a crash and the replay test as a failure.
#define FUZZ_CHECK(cond, what)                                                 \
  do {                                                                         \
    if (!(cond)) {                                                             \
      std::fprintf(stderr, "fuzz check failed: %s (%s:%d)\n", what, __FILE__,  \
                   __LINE__);                                                  \
      std::abort();                                                            \
    }                                                                          \
  } while (0)

#endif
