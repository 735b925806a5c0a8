//===- Compiler.cpp - The compile steps as a library ----------------------===//
#include "Compiler/Driver/Compiler.h"

#include "Compiler/Import/SpecImport.h"
#include "Compiler/Registration.h"
#include "Compiler/TileToGPU/Policy/KernelPolicy.h"
#include "sattn/IR/Sattn.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;

namespace sattn {

const char *compilerVersion() { return SATTN_VERSION_STRING; }

namespace {

/// Collects error and warning diagnostics as "file:line:col: error: msg".
class DiagnosticCapture {
public:
  explicit DiagnosticCapture(MLIRContext &ctx)
      : handler(&ctx, [this](Diagnostic &d) {
          append(d);
          return success();
        }) {}
  const std::string &text() const { return text_; }

private:
  void append(Diagnostic &d) {
    llvm::raw_string_ostream os(text_);
    if (auto flc = dyn_cast<FileLineColLoc>(d.getLocation()))
      os << flc.getFilename().getValue() << ":" << flc.getLine() << ":"
         << flc.getColumn() << ": ";
    switch (d.getSeverity()) {
    case DiagnosticSeverity::Error:
      os << "error: ";
      break;
    case DiagnosticSeverity::Warning:
      os << "warning: ";
      break;
    case DiagnosticSeverity::Note:
      os << "note: ";
      break;
    case DiagnosticSeverity::Remark:
      os << "remark: ";
      break;
    }
    os << d << "\n";
    for (Diagnostic &note : d.getNotes())
      append(note);
  }

  std::string text_;
  ScopedDiagnosticHandler handler;
};

std::once_flag passRegistration;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

} // namespace

CompilerSession::CompilerSession() {
  std::call_once(passRegistration, [] { registerCompilerPasses(); });
  DialectRegistry registry;
  registerCompilerDialects(registry);
  ctx_ = std::make_unique<MLIRContext>(registry);
  ctx_->loadAllAvailableDialects();
  // Pipelines run in one thread: the machines that build are small and the
  // modules are a few kernels.
  ctx_->disableMultithreading();
  // Diagnostics name the op and its location; a dump of the whole kernel
  // with each one buries the message (sparse-opt's mlir-opt mode keeps
  // mlir-opt's behaviour).
  ctx_->printOpOnDiagnostic(false);
}

CompilerSession::~CompilerSession() = default;

Result<OwningOpRef<ModuleOp>>
CompilerSession::importSpec(const PatternSpec &spec) {
  if (Status s = validatePatternSpec(spec, "spec '" + spec.name + "'"); !s)
    return s;
  DiagnosticCapture diags(*ctx_);
  OwningOpRef<ModuleOp> module = importPatternSpec(spec, *ctx_);
  if (failed(module->verify()))
    return Status::error(ErrorKind::InvalidInput,
                         trimmed("spec '" + spec.name +
                                 "' does not make a valid pattern:\n" +
                                 diags.text()));
  return module;
}

Result<OwningOpRef<ModuleOp>>
CompilerSession::parseMlir(const std::string &text, const std::string &source) {
  DiagnosticCapture diags(*ctx_);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(ctx_.get()), source);
  if (!module)
    return Status::error(ErrorKind::InvalidInput, trimmed(diags.text()));
  return module;
}

Result<PatternInfo> CompilerSession::describe(ModuleOp module,
                                              const std::string &specHash) {
  SmallVector<mlir::sattn::AttentionOp> ops;
  module.walk([&](mlir::sattn::AttentionOp op) { ops.push_back(op); });
  if (ops.size() != 1)
    return Status::error(ErrorKind::InvalidInput,
                         "expected exactly one sattn.attention op, found " +
                             std::to_string(ops.size()));
  mlir::sattn::AttentionOp op = ops.front();
  auto fn = op->getParentOfType<func::FuncOp>();
  if (!fn)
    return Status::error(ErrorKind::InvalidInput,
                         "sattn.attention must be inside a func.func");
  PatternInfo info;
  info.name = fn.getSymName().str();
  Type elt = op.getElementType();
  info.dtype = elt.isBF16() ? "bf16" : elt.isF16() ? "f16" : "f32";
  info.headDim = op.getHeadDim();
  info.specHash = specHash;
  if (auto delta = op.getDeltaAttr()) {
    info.hasDelta = true;
    info.gamma = delta.getGamma();
    info.tailMin = delta.getTailMin();
  }
  // The launch-tensor operands' contracts (Spec/PatternSpec.h's
  // LaunchTensor): the attention's own are f32, one value a head; the
  // documents' offsets int32, Nd + 1 a batch row; a block layout's counts
  // and indices int32 per (layout batch row, layout head, query block).
  mlir::sattn::BlockLayoutMaskOp layout = op.getBlockLayout();
  for (auto [name, value] : op.getLaunchTensors()) {
    if (!cast<MemRefType>(value.getType()).getElementType().isInteger(32)) {
      info.tensors.push_back({name.str(), "f32", {"H"}});
      continue;
    }
    if (!layout || name.starts_with("cu_seqlens")) {
      info.tensors.push_back({name.str(), "i32", {"B", "Nd+1"}});
      continue;
    }
    std::vector<std::string> shape = {
        "LB", "LH", "Sq/" + std::to_string(layout.getBlockM())};
    if (name.ends_with("indices"))
      shape.push_back("Sk/" + std::to_string(layout.getBlockN()));
    info.tensors.push_back({name.str(), "i32", shape});
  }
  return info;
}

