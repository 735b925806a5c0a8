//===- CudaDriver.h - The CUDA driver API, opened with dlopen (internal) --===//
//
// cuda.h is not included so that the runtime builds where no CUDA toolkit is
// installed; the few types and enum values used are declared here with the
// values of the driver ABI.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_RUNTIME_CUDADRIVER_H
#define SATTN_RUNTIME_CUDADRIVER_H

#include "sattn/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sattn::rt::detail {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr int CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN = 97;
constexpr int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr unsigned CU_EVENT_DEFAULT = 0;
// CUpointer_attribute and CUmemorytype values.
constexpr int CU_POINTER_ATTRIBUTE_MEMORY_TYPE = 2;
constexpr int CU_POINTER_ATTRIBUTE_IS_MANAGED = 8;
constexpr int CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL = 9;
constexpr unsigned CU_MEMORYTYPE_HOST = 1;
constexpr unsigned CU_MEMORYTYPE_DEVICE = 2;
constexpr unsigned CU_MEMORYTYPE_ARRAY = 3;

/// A TMA descriptor: 128 opaque bytes that cuTensorMapEncodeTiled fills and
/// a kernel takes by value. The driver requires 64-byte alignment (cuda.h of
/// CUDA 13 declares the struct alignas(128); the size is the same).
struct alignas(64) CUtensorMap {
  unsigned long long opaque[16];
};
static_assert(sizeof(CUtensorMap) == 128, "CUtensorMap is 128 bytes");

// Enums of cuTensorMapEncodeTiled, passed as int like any C enum.
using CUtensorMapDataType = int;
using CUtensorMapInterleave = int;
using CUtensorMapSwizzle = int;
using CUtensorMapL2promotion = int;
using CUtensorMapFloatOOBfill = int;
constexpr CUtensorMapDataType CU_TENSOR_MAP_DATA_TYPE_FLOAT16 = 6;
constexpr CUtensorMapDataType CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 = 9;
constexpr CUtensorMapInterleave CU_TENSOR_MAP_INTERLEAVE_NONE = 0;
constexpr CUtensorMapSwizzle CU_TENSOR_MAP_SWIZZLE_128B = 3;
constexpr CUtensorMapL2promotion CU_TENSOR_MAP_L2_PROMOTION_L2_256B = 3;
/// Out-of-bounds elements read as zero.
constexpr CUtensorMapFloatOOBfill CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE = 0;

/// Entry points of libcuda.so.1 that the runtime calls.
struct Driver {
  CUresult (*cuInit)(unsigned);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadData)(CUmodule *, const void *);
  CUresult (*cuModuleUnload)(CUmodule);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuOccupancyMaxActiveBlocksPerMultiprocessor)(int *, CUfunction,
                                                          int, size_t);
  CUresult (*cuLaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                             unsigned, unsigned, unsigned, CUstream, void **,
                             void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuEventCreate)(CUevent *, unsigned);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventDestroy)(CUevent);
  /// Unlike cuPointerGetAttribute, it answers for an address the driver
  /// does not know (plain host memory) with success and zeroed attributes.
  CUresult (*cuPointerGetAttributes)(unsigned, int *, void **, CUdeviceptr);
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuGetErrorString)(CUresult, const char **);
  /// Null where the driver predates it (CUDA 12): only launches of kernels
  /// that take tensor maps need it.
  CUresult (*cuTensorMapEncodeTiled)(
      CUtensorMap *tensorMap, CUtensorMapDataType tensorDataType,
      uint32_t tensorRank, void *globalAddress, const uint64_t *globalDim,
      const uint64_t *globalStrides, const uint32_t *boxDim,
      const uint32_t *elementStrides, CUtensorMapInterleave interleave,
      CUtensorMapSwizzle swizzle, CUtensorMapL2promotion l2Promotion,
      CUtensorMapFloatOOBfill oobFill) = nullptr;

  CUdevice device = 0;
  CUcontext context = nullptr; ///< Primary context of device 0.
};

/// Loads the driver, initialises it and retains device 0's primary context,
/// once per process (thread-safe). Returns the table with that context made
/// current on the calling thread, or Unavailable saying what is missing.
/// Destructors of objects holding driver handles may call it too: a handle
/// exists only if initialisation succeeded, so it never starts the driver.
Result<const Driver *> currentDriver();

/// Unavailable status "<call> failed: CUDA_ERROR_X (description)", or ok.
Status check(const Driver &d, CUresult result, const std::string &call);

/// A buffer a launch passes to its kernels, named for messages ("q").
struct TensorPointer {
  const char *name;
  const void *address;
};

/// Checks that each tensor is memory the kernels on `d.device` can access:
/// device memory of that device, or managed memory. A host pointer launched
/// anyway faults on the device and leaves the context unusable for the rest
/// of the process. One cuPointerGetAttributes call per tensor; a rejected
/// tensor is an InvalidArgument error that names it.
Status checkDevicePointers(const Driver &d,
                           const std::vector<TensorPointer> &tensors);

} // namespace sattn::rt::detail

#endif // SATTN_RUNTIME_CUDADRIVER_H
