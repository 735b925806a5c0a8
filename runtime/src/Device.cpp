//===- Device.cpp - Is there a device, and which compute capability -------===//
#include "CudaDriver.h"

#include "sattn/Runtime.h"

namespace sattn::rt {

bool deviceAvailable(std::string *why) {
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver && why)
    *why = driver.status().message();
  return driver.isOk();
}

Result<int> deviceComputeCapability() {
  Result<const detail::Driver *> driver = detail::currentDriver();
  if (!driver)
    return driver.status();
  const detail::Driver &d = **driver;
  int major = 0, minor = 0;
  if (Status s = detail::check(
          d,
          d.cuDeviceGetAttribute(
              &major, detail::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR,
              d.device),
          "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
      !s)
    return s;
  if (Status s = detail::check(
          d,
          d.cuDeviceGetAttribute(
              &minor, detail::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR,
              d.device),
          "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
      !s)
    return s;
  return major * 10 + minor;
}

} // namespace sattn::rt
