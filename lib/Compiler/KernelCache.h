//===- KernelCache.h - Compiled GPU kernels kept on disk --------*- C++ -*-===//
//
// The JIT's GPU kernels (manifest + cubin) outlive the process here, so that
// a pattern is compiled once per machine rather than once per run. An entry
// is a directory
//
//   <dir>/<spec hash>-<chip>-<compiler version>/kernel.manifest.json
//                                               kernel.cubin
//
// written into a private temporary directory and renamed into place, so a
// reader sees a whole entry or none, and of several processes or threads
// that compile the same pattern at once the first rename wins and the
// others discard theirs. A lookup accepts an entry only when its manifest
// parses, names the key's spec hash, chip and compiler version, and the
// cubin has the size and FNV-1a hash the manifest records; anything else
// (a truncated cubin, a corrupt or stale manifest) is moved aside and
// deleted, and the caller rebuilds it. The cache is an optimisation: its
// errors are reported, and the JIT goes on without it.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_COMPILER_KERNELCACHE_H
#define SATTN_COMPILER_KERNELCACHE_H

#include "sattn/Manifest.h"
#include "sattn/Status.h"

#include <optional>
#include <string>

namespace sattn {

struct CachedKernel {
  Manifest manifest;
  std::string cubin;
};

class KernelCache {
public:
  /// The default directory: $SATTN_CACHE_DIR, else $XDG_CACHE_HOME/sattn,
  /// else $HOME/.cache/sattn; empty when none of them is set.
  static std::string defaultDirectory();

  explicit KernelCache(std::string directory);
  const std::string &directory() const { return directory_; }

  /// The entry's directory name for a pattern compiled for `chip` by this
  /// compiler.
  static std::string entryName(const std::string &specHash,
                               const std::string &chip);

  /// The kernel compiled for `chip` from the spec with `specHash`, if a
  /// valid entry exists; an invalid one is removed (see the header).
  std::optional<CachedKernel> lookup(const std::string &specHash,
                                     const std::string &chip) const;

  /// Removes the entry of the key, if any (one the driver would not load).
  void evict(const std::string &specHash, const std::string &chip) const;

  /// Stores a kernel (its manifest's cubin file name becomes the entry's).
  /// Ok when an entry for the key exists afterwards, ours or a concurrent
  /// writer's.
  Status store(const std::string &specHash, const std::string &chip,
               Manifest manifest, const std::string &cubin) const;

private:
  std::string directory_;
};

} // namespace sattn

#endif // SATTN_COMPILER_KERNELCACHE_H
