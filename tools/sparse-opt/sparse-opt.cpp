//===- sparse-opt.cpp - The sparse-attention compiler driver --------------===//
//
// Two modes:
//  * compile: `sparse-opt <spec.json|file.mlir> --emit=cubin|ptx|mlir
//    [--chip=sm_90a] [-o <dir|file>]` runs the whole pipeline and writes
//    <name>.cubin + <name>.manifest.json, <name>.ptx, the IR after the
//    pipeline (mlir) or the pattern-level IR before any pass (import);
//    `--emit=tile-map --seq=Sq[,Sk]` prints the tiles the kernels for
//    that shape skip, mask or take whole, with the kept pairs, and writes
//    <name>.tile-map.png.
//    Chosen when --emit is given or the input is a .json spec.
//  * mlir-opt: anything else behaves exactly like mlir-opt with our
//    dialects and passes registered (--help lists them).
// Exit codes: 0 success, 1 failed compile, 2 bad usage or bad input.
// Files are written only after everything succeeded, via rename, and never
// over the input.
//
//===----------------------------------------------------------------------===//
#include "Compiler/Driver/Compiler.h"
#include "Compiler/Driver/TileMapReport.h"
#include "Compiler/Registration.h"
#include "Spec/PatternSpec.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace {

const char *kUsage =
    "usage: sparse-opt <spec.json|file.mlir> --emit=cubin|ptx|mlir|import "
    "[--chip=sm_90a] [-o <dir|file>]\n"
    "       sparse-opt <spec.json|file.mlir> --emit=tile-map --seq=Sq[,Sk] "
    "[--chip=sm_90a] [-o <dir>]\n"
    "                  (the tiles the kernels skip, mask or take whole at "
    "that shape; writes <name>.tile-map.png)\n"
    "                  [--block-m=N --block-n=N]  (tile shape; default: the "
    "compiler's choice)\n"
    "                  [--split-full-tiles] [--pipeline-key-loops]  (opt-in "
    "key-loop schedules)\n"
    "                  [--no-producer-warpgroup] [--no-ping-pong]  (sm_90a: "
    "without the producer warpgroup / the two warpgroups' turns)\n"
    "                  [--no-stage-query]  (sm_90a: Q.K^T with Q from "
    "registers, not shared memory)\n"
    "                  [--persistent]  (sm_90a: kernels of one block per "
    "SM loop over query tiles on a persistent grid)\n"
    "                  [--conditional-rescale]  (tensor-core kernels: "
    "rescale the accumulator only where a row's maximum grew)\n"
    "       sparse-opt [mlir-opt options] <file.mlir>   (see --help)\n";

struct CompileArgs {
  std::string input;
  std::string emit = "cubin";
  std::string chip = "sm_90a";
  std::string output; // dir for cubin/ptx, file for mlir (default stdout)
  sattn::TileOptions tiles; // 0: the compiler's choice
  int64_t seqQ = 0, seqK = 0; // --seq, for the tile map
};

