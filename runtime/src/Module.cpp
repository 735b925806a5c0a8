//===- Module.cpp - Load a compiled pattern and launch its kernels --------===//
//
// Everything that can be checked without a GPU (manifest, cubin size, hash,
// ELF header, architecture) is checked before the driver is touched, so a
// broken artefact is reported the same way on a laptop and on a GPU node.
//
//===----------------------------------------------------------------------===//
#include "CudaDriver.h"

#include "sattn/Runtime.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

namespace sattn::rt {
namespace {

constexpr int64_t kMaxGridX = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxGridY = 65535;

Result<std::string> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::error(ErrorKind::IOError,
                         path + ": cannot open: " + std::strerror(errno));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad())
    return Status::error(ErrorKind::IOError, path + ": read failed");
  return contents.str();
}

/// Encodes the tensor map a launch passes by value (see Manifest.h).
Status encodeTensorMap(const detail::Driver &d, const KernelInfo &k,
                       const TensorMapRequest &r, detail::CUtensorMap &map) {
  const KernelParam &p = k.params[r.param];
  detail::CUtensorMapDataType type =
      r.dtype == "bf16" ? detail::CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
                        : detail::CU_TENSOR_MAP_DATA_TYPE_FLOAT16;
  const uint64_t dims[3] = {uint64_t(r.dims[0]), uint64_t(r.dims[1]),
                            uint64_t(r.dims[2])};
  const uint64_t strides[2] = {uint64_t(r.strides[0]), uint64_t(r.strides[1])};
  const uint32_t box[3] = {uint32_t(r.box[0]), uint32_t(r.box[1]),
                           uint32_t(r.box[2])};
  const uint32_t elementStrides[3] = {1, 1, 1};
  std::string call =
      "cuTensorMapEncodeTiled(kernel '" + k.name + "', tensor map '" + p.name +
      "' of tensor '" + p.tensor + "', " + r.dtype + ", dims {" +
      std::to_string(r.dims[0]) + ", " + std::to_string(r.dims[1]) + ", " +
      std::to_string(r.dims[2]) + "}, box {" + std::to_string(r.box[0]) + ", " +
      std::to_string(r.box[1]) + ", " + std::to_string(r.box[2]) + "})";
  return detail::check(
      d,
      d.cuTensorMapEncodeTiled(&map, type, 3, const_cast<void *>(r.address),
                               dims, strides, box, elementStrides,
                               detail::CU_TENSOR_MAP_INTERLEAVE_NONE,
                               detail::CU_TENSOR_MAP_SWIZZLE_128B,
                               detail::CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                               detail::CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE),
      call);
}

/// The cubin must be the one the manifest was written for.
Status checkFingerprint(const Manifest &m, const std::string &bytes,
                        const std::string &source) {
  if (int64_t(bytes.size()) != m.cubinSize)
    return Status::error(
        ErrorKind::InvalidInput,
        source + ": the cubin has " + std::to_string(bytes.size()) +
            " bytes but the manifest records " + std::to_string(m.cubinSize) +
            " (truncated or corrupted file)");
  std::string hash = fnv1a64Hex(bytes.data(), bytes.size());
  if (hash != m.cubinHash)
    return Status::error(ErrorKind::InvalidInput,
                         source + ": the cubin's FNV-1a hash is " + hash +
                             " but the manifest records " + m.cubinHash +
                             " (corrupted file or stale manifest)");
  return Status::ok();
}

/// Blocks of kernel `k` the device runs at once: its SMs times the blocks
/// per SM its threads, registers and shared memory allow. A persistent
/// kernel is launched with this many (at most one per instance).
Result<int64_t> residentBlocks(const detail::Driver &d,
                               detail::CUfunction function, const KernelInfo &k,
                               const std::string &source) {
  int sms = 0, perSm = 0;
  if (Status s = detail::check(
          d,
          d.cuDeviceGetAttribute(
              &sms, detail::CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, d.device),
          "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)");
      !s)
    return s;
  if (Status s = detail::check(
          d,
          d.cuOccupancyMaxActiveBlocksPerMultiprocessor(
              &perSm, function, int(k.threads), size_t(k.sharedMemBytes)),
          "cuOccupancyMaxActiveBlocksPerMultiprocessor('" + k.name + "')");
      !s)
    return s;
  if (sms < 1 || perSm < 1)
    return Status::error(ErrorKind::Unavailable,
                         source + ": kernel '" + k.name +
                             "' fits no SM of this device (" +
                             std::to_string(perSm) + " blocks per SM, " +
                             std::to_string(sms) + " SMs)");
  return int64_t(sms) * perSm;
}

} // namespace