Status CompilerSession::runPipeline(ModuleOp module,
                                    const std::string &pipeline,
                                    const std::string &what) {
  DiagnosticCapture diags(*ctx_);
  std::string parseErrors;
  llvm::raw_string_ostream errs(parseErrors);
  // The text names its anchor (builtin.module(...)): parse it standalone so
  // that it becomes the top level rather than a nested pipeline.
  FailureOr<OpPassManager> parsed = parsePassPipeline(pipeline, errs);
  if (failed(parsed))
    return Status::error(ErrorKind::CompileFailed,
                         what + ": bad pipeline: " + parseErrors);
  PassManager pm(ctx_.get(), ModuleOp::getOperationName());
  static_cast<OpPassManager &>(pm) = std::move(*parsed);
  if (failed(pm.run(module)))
    return Status::error(ErrorKind::CompileFailed,
                         trimmed(what + " failed:\n" + diags.text()));
  warnings_ = diags.text();
  return Status::ok();
}

std::string frontendPipeline(const std::string &target, TileOptions tiles) {
  auto flag = [](bool on) { return on ? "1" : "0"; };
  std::string classify = "sattn-classify-tiles{block-m=" +
                         std::to_string(tiles.blockM) +
                         " block-n=" + std::to_string(tiles.blockN) +
                         " chip=" + target + "}";
  mlir::sattn::policy::ScheduleRequest request{
      tiles.producerWarpgroup, tiles.pingPong,   tiles.pipelineKeyLoops,
      tiles.stageQuery,        tiles.persistent, tiles.conditionalRescale};
  std::optional<mlir::sattn::policy::Target> chip =
      mlir::sattn::policy::targetOf(target);
  bool split = chip ? mlir::sattn::policy::splitFullTiles(*chip, request,
                                                          tiles.splitFullTiles)
                    : tiles.splitFullTiles;
  std::string tileFlash =
      split ? "sattn-tile-flash{split-full-tiles=1}" : "sattn-tile-flash";
  // The chip picks the GPU passes: the policy records each kernel's
  // decisions, the later passes carry them out (docs/ARCHITECTURE.md).
  // CSE before them: the staging pairs each qk with the pv of the same key
  // tile by their (first, count) values.
  std::string lowering;
  if (target != kHostTarget) {
    bool hopper = target == "sm_90a";
    lowering = "sattn-choose-kernel-config{chip=" + target +
               " producer=" + flag(tiles.producerWarpgroup) +
               " ping-pong=" + flag(tiles.pingPong) +
               " stage-query=" + flag(tiles.stageQuery) +
               " persistent=" + flag(tiles.persistent) +
               " conditional-rescale=" + flag(tiles.conditionalRescale) +
               " pipeline=" + flag(tiles.pipelineKeyLoops) + "},";
    if (hopper)
      lowering += "sattn-pipeline-key-loops,";
    lowering += "sattn-stage-kv,";
    if (hopper)
      lowering +=
          "sattn-warp-specialize,sattn-persistent-grid,sattn-ping-pong,";
    lowering += "sattn-assign-tile-layouts,";
    if (hopper)
      lowering += "sattn-lower-mainloop-wgmma,";
    lowering += "sattn-lower-mainloop-mma-sync,sattn-lower-rings,";
  }
  return "builtin.module(" + classify + "," + tileFlash + ",canonicalize,cse," +
         lowering + "sattn-lower-tiles-simt,canonicalize,cse)";
}

