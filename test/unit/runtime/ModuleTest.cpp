//===- ModuleTest.cpp - Broken artefacts are reported before the device ---===//
//
// Each test writes a manifest and a cubin into a fresh directory and loads
// them. None of these errors may depend on a GPU, so they all run here.
//
//===----------------------------------------------------------------------===//
#include "TestSupport.h"

#include "sattn/Runtime.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <unistd.h>

using namespace sattn;
namespace fs = std::filesystem;

namespace {

class ModuleFilesTest : public ::testing::Test {
protected:
  void SetUp() override {
    const ::testing::TestInfo *info =
        ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("sattn_rt_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Writes fake.json describing `recorded` and fake.cubin holding `actual`.
  std::string write(const std::string &chip, const std::string &recorded,
                    const std::string &actual) {
    Manifest m = test::fakeAttentionManifest(chip, recorded);
    test::writeBytes((dir_ / "fake.cubin").string(), actual);
    std::string path = (dir_ / "fake.json").string();
    test::writeBytes(path, manifestToJson(m));
    return path;
  }
  std::string cubinFile() const { return (dir_ / "fake.cubin").string(); }

  fs::path dir_;
};

void expectError(const Result<std::shared_ptr<rt::Module>> &r, ErrorKind kind,
                 const std::string &text) {
  ASSERT_FALSE(r);
  EXPECT_EQ(r.status().kind(), kind) << r.status().message();
  EXPECT_NE(r.status().message().find(text), std::string::npos)
      << "expected \"" << text << "\" in: " << r.status().message();
}

TEST_F(ModuleFilesTest, TruncatedCubinAgainstItsManifest) {
  SATTN_REQUIRE_CUBINS();
  std::string cubin = test::readBytes(test::cubinPath("sm_90a"));
  std::string path = write("sm_90a", cubin, cubin.substr(0, cubin.size() / 2));
  expectError(
      rt::Module::loadFromFiles(path), ErrorKind::InvalidInput,
      cubinFile() + ": the cubin has " + std::to_string(cubin.size() / 2) +
          " bytes but the manifest records " + std::to_string(cubin.size()) +
          " (truncated or corrupted file)");
}

TEST_F(ModuleFilesTest, TruncatedCubinWithMatchingManifest) {
  SATTN_REQUIRE_CUBINS();
  // The cubin was already cut when the manifest was written: the ELF check
  // still catches it.
  std::string cubin = test::readBytes(test::cubinPath("sm_90a"));
  std::string cut = cubin.substr(0, cubin.size() - 100);
  expectError(rt::Module::loadFromFiles(write("sm_90a", cut, cut)),
              ErrorKind::InvalidInput, cubinFile() + ": truncated cubin");
}

TEST_F(ModuleFilesTest, CorruptedCubinFailsTheHash) {
  SATTN_REQUIRE_CUBINS();
  std::string cubin = test::readBytes(test::cubinPath("sm_90a"));
  std::string corrupted = cubin;
  corrupted[corrupted.size() / 2] ^= 0x5a;
  expectError(rt::Module::loadFromFiles(write("sm_90a", cubin, corrupted)),
              ErrorKind::InvalidInput,
              cubinFile() + ": the cubin's FNV-1a hash is ");
}

TEST_F(ModuleFilesTest, WrongArchitecture) {
  SATTN_REQUIRE_CUBINS();
  std::string cubin = test::readBytes(test::cubinPath("sm_80"));
  expectError(rt::Module::loadFromFiles(write("sm_90a", cubin, cubin)),
              ErrorKind::InvalidInput,
              cubinFile() + ": cubin is for sm_80, expected sm_90a");
}

TEST_F(ModuleFilesTest, MissingCubin) {
  std::string path = write("sm_90a", "bytes", "bytes");
  fs::remove(cubinFile());
  expectError(rt::Module::loadFromFiles(path), ErrorKind::IOError,
              cubinFile() + ": cannot open");
}

TEST_F(ModuleFilesTest, MissingManifest) {
  std::string path = (dir_ / "absent.json").string();
  expectError(rt::Module::loadFromFiles(path), ErrorKind::IOError,
              path + ": cannot open");
}

TEST_F(ModuleFilesTest, InvalidManifestNamesTheFile) {
  std::string path = (dir_ / "bad.json").string();
  test::writeBytes(path, "{\"format\": \"sattn-manifest\"}");
  expectError(rt::Module::loadFromFiles(path), ErrorKind::InvalidInput,
              path + ": $: missing key");
}

TEST_F(ModuleFilesTest, ValidArtefactNeedsOnlyTheDevice) {
  SATTN_REQUIRE_CUBINS();
  if (rt::deviceAvailable())
    GTEST_SKIP() << "a CUDA device is present; runtime_gpu_tests loads it";
  std::string cubin = test::readBytes(test::cubinPath("sm_90a"));
  expectError(rt::Module::loadFromFiles(write("sm_90a", cubin, cubin)),
              ErrorKind::Unavailable, "");
}

TEST(ModuleMemoryTest, HandBuiltManifestIsValidated) {
  Manifest m = test::fakeAttentionManifest("sm_90a", "bytes");
  m.kernels[0].params[0].kind = "pointer";
  Result<std::shared_ptr<rt::Module>> r =
      rt::Module::loadFromMemory(m, "bytes", "mem.cubin");
  expectError(r, ErrorKind::InvalidInput,
              "mem.cubin (manifest): $.kernels[0].params[0].kind: expected");
}

} // namespace
