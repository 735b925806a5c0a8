//===- PointerCheckTest.cpp - Launch pointers checked through the driver --===//
//
// checkDevicePointers against a fake driver table whose
// cuPointerGetAttributes answers from a list of fake allocations, as the
// real driver does: an address it does not know gets success and zeroed
// attributes. The real driver's answers are checked on a GPU (GpuTest.cpp).
//
//===----------------------------------------------------------------------===//
#include "CudaDriver.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

using namespace sattn;
using namespace sattn::rt::detail;

namespace {

struct FakeAllocation {
  uintptr_t begin, size;
  unsigned memoryType;
  bool managed;
  int ordinal;
};

std::vector<FakeAllocation> gAllocations;
CUresult gFailWith = CUDA_SUCCESS;
int gCalls = 0;

CUresult fakePointerGetAttributes(unsigned n, int *attributes, void **data,
                                  CUdeviceptr ptr) {
  ++gCalls;
  if (gFailWith != CUDA_SUCCESS)
    return gFailWith;
  const FakeAllocation *found = nullptr;
  for (const FakeAllocation &a : gAllocations)
    if (ptr >= a.begin && ptr - a.begin < a.size)
      found = &a;
  for (unsigned i = 0; i < n; ++i) {
    switch (attributes[i]) {
    case CU_POINTER_ATTRIBUTE_MEMORY_TYPE:
      *static_cast<unsigned *>(data[i]) = found ? found->memoryType : 0;
      break;
    case CU_POINTER_ATTRIBUTE_IS_MANAGED:
      // One byte, as a C bool.
      *static_cast<unsigned char *>(data[i]) = found && found->managed;
      break;
    case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL:
      *static_cast<int *>(data[i]) = found ? found->ordinal : -2;
      break;
    default:
      ADD_FAILURE() << "unexpected attribute " << attributes[i];
    }
  }
  return CUDA_SUCCESS;
}

CUresult fakeErrorName(CUresult, const char **name) {
  *name = "CUDA_ERROR_NOT_INITIALIZED";
  return CUDA_SUCCESS;
}
CUresult fakeErrorString(CUresult, const char **text) {
  *text = "initialization error";
  return CUDA_SUCCESS;
}

class PointerCheck : public ::testing::Test {
protected:
  void SetUp() override {
    gAllocations = {
        {0x10000, 0x1000, CU_MEMORYTYPE_DEVICE, false, 0},  // device 0
        {0x20000, 0x1000, CU_MEMORYTYPE_DEVICE, false, 1},  // device 1
        {0x30000, 0x1000, CU_MEMORYTYPE_HOST, false, 0},    // pinned host
        {0x40000, 0x1000, CU_MEMORYTYPE_HOST, true, 0},     // managed
        {0x50000, 0x1000, CU_MEMORYTYPE_ARRAY, false, 0},   // CUDA array
    };
    gFailWith = CUDA_SUCCESS;
    gCalls = 0;
    driver_ = Driver{};
    driver_.cuPointerGetAttributes = fakePointerGetAttributes;
    driver_.cuGetErrorName = fakeErrorName;
    driver_.cuGetErrorString = fakeErrorString;
    driver_.device = 0;
  }

  static const void *at(uintptr_t address) {
    return reinterpret_cast<const void *>(address);
  }

  /// q, k, v, o on device 0, with `tensor` replaced by `address`.
  std::vector<TensorPointer> launchWith(const char *tensor,
                                        uintptr_t address) {
    std::vector<TensorPointer> t = {{"q", at(0x10000)},
                                    {"k", at(0x10400)},
                                    {"v", at(0x10800)},
                                    {"o", at(0x10c00)}};
    for (TensorPointer &p : t)
      if (std::strcmp(p.name, tensor) == 0)
        p.address = at(address);
    return t;
  }

  Driver driver_;
};

TEST_F(PointerCheck, DeviceMemoryOfTheDevicePasses) {
  Status s = checkDevicePointers(driver_, launchWith("q", 0x10000));
  EXPECT_TRUE(s) << s.message();
  EXPECT_EQ(gCalls, 4); // One driver call per tensor.
}

TEST_F(PointerCheck, ManagedMemoryPasses) {
  Status s = checkDevicePointers(driver_, launchWith("v", 0x40010));
  EXPECT_TRUE(s) << s.message();
}

TEST_F(PointerCheck, HostPointerIsRejectedByName) {
  std::vector<float> host(16);
  Status s = checkDevicePointers(
      driver_, launchWith("k", reinterpret_cast<uintptr_t>(host.data())));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.kind(), ErrorKind::InvalidArgument);
  EXPECT_NE(s.message().find("tensor 'k'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not memory the CUDA driver knows"),
            std::string::npos)
      << s.message();
}

TEST_F(PointerCheck, PinnedHostMemoryIsRejected) {
  Status s = checkDevicePointers(driver_, launchWith("o", 0x30000));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor 'o'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("page-locked host memory"), std::string::npos)
      << s.message();
}

TEST_F(PointerCheck, OtherDeviceIsRejected) {
  Status s = checkDevicePointers(driver_, launchWith("q", 0x20100));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor 'q'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("memory of device 1; the kernels run on device 0"),
            std::string::npos)
      << s.message();
}

TEST_F(PointerCheck, ArrayIsRejected) {
  Status s = checkDevicePointers(driver_, launchWith("v", 0x50000));
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("CUDA array"), std::string::npos) << s.message();
}

TEST_F(PointerCheck, StopsAtTheFirstBadTensor) {
  std::vector<TensorPointer> t = launchWith("q", 0x30000);
  t.push_back({"delta workspace", at(0x99999)});
  Status s = checkDevicePointers(driver_, t);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor 'q'"), std::string::npos) << s.message();
  EXPECT_EQ(gCalls, 1);
}

TEST_F(PointerCheck, WorkspaceIsNamed) {
  std::vector<TensorPointer> t = launchWith("q", 0x10000);
  t.push_back({"delta workspace", at(0x99999)});
  Status s = checkDevicePointers(driver_, t);
  ASSERT_FALSE(s);
  EXPECT_NE(s.message().find("tensor 'delta workspace'"), std::string::npos)
      << s.message();
}

TEST_F(PointerCheck, DriverErrorIsReported) {
  gFailWith = 3;
  Status s = checkDevicePointers(driver_, launchWith("q", 0x10000));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.kind(), ErrorKind::Unavailable);
  EXPECT_NE(s.message().find("cuPointerGetAttributes(tensor 'q'"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("CUDA_ERROR_NOT_INITIALIZED"), std::string::npos)
      << s.message();
}

} // namespace
