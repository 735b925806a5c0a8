//===- CudaDriver.cpp - dlopen libcuda.so.1 once and resolve its symbols --===//
#include "CudaDriver.h"

#include <dlfcn.h>

#include <cstdio>
#include <mutex>
#include <string>

namespace sattn::rt::detail {
namespace {

struct DriverState {
  std::once_flag once;
  Status status;
  Driver driver{};
};

DriverState &state() {
  // Never destroyed, and the library is never dlclose'd: modules and buffers
  // owned by static objects may still call into the driver during exit.
  static DriverState *s = new DriverState();
  return *s;
}

Status unavailable(const std::string &message) {
  return Status::error(ErrorKind::Unavailable, message);
}

template <typename Fn> Status resolve(void *lib, const char *symbol, Fn &slot) {
  void *address = dlsym(lib, symbol);
  if (!address)
    return unavailable(std::string("libcuda.so.1 lacks symbol ") + symbol +
                       " (driver too old?)");
  slot = reinterpret_cast<Fn>(address);
  return Status::ok();
}

Status load(Driver &d) {
  // Only the versioned name: it is what the NVIDIA driver installs. The
  // toolkit's stubs/libcuda.so has the same symbols but every call fails,
  // which would turn "no driver" into confusing errors later.
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char *why = dlerror();
    return unavailable(std::string("cannot load the CUDA driver "
                                   "libcuda.so.1 (") +
                       (why ? why : "unknown error") +
                       "); is the NVIDIA driver installed?");
  }
  // The _v2 names are the 64-bit-size entry points that cuda.h maps the
  // plain names to.
  Status s;
  if (!(s = resolve(lib, "cuGetErrorName", d.cuGetErrorName)) ||
      !(s = resolve(lib, "cuGetErrorString", d.cuGetErrorString)) ||
      !(s = resolve(lib, "cuInit", d.cuInit)) ||
      !(s = resolve(lib, "cuDeviceGetCount", d.cuDeviceGetCount)) ||
      !(s = resolve(lib, "cuDeviceGet", d.cuDeviceGet)) ||
      !(s = resolve(lib, "cuDeviceGetAttribute", d.cuDeviceGetAttribute)) ||
      !(s = resolve(lib, "cuDevicePrimaryCtxRetain",
                    d.cuDevicePrimaryCtxRetain)) ||
      !(s = resolve(lib, "cuCtxSetCurrent", d.cuCtxSetCurrent)) ||
      !(s = resolve(lib, "cuCtxSynchronize", d.cuCtxSynchronize)) ||
      !(s = resolve(lib, "cuModuleLoadData", d.cuModuleLoadData)) ||
      !(s = resolve(lib, "cuModuleUnload", d.cuModuleUnload)) ||
      !(s = resolve(lib, "cuModuleGetFunction", d.cuModuleGetFunction)) ||
      !(s = resolve(lib, "cuFuncSetAttribute", d.cuFuncSetAttribute)) ||
      !(s = resolve(lib, "cuOccupancyMaxActiveBlocksPerMultiprocessor",
                    d.cuOccupancyMaxActiveBlocksPerMultiprocessor)) ||
      !(s = resolve(lib, "cuLaunchKernel", d.cuLaunchKernel)) ||
      !(s = resolve(lib, "cuMemAlloc_v2", d.cuMemAlloc)) ||
      !(s = resolve(lib, "cuMemFree_v2", d.cuMemFree)) ||
      !(s = resolve(lib, "cuMemcpyHtoD_v2", d.cuMemcpyHtoD)) ||
      !(s = resolve(lib, "cuMemcpyDtoH_v2", d.cuMemcpyDtoH)) ||
      !(s = resolve(lib, "cuEventCreate", d.cuEventCreate)) ||
      !(s = resolve(lib, "cuEventRecord", d.cuEventRecord)) ||
      !(s = resolve(lib, "cuEventSynchronize", d.cuEventSynchronize)) ||
      !(s = resolve(lib, "cuEventElapsedTime", d.cuEventElapsedTime)) ||
      !(s = resolve(lib, "cuEventDestroy_v2", d.cuEventDestroy)) ||
      !(s = resolve(lib, "cuPointerGetAttributes", d.cuPointerGetAttributes)))
    return s;
  // Optional: older drivers lack it, and only kernels that take tensor maps
  // (sm_90a) need it; Module::launch reports its absence for those.
  d.cuTensorMapEncodeTiled =
      reinterpret_cast<decltype(d.cuTensorMapEncodeTiled)>(
          dlsym(lib, "cuTensorMapEncodeTiled"));

