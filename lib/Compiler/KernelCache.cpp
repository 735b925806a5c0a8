//===- KernelCache.cpp - Compiled GPU kernels kept on disk ----------------===//
#include "Compiler/KernelCache.h"

#include "Compiler/Driver/Compiler.h"

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace sattn {
namespace {

namespace fs = std::filesystem;

constexpr const char *kManifestFile = "kernel.manifest.json";
constexpr const char *kCubinFile = "kernel.cubin";

/// A manifest is a few kilobytes and a cubin a few megabytes: anything far
/// larger is not an entry of ours, and is not read into memory.
constexpr std::uintmax_t kMaxEntryFileBytes = std::uintmax_t(1) << 30;

std::optional<std::string> readSmallFile(const fs::path &path) {
  std::error_code ec;
  std::uintmax_t size = fs::file_size(path, ec);
  if (ec || size > kMaxEntryFileBytes)
    return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof())
    return std::nullopt;
  return text.str();
}

bool writeFile(const fs::path &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  out.close();
  return bool(out);
}

/// A name no other process or thread uses at the same time.
std::string uniqueSuffix() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t salt = std::random_device{}();
  return std::to_string(::getpid()) + "-" + std::to_string(salt) + "-" +
         std::to_string(counter.fetch_add(1));
}

/// Moves an entry out of the way, then deletes it: a concurrent lookup sees
/// the whole entry or nothing, never a half-deleted one.
void discard(const fs::path &entry) {
  std::error_code ec;
  fs::path trash = entry.parent_path() / (".trash-" + uniqueSuffix());
  fs::rename(entry, trash, ec);
  if (!ec)
    fs::remove_all(trash, ec);
}

std::string safeName(std::string s) {
  for (char &c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_')
      c = '_';
  return s;
}

} // namespace

std::string KernelCache::defaultDirectory() {
  if (const char *dir = std::getenv("SATTN_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return (fs::path(xdg) / "sattn").string();
  if (const char *home = std::getenv("HOME"); home && *home)
    return (fs::path(home) / ".cache" / "sattn").string();
  return "";
}

KernelCache::KernelCache(std::string directory)
    : directory_(std::move(directory)) {}

std::string KernelCache::entryName(const std::string &specHash,
                                   const std::string &chip) {
  return safeName(specHash) + "-" + safeName(chip) + "-" +
         safeName(compilerVersion());
}

std::optional<CachedKernel> KernelCache::lookup(const std::string &specHash,
                                                const std::string &chip) const {
  const fs::path entry = fs::path(directory_) / entryName(specHash, chip);
  std::error_code ec;
  if (!fs::is_directory(entry, ec))
    return std::nullopt;
  auto invalid = [&]() -> std::optional<CachedKernel> {
    discard(entry);
    return std::nullopt;
  };
  std::optional<std::string> text = readSmallFile(entry / kManifestFile);
  if (!text)
    return invalid();
  Result<Manifest> manifest =
      parseManifest(*text, (entry / kManifestFile).string());
  if (!manifest || manifest->specHash != specHash || manifest->chip != chip ||
      manifest->compilerVersion != compilerVersion() ||
      manifest->cubinFile != kCubinFile)
    return invalid();
  std::optional<std::string> cubin = readSmallFile(entry / kCubinFile);
  if (!cubin || int64_t(cubin->size()) != manifest->cubinSize ||
      fnv1a64Hex(cubin->data(), cubin->size()) != manifest->cubinHash)
    return invalid();
  return CachedKernel{manifest.take(), std::move(*cubin)};
}

void KernelCache::evict(const std::string &specHash,
                        const std::string &chip) const {
  discard(fs::path(directory_) / entryName(specHash, chip));
}

Status KernelCache::store(const std::string &specHash, const std::string &chip,
                          Manifest manifest, const std::string &cubin) const {
  auto failed = [&](const std::string &what, const std::error_code &ec) {
    return Status::error(ErrorKind::IOError,
                         "kernel cache " + directory_ + ": " + what +
                             (ec ? ": " + ec.message() : std::string()));
  };
  if (directory_.empty())
    return failed("no directory (set SATTN_CACHE_DIR, XDG_CACHE_HOME or HOME)",
                  {});
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec)
    return failed("cannot create the directory", ec);
  const fs::path entry = fs::path(directory_) / entryName(specHash, chip);
  const fs::path temp = fs::path(directory_) / (".tmp-" + uniqueSuffix());
  if (!fs::create_directory(temp, ec) || ec)
    return failed("cannot create " + temp.string(), ec);
  manifest.cubinFile = kCubinFile;
  if (!writeFile(temp / kCubinFile, cubin) ||
      !writeFile(temp / kManifestFile, manifestToJson(manifest))) {
    fs::remove_all(temp, ec);
    return failed("cannot write an entry under " + temp.string(), {});
  }
  fs::rename(temp, entry, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    // Another writer's rename came first: its entry is as good as ours.
    if (fs::is_directory(entry, ignored))
      return Status::ok();
    return failed("cannot move the entry into place", ec);
  }
  return Status::ok();
}

} // namespace sattn