Result<std::shared_ptr<Module>>
Module::loadFromFiles(const std::string &manifestPath) {
  Result<std::string> text = readFile(manifestPath);
  if (!text)
    return text.status();
  Result<Manifest> manifest = parseManifest(*text, manifestPath);
  if (!manifest)
    return manifest.status();
  std::string cubinPath =
      (std::filesystem::path(manifestPath).parent_path() / manifest->cubinFile)
          .string();
  Result<std::string> cubin = readFile(cubinPath);
  if (!cubin)
    return cubin.status();
  return loadFromMemory(manifest.take(), cubin.take(), cubinPath);
}

Result<std::shared_ptr<Module>>
Module::loadFromMemory(Manifest manifest, std::string cubinBytes,
                       const std::string &source) {
  // A hand-built manifest gets the same checks as one read from a file.
  if (Result<Manifest> checked =
          parseManifest(manifestToJson(manifest), source + " (manifest)");
      !checked)
    return checked.status();
  if (Status s = checkFingerprint(manifest, cubinBytes, source); !s)
    return s;
  if (Status s = validateCubin(cubinBytes, manifest.chip, source); !s)
    return s;

  // From here on the device is needed.
  Result<int> cc = deviceComputeCapability();
  if (!cc)
    return cc.status();
  if (!chipRunsOn(manifest.chip, *cc))
    return Status::error(ErrorKind::Unavailable,
                         source + ": the cubin is for " + manifest.chip +
                             " and cannot run on this device (compute "
                             "capability " +
                             std::to_string(*cc / 10) + "." +
                             std::to_string(*cc % 10) + ")");
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  const detail::Driver &d = **driver;

  int sharedMemLimit = 0;
  if (Status s = detail::check(
          d,
          d.cuDeviceGetAttribute(
              &sharedMemLimit,
              detail::CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
              d.device),
          "cuDeviceGetAttribute(MAX_SHARED_MEMORY_PER_BLOCK_OPTIN)");
      !s)
    return s;
  for (const KernelInfo &k : manifest.kernels)
    if (k.sharedMemBytes > sharedMemLimit)
      return Status::error(ErrorKind::Unavailable,
                           source + ": kernel '" + k.name + "' needs " +
                               std::to_string(k.sharedMemBytes) +
                               " bytes of shared memory per block, the "
                               "device allows " +
                               std::to_string(sharedMemLimit));

  // Owned from here, so that an error below unloads the module.
  std::shared_ptr<Module> module(new Module());
  module->manifest_ = std::move(manifest);
  detail::CUmodule cuModule = nullptr;
  if (Status s =
          detail::check(d, d.cuModuleLoadData(&cuModule, cubinBytes.data()),
                        "cuModuleLoadData(" + source + ")");
      !s)
    return s;
  module->cuModule_ = cuModule;

  for (const KernelInfo &k : module->manifest_.kernels) {
    detail::CUfunction function = nullptr;
    if (Status s = detail::check(
            d, d.cuModuleGetFunction(&function, cuModule, k.name.c_str()),
            "cuModuleGetFunction(" + source + ", '" + k.name + "')");
        !s)
      return s;
    // Dynamic and static shared memory together must stay under 48 KB
    // unless the kernel opts in; generated kernels also carry a few bytes
    // of static shared memory (the dynamic-shared symbol), so every kernel
    // that uses dynamic shared memory opts in for its size.
    if (k.sharedMemBytes > 0)
      if (Status s = detail::check(
              d,
              d.cuFuncSetAttribute(
                  function,
                  detail::CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                  int(k.sharedMemBytes)),
              "cuFuncSetAttribute('" + k.name +
                  "', MAX_DYNAMIC_SHARED_SIZE_BYTES, " +
                  std::to_string(k.sharedMemBytes) + ")");
          !s)
        return s;
    module->functions_.push_back(function);
    Result<int64_t> resident =
        k.persistent ? residentBlocks(d, function, k, source) : int64_t(0);
    if (!resident)
      return resident.status();
    module->residentBlocks_.push_back(*resident);
  }
  return module;
}

Module::~Module() {
  if (!cuModule_)
    return;
  // A destructor cannot report; unloading fails only when the driver is
  // already shutting down at process exit.
  if (Result<const detail::Driver *> driver = detail::currentDriver())
    (void)(*driver)->cuModuleUnload(static_cast<detail::CUmodule>(cuModule_));
}