std::string gpuPipeline(const std::string &chip) {
  return "builtin.module(sattn-program-to-gpu,nvvm-attach-target{chip=" +
         chip +
         " features=+ptx80 O=3},arith-expand,convert-scf-to-cf,"
         "expand-strided-metadata,lower-affine,gpu.module(convert-nvgpu-to-"
         "nvvm,convert-gpu-to-nvvm,convert-nvvm-to-llvm,llvm.func(sattn-"
         "tensor-map-params)),reconcile-unrealized-casts,gpu-module-to-binary{format=isa})";
}

std::string hostPipeline() {
  return "builtin.module(sattn-program-to-cpu,arith-expand{include-bf16=true},"
         "convert-scf-to-cf,convert-vector-to-llvm,convert-math-to-llvm,"
         "expand-strided-metadata,lower-affine,finalize-memref-to-llvm,"
         "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
         "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
         "reconcile-unrealized-casts)";
}

bool isSupportedChip(const std::string &chip) {
  for (const char *c : {"sm_80", "sm_86", "sm_87", "sm_89", "sm_90", "sm_90a"})
    if (chip == c)
      return true;
  return false;
}

Status CompilerSession::lowerToKernels(ModuleOp module,
                                       const std::string &target,
                                       TileOptions tiles) {
  if (target != kHostTarget && !isSupportedChip(target))
    return Status::error(ErrorKind::InvalidInput,
                         "unsupported chip '" + target +
                             "' (supported: sm_80, sm_86, sm_87, sm_89, "
                             "sm_90, sm_90a)");
  return runPipeline(module, frontendPipeline(target, tiles), "tiling");
}

std::vector<KernelInfo> CompilerSession::kernelInfos(ModuleOp module) {
  std::vector<KernelInfo> kernels;
  for (auto fn : module.getOps<func::FuncOp>()) {
    mlir::sattn::KernelAttr kernel = mlir::sattn::getKernelAttr(fn);
    if (!kernel)
      continue;
    KernelInfo k;
    k.name = fn.getSymName().str();
    k.role = kernel.getRole();
    k.blockM = kernel.getBlockM();
    k.blockN = kernel.getBlockN();
    // Set by every tile lowering; a module lowered by none runs one lane
    // per query row.
    mlir::sattn::LaunchAttr launch = mlir::sattn::getLaunchAttr(fn);
    k.threads = launch ? launch.getThreads() : k.blockM;
    k.sharedMemBytes = launch ? launch.getSharedMemoryBytes() : 0;
    k.persistent = launch && launch.getPersistent();
    for (auto [i, type] : llvm::enumerate(fn.getArgumentTypes())) {
      KernelParam p;
      p.name = kernel.argName(i).str();
      p.kind = isa<MemRefType>(type) ? "ptr" : "i64";
      k.params.push_back(std::move(p));
    }
    // The tensor maps the TMA staging added: the runtime encodes them.
    for (auto map : kernel.getTensorMaps()
                        .getAsRange<mlir::sattn::TensorMapAttr>()) {
      KernelParam &p = k.params[map.getArg()];
      p.kind = "tensor_map";
      p.tensor = map.getTensor().getValue().str();
      p.boxCols = map.getBoxCols();
      p.boxRows = map.getBoxRows();
    }
    kernels.push_back(std::move(k));
  }
  return kernels;
}

std::vector<CompileVariant> compileVariants(const std::string &target,
                                            const PatternInfo &info,
                                            const TileOptions &requested) {
  TileOptions defaults;
  bool custom = requested.blockM != defaults.blockM ||
                requested.blockN != defaults.blockN ||
                requested.splitFullTiles != defaults.splitFullTiles ||
                requested.pipelineKeyLoops != defaults.pipelineKeyLoops ||
                requested.producerWarpgroup != defaults.producerWarpgroup ||
                requested.pingPong != defaults.pingPong;
  std::optional<mlir::sattn::policy::Target> chip =
      mlir::sattn::policy::targetOf(target);
  if (custom || !chip)
    return {CompileVariant{LaunchVariant{"default", 0, -1}, requested}};
  mlir::sattn::policy::PatternFacts facts;
  facts.tensorCoreInputs = info.dtype == "bf16" || info.dtype == "f16";
  facts.headDim = info.headDim;
  facts.delta = info.hasDelta;
  std::vector<CompileVariant> variants;
  for (const auto &choice : mlir::sattn::policy::launchVariants(*chip, facts)) {
    TileOptions tiles;
    tiles.blockM = choice.blockM;
    tiles.pipelineKeyLoops = choice.pipeline;
    tiles.stageQuery = requested.stageQuery;
    tiles.persistent = requested.persistent;
    tiles.conditionalRescale = requested.conditionalRescale;
    variants.push_back(CompileVariant{
        LaunchVariant{choice.name, choice.minSeqQ, choice.maxSeqQ}, tiles});
  }
  return variants;
}

