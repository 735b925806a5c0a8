//===- KernelCacheTest.cpp - The JIT's on-disk kernel cache ---------------===//
//
// Round trip, keys, the entries a lookup must refuse (and remove), the
// default directory, and many threads and processes storing one key at
// once. No GPU: the cache holds manifests and cubin bytes, which it checks
// against each other without loading them.
//
//===----------------------------------------------------------------------===//
#include "../runtime/TestSupport.h"

#include "Compiler/Driver/Compiler.h"
#include "Compiler/KernelCache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace sattn {
namespace {

namespace fs = std::filesystem;

const std::string kHash = "0123456789abcdef";
const std::string kChip = "sm_90a";

/// A fresh directory under the test temp dir, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string test =
        ::testing::UnitTest::GetInstance()->current_test_info()->name();
    path = fs::path(::testing::TempDir()) /
           ("sattn_cache_" + std::to_string(::getpid()) + "_" + test);
    fs::remove_all(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

/// A manifest of `kHash` for `kChip` by this compiler, and its cubin bytes.
std::pair<Manifest, std::string> kernel(char fill = 'x') {
  Manifest m = test::attentionManifest();
  m.specHash = kHash;
  m.chip = kChip;
  m.compilerVersion = compilerVersion();
  std::string cubin(3000, fill);
  m.cubinSize = int64_t(cubin.size());
  m.cubinHash = fnv1a64Hex(cubin.data(), cubin.size());
  return {m, cubin};
}

fs::path entryOf(const TempDir &dir) {
  return dir.path / KernelCache::entryName(kHash, kChip);
}

/// Entries and leftovers (temporary or trash directories) in the cache.
std::vector<std::string> listing(const TempDir &dir) {
  std::vector<std::string> names;
  for (const auto &e : fs::directory_iterator(dir.path))
    names.push_back(e.path().filename().string());
  return names;
}

TEST(KernelCache, RoundTrip) {
  TempDir dir;
  KernelCache cache(dir.path.string());
  EXPECT_FALSE(cache.lookup(kHash, kChip)) << "empty cache";
  auto [m, cubin] = kernel();
  ASSERT_TRUE(cache.store(kHash, kChip, m, cubin));
  std::optional<CachedKernel> hit = cache.lookup(kHash, kChip);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->cubin, cubin);
  m.cubinFile = "kernel.cubin";
  EXPECT_EQ(manifestToJson(hit->manifest), manifestToJson(m));
  // One entry, nothing left behind.
  EXPECT_EQ(listing(dir),
            std::vector<std::string>{KernelCache::entryName(kHash, kChip)});
  // Another chip or spec is another key.
  EXPECT_FALSE(cache.lookup(kHash, "sm_80"));
  EXPECT_FALSE(cache.lookup("fedcba9876543210", kChip));
  EXPECT_NE(KernelCache::entryName(kHash, kChip).find(compilerVersion()),
            std::string::npos);
}

TEST(KernelCache, RefusesAndRemovesBadEntries) {
  TempDir dir;
  KernelCache cache(dir.path.string());
  auto [m, cubin] = kernel();
  struct Breakage {
    const char *what;
    std::function<void(const fs::path &)> apply;
  };
  const Breakage breakages[] = {
      {"truncated cubin",
       [](const fs::path &e) { fs::resize_file(e / "kernel.cubin", 100); }},
      {"cubin of the right size, other bytes",
       [](const fs::path &e) {
         std::ofstream(e / "kernel.cubin", std::ios::binary)
             << std::string(3000, 'y');
       }},
      {"missing cubin",
       [](const fs::path &e) { fs::remove(e / "kernel.cubin"); }},
      {"manifest not JSON",
       [](const fs::path &e) {
         std::ofstream(e / "kernel.manifest.json") << "{ not json";
       }},
      {"manifest of another compiler version",
       [](const fs::path &e) {
         Manifest other = kernel().first;
         other.compilerVersion = "0.0.0-other";
         other.cubinFile = "kernel.cubin";
         std::ofstream(e / "kernel.manifest.json") << manifestToJson(other);
       }},
      {"manifest of another spec",
       [](const fs::path &e) {
         Manifest other = kernel().first;
         other.specHash = "fedcba9876543210";
         other.cubinFile = "kernel.cubin";
         std::ofstream(e / "kernel.manifest.json") << manifestToJson(other);
       }},
  };
  for (const Breakage &b : breakages) {
    SCOPED_TRACE(b.what);
    ASSERT_TRUE(cache.store(kHash, kChip, m, cubin));
    ASSERT_TRUE(cache.lookup(kHash, kChip)) << "intact before";
    b.apply(entryOf(dir));
    EXPECT_FALSE(cache.lookup(kHash, kChip));
    EXPECT_TRUE(listing(dir).empty()) << "the bad entry is removed";
    // And rebuilt by the next store.
    ASSERT_TRUE(cache.store(kHash, kChip, m, cubin));
    EXPECT_TRUE(cache.lookup(kHash, kChip));
    cache.evict(kHash, kChip);
    EXPECT_TRUE(listing(dir).empty());
  }
}

TEST(KernelCache, StoreErrorsAreValues) {
  TempDir dir;
  fs::create_directories(dir.path);
  std::ofstream(dir.path / "file") << "not a directory";
  KernelCache cache((dir.path / "file" / "cache").string());
  auto [m, cubin] = kernel();
  Status st = cache.store(kHash, kChip, m, cubin);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.kind(), ErrorKind::IOError);
  EXPECT_NE(st.message().find("cannot create the directory"), std::string::npos)
      << st.message();
  EXPECT_FALSE(cache.lookup(kHash, kChip));
  EXPECT_FALSE(KernelCache("").store(kHash, kChip, m, cubin));
}

