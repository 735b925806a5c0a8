//===- CubinTest.cpp - ELF checks on real ptxas output, chip compatibility ===//
#include "TestSupport.h"

#include "sattn/Runtime.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace sattn;

namespace {

bool contains(const Status &s, const std::string &text) {
  return s.message().find(text) != std::string::npos;
}

TEST(CubinTest, AcceptedForItsOwnChip) {
  SATTN_REQUIRE_CUBINS();
  for (const char *arch : {"sm_80", "sm_90", "sm_90a"}) {
    Status s = rt::validateCubin(test::readBytes(test::cubinPath(arch)), arch,
                                 "k.cubin");
    EXPECT_TRUE(s) << arch << ": " << s.message();
  }
}

TEST(CubinTest, RejectedForAnotherChip) {
  SATTN_REQUIRE_CUBINS();
  struct Case {
    const char *arch, *expected, *message;
  } cases[] = {
      {"sm_80", "sm_90a", "k.cubin: cubin is for sm_80, expected sm_90a"},
      {"sm_90a", "sm_80", "k.cubin: cubin is for sm_90a, expected sm_80"},
      // sm_90 and sm_90a differ only in the .nv.compat marker.
      {"sm_90", "sm_90a", "k.cubin: cubin is for sm_90, expected sm_90a"},
      {"sm_90a", "sm_90", "k.cubin: cubin is for sm_90a, expected sm_90"},
      {"sm_80", "sm_86", "k.cubin: cubin is for sm_80, expected sm_86"},
  };
  for (const Case &c : cases) {
    Status s = rt::validateCubin(test::readBytes(test::cubinPath(c.arch)),
                                 c.expected, "k.cubin");
    EXPECT_EQ(s.kind(), ErrorKind::InvalidInput);
    EXPECT_EQ(s.message(), c.message);
  }
}

TEST(CubinTest, EveryTruncationIsReported) {
  SATTN_REQUIRE_CUBINS();
  for (const char *arch : {"sm_80", "sm_90a"}) {
    std::string cubin = test::readBytes(test::cubinPath(arch));
    ASSERT_GT(cubin.size(), 64u);
    // Every cut: the header, the section table, the section contents and
    // the program header table at the end are all covered.
    for (size_t len = 0; len < cubin.size(); ++len) {
      Status s = rt::validateCubin(cubin.substr(0, len), arch, "k.cubin");
      ASSERT_EQ(s.kind(), ErrorKind::InvalidInput) << arch << " cut at " << len;
      ASSERT_TRUE(contains(s, "k.cubin: truncated cubin"))
          << arch << " cut at " << len << ": " << s.message();
    }
  }
}

TEST(CubinTest, RandomBytesAreRejected) {
  std::mt19937 rng(1234);
  for (size_t size : {1, 16, 64, 1000, 5000}) {
    std::string bytes(size, '\0');
    for (char &c : bytes)
      c = char(rng());
    bytes[0] = 'x'; // Rule out a lucky ELF magic.
    Status s = rt::validateCubin(bytes, "sm_90a", "noise.bin");
    EXPECT_EQ(s.kind(), ErrorKind::InvalidInput);
    EXPECT_EQ(s.message(), "noise.bin: not a cubin: the file does not start "
                           "with the ELF magic");
  }
}

TEST(CubinTest, CorruptBodyNeverCrashes) {
  SATTN_REQUIRE_CUBINS();
  std::string cubin = test::readBytes(test::cubinPath("sm_90a"));
  std::mt19937 rng(42);
  for (int round = 0; round < 200; ++round) {
    std::string bytes = cubin;
    for (int i = 0; i < 16; ++i)
      bytes[rng() % bytes.size()] = char(rng());
    Status s = rt::validateCubin(bytes, "sm_90a", "k.cubin");
    EXPECT_TRUE(s.isOk() || s.kind() == ErrorKind::InvalidInput) << s.message();
  }
}

TEST(CubinTest, HostElfIsNotACubin) {
  // This test program itself: a valid ELF, for the wrong machine.
  std::string self = test::readBytes("/proc/self/exe");
  ASSERT_GT(self.size(), 64u);
  Status s = rt::validateCubin(self, "sm_90a", "a.out");
  EXPECT_EQ(s.kind(), ErrorKind::InvalidInput);
  EXPECT_EQ(s.message(), "a.out: not a cubin: ELF machine 62, expected 190 "
                         "(EM_CUDA)");
}

TEST(CubinTest, OldAbiReadsSmFromLowByte) {
  SATTN_REQUIRE_CUBINS();
  // CUDA <= 12 layout (EI_ABIVERSION 7): SM in e_flags & 0xff, 'a' in bit
  // 11. ptxas 13 no longer writes it, so an sm_80 cubin (no .nv.compat) is
  // patched to that layout.
  std::string cubin = test::readBytes(test::cubinPath("sm_80"));
  auto patch = [&](uint32_t flags) {
    std::string bytes = cubin;
    bytes[8] = 7;
    std::memcpy(&bytes[0x30], &flags, sizeof(flags));
    return bytes;
  };
  EXPECT_TRUE(rt::validateCubin(patch(0x400 | 80), "sm_80", "old.cubin"));
  EXPECT_TRUE(
      rt::validateCubin(patch(0x800 | 0x400 | 90), "sm_90a", "old.cubin"));
  EXPECT_EQ(
      rt::validateCubin(patch(0x400 | 90), "sm_90a", "old.cubin").message(),
      "old.cubin: cubin is for sm_90, expected sm_90a");
}

TEST(CubinTest, UnknownChipIsRejected) {
  Status s = rt::validateCubin("", "host", "k.cubin");
  EXPECT_EQ(s.kind(), ErrorKind::InvalidInput);
  EXPECT_TRUE(contains(s, "k.cubin: cannot check a cubin against chip 'host'"))
      << s.message();
}

TEST(CubinTest, ChipRunsOnTable) {
  struct Case {
    const char *chip;
    int cc;
    bool runs;
  } cases[] = {
      {"sm_80", 80, true},   {"sm_80", 86, true},    {"sm_80", 89, true},
      {"sm_80", 75, false},  {"sm_80", 90, false},   {"sm_86", 80, false},
      {"sm_86", 89, true},   {"sm_90", 90, true},    {"sm_90", 100, false},
      {"sm_90a", 90, true},  {"sm_90a", 89, false},  {"sm_90a", 100, false},
      {"sm_100", 103, true}, {"sm_100a", 100, true}, {"sm_100a", 103, false},
      {"sm_120", 121, true}, {"sm_120", 100, false}, {"host", 90, false},
      {"sm_9", 90, false},   {"sm_90b", 90, false},  {"", 90, false},
      {"sm_090", 90, false},
      // Found by the manifest fuzzer: a digit run that overflowed int.
      {"sm_8900000000000000813928906518471490a", 89, false},
      {"sm_9000", 90, false},
  };
  for (const Case &c : cases)
    EXPECT_EQ(rt::chipRunsOn(c.chip, c.cc), c.runs)
        << c.chip << " on cc " << c.cc;
}

} // namespace
