//===- Ptxas.cpp - PTX -> cubin with ptxas, and its resource report -------===//
//
// ptxas is the only external tool in the compile path. We run it ourselves
// (rather than through gpu-module-to-binary) to keep its -v report: the
// registers and spills of every kernel go into the manifest.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Driver/Compiler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <cstdlib>
#include <regex>
#include <sstream>

namespace sattn {
namespace {

std::string findPtxas() {
  if (const char *p = std::getenv("SATTN_PTXAS"); p && *p)
    return p;
  std::vector<llvm::StringRef> hints;
  std::string cudaHome;
  if (const char *h = std::getenv("CUDA_HOME"); h && *h) {
    cudaHome = std::string(h) + "/bin";
    hints.push_back(cudaHome);
  }
  if (auto onPath = llvm::sys::findProgramByName("ptxas"))
    return *onPath;
  hints.push_back("/usr/local/cuda/bin");
  if (auto found = llvm::sys::findProgramByName("ptxas", hints))
    return *found;
  return {};
}

/// Removes a temporary file when it goes out of scope.
struct TempFile {
  llvm::SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      llvm::sys::fs::remove(path);
  }
};

Status makeTemp(const char *suffix, TempFile &f) {
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("sattn", suffix,
                                                              f.path))
    return Status::error(ErrorKind::IOError,
                         "cannot create a temporary file: " + ec.message());
  return Status::ok();
}

/// Parses "Compiling entry function 'X'" blocks of `ptxas -v`.
std::vector<KernelResources> parseResources(const std::string &log) {
  std::vector<KernelResources> out;
  std::regex entry(R"(Compiling entry function '([^']+)')");
  std::regex spills(R"((\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads)");
  std::regex regs(R"(Used (\d+) registers)");
  std::smatch m;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, m, entry)) {
      out.push_back({m[1].str()});
    } else if (!out.empty() && std::regex_search(line, m, spills)) {
      out.back().stackBytes = std::stoll(m[1].str());
      out.back().spillStoreBytes = std::stoll(m[2].str());
      out.back().spillLoadBytes = std::stoll(m[3].str());
    } else if (!out.empty() && std::regex_search(line, m, regs)) {
      out.back().registers = std::stoll(m[1].str());
    }
  }
  return out;
}

} // namespace

Result<CubinResult> assemblePtx(const std::string &ptx,
                                const std::string &chip) {
  std::string ptxas = findPtxas();
  if (ptxas.empty())
    return Status::error(ErrorKind::Unavailable,
                         "ptxas not found (set SATTN_PTXAS or CUDA_HOME, or "
                         "put it on PATH)");
  TempFile in, out, log;
  for (auto [suffix, file] : {std::pair{"ptx", &in}, std::pair{"cubin", &out},
                              std::pair{"log", &log}})
    if (Status s = makeTemp(suffix, *file); !s)
      return s;
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(in.path, ec);
    if (ec)
      return Status::error(ErrorKind::IOError,
                           "cannot write " + in.path.str().str());
    os << ptx;
  }
  std::string arch = "-arch=" + chip;
  std::string outPath = out.path.str().str();
  // --split-compile 0: one thread per kernel, up to the machine's cores
  // (the delta correction has two kernels); the code is the same.
  llvm::SmallVector<llvm::StringRef> args = {
      ptxas, arch, "-O3", "--split-compile", "0", "-v", in.path, "-o",
      outPath};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.path.str(),
                                                log.path.str()};
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(ptxas, args, std::nullopt, redirects, 0,
                                     0, &error);
  auto logText = llvm::MemoryBuffer::getFile(log.path);
  std::string logStr = logText ? (*logText)->getBuffer().str() : "";
  if (rc != 0)
    return Status::error(ErrorKind::CompileFailed,
                         "ptxas failed (" + ptxas + " " + arch + "): " +
                             (error.empty() ? logStr : error));
  auto cubin = llvm::MemoryBuffer::getFile(out.path, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!cubin)
    return Status::error(ErrorKind::CompileFailed,
                         "ptxas produced no cubin");
  CubinResult result;
  result.cubin = (*cubin)->getBuffer().str();
  result.ptxasLog = logStr;
  result.resources = parseResources(logStr);
  return result;
}

} // namespace sattn