TEST(KernelCache, DefaultDirectory) {
  auto saved = [](const char *name) {
    const char *v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto cacheDir = saved("SATTN_CACHE_DIR"), xdg = saved("XDG_CACHE_HOME"),
             home = saved("HOME");
  ::setenv("SATTN_CACHE_DIR", "/c/sattn", 1);
  ::setenv("XDG_CACHE_HOME", "/x", 1);
  ::setenv("HOME", "/h", 1);
  EXPECT_EQ(KernelCache::defaultDirectory(), "/c/sattn");
  ::unsetenv("SATTN_CACHE_DIR");
  EXPECT_EQ(KernelCache::defaultDirectory(), "/x/sattn");
  ::setenv("XDG_CACHE_HOME", "", 1);
  EXPECT_EQ(KernelCache::defaultDirectory(), "/h/.cache/sattn");
  ::unsetenv("HOME");
  EXPECT_EQ(KernelCache::defaultDirectory(), "");
  auto restore = [](const char *name, const std::optional<std::string> &v) {
    if (v)
      ::setenv(name, v->c_str(), 1);
    else
      ::unsetenv(name);
  };
  restore("SATTN_CACHE_DIR", cacheDir);
  restore("XDG_CACHE_HOME", xdg);
  restore("HOME", home);
}

// Threads and processes storing the same key at once: every store succeeds,
// the entry is whole, and no temporary directory is left behind.
TEST(KernelCache, ConcurrentStoresOfOneKey) {
  TempDir dir;
  const std::string where = dir.path.string();
  auto [m, cubin] = kernel();
  std::vector<pid_t> children;
  for (int p = 0; p < 4; ++p) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      bool ok = true;
      for (int i = 0; i < 20; ++i)
        ok = ok && bool(KernelCache(where).store(kHash, kChip, m, cubin));
      ::_exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 20; ++i) {
        KernelCache cache(where);
        if (!cache.store(kHash, kChip, m, cubin))
          ++failures;
        // A reader in the middle of it all sees a whole entry or none.
        if (std::optional<CachedKernel> hit = cache.lookup(kHash, kChip);
            hit && hit->cubin != cubin)
          ++failures;
      }
    });
  for (std::thread &t : threads)
    t.join();
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(failures.load(), 0);
  std::optional<CachedKernel> hit = KernelCache(where).lookup(kHash, kChip);
  ASSERT_TRUE(hit);
  EXPECT_EQ(hit->cubin, cubin);
  EXPECT_EQ(listing(dir),
            std::vector<std::string>{KernelCache::entryName(kHash, kChip)});
}

} // namespace
} // namespace sattn