Status Module::launch(const AttentionShape &shape, LaunchBuffers bufs,
                      void *stream, const LaunchOptions &options) {
  if (options.maxPersistentBlocks < 0)
    return Status::error(ErrorKind::InvalidArgument,
                         "launch: maxPersistentBlocks (" +
                             std::to_string(options.maxPersistentBlocks) +
                             ") must be >= 0 (0: as many as fit)");
  if (Status s = validateShape(manifest_, shape); !s)
    return s;
  // A workspace the caller passed is checked like the tensors; one the
  // module allocates is device memory by construction.
  bool callerWorkspace = manifest_.hasDelta && bufs.deltaWorkspace;
  if (manifest_.hasDelta && !bufs.deltaWorkspace) {
    // At least one byte: the kernels get a valid pointer even when the
    // shape has no anchor rows.
    size_t need =
        size_t(std::max<int64_t>(deltaWorkspaceBytes(manifest_, shape), 1));
    if (workspace_.size() < need) {
      // Kernels still in flight may use the old workspace.
      if (workspace_.get())
        if (Status s = synchronize(); !s)
          return s;
      workspace_ = DeviceBuffer();
      Result<DeviceBuffer> grown = DeviceBuffer::allocate(need);
      if (!grown)
        return grown.status();
      workspace_ = grown.take();
    }
    bufs.deltaWorkspace = workspace_.get();
  }

  Result<std::vector<PlannedLaunch>> plan =
      planLaunches(manifest_, shape, bufs);
  if (!plan)
    return plan.status();
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  const detail::Driver &d = **driver;
  std::vector<detail::TensorPointer> tensors = {
      {"q", bufs.q}, {"k", bufs.k}, {"v", bufs.v}, {"o", bufs.o}};
  if (callerWorkspace)
    tensors.push_back({"delta workspace", bufs.deltaWorkspace});
  for (const TensorArg &t : bufs.tensors)
    tensors.push_back({t.name.c_str(), t.data});
  if (Status s = detail::checkDevicePointers(d, tensors); !s)
    return s;

  // Tensor maps are encoded for every launch before the first is issued, so
  // that an encoding error launches nothing. Each lives until the
  // cuLaunchKernel that takes it has returned (the driver copies parameters
  // at the call); the vector keeps CUtensorMap's 64-byte alignment.
  std::vector<std::vector<detail::CUtensorMap>> maps(plan->size());
  for (size_t l = 0; l < plan->size(); ++l) {
    const PlannedLaunch &launch = (*plan)[l];
    const KernelInfo &k = manifest_.kernels[launch.kernelIndex];
    if (launch.tensorMaps.empty())
      continue;
    if (!d.cuTensorMapEncodeTiled)
      return Status::error(ErrorKind::Unavailable,
                           "the CUDA driver lacks cuTensorMapEncodeTiled "
                           "(driver older than CUDA 12), needed by kernel '" +
                               k.name + "'");
    maps[l].resize(launch.tensorMaps.size());
    for (size_t i = 0; i < maps[l].size(); ++i)
      if (Status s = encodeTensorMap(d, k, launch.tensorMaps[i], maps[l][i]);
          !s)
        return s;
  }

  for (size_t l = 0; l < plan->size(); ++l) {
    PlannedLaunch &launch = (*plan)[l];
    const KernelInfo &k = manifest_.kernels[launch.kernelIndex];
    // A persistent kernel numbers its instances itself (planLaunches bounds
    // them by 2^31); its grid is as many blocks as run at once.
    if (launch.persistent) {
      launch.gridX =
          persistentGridX(launch, residentBlocks_[launch.kernelIndex],
                          options.maxPersistentBlocks);
      launch.gridY = 1;
    }
    if (launch.gridX > kMaxGridX || launch.gridY > kMaxGridY)
      return Status::error(ErrorKind::InvalidArgument,
                           "launch: grid (" + std::to_string(launch.gridX) +
                               ", " + std::to_string(launch.gridY) +
                               ") of kernel '" + k.name +
                               "' exceeds the CUDA limits (2147483647, "
                               "65535); 'B' * 'H' is too large");
    // cuLaunchKernel takes one pointer per parameter, each to its 8 bytes,
    // or to the 128 bytes of a tensor map passed by value.
    std::vector<void *> params;
    for (int64_t &slot : launch.args)
      params.push_back(&slot);
    for (size_t i = 0; i < maps[l].size(); ++i)
      params[launch.tensorMaps[i].param] = &maps[l][i];
    if (Status s = detail::check(
            d,
            d.cuLaunchKernel(
                static_cast<detail::CUfunction>(functions_[launch.kernelIndex]),
                unsigned(launch.gridX), unsigned(launch.gridY), 1,
                unsigned(launch.blockX), 1, 1, unsigned(k.sharedMemBytes),
                static_cast<detail::CUstream>(stream), params.data(), nullptr),
            "cuLaunchKernel('" + k.name + "')");
        !s)
      return s;
  }
  return Status::ok();
}

Status Module::synchronize() {
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  return detail::check(**driver, (*driver)->cuCtxSynchronize(),
                       "cuCtxSynchronize");
}

} // namespace sattn::rt
