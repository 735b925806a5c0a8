//===- DeviceBuffer.cpp - Owned device memory -----------------------------===//
#include "CudaDriver.h"

#include "sattn/Runtime.h"

#include <cstdint>
#include <utility>

namespace sattn::rt {
namespace {

detail::CUdeviceptr devicePtr(const void *p) {
  return static_cast<detail::CUdeviceptr>(reinterpret_cast<uintptr_t>(p));
}

Status checkCopy(const char *what, const void *host, size_t bytes,
                 size_t size) {
  if (!host && bytes > 0)
    return Status::error(ErrorKind::InvalidArgument,
                         std::string("DeviceBuffer::") + what +
                             ": host pointer is null");
  if (bytes > size)
    return Status::error(
        ErrorKind::InvalidArgument,
        std::string("DeviceBuffer::") + what + ": " + std::to_string(bytes) +
            " bytes do not fit a buffer of " + std::to_string(size));
  return Status::ok();
}

} // namespace

Result<DeviceBuffer> DeviceBuffer::allocate(size_t bytes) {
  // cuMemAlloc rejects 0 bytes; say so in our own words.
  if (bytes == 0)
    return Status::error(ErrorKind::InvalidArgument,
                         "DeviceBuffer::allocate: size must be > 0");
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  detail::CUdeviceptr ptr = 0;
  if (Status s =
          detail::check(**driver, (*driver)->cuMemAlloc(&ptr, bytes),
                        "cuMemAlloc(" + std::to_string(bytes) + " bytes)");
      !s)
    return s;
  DeviceBuffer buffer;
  buffer.ptr_ = reinterpret_cast<void *>(static_cast<uintptr_t>(ptr));
  buffer.size_ = bytes;
  return buffer;
}

DeviceBuffer::DeviceBuffer(DeviceBuffer &&o) noexcept
    : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}

DeviceBuffer &DeviceBuffer::operator=(DeviceBuffer &&o) noexcept {
  if (this != &o) {
    DeviceBuffer old(std::move(*this));
    ptr_ = std::exchange(o.ptr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

DeviceBuffer::~DeviceBuffer() {
  if (!ptr_)
    return;
  // A destructor cannot report; a failed free (e.g. after the driver shut
  // down at process exit) leaks nothing that outlives the process.
  if (Result<const detail::Driver *> driver = detail::currentDriver())
    (void)(*driver)->cuMemFree(devicePtr(ptr_));
}

Status DeviceBuffer::copyFromHost(const void *src, size_t bytes) {
  if (Status s = checkCopy("copyFromHost", src, bytes, size_); !s)
    return s;
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  return detail::check(**driver,
                       (*driver)->cuMemcpyHtoD(devicePtr(ptr_), src, bytes),
                       "cuMemcpyHtoD(" + std::to_string(bytes) + " bytes)");
}

Status DeviceBuffer::copyToHost(void *dst, size_t bytes) const {
  if (Status s = checkCopy("copyToHost", dst, bytes, size_); !s)
    return s;
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  return detail::check(**driver,
                       (*driver)->cuMemcpyDtoH(dst, devicePtr(ptr_), bytes),
                       "cuMemcpyDtoH(" + std::to_string(bytes) + " bytes)");
}

} // namespace sattn::rt
