//===- Jit.h - Compile sparse-attention patterns in-process -----*- C++ -*-===//
//
// The host-program API:
//
//   sattn::Jit jit;                                   // GPU if one is found
//   auto kernel = jit.compileSpecFile("swa.json");    // Result<shared_ptr>
//   if (!kernel) { report(kernel.status().message()); return; }
//   sattn::AttentionShape shape{B, H, Hkv, S, S, 128};
//   sattn::Status st = (*kernel)->launch(shape, {q, k, v, o});
//
// Buffers are device pointers on the GPU backend and host pointers on the
// CPU backend, contiguous [B, H, S, D] (q, o) and [B, Hkv, S, D] (k, v),
// 16-byte aligned. Compiled kernels are cached per (spec hash, backend,
// chip) for the life of the Jit object, and GPU kernels also on disk
// (Compiler/KernelCache.h: $SATTN_CACHE_DIR, $XDG_CACHE_HOME/sattn or
// ~/.cache/sattn), keyed by spec hash, chip and compiler version, so that
// later processes load them instead of compiling. Errors come back as
// values.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_JIT_H
#define SATTN_JIT_H

#include "Spec/PatternSpec.h"
#include "sattn/Manifest.h"
#include "sattn/Status.h"

#include <memory>
#include <string>

namespace sattn {

enum class Backend { Auto, Cpu, Gpu };
const char *backendName(Backend b);

struct JitOptions {
  Backend backend = Backend::Auto; ///< Auto: GPU when a device is found.
  std::string chip;                ///< GPU target; empty: the device's.
  /// Keep GPU kernels on disk across processes (see the header comment).
  bool diskCache = true;
  /// The cache's directory; empty: KernelCache::defaultDirectory().
  std::string cacheDirectory;
};

/// A compiled pattern, ready to launch.
class Kernel {
public:
  virtual ~Kernel() = default;
  virtual const Manifest &manifest() const = 0;
  virtual Backend backend() const = 0;
  /// Validates the shape and buffers, then runs the kernels. `stream` is a
  /// CUstream on the GPU backend (null: default stream), unused on the CPU.
  virtual Status launch(const AttentionShape &shape,
                        const LaunchBuffers &buffers,
                        void *stream = nullptr) = 0;
};

class Jit {
public:
  explicit Jit(JitOptions options = {});
  ~Jit();
  Jit(const Jit &) = delete;
  Jit &operator=(const Jit &) = delete;

  Result<std::shared_ptr<Kernel>> compile(const PatternSpec &spec);
  Result<std::shared_ptr<Kernel>> compileSpec(const std::string &json,
                                              const std::string &source =
                                                  "<spec>");
  Result<std::shared_ptr<Kernel>> compileSpecFile(const std::string &path);

  /// The backend compiles go to (Auto resolved).
  Backend backend() const;
  /// Number of cached kernels; a second compile of an equal spec is a hit.
  size_t cacheSize() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace sattn

#endif
