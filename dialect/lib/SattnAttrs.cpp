//===- SattnAttrs.cpp - sattn attribute verifiers -------------------------===//
#include "sattn/IR/Sattn.h"

using namespace mlir;
using namespace mlir::sattn;

LogicalResult TilePlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                   int64_t blockM, int64_t blockN,
                                   ArrayAttr regions, bool documents,
                                   ArrayAttr reference, LayoutPlanAttr layout) {
  if (blockM <= 0 || blockN <= 0)
    return emitError() << "tile_plan block sizes must be positive, got "
                       << blockM << "x" << blockN;
  if (layout && (layout.getBlockM() % blockM || layout.getBlockN() % blockN))
    return emitError() << "tile_plan tiles of " << blockM << "x" << blockN
                       << " must divide the layout's blocks of "
                       << layout.getBlockM() << "x" << layout.getBlockN();
  if (layout && documents)
    return emitError() << "tile_plan over documents cannot have a layout";
  for (ArrayAttr list : {regions, reference}) {
    if (!list)
      continue;
    for (Attribute r : list)
      if (!isa<RegionAttr>(r))
        return emitError() << "tile_plan regions must be #sattn.region, got "
                           << r;
  }
  return success();
}

LogicalResult
LayoutPlanAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                       int64_t blockM, int64_t blockN, ArrayAttr partial) {
  if (blockM < 16 || blockN < 16 || blockM % 16 || blockN % 16)
    return emitError() << "layout_plan blocks must be multiples of 16, got "
                       << blockM << "x" << blockN;
  for (Attribute r : partial)
    if (!isa<RegionAttr>(r))
      return emitError() << "layout_plan regions must be #sattn.region, got "
                         << r;
  return success();
}

LogicalResult RegionAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 std::optional<int64_t> diagLo,
                                 std::optional<int64_t> diagHi,
                                 std::optional<int64_t> colLo,
                                 std::optional<int64_t> colHi,
                                 std::optional<int64_t> chunk,
                                 std::optional<int64_t> dilation) {
  if (chunk && *chunk < 1)
    return emitError() << "region chunk must be >= 1, got " << *chunk;
  // A dilation of 1 is no dilation: one spelling per region.
  if (dilation && *dilation < 2)
    return emitError() << "region dilation must be >= 2 (absent for 1), got "
                       << *dilation;
  return success();
}

LogicalResult DeltaAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                int64_t gamma, int64_t tailMin) {
  if (gamma < 1)
    return emitError() << "delta gamma must be >= 1, got " << gamma;
  if (tailMin < 0)
    return emitError() << "delta tail_min must be >= 0, got " << tailMin;
  return success();
}

FailureOr<bool> mlir::sattn::parseBoolKeyword(AsmParser &parser) {
  if (succeeded(parser.parseOptionalKeyword("true")))
    return true;
  if (succeeded(parser.parseOptionalKeyword("false")))
    return false;
  return parser.emitError(parser.getCurrentLocation(),
                          "expected 'true' or 'false'");
}

FailureOr<::sattn::KernelRole>
mlir::sattn::parseKernelRoleKeyword(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef word;
  if (failed(parser.parseKeyword(&word)))
    return failure();
  if (std::optional<::sattn::KernelRole> role = ::sattn::parseKernelRole(word))
    return *role;
  return parser.emitError(loc, "unknown kernel role '")
         << word << "' (expected attention, delta_anchor or delta_main)";
}

LogicalResult
TensorMapAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                      int64_t arg, StringAttr tensor, int64_t boxCols,
                      int64_t boxRows) {
  if (arg < 0)
    return emitError() << "tensor_map arg must be a parameter index, got "
                       << arg;
  if (!tensor || tensor.getValue().empty())
    return emitError() << "tensor_map needs the name of the tensor it maps";
  // TMA boxes: at most 256 elements along each dimension.
  if (boxCols < 1 || boxCols > 256 || boxRows < 1 || boxRows > 256)
    return emitError() << "tensor_map box must be within 1..256 x 1..256, got "
                       << boxCols << "x" << boxRows;
  return success();
}

LogicalResult KernelAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ::sattn::KernelRole role, int64_t blockM,
                                 int64_t blockN, ArrayAttr argNames,
                                 ArrayAttr tensorMaps) {
  if (blockM <= 0 || blockN <= 0)
    return emitError() << "kernel block sizes must be positive, got "
                       << blockM << "x" << blockN;
  llvm::SmallDenseSet<StringRef> names;
  for (Attribute a : argNames) {
    auto name = dyn_cast<StringAttr>(a);
    if (!name || name.getValue().empty())
      return emitError() << "kernel arg_names must be non-empty strings, got "
                         << a;
    if (!names.insert(name.getValue()).second)
      return emitError() << "kernel arg_names repeats '" << name.getValue()
                         << "'";
  }
  llvm::SmallDenseSet<int64_t> mapped;
  for (Attribute a : tensorMaps) {
    auto map = dyn_cast<TensorMapAttr>(a);
    if (!map)
      return emitError() << "kernel tensor_maps must be #sattn.tensor_map, got "
                         << a;
    if (map.getArg() >= int64_t(argNames.size()))
      return emitError() << "tensor_map arg " << map.getArg()
                         << " is past the kernel's " << argNames.size()
                         << " parameters";
    if (!mapped.insert(map.getArg()).second)
      return emitError() << "two tensor maps for parameter " << map.getArg();
    if (!names.contains(map.getTensor().getValue()))
      return emitError() << "tensor_map of '" << map.getTensor().getValue()
                         << "', which is not a parameter of the kernel";
  }
  return success();
}

