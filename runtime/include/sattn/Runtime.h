//===- Runtime.h - Load compiled cubins and launch them (no MLIR) ---------===//
//
// The CUDA driver API is loaded with dlopen("libcuda.so.1"), so programs that
// link this library build and run on machines without a GPU; there every call
// that needs the device returns an Unavailable status.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_RUNTIME_H
#define SATTN_RUNTIME_H

#include "sattn/Manifest.h"
#include "sattn/Status.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace sattn::rt {

/// True when the driver loads and reports at least one device; otherwise
/// `why` says what is missing.
bool deviceAvailable(std::string *why = nullptr);
/// Compute capability of device 0 as e.g. 90, or an error.
Result<int> deviceComputeCapability();

/// Checks that `bytes` is a whole CUDA ELF (cubin) built for `chip` ("sm_90a")
/// without touching the device: ELF magic, class, machine EM_CUDA, the SM
/// version in e_flags, and that the section and program header tables lie
/// inside the file. `source` names the file in messages.
Status validateCubin(const std::string &bytes, const std::string &chip,
                     const std::string &source);

/// Whether a cubin for `chip` can run on a device of compute capability `cc`
/// (sm_XYa only on exactly XY; sm_XY on XY..(X9) of the same major).
bool chipRunsOn(const std::string &chip, int cc);

/// Device memory owned by the runtime (freed on destruction).
class DeviceBuffer {
public:
  static Result<DeviceBuffer> allocate(size_t bytes);
  DeviceBuffer() = default;
  DeviceBuffer(DeviceBuffer &&o) noexcept;
  DeviceBuffer &operator=(DeviceBuffer &&o) noexcept;
  ~DeviceBuffer();
  void *get() const { return ptr_; }
  size_t size() const { return size_; }
  Status copyFromHost(const void *src, size_t bytes);
  Status copyToHost(void *dst, size_t bytes) const;

private:
  void *ptr_ = nullptr;
  size_t size_ = 0;
};

/// Launch settings beyond the shape, the buffers and the stream.
struct LaunchOptions {
  /// Persistent kernels (Manifest.h) run on at most this many thread blocks
  /// when positive, instead of as many as the device holds at once: SMs
  /// left to other streams, or (the GPU tests) several instances per block.
  int64_t maxPersistentBlocks = 0;
};

/// A loaded cubin with its manifest.
class Module {
public:
  /// Reads a manifest (sparse-opt writes <dir>/<name>.manifest.json) and
  /// the cubin it names; validates both (size, hash, architecture) before
  /// loading.
  static Result<std::shared_ptr<Module>> loadFromFiles(
      const std::string &manifestPath);
  static Result<std::shared_ptr<Module>> loadFromMemory(
      Manifest manifest, std::string cubinBytes, const std::string &source);
  ~Module();

  const Manifest &manifest() const { return manifest_; }

  /// Validates shape and pointers (each tensor, and a delta workspace the
  /// caller passes, must be device memory of the module's device or managed
  /// memory: one cuPointerGetAttributes call each), then launches every
  /// kernel of the plan on `stream` (a CUstream, null = default), a
  /// persistent kernel on as many blocks as the device holds at once (see
  /// LaunchOptions). Allocates (and keeps for reuse) the delta workspace
  /// when the caller passes none.
  Status launch(const AttentionShape &shape, LaunchBuffers bufs,
                void *stream = nullptr, const LaunchOptions &options = {});
  /// Waits for all work on the current context.
  static Status synchronize();

private:
  Module() = default;
  Manifest manifest_;
  void *cuModule_ = nullptr;
  std::vector<void *> functions_;
  /// Per kernel: blocks resident at once on the device (SMs times blocks
  /// per SM); set for persistent kernels, 0 for the others.
  std::vector<int64_t> residentBlocks_;
  DeviceBuffer workspace_;
};

/// Times `fn` (which enqueues work) with CUDA events: `warmup` untimed calls,
/// then `reps` timed ones; returns the median in milliseconds.
Result<double> timeMedianMs(const std::function<Status()> &fn, int warmup,
                            int reps);

} // namespace sattn::rt

#endif // SATTN_RUNTIME_H
