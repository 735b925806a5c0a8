//===- Jit.cpp - Compile sparse-attention patterns in-process -------------===//
#include "Compiler/Jit.h"

#include "Compiler/Backend/CpuKernels.h"
#include "Compiler/Driver/Compiler.h"
#include "Compiler/KernelCache.h"
#include "sattn/Runtime.h"

#include <map>
#include <mutex>

namespace sattn {

const char *backendName(Backend b) {
  switch (b) {
  case Backend::Auto:
    return "auto";
  case Backend::Cpu:
    return "cpu";
  case Backend::Gpu:
    return "gpu";
  }
  return "?";
}

namespace {

class GpuKernel final : public Kernel {
public:
  explicit GpuKernel(std::shared_ptr<rt::Module> m) : module_(std::move(m)) {}
  const Manifest &manifest() const override { return module_->manifest(); }
  Backend backend() const override { return Backend::Gpu; }
  Status launch(const AttentionShape &shape, const LaunchBuffers &buffers,
                void *stream) override {
    return module_->launch(shape, buffers, stream);
  }

private:
  std::shared_ptr<rt::Module> module_;
};

/// The sm_XY target for a compute capability (sm_90a on Hopper, for
/// wgmma and setmaxnreg).
Result<std::string> chipForDevice() {
  auto cc = rt::deviceComputeCapability();
  if (!cc)
    return cc.status();
  int v = *cc;
  if (v == 90)
    return std::string("sm_90a");
  for (int supported : {80, 86, 87, 89})
    if (v == supported)
      return "sm_" + std::to_string(v);
  return Status::error(ErrorKind::Unavailable,
                       "GPU compute capability " + std::to_string(v) +
                           " is not supported (need sm_80 or newer)");
}

} // namespace

struct Jit::Impl {
  JitOptions options;
  Backend backend = Backend::Cpu;
  std::mutex mutex;
  std::map<std::string, std::shared_ptr<Kernel>> cache;

  /// Compiles `spec`, whose specHash is `hash`.
  Result<std::shared_ptr<Kernel>> build(const PatternSpec &spec,
                                        const std::string &hash);
};

Jit::Jit(JitOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->backend = options.backend;
  if (impl_->backend == Backend::Auto)
    impl_->backend = rt::deviceAvailable() ? Backend::Gpu : Backend::Cpu;
}

Jit::~Jit() = default;

Backend Jit::backend() const { return impl_->backend; }

size_t Jit::cacheSize() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->cache.size();
}

Result<std::shared_ptr<Kernel>> Jit::Impl::build(const PatternSpec &spec,
                                                 const std::string &hash) {
  CompilerSession session;
  auto module = session.importSpec(spec);
  if (!module)
    return module.status();
  auto info = session.describe(**module, hash);
  if (!info)
    return info.status();
  // The GPU lowering depends on the chip (wgmma on sm_90a).
  std::string chip = options.chip;
  if (backend != Backend::Cpu && chip.empty()) {
    auto devChip = chipForDevice();
    if (!devChip)
      return devChip.status();
    chip = *devChip;
  }
  // A kernel an earlier process compiled: no MLIR work at all.
  std::optional<KernelCache> disk;
  if (backend == Backend::Gpu && options.diskCache) {
    disk.emplace(options.cacheDirectory.empty()
                     ? KernelCache::defaultDirectory()
                     : options.cacheDirectory);
    if (std::optional<CachedKernel> hit = disk->lookup(hash, chip)) {
      auto loaded = rt::Module::loadFromMemory(std::move(hit->manifest),
                                               std::move(hit->cubin),
                                               spec.name + " (JIT, cached)");
      if (loaded)
        return std::shared_ptr<Kernel>(
            std::make_shared<GpuKernel>(loaded.take()));
      // A cubin this driver rejects: compiled afresh below, and replaced.
      disk->evict(hash, chip);
    }
  }
  std::string target = backend == Backend::Cpu ? kHostTarget : chip;
  auto lowered = session.lowerToKernelVariants(**module, target, *info);
  if (!lowered)
    return lowered.status();
  std::vector<KernelInfo> &kernels = lowered->kernels;

  if (backend == Backend::Cpu) {
    if (Status s = session.lowerToHostLLVM(**module); !s)
      return s;
    Manifest manifest = buildManifest(*info, kernels, "host", nullptr);
    auto cpu = CpuKernels::create(**module, std::move(manifest));
    if (!cpu)
      return cpu.status();
    return std::shared_ptr<Kernel>(makeCpuKernel(cpu.take()));
  }

  auto ptx = session.lowerToPtx(**module, chip);
  if (!ptx)
    return ptx.status();
  auto cubin = assemblePtx(*ptx, chip);
  if (!cubin)
    return cubin.status();
  Manifest manifest =
      buildManifest(*info, kernels, chip, &*cubin, lowered->variants);
  // The cache is an optimisation: a failure to write it (a read-only home)
  // costs the next process a compile, nothing else.
  if (disk)
    (void)disk->store(hash, chip, manifest, cubin->cubin);
  auto loaded = rt::Module::loadFromMemory(std::move(manifest),
                                           std::move(cubin->cubin),
                                           spec.name + " (JIT)");
  if (!loaded)
    return loaded.status();
  return std::shared_ptr<Kernel>(std::make_shared<GpuKernel>(loaded.take()));
}

Result<std::shared_ptr<Kernel>> Jit::compile(const PatternSpec &spec) {
  const std::string hash = specHash(spec);
  std::string key =
      hash + "/" + backendName(impl_->backend) + "/" + impl_->options.chip;
  std::lock_guard<std::mutex> lock(impl_->mutex);
  if (auto it = impl_->cache.find(key); it != impl_->cache.end())
    return it->second;
  auto kernel = impl_->build(spec, hash);
  if (kernel)
    impl_->cache.emplace(key, *kernel);
  return kernel;
}

Result<std::shared_ptr<Kernel>> Jit::compileSpec(const std::string &json,
                                                 const std::string &source) {
  auto spec = parsePatternSpec(json, source);
  if (!spec)
    return spec.status();
  return compile(*spec);
}

Result<std::shared_ptr<Kernel>> Jit::compileSpecFile(const std::string &path) {
  auto spec = loadPatternSpec(path);
  if (!spec)
    return spec.status();
  return compile(*spec);
}

} // namespace sattn