  if (Status st = check(d, d.cuInit(0), "cuInit"); !st)
    return st;
  int count = 0;
  if (Status st = check(d, d.cuDeviceGetCount(&count), "cuDeviceGetCount"); !st)
    return st;
  if (count < 1)
    return unavailable("the CUDA driver reports no device");
  if (Status st = check(d, d.cuDeviceGet(&d.device, 0), "cuDeviceGet"); !st)
    return st;
  // The primary context is shared with cudart and other libraries in the
  // process; it is retained for the process lifetime, never released.
  return check(d, d.cuDevicePrimaryCtxRetain(&d.context, d.device),
               "cuDevicePrimaryCtxRetain");
}

} // namespace

Status check(const Driver &d, CUresult result, const std::string &call) {
  if (result == CUDA_SUCCESS)
    return Status::ok();
  const char *name = nullptr;
  const char *text = nullptr;
  if (d.cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = "unknown CUDA error";
  if (d.cuGetErrorString(result, &text) != CUDA_SUCCESS || !text)
    text = "no description";
  return unavailable(call + " failed: " + name + " (" + text + ", code " +
                     std::to_string(result) + ")");
}

Status checkDevicePointers(const Driver &d,
                           const std::vector<TensorPointer> &tensors) {
  for (const TensorPointer &t : tensors) {
    char address[32];
    std::snprintf(address, sizeof address, "%p", t.address);
    std::string what = std::string("tensor '") + t.name + "' (" + address + ")";
    // Zeroed: the driver writes IS_MANAGED as a boolean, which may be a
    // single byte of the four.
    unsigned memoryType = 0, isManaged = 0;
    int ordinal = -1;
    int attributes[] = {CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                        CU_POINTER_ATTRIBUTE_IS_MANAGED,
                        CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL};
    void *data[] = {&memoryType, &isManaged, &ordinal};
    if (Status s = check(d,
                         d.cuPointerGetAttributes(
                             3, attributes, data,
                             reinterpret_cast<CUdeviceptr>(t.address)),
                         "cuPointerGetAttributes(" + what + ")");
        !s)
      return s;
    if (isManaged)
      continue;
    std::string problem;
    switch (memoryType) {
    case CU_MEMORYTYPE_DEVICE:
      if (ordinal == d.device)
        continue;
      problem = "is memory of device " + std::to_string(ordinal) +
                "; the kernels run on device " + std::to_string(d.device);
      break;
    case CU_MEMORYTYPE_HOST:
      problem = "is page-locked host memory, not device memory";
      break;
    case CU_MEMORYTYPE_ARRAY:
      problem = "is a CUDA array, not linear device memory";
      break;
    default:
      problem = "is not memory the CUDA driver knows (a host pointer?)";
      break;
    }
    return Status::error(ErrorKind::InvalidArgument,
                         "launch: " + what + " " + problem +
                             "; the GPU backend needs device memory "
                             "(cuMemAlloc, cudaMalloc, a CUDA tensor)");
  }
  return Status::ok();
}

Result<const Driver *> currentDriver() {
  DriverState &s = state();
  std::call_once(s.once, [&s] { s.status = load(s.driver); });
  if (!s.status)
    return s.status;
  // The current context is per thread, so it is set on every entry.
  if (Status st = check(s.driver, s.driver.cuCtxSetCurrent(s.driver.context),
                        "cuCtxSetCurrent");
      !st)
    return st;
  return &s.driver;
}

} // namespace sattn::rt::detail