Result<CompilerSession::LoweredKernels>
CompilerSession::lowerToKernelVariants(ModuleOp module,
                                       const std::string &target,
                                       const PatternInfo &info,
                                       TileOptions tiles) {
  std::vector<CompileVariant> variants = compileVariants(target, info, tiles);
  LoweredKernels out;
  if (variants.size() == 1) {
    if (Status s = lowerToKernels(module, target, variants[0].tiles); !s)
      return s;
    out.kernels = kernelInfos(module);
    out.variants = {variants[0].launch};
    return out;
  }
  // Each variant lowers a copy of the pattern; their kernels then move into
  // `module`, which ends up holding every variant.
  OwningOpRef<ModuleOp> pattern = module.clone();
  std::string warnings;
  for (Operation &op : llvm::make_early_inc_range(*module.getBody()))
    op.erase();
  for (auto [i, v] : llvm::enumerate(variants)) {
    OwningOpRef<ModuleOp> copy = pattern->clone();
    if (Status s = lowerToKernels(*copy, target, v.tiles); !s)
      return s;
    warnings += warnings_;
    if (i > 0)
      for (auto fn : copy->getOps<func::FuncOp>())
        if (mlir::sattn::getKernelAttr(fn))
          fn.setSymName((fn.getSymName() + "_v" + Twine(i)).str());
    for (KernelInfo &k : kernelInfos(*copy)) {
      k.variant = int64_t(i);
      out.kernels.push_back(std::move(k));
    }
    for (Operation &op : llvm::make_early_inc_range(*copy->getBody()))
      op.moveBefore(module.getBody(), module.getBody()->end());
    out.variants.push_back(v.launch);
  }
  warnings_ = warnings;
  return out;
}

Result<std::string> CompilerSession::lowerToPtx(ModuleOp module,
                                                const std::string &chip) {
  if (!isSupportedChip(chip))
    return Status::error(ErrorKind::InvalidInput,
                         "unsupported chip '" + chip +
                             "' (supported: sm_80, sm_86, sm_87, sm_89, "
                             "sm_90, sm_90a)");
  if (Status s = runPipeline(module, gpuPipeline(chip), "GPU lowering"); !s)
    return s;
  std::string ptx;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute obj : binary.getObjects())
      ptx += cast<gpu::ObjectAttr>(obj).getObject().getValue().str();
  });
  if (ptx.empty())
    return Status::error(ErrorKind::CompileFailed,
                         "GPU lowering produced no PTX (no kernels?)");
  return ptx;
}

Status CompilerSession::lowerToHostLLVM(ModuleOp module) {
  return runPipeline(module, hostPipeline(), "CPU lowering");
}

Manifest buildManifest(const PatternInfo &info,
                       std::vector<KernelInfo> kernels,
                       const std::string &chip, const CubinResult *cubin,
                       std::vector<LaunchVariant> variants) {
  Manifest m;
  m.variants = std::move(variants);
  m.name = info.name;
  m.compilerVersion = compilerVersion();
  m.specHash = info.specHash;
  m.chip = chip;
  m.dtype = info.dtype;
  m.headDim = info.headDim;
  m.hasDelta = info.hasDelta;
  m.deltaGamma = info.gamma;
  m.deltaTailMin = info.tailMin;
  m.tensors = info.tensors;
  if (cubin) {
    m.cubinFile = info.name + ".cubin";
    m.cubinSize = static_cast<int64_t>(cubin->cubin.size());
    m.cubinHash = fnv1a64Hex(cubin->cubin.data(), cubin->cubin.size());
    for (KernelInfo &k : kernels)
      for (const KernelResources &r : cubin->resources)
        if (r.name == k.name) {
          k.registers = r.registers;
          k.spillBytes = r.spillStoreBytes + r.spillLoadBytes;
        }
  }
  m.kernels = std::move(kernels);
  return m;
}

} // namespace sattn
