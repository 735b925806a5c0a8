//===- CApiTest.cpp - The C interface reports errors as values ------------===//
#include "sattn/sattn_c.h"

#include "TestSupport.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace {

TEST(CApiTest, LoadReportsAMissingManifest) {
  char err[256] = {0};
  sattn_module *m = sattn_module_load("/nonexistent/p.json", err, sizeof err);
  EXPECT_EQ(m, nullptr);
  EXPECT_NE(std::string(err).find("/nonexistent/p.json"), std::string::npos)
      << err;
}

TEST(CApiTest, LoadReportsABadManifestWithItsPath) {
  std::string path = ::testing::TempDir() + "/capi_bad.json";
  sattn::test::writeBytes(path, "{\"format\": \"sattn-manifest\"");
  char err[256] = {0};
  EXPECT_EQ(sattn_module_load(path.c_str(), err, sizeof err), nullptr);
  EXPECT_NE(std::string(err).find("capi_bad.json"), std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(CApiTest, ErrorsAreTruncatedToTheBuffer) {
  char err[8];
  std::memset(err, 'x', sizeof err);
  EXPECT_EQ(sattn_module_load(nullptr, err, sizeof err), nullptr);
  EXPECT_EQ(std::string(err).size(), sizeof err - 1);
  // A null or empty buffer is allowed.
  EXPECT_EQ(sattn_module_load(nullptr, nullptr, 0), nullptr);
}

TEST(CApiTest, LaunchOnANullModuleIsABadArgument) {
  char err[128] = {0};
  EXPECT_EQ(sattn_module_launch(nullptr, 1, 1, 1, 1, 1, 64, nullptr, nullptr,
                                nullptr, nullptr, nullptr, nullptr, err,
                                sizeof err),
            2);
  EXPECT_NE(std::string(err).find("module is null"), std::string::npos);
  EXPECT_EQ(sattn_module_workspace_bytes(nullptr, 1, 1, 1, 1, 1, 64), 0);
  sattn_module_free(nullptr);
}

TEST(CApiTest, LaunchTensorsAreCheckedAsAnArray) {
  char err[160] = {0};
  auto launch = [&](const sattn_tensor *t, size_t n) {
    err[0] = 0;
    return sattn_module_launch_tensors(nullptr, 1, 2, 2, 8, 8, 64, nullptr,
                                       nullptr, nullptr, nullptr, nullptr, t, n,
                                       nullptr, err, sizeof err);
  };
  EXPECT_EQ(launch(nullptr, 1), 2);
  EXPECT_EQ(
      std::string(err),
      "sattn_module_launch_tensors: tensors is null but num_tensors is 1");
  int64_t shape[] = {2};
  float logits[2] = {0, 1};
  sattn_tensor noName{nullptr, logits, "f32", 1, shape};
  EXPECT_EQ(launch(&noName, 1), 2);
  EXPECT_EQ(std::string(err),
            "sattn_module_launch_tensors: tensors[0].name is null");
  sattn_tensor noShape{"sinks", logits, "f32", 1, nullptr};
  EXPECT_EQ(launch(&noShape, 1), 2);
  EXPECT_EQ(std::string(err), "sattn_module_launch_tensors: tensors[0] "
                              "('sinks'): ndim 1 with a null shape");
  sattn_tensor deep{"sinks", logits, "f32", 9, shape};
  EXPECT_EQ(launch(&deep, 1), 2);
  EXPECT_EQ(std::string(err), "sattn_module_launch_tensors: tensors[0] "
                              "('sinks'): ndim 9 is outside [0, 8]");
  // A well-formed array reaches the module check.
  sattn_tensor ok{"sinks", logits, "f32", 1, shape};
  EXPECT_EQ(launch(&ok, 1), 2);
  EXPECT_EQ(std::string(err), "sattn_module_launch_tensors: module is null");
  EXPECT_EQ(launch(nullptr, 0), 2);
  EXPECT_EQ(std::string(err), "sattn_module_launch_tensors: module is null");
}

} // namespace
