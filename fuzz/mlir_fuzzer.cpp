//===- mlir_fuzzer.cpp - sparse-opt's MLIR mode: parse, verify, tile -------===//
//
// What `sparse-opt in.mlir --sattn-classify-tiles --sattn-tile-flash` does:
// parse, verify, then the two pattern passes (the pass manager verifies
// after each). Any input must end in success or diagnostics, never a crash
// or a hang. A fresh context per input, so that one input's attributes and
// types never reach the next (a reused context would also grow without
// bound over millions of inputs).
//
//===----------------------------------------------------------------------===//
#include "Compiler/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <cstdint>
#include <string>

namespace {

const mlir::DialectRegistry &registry() {
  static const mlir::DialectRegistry *r = [] {
    auto *reg = new mlir::DialectRegistry();
    sattn::registerCompilerDialects(*reg);
    sattn::registerCompilerPasses();
    return reg;
  }();
  return *r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  mlir::MLIRContext ctx(registry(), mlir::MLIRContext::Threading::DISABLED);
  // Diagnostics are the expected outcome for most inputs: dropped.
  mlir::ScopedDiagnosticHandler quiet(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  // NUL-terminated, as sparse-opt's input is (llvm::MemoryBuffer adds the
  // terminator): MLIR's lexer reads up to it at the end of the buffer, and
  // on libFuzzer's unterminated buffer it read past the end (a comment
  // with a NUL byte in it; regressions/mlir/comment-with-nul.mlir).
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, mlir::ParserConfig(&ctx),
                                              "fuzz.mlir");
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::PassManager pm(&ctx);
  if (mlir::failed(mlir::parsePassPipeline(
          "builtin.module(sattn-classify-tiles,sattn-tile-flash)", pm)))
    __builtin_trap(); // The pipeline itself is ours: it must parse.
  (void)pm.run(*module);
  return 0;
}
