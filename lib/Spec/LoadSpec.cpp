//===- LoadSpec.cpp - Read a spec file and parse it -----------------------===//

#include "Spec/PatternSpec.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sattn {

Result<PatternSpec> loadPatternSpec(const std::string &path) {
  // stdio rather than iostreams: it reports read errors (a directory opens
  // fine on Linux and fails with EISDIR on the first read) with an errno.
  std::FILE *f = std::fopen(path.c_str(), "rb");
  if (!f)
    return Status::error(ErrorKind::IOError,
                         path + ": cannot open spec file: " + std::strerror(errno));
  std::string text;
  char buf[4096];
  size_t n;
  // Never more than one byte past the limit: a huge file is refused without
  // being read into memory.
  while (text.size() <= kMaxSpecBytes && (n = std::fread(buf, 1, sizeof buf, f)) > 0)
    text.append(buf, n);
  bool failed = std::ferror(f);
  int err = errno;
  std::fclose(f);
  if (failed)
    return Status::error(ErrorKind::IOError,
                         path + ": cannot read spec file: " + std::strerror(err));
  if (text.size() > kMaxSpecBytes)
    return Status::error(ErrorKind::InvalidInput,
                         path + ": more than the " + std::to_string(kMaxSpecBytes) +
                             " bytes a spec may have");
  // Messages name the file as the user gave it.
  return parsePatternSpec(text, path);
}

} // namespace sattn