TensorMapAttr KernelAttr::tensorMapOf(StringRef tensor) const {
  for (auto map : getTensorMaps().getAsRange<TensorMapAttr>())
    if (map.getTensor().getValue() == tensor)
      return map;
  return {};
}

KernelAttr KernelAttr::withTensorMap(StringRef name, TensorMapAttr map) const {
  MLIRContext *ctx = getContext();
  SmallVector<Attribute> names(getArgNames().begin(), getArgNames().end());
  names.push_back(StringAttr::get(ctx, name));
  SmallVector<Attribute> maps(getTensorMaps().begin(), getTensorMaps().end());
  maps.push_back(map);
  return KernelAttr::get(ctx, getRole(), getBlockM(), getBlockN(),
                         ArrayAttr::get(ctx, names), ArrayAttr::get(ctx, maps));
}

LogicalResult LaunchAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 int64_t threads, int64_t sharedMemoryBytes,
                                 int64_t minCtasPerSm, bool persistent) {
  if (threads < 1 || threads > 1024)
    return emitError() << "launch threads must be in [1, 1024], got "
                       << threads;
  // 227 KiB: the most dynamic shared memory a block can opt into (sm_90).
  if (sharedMemoryBytes < 0 || sharedMemoryBytes > 227 * 1024)
    return emitError() << "launch shared_memory_bytes must be in [0, 232448], "
                          "got "
                       << sharedMemoryBytes;
  if (minCtasPerSm < 0 || minCtasPerSm > 32)
    return emitError() << "launch min_ctas_per_sm must be in [0, 32], got "
                       << minCtasPerSm;
  return success();
}

LogicalResult KernelConfigAttr::verify(
    function_ref<InFlightDiagnostic()> emitError, MainloopKind mainloop,
    StagingKind staging, int64_t keyStages, int64_t valueStages, bool producer,
    int64_t producerRegisters, int64_t consumerRegisters, int64_t minCtasPerSm,
    bool pipeline, bool pingPong, bool stageQuery, bool persistent,
    WorkOrder workOrder, bool conditionalRescale, StringAttr note) {
  if (!persistent && workOrder != WorkOrder::query_tile_fastest)
    return emitError() << "a work_order needs a persistent grid";
  if (mainloop == MainloopKind::simt) {
    if (staging != StagingKind::none || keyStages || valueStages || producer ||
        pipeline || pingPong || stageQuery)
      return emitError() << "a simt kernel_config stages nothing and has no "
                            "warp roles";
    if (conditionalRescale)
      return emitError() << "conditional_rescale needs a tensor-core mainloop";
    return success();
  }
  if (staging == StagingKind::none)
    return emitError() << "a tensor-core kernel_config needs a staging "
                          "(cp_async or tma)";
  if (staging == StagingKind::tma && mainloop != MainloopKind::wgmma)
    return emitError() << "tma staging needs the wgmma mainloop";
  // Two buffers of K at least (the next tile is prefetched), one of V; the
  // mbarrier area has room for 8 stages (full and empty barriers).
  if (keyStages < 1 || valueStages < 1 || keyStages + valueStages > 8)
    return emitError() << "kernel_config stages must be >= 1 each and at most "
                          "8 in all, got "
                       << keyStages << " + " << valueStages;
  if ((producer || pipeline || pingPong) && staging != StagingKind::tma)
    return emitError() << "producer, pipeline and ping_pong need tma staging";
  auto validRegisters = [](int64_t r) {
    return r >= 24 && r <= 256 && r % 8 == 0;
  };
  if (producer && (!validRegisters(producerRegisters) ||
                   !validRegisters(consumerRegisters) || minCtasPerSm < 1))
    return emitError() << "a producer needs register counts in [24, 256] "
                          "(multiples of 8) and min_ctas_per_sm >= 1, got "
                       << producerRegisters << " / " << consumerRegisters
                       << " / " << minCtasPerSm;
  if (stageQuery && mainloop != MainloopKind::wgmma)
    return emitError() << "stage_query needs the wgmma mainloop (mma.sync "
                          "reads Q from registers)";
  if (!producer && (producerRegisters || consumerRegisters))
    return emitError() << "register counts are set only with a producer";
  return success();
}