/// "Sq" or "Sq,Sk", each in [1, 2^31): the sequence lengths of a tile map.
std::optional<std::pair<int64_t, int64_t>> parseSeq(const std::string &v) {
  auto one = [](const std::string &t) -> std::optional<int64_t> {
    if (t.empty() || t.size() > 10 ||
        t.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    int64_t n = std::stoll(t);
    return n >= 1 && n < (int64_t(1) << 31) ? std::optional<int64_t>(n)
                                            : std::nullopt;
  };
  size_t comma = v.find(',');
  auto q = one(v.substr(0, comma));
  auto k = comma == std::string::npos ? q : one(v.substr(comma + 1));
  if (!q || !k)
    return std::nullopt;
  return std::make_pair(*q, *k);
}

/// A positive tile size, or nullopt.
std::optional<int64_t> parseTileSize(const std::string &v) {
  if (v.empty() || v.size() > 6 ||
      v.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int64_t n = std::stoll(v);
  return n > 0 ? std::optional<int64_t>(n) : std::nullopt;
}

bool endsWith(const std::string &s, const char *suffix) {
  size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

/// True when argv asks for the compile mode.
bool wantsCompileMode(int argc, char **argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--emit", 0) == 0 || (a[0] != '-' && endsWith(a, ".json")))
      return true;
  }
  return false;
}

int usageError(const std::string &msg) {
  llvm::errs() << "sparse-opt: error: " << msg << "\n" << kUsage;
  return 2;
}

std::optional<CompileArgs> parseCompileArgs(int argc, char **argv, int &rc) {
  CompileArgs args;
  auto value = [&](int &i, const std::string &a,
                   const char *name) -> std::optional<std::string> {
    std::string eq = std::string(name) + "=";
    if (a.rfind(eq, 0) == 0)
      return a.substr(eq.size());
    if (a == name && i + 1 < argc)
      return std::string(argv[++i]);
    return std::nullopt;
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (auto v = value(i, a, "--emit")) {
      args.emit = *v;
    } else if (auto v = value(i, a, "--chip")) {
      args.chip = *v;
    } else if (auto v = value(i, a, "-o")) {
      args.output = *v;
    } else if (auto v = value(i, a, "--seq")) {
      auto seq = parseSeq(*v);
      if (!seq) {
        rc = usageError("--seq expects Sq or Sq,Sk, each in [1, 2^31), got '" +
                        *v + "'");
        return std::nullopt;
      }
      std::tie(args.seqQ, args.seqK) = *seq;
    } else if (auto v = value(i, a, "--block-m")) {
      auto n = parseTileSize(*v);
      if (!n) {
        rc = usageError("--block-m expects a positive integer, got '" + *v +
                        "'");
        return std::nullopt;
      }
      args.tiles.blockM = *n;
    } else if (auto v = value(i, a, "--block-n")) {
      auto n = parseTileSize(*v);
      if (!n) {
        rc = usageError("--block-n expects a positive integer, got '" + *v +
                        "'");
        return std::nullopt;
      }
      args.tiles.blockN = *n;
    } else if (a == "--split-full-tiles") {
      args.tiles.splitFullTiles = true;
    } else if (a == "--pipeline-key-loops") {
      args.tiles.pipelineKeyLoops = true;
    } else if (a == "--no-producer-warpgroup") {
      args.tiles.producerWarpgroup = false;
    } else if (a == "--no-ping-pong") {
      args.tiles.pingPong = false;
    } else if (a == "--no-stage-query") {
      args.tiles.stageQuery = false;
    } else if (a == "--persistent") {
      args.tiles.persistent = true;
    } else if (a == "--conditional-rescale") {
      args.tiles.conditionalRescale = true;
    } else if (!a.empty() && a[0] == '-') {
      rc = usageError("unknown option '" + a + "' in compile mode");
      return std::nullopt;
    } else if (args.input.empty()) {
      args.input = a;
    } else {
      rc = usageError("more than one input file ('" + args.input + "', '" +
                      a + "')");
      return std::nullopt;
    }
  }
  if (args.input.empty()) {
    rc = usageError("no input file");
    return std::nullopt;
  }
  if (args.emit != "cubin" && args.emit != "ptx" && args.emit != "mlir" &&
      args.emit != "import" && args.emit != "tile-map") {
    rc = usageError("--emit must be cubin, ptx, mlir, import or tile-map, "
                    "got '" +
                    args.emit + "'");
    return std::nullopt;
  }
  if ((args.emit == "tile-map") != (args.seqQ > 0)) {
    rc = usageError(args.seqQ > 0 ? "--seq is only for --emit=tile-map"
                                  : "--emit=tile-map needs --seq=Sq[,Sk]");
    return std::nullopt;
  }
  if (!sattn::isSupportedChip(args.chip)) {
    rc = usageError("unsupported --chip '" + args.chip +
                    "' (supported: sm_80, sm_86, sm_87, sm_89, sm_90, "
                    "sm_90a)");
    return std::nullopt;
  }
  return args;
}

int fail(const sattn::Status &s) {
  llvm::errs() << "sparse-opt: error: " << s.message() << "\n";
  return sattn::exitCodeFor(s);
}

/// A file to write once everything succeeded.
struct PendingFile {
  std::string path;
  std::string contents;
};

/// Writes every file to a temporary next to it, then renames them all, so
/// that a failure leaves no partial output. Refuses, before writing
/// anything, to replace `input` (the file the run read), whatever path
/// names it: outputs are named after the pattern, and a spec may be named
/// like one of them.
sattn::Status commitFiles(const std::vector<PendingFile> &files,
                          const std::string &input) {
  for (const PendingFile &f : files) {
    bool same = false;
    if (!llvm::sys::fs::equivalent(input, f.path, same) && same)
      return sattn::Status::error(
          sattn::ErrorKind::InvalidInput,
          "refusing to write '" + f.path + "': it is the input file '" +
              input + "' (choose another output with -o)");
  }
  std::vector<std::pair<std::string, std::string>> temps;
  auto cleanup = [&] {
    for (auto &t : temps)
      llvm::sys::fs::remove(t.first);
  };
  for (const PendingFile &f : files) {
    llvm::StringRef dir = llvm::sys::path::parent_path(f.path);
    if (!dir.empty())
      if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
        cleanup();
        return sattn::Status::error(sattn::ErrorKind::IOError,
                                    "cannot create directory '" + dir.str() +
                                        "': " + ec.message());
      }
    // A fresh name, created exclusively, so that no existing file is
    // truncated, the input included. (Not createUniqueFile: it would also
    // replace any '%' in the user's directory names.)
    int fd = -1;
    std::string tmp;
    std::error_code ec;
    std::random_device random;
    for (int attempt = 0; attempt < 16; ++attempt) {
      char suffix[32];
      std::snprintf(suffix, sizeof suffix, ".tmp-%08x", unsigned(random()));
      tmp = f.path + suffix;
      ec = llvm::sys::fs::openFileForWrite(tmp, fd,
                                           llvm::sys::fs::CD_CreateNew);
      if (ec != std::errc::file_exists)
        break;
    }
    if (!ec) {
      temps.push_back({tmp, f.path});
      llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
      os << f.contents;
      os.close();
      ec = os.error();
    }
    if (ec) {
      cleanup();
      return sattn::Status::error(sattn::ErrorKind::IOError,
                                  "cannot write '" + f.path +
                                      "': " + ec.message());
    }
  }
  for (auto &[tmp, path] : temps)
    if (std::error_code ec = llvm::sys::fs::rename(tmp, path)) {
      cleanup();
      return sattn::Status::error(sattn::ErrorKind::IOError,
                                  "cannot write '" + path +
                                      "': " + ec.message());
    }
  return sattn::Status::ok();
}

std::string outputPath(const CompileArgs &args, const std::string &file) {
  llvm::SmallString<256> p(args.output.empty() ? "." : args.output);
  llvm::sys::path::append(p, file);
  return std::string(p);
}

/// --emit=tile-map: the tile plan the compiler makes for the launch
/// variant that serves Sq on the chip, evaluated at (Sq, Sk).
int runTileMap(const CompileArgs &args, sattn::CompilerSession &session,
               mlir::ModuleOp module, const sattn::PatternInfo &info) {
  auto report = sattn::reportTileMap(session, module, info, args.chip,
                                     args.tiles, args.seqQ, args.seqK);
  if (!report)
    return fail(report.status());
  std::string pngPath = outputPath(args, info.name + ".tile-map.png");
  if (sattn::Status s = commitFiles({{pngPath, report->png}}, args.input); !s)
    return fail(s);
  llvm::outs() << report->text << "wrote " << pngPath << "\n";
  return 0;
}

int runCompileMode(const CompileArgs &args) {
  auto buffer = llvm::MemoryBuffer::getFile(args.input, /*IsText=*/true);
  if (!buffer)
    return fail(sattn::Status::error(sattn::ErrorKind::InvalidInput,
                                     "cannot read '" + args.input +
                                         "': " + buffer.getError().message()));
  std::string text = (*buffer)->getBuffer().str();

  sattn::CompilerSession session;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  std::string hash;
  if (endsWith(args.input, ".json")) {
    auto spec = sattn::parsePatternSpec(text, args.input);
    if (!spec)
      return fail(spec.status());
    hash = sattn::specHash(*spec);
    auto imported = session.importSpec(*spec);
    if (!imported)
      return fail(imported.status());
    module = imported.take();
  } else {
    hash = sattn::fnv1a64Hex(text.data(), text.size());
    auto parsed = session.parseMlir(text, args.input);
    if (!parsed)
      return fail(parsed.status());
    module = parsed.take();
  }
  auto info = session.describe(*module, hash);
  if (!info)
    return fail(sattn::Status::error(info.status().kind(),
                                     args.input + ": " +
                                         info.status().message()));
  if (args.emit == "tile-map")
    return runTileMap(args, session, *module, *info);
  sattn::CompilerSession::LoweredKernels lowered;
  if (args.emit != "import") {
    auto kernels =
        session.lowerToKernelVariants(*module, args.chip, *info, args.tiles);
    if (!kernels)
      return fail(kernels.status());
    lowered = kernels.take();
    // Options some kernel could not have: said, not dropped in silence.
    llvm::errs() << session.warnings();
  }

  if (args.emit == "mlir" || args.emit == "import") {
    std::string ir;
    llvm::raw_string_ostream os(ir);
    module->print(os);
    if (args.output.empty() || args.output == "-") {
      llvm::outs() << ir;
      return 0;
    }
    if (sattn::Status s = commitFiles({{args.output, ir}}, args.input); !s)
      return fail(s);
    return 0;
  }

  auto ptx = session.lowerToPtx(*module, args.chip);
  if (!ptx)
    return fail(ptx.status());
  if (args.emit == "ptx") {
    if (sattn::Status s = commitFiles(
            {{outputPath(args, info->name + ".ptx"), *ptx}}, args.input);
        !s)
      return fail(s);
    return 0;
  }
  auto cubin = sattn::assemblePtx(*ptx, args.chip);
  if (!cubin)
    return fail(cubin.status());
  sattn::Manifest manifest = sattn::buildManifest(
      *info, lowered.kernels, args.chip, &*cubin, lowered.variants);
  for (const sattn::KernelResources &r : cubin->resources)
    llvm::errs() << "sparse-opt: " << r.name << ": " << r.registers
                 << " registers, " << r.spillStoreBytes
                 << " bytes spill stores, " << r.spillLoadBytes
                 << " bytes spill loads\n";
  // The manifest's suffix keeps it from landing on `<name>.json`, the
  // spec's usual name; commitFiles refuses the rest.
  sattn::Status s = commitFiles(
      {{outputPath(args, info->name + ".cubin"), cubin->cubin},
       {outputPath(args, info->name + ".manifest.json"),
        sattn::manifestToJson(manifest)}},
      args.input);
  if (!s)
    return fail(s);
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (wantsCompileMode(argc, argv)) {
    int rc = 2;
    auto args = parseCompileArgs(argc, argv, rc);
    if (!args)
      return rc;
    return runCompileMode(*args);
  }
  mlir::DialectRegistry registry;
  sattn::registerCompilerDialects(registry);
  sattn::registerCompilerPasses();
  std::string description =
      std::string("sparse-opt: the sparse-attention compiler\n\n") + kUsage +
      "\nWith --emit or a .json input it compiles; otherwise it is mlir-opt "
      "with the sattn dialect and passes.\n";
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, description, registry));
}
