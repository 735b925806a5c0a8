//===- DeviceTest.cpp - Without a driver every device call is Unavailable -===//
#include "sattn/Runtime.h"

#include <gtest/gtest.h>

using namespace sattn;

namespace {

// These run where no CUDA driver is installed (the build machine); on a GPU
// machine runtime_gpu_tests covers the same calls.
class NoDeviceTest : public ::testing::Test {
protected:
  void SetUp() override {
    if (rt::deviceAvailable())
      GTEST_SKIP() << "a CUDA device is present";
  }
};

TEST_F(NoDeviceTest, DeviceAvailableSaysWhy) {
  std::string why;
  EXPECT_FALSE(rt::deviceAvailable(&why));
  EXPECT_FALSE(why.empty());
  // Asking twice gives the same answer (initialisation runs once).
  std::string again;
  EXPECT_FALSE(rt::deviceAvailable(&again));
  EXPECT_EQ(why, again);
}

TEST_F(NoDeviceTest, DeviceCallsAreUnavailable) {
  Result<int> cc = rt::deviceComputeCapability();
  ASSERT_FALSE(cc);
  EXPECT_EQ(cc.status().kind(), ErrorKind::Unavailable);

  Result<rt::DeviceBuffer> buffer = rt::DeviceBuffer::allocate(1024);
  ASSERT_FALSE(buffer);
  EXPECT_EQ(buffer.status().kind(), ErrorKind::Unavailable);

  EXPECT_EQ(rt::Module::synchronize().kind(), ErrorKind::Unavailable);

  bool called = false;
  Result<double> ms = rt::timeMedianMs(
      [&] {
        called = true;
        return Status::ok();
      },
      1, 3);
  ASSERT_FALSE(ms);
  EXPECT_EQ(ms.status().kind(), ErrorKind::Unavailable);
  EXPECT_FALSE(called);
}

TEST(DeviceBufferTest, ArgumentErrorsNeedNoDevice) {
  Result<rt::DeviceBuffer> empty = rt::DeviceBuffer::allocate(0);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.status().kind(), ErrorKind::InvalidArgument);

  rt::DeviceBuffer none;
  char host[16] = {};
  Status s = none.copyFromHost(host, sizeof(host));
  EXPECT_EQ(s.kind(), ErrorKind::InvalidArgument);
  EXPECT_EQ(s.message(),
            "DeviceBuffer::copyFromHost: 16 bytes do not fit a buffer of 0");
  EXPECT_EQ(none.copyToHost(nullptr, 4).kind(), ErrorKind::InvalidArgument);
}

TEST(TimingTest, RejectsBadRepetitionCounts) {
  auto noop = [] { return Status::ok(); };
  EXPECT_EQ(rt::timeMedianMs(noop, 0, 0).status().kind(),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(rt::timeMedianMs(noop, -1, 5).status().kind(),
            ErrorKind::InvalidArgument);
}

} // namespace
