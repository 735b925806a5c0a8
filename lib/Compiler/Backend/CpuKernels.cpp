//===- CpuKernels.cpp - The CPU backend: JIT-compiled kernels -------------===//
#include "Compiler/Backend/CpuKernels.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"

#include "llvm/Support/TargetSelect.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SATTN_LEAK_CHECKED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SATTN_LEAK_CHECKED 1
#endif
#if SATTN_LEAK_CHECKED
#include <sanitizer/lsan_interface.h>
#endif

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sattn {

namespace {
/// Set by an atexit handler. Tearing an ORC JIT down during process exit
/// races with the runtime's own shutdown (seen as exit status 1 or SIGSEGV
/// in ~ExecutionEngine, intermittently), so engines destroyed after exit
/// began are released to the OS instead.
std::atomic<bool> processExiting{false};
void markProcessExiting() { processExiting.store(true); }

#if defined(__x86_64__)
/// f32 -> bf16, round to nearest even (NaNs stay quiet NaNs): the helper
/// LLVM calls where x86 without AVX512-BF16 legalises bf16 values (a bf16
/// tile carried across a pipelined key loop). libgcc has it from GCC 13
/// only, so the engine gets this one. The psABI returns a bf16 in the low
/// 16 bits of xmm0, which is where an __m128 return puts them.
__m128 truncSfBf2(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  const uint32_t bits = (u & 0x7fffffffu) > 0x7f800000u
                            ? (u >> 16) | 0x40u
                            : (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  return _mm_castsi128_ps(_mm_cvtsi32_si128(int(bits & 0xffffu)));
}
#endif
} // namespace

Result<std::unique_ptr<CpuKernels>> CpuKernels::create(mlir::ModuleOp module,
                                                       Manifest manifest) {
  static std::once_flag targetInit;
  std::call_once(targetInit, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  mlir::ExecutionEngineOptions options;
  // No GDB/perf JIT listeners: nothing here debugs or profiles JIT code,
  // and they add process-wide state to the engine's lifetime.
  options.enableGDBNotificationListener = false;
  options.enablePerfNotificationListener = false;
  // `transformer` is a function_ref: it does not own the callable, so the
  // std::function must outlive create(), which calls it.
  std::function<llvm::Error(llvm::Module *)> optimize =
      mlir::makeOptimizingTransformer(
          /*optLevel=*/3, /*sizeLevel=*/0, /*targetMachine=*/nullptr);
  options.transformer = optimize;
  auto engine = mlir::ExecutionEngine::create(module, options);
  if (!engine)
    return Status::error(ErrorKind::CompileFailed,
                         "CPU backend: cannot JIT-compile the kernels: " +
                             llvm::toString(engine.takeError()));
#if defined(__x86_64__)
  (*engine)->registerSymbols([](llvm::orc::MangleAndInterner interner) {
    llvm::orc::SymbolMap symbols;
    symbols[interner("__truncsfbf2")] = {
        llvm::orc::ExecutorAddr::fromPtr(&truncSfBf2),
        llvm::JITSymbolFlags::Exported};
    return symbols;
  });
#endif
  // Resolve every kernel now: ORC compiles on first lookup, and compile
  // errors (and compile time) belong to compile(), not to the first launch.
  for (const KernelInfo &k : manifest.kernels)
    if (auto fn = (*engine)->lookupPacked(k.name); !fn)
      return Status::error(ErrorKind::CompileFailed,
                           "CPU backend: cannot compile kernel '" + k.name +
                               "': " + llvm::toString(fn.takeError()));
  // Registered on every create: atexit handlers run in reverse order, so
  // this one runs before the destructor of any Jit (static or not) that
  // existed when these kernels were made, and that could own them.
  std::atexit(markProcessExiting);
  std::unique_ptr<CpuKernels> kernels(new CpuKernels());
  kernels->manifest_ = std::move(manifest);
  kernels->engine_ = std::move(*engine);
  return kernels;
}

CpuKernels::~CpuKernels() {
  if (processExiting.load()) {
    // See processExiting. The engine is left to the OS on purpose; the
    // sanitizer build's leak check must not report it.
#if SATTN_LEAK_CHECKED
    __lsan_ignore_object(engine_.get());
#endif
    (void)engine_.release();
  }
}

Status CpuKernels::launch(const AttentionShape &shape, LaunchBuffers bufs) {
  std::unique_lock<std::mutex> lock(workspaceMutex_, std::defer_lock);
  if (manifest_.hasDelta && !bufs.deltaWorkspace) {
    lock.lock();
    // +4 floats of slack so that the pointer can be rounded up to 16 bytes.
    size_t floats = deltaWorkspaceBytes(manifest_, shape) / sizeof(float) + 4;
    if (workspace_.size() < floats)
      workspace_.resize(floats);
    auto addr = reinterpret_cast<uintptr_t>(workspace_.data());
    bufs.deltaWorkspace = reinterpret_cast<void *>((addr + 15) & ~uintptr_t(15));
  }
  auto plan = planLaunches(manifest_, shape, bufs);
  if (!plan)
    return plan.status();
  // The offsets are in host memory here, so bad ones are reported rather
  // than clamped.
  if (Status s = checkDocumentOffsets(manifest_, shape, bufs); !s)
    return s;
  if (Status s = checkBlockLayout(manifest_, bufs); !s)
    return s;
  // Tensor maps (TMA) are an sm_90a feature; CPU kernels never take them.
  // Checked before any kernel runs.
  for (const PlannedLaunch &launch : *plan)
    if (!launch.tensorMaps.empty())
      return Status::error(
          ErrorKind::InvalidInput,
          "CPU backend: kernel '" + manifest_.kernels[launch.kernelIndex].name +
              "' takes tensor_map parameters; its manifest is for a GPU, "
              "not the CPU backend");
  for (PlannedLaunch &launch : *plan) {
    // The grid is the kernel's own loop nest on the CPU; only the
    // arguments matter. Packed calling convention: one pointer per arg.
    std::vector<void *> argPtrs;
    for (int64_t &slot : launch.args)
      argPtrs.push_back(&slot);
    const std::string &name = manifest_.kernels[launch.kernelIndex].name;
    if (llvm::Error err = engine_->invokePacked(name, argPtrs))
      return Status::error(ErrorKind::Unavailable,
                           "CPU backend: cannot run kernel '" + name +
                               "': " + llvm::toString(std::move(err)));
  }
  return Status::ok();
}

namespace {

class CpuKernel final : public Kernel {
public:
  explicit CpuKernel(std::unique_ptr<CpuKernels> k) : kernels_(std::move(k)) {}
  const Manifest &manifest() const override { return kernels_->manifest(); }
  Backend backend() const override { return Backend::Cpu; }
  Status launch(const AttentionShape &shape, const LaunchBuffers &buffers,
                void *) override {
    return kernels_->launch(shape, buffers);
  }

private:
  std::unique_ptr<CpuKernels> kernels_;
};

} // namespace

std::unique_ptr<Kernel> makeCpuKernel(std::unique_ptr<CpuKernels> kernels) {
  return std::make_unique<CpuKernel>(std::move(kernels));
}

} // namespace sattn
