//===- LaunchPlan.cpp - Shapes, delta rows and the grids of a launch ------===//
//
// Pure arithmetic shared by the CUDA runtime and the CPU backend: both launch
// the same plan, so the formulas live here once (see Manifest.h).
//
//===----------------------------------------------------------------------===//
#include "sattn/Manifest.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace sattn {
namespace {

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

Status badArgument(const std::string &message) {
  return Status::error(ErrorKind::InvalidArgument, "launch: " + message);
}

std::string arg(const char *name, int64_t value) {
  return std::string("argument '") + name + "' (" + std::to_string(value) + ")";
}

/// The most batch * head pairs a launch takes (Manifest.h's
/// max_batch_heads).
constexpr int64_t kMaxBatchHeads = 65535;

/// The most program instances a persistent kernel runs: it counts them in
/// unsigned 32 bits, and a block's next index (at most this plus the grid
/// size) must not wrap.
constexpr int64_t kMaxPersistentInstances = int64_t(1) << 31;

/// TMA's largest tensor dimension (elements) and stride (exclusive, bytes).
constexpr int64_t kMaxTmaDim = int64_t(1) << 32;
constexpr int64_t kMaxTmaStride = int64_t(1) << 40;

/// The request for a tensor_map parameter of `k` (see Manifest.h for the
/// layout it describes). The shape is validated; the pointers are non-null
/// and 16-byte aligned.
Result<TensorMapRequest> tensorMapRequest(const Manifest &m,
                                          const KernelInfo &k, size_t index,
                                          const AttentionShape &s,
                                          const LaunchBuffers &bufs) {
  const KernelParam &p = k.params[index];
  // A hand-built manifest may skip parseManifest (see planLaunches).
  auto invalid = [&](const std::string &why) {
    return Status::error(ErrorKind::InvalidInput, "launch: tensor map '" +
                                                      p.name + "' of kernel '" +
                                                      k.name + "': " + why);
  };
  if (p.tensor != "k" && p.tensor != "v")
    return invalid("describes tensor '" + p.tensor + "', expected 'k' or 'v'");
  if (m.dtype != "bf16" && m.dtype != "f16")
    return invalid("needs dtype bf16 or f16, the manifest has '" + m.dtype +
                   "'");
  if (p.boxCols < 1 || p.boxCols > 256 || p.boxRows < 1 || p.boxRows > 256)
    return invalid("box [" + std::to_string(p.boxCols) + ", " +
                   std::to_string(p.boxRows) + "] is outside [1, 256]");

  TensorMapRequest r;
  r.param = index;
  r.address = p.tensor == "k" ? bufs.k : bufs.v;
  r.dtype = m.dtype;
  r.elementBytes = 2;
  const std::string what = "tensor '" + p.tensor + "' (tensor map '" + p.name +
                           "' of kernel '" + k.name + "')";
  // validateShape bounds B * Hkv * Sk * D by int64, so these products fit.
  const int64_t heads = s.B * s.Hkv;
  if (s.Sk > kMaxTmaDim)
    return badArgument(arg("Sk", s.Sk) + " exceeds 2^32 (" +
                       std::to_string(kMaxTmaDim) +
                       "), the largest TMA dimension, for " + what);
  if (heads > kMaxTmaDim)
    return badArgument("'B' * 'Hkv' (" + std::to_string(heads) +
                       ") exceeds 2^32 (" + std::to_string(kMaxTmaDim) +
                       "), the largest TMA dimension, for " + what);
  const int64_t rowBytes = s.D * r.elementBytes;
  if (rowBytes % 16 != 0)
    return badArgument("rows of " + what + " are " + std::to_string(rowBytes) +
                       " bytes ('D' = " + std::to_string(s.D) +
                       "); TMA needs a multiple of 16");
  const int64_t headBytes = s.Sk * rowBytes;
  if (headBytes >= kMaxTmaStride)
    return badArgument(arg("Sk", s.Sk) + " makes a head of " + what + " " +
                       std::to_string(headBytes) +
                       " bytes; TMA strides must be below 2^40");
  r.dims[0] = s.D;
  r.dims[1] = s.Sk;
  r.dims[2] = heads;
  r.strides[0] = rowBytes;
  r.strides[1] = headBytes;
  r.box[0] = p.boxCols;
  r.box[1] = p.boxRows;
  r.box[2] = 1;
  return r;
}

/// Whether a * b * c * d fits in int64 (all factors are positive here).
bool productFits(std::initializer_list<int64_t> factors) {
  int64_t product = 1;
  for (int64_t f : factors)
    if (__builtin_mul_overflow(product, f, &product))
      return false;
  return true;
}

/// The most documents a batch row may pack (Nd fits the kernels' 32-step
/// search).
constexpr int64_t kMaxDocuments = (int64_t(1) << 31) - 1;

/// The extent of size name `name` (e.g. "Nd+1") in the first launch tensor
/// whose shape names it, and that tensor in `which`; none when no tensor
/// names it or the caller's tensor is missing or of another rank
/// (checkTensors names those problems).
std::optional<int64_t> extentFromTensors(const Manifest &m,
                                         const LaunchBuffers &bufs,
                                         const std::string &name,
                                         const TensorInfo **which) {
  for (const TensorInfo &t : m.tensors) {
    auto dim = std::find(t.shape.begin(), t.shape.end(), name);
    if (dim == t.shape.end())
      continue;
    auto it =
        std::find_if(bufs.tensors.begin(), bufs.tensors.end(),
                     [&](const TensorArg &a) { return a.name == t.name; });
    if (it == bufs.tensors.end() || it->shape.size() != t.shape.size())
      return std::nullopt;
    *which = &t;
    return it->shape[size_t(dim - t.shape.begin())];
  }
  return std::nullopt;
}

/// The documents a batch row packs, from the first launch tensor whose
/// shape names "Nd+1" (Manifest.h); 0 when none does. The tensors' shapes
/// are checked against it afterwards, so disagreeing tensors are reported
/// there.
Result<int64_t> documentCount(const Manifest &m, const LaunchBuffers &bufs) {
  const TensorInfo *t = nullptr;
  const std::optional<int64_t> found = extentFromTensors(m, bufs, "Nd+1", &t);
  if (!found)
    return int64_t(0);
  const int64_t extent = *found;
  if (extent < 2)
    return badArgument("tensor '" + t->name + "' has " +
                       std::to_string(extent) +
                       " offsets a batch row; it needs at least 2 (one "
                       "document: 0 and the sequence length)");
  // The kernels' search for a program's document halves [0, Nd) 32 times.
  if (extent - 1 > kMaxDocuments)
    return badArgument("tensor '" + t->name + "' has " +
                       std::to_string(extent - 1) +
                       " documents a batch row, more than the " +
                       std::to_string(kMaxDocuments) + " a launch takes");
  return extent - 1;
}

/// A block layout's batch rows and heads (AttentionShape::LB, LH), from the
/// first launch tensor whose shape names each; 0 when none does. Each must
/// be 1 or the launch's B (H); disagreeing tensors are reported by
/// checkTensors.
Status layoutSizes(const Manifest &m, const LaunchBuffers &bufs,
                   AttentionShape &s) {
  for (auto [name, size, full] :
       {std::tuple{"LB", &s.LB, s.B}, std::tuple{"LH", &s.LH, s.H}}) {
    const TensorInfo *t = nullptr;
    const std::optional<int64_t> found = extentFromTensors(m, bufs, name, &t);
    if (!found)
      continue;
    const int64_t extent = *found;
    if (extent != 1 && extent != full)
      return badArgument(
          "tensor '" + t->name + "' has " + std::to_string(extent) +
          " layouts along '" + name + "'; a block layout has 1 (shared) or " +
          std::to_string(full) +
          (std::string(name) == "LB" ? " (one a batch row)" : " (one a head)"));
    *size = extent;
  }
  return Status::ok();
}

/// Checks the launch tensors against the manifest's list (Manifest.h).
Status checkTensors(const Manifest &m, const AttentionShape &s,
                    const LaunchBuffers &bufs) {
  for (size_t i = 0; i < bufs.tensors.size(); ++i) {
    const TensorArg &arg = bufs.tensors[i];
    bool known =
        std::any_of(m.tensors.begin(), m.tensors.end(),
                    [&](const TensorInfo &t) { return t.name == arg.name; });
    if (!known) {
      std::string list;
      for (const TensorInfo &t : m.tensors)
        list += (list.empty() ? "" : ", ") + t.name;
      return badArgument(
          "'" + m.name + "' reads no tensor '" + arg.name + "' (" +
          (list.empty() ? "it reads none" : "it reads: " + list) + ")");
    }
    for (size_t j = 0; j < i; ++j)
      if (bufs.tensors[j].name == arg.name)
        return badArgument("tensor '" + arg.name + "' is given twice");
  }
  for (const TensorInfo &t : m.tensors) {
    auto it =
        std::find_if(bufs.tensors.begin(), bufs.tensors.end(),
                     [&](const TensorArg &a) { return a.name == t.name; });
    const std::string what = "tensor '" + t.name + "' (" + t.dtype + " " +
                             describeTensorShape(t, s) + ")";
    if (it == bufs.tensors.end())
      return badArgument(what + " is missing; '" + m.name + "' reads it");
    if (it->dtype != t.dtype)
      return badArgument(what + " has dtype '" + it->dtype + "'");
    if (it->shape != tensorExtents(t, s)) {
      std::string got;
      for (int64_t e : it->shape)
        got += (got.empty() ? "" : ", ") + std::to_string(e);
      return badArgument(what + " has shape [" + got + "]");
    }
    if (!it->data)
      return badArgument(what + " has a null pointer");
    // f32 and i32: the kernels read 4-byte elements.
    if (reinterpret_cast<uintptr_t>(it->data) % 4 != 0)
      return badArgument(what + " must be 4-byte aligned");
  }
  return Status::ok();
}

} // namespace

int64_t blockCountDivisor(const std::string &name) {
  if (name.size() < 4 || name.size() > 8 ||
      (name.compare(0, 3, "Sq/") != 0 && name.compare(0, 3, "Sk/") != 0))
    return 0;
  int64_t n = 0;
  for (size_t i = 3; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || (i == 3 && name[i] == '0'))
      return 0;
    n = n * 10 + (name[i] - '0');
  }
  return n % 16 == 0 && n <= (int64_t(1) << 16) ? n : 0;
}

std::vector<int64_t> tensorExtents(const TensorInfo &t,
                                   const AttentionShape &s) {
  std::vector<int64_t> extents;
  for (const std::string &d : t.shape) {
    if (int64_t n = blockCountDivisor(d)) {
      extents.push_back(ceilDiv(d[1] == 'q' ? s.Sq : s.Sk, n));
      continue;
    }
    extents.push_back(d == "B"                  ? s.B
                      : d == "H"                ? s.H
                      : d == "Hkv"              ? s.Hkv
                      : d == "Sq"               ? s.Sq
                      : d == "Sk"               ? s.Sk
                      : d == "Nd+1" && s.Nd > 0 ? s.Nd + 1
                      : d == "LB" && s.LB > 0   ? s.LB
                      : d == "LH" && s.LH > 0   ? s.LH
                                                : -1);
  }
  return extents;
}

std::string describeTensorShape(const TensorInfo &t, const AttentionShape &s) {
  std::string names, values;
  std::vector<int64_t> extents = tensorExtents(t, s);
  for (size_t i = 0; i < t.shape.size(); ++i) {
    names += (i ? ", " : "") + t.shape[i];
    // -1: a size the launch takes from a tensor that is missing.
    values += (i ? ", " : "") +
              (extents[i] < 0 ? std::string("?") : std::to_string(extents[i]));
  }
  return "[" + names + "] = [" + values + "]";
}

Status checkDocumentOffsets(const Manifest &m, const AttentionShape &s,
                            const LaunchBuffers &bufs) {
  for (const TensorArg &t : bufs.tensors) {
    const bool queries = t.name == "cu_seqlens_q";
    if ((!queries && t.name != "cu_seqlens_k") || t.shape.size() != 2)
      continue;
    const int64_t total = queries ? s.Sq : s.Sk;
    const auto *offsets = static_cast<const int32_t *>(t.data);
    for (int64_t b = 0; b < t.shape[0]; ++b) {
      const int32_t *row = offsets + b * t.shape[1];
      const int64_t last = t.shape[1] - 1;
      auto bad = [&](int64_t d, const std::string &why) {
        return badArgument("tensor '" + t.name + "' of '" + m.name +
                           "', batch row " + std::to_string(b) + ", offset " +
                           std::to_string(d) + " (" + std::to_string(row[d]) +
                           "): " + why);
      };
      if (row[0] != 0)
        return bad(0, "the first offset must be 0");
      for (int64_t d = 1; d <= last; ++d)
        if (row[d] < row[d - 1])
          return bad(d, "offsets must not decrease (the one before is " +
                            std::to_string(row[d - 1]) + ")");
      if (row[last] != total)
        return bad(last, std::string("the last offset must be ") +
                             (queries ? "Sq" : "Sk") + " (" +
                             std::to_string(total) + ")");
    }
  }
  return Status::ok();
}

Status checkBlockLayout(const Manifest &m, const LaunchBuffers &bufs) {
  auto find = [&](const std::string &name) -> const TensorArg * {
    for (const TensorArg &t : bufs.tensors)
      if (t.name == name && !t.shape.empty())
        return &t;
    return nullptr;
  };
  const TensorArg *lists[2][2] = {
      {find("kv_num_blocks"), find("kv_indices")},
      {find("full_kv_num_blocks"), find("full_kv_indices")}};
  for (auto &list : lists)
    if (!list[0] || !list[1] || list[1]->shape.size() != 4)
      return Status::ok(); // no block layout
  const int64_t rows =
      lists[0][0]->shape[0] * lists[0][0]->shape[1] * lists[0][0]->shape[2];
  const int64_t nb = lists[0][1]->shape[3];
  std::vector<unsigned char> seen(size_t(nb), 0);
  for (int64_t row = 0; row < rows; ++row) {
    std::fill(seen.begin(), seen.end(), 0);
    for (auto &list : lists) {
      const auto *counts = static_cast<const int32_t *>(list[0]->data);
      const auto *indices = static_cast<const int32_t *>(list[1]->data);
      auto where = [&](const TensorArg &t) {
        return "tensor '" + t.name + "' of '" + m.name + "', layout row " +
               std::to_string(row) + " (of [LB, LH, Mb] = [" +
               std::to_string(lists[0][0]->shape[0]) + ", " +
               std::to_string(lists[0][0]->shape[1]) + ", " +
               std::to_string(lists[0][0]->shape[2]) + "])";
      };
      const int32_t n = counts[row];
      if (n < 0 || n > nb)
        return badArgument(where(*list[0]) + ": " + std::to_string(n) +
                           " blocks is outside [0, " + std::to_string(nb) +
                           "] (Nb = ceil(Sk / block_n))");
      for (int32_t e = 0; e < n; ++e) {
        const int32_t c = indices[row * nb + e];
        const std::string entry =
            ", entry " + std::to_string(e) + " (" + std::to_string(c) + "): ";
        if (c < 0 || c >= nb)
          return badArgument(where(*list[1]) + entry + "outside [0, " +
                             std::to_string(nb) + ")");
        if (seen[size_t(c)]++)
          return badArgument(where(*list[1]) + entry +
                             "key block listed twice for this query block");
      }
    }
  }
  return Status::ok();
}

DeltaRows computeDeltaRows(int64_t Sq, int64_t gamma, int64_t tailMin) {
  DeltaRows rows;
  // gamma < 1 cannot come from a validated manifest; without this guard it
  // would divide by zero. Every row is then a tail row.
  if (Sq <= 0 || gamma < 1) {
    rows.tailRows = std::max<int64_t>(Sq, 0);
    return rows;
  }
  rows.mainRows =
      std::max<int64_t>(0, Sq - (Sq % gamma + std::max(tailMin, gamma)));
  rows.numAnchors = ceilDiv(rows.mainRows, gamma);
  rows.tailRows = Sq - rows.mainRows;
  return rows;
}

Status validateShape(const Manifest &m, const AttentionShape &s) {
  const std::pair<const char *, int64_t> sizes[] = {
      {"B", s.B},   {"H", s.H},   {"Hkv", s.Hkv},
      {"Sq", s.Sq}, {"Sk", s.Sk}, {"D", s.D}};
  for (const auto &[name, value] : sizes)
    if (value < 1)
      return badArgument(arg(name, value) + " must be >= 1");
  if (s.D != m.headDim)
    return badArgument(arg("D", s.D) + " must equal the head_dim of '" +
                       m.name + "' (" + std::to_string(m.headDim) + ")");
  // The kernels number heads in 32 bits, and a grid's y dimension (B * H
  // without a persistent grid) holds at most 65535.
  if (s.B > kMaxBatchHeads || s.H > kMaxBatchHeads ||
      s.B * s.H > kMaxBatchHeads)
    return badArgument("'B' * 'H' (" + std::to_string(s.B) + " * " +
                       std::to_string(s.H) + ") must be at most " +
                       std::to_string(kMaxBatchHeads));
  if (s.H % s.Hkv != 0)
    return badArgument(arg("Hkv", s.Hkv) + " must divide 'H' (" +
                       std::to_string(s.H) + ")");
  // The delta correction is defined for prefill, where queries and keys are
  // the same sequence.
  if (m.hasDelta && s.Sq != s.Sk)
    return badArgument(arg("Sq", s.Sq) + " must equal 'Sk' (" +
                       std::to_string(s.Sk) + ") for '" + m.name +
                       "', which uses the delta correction (prefill only)");
  // Offsets into q/o and k/v are computed in int64 by the kernels.
  if (!productFits({s.B, s.H, s.Sq, s.D}) ||
      !productFits({s.B, s.Hkv, s.Sk, s.D}))
    return badArgument(
        "the tensor sizes B*H*Sq*D or B*Hkv*Sk*D overflow int64");
  return Status::ok();
}

int64_t deltaWorkspaceBytes(const Manifest &m, const AttentionShape &s) {
  if (!m.hasDelta)
    return 0;
  DeltaRows rows = computeDeltaRows(s.Sq, m.deltaGamma, m.deltaTailMin);
  return s.B * s.H * rows.numAnchors * s.D * int64_t(sizeof(float));
}

Result<std::vector<PlannedLaunch>> planLaunches(const Manifest &m,
                                                const AttentionShape &shape,
                                                const LaunchBuffers &bufs) {
  if (Status st = validateShape(m, shape); !st)
    return st;
  Result<int64_t> documents = documentCount(m, bufs);
  if (!documents)
    return documents.status();
  AttentionShape s = shape;
  s.Nd = *documents;
  if (Status st = layoutSizes(m, bufs, s); !st)
    return st;
  const std::pair<const char *, const void *> pointers[] = {
      {"q", bufs.q}, {"k", bufs.k}, {"v", bufs.v}, {"o", bufs.o}};
  // Kernels move whole rows with 16-byte vector accesses.
  auto misaligned = [](const void *p) {
    return reinterpret_cast<uintptr_t>(p) % 16 != 0;
  };
  for (const auto &[name, ptr] : pointers) {
    if (!ptr)
      return badArgument(std::string("pointer '") + name + "' is null");
    if (misaligned(ptr))
      return badArgument(std::string("pointer '") + name +
                         "' must be 16-byte aligned");
  }
  if (m.hasDelta && !bufs.deltaWorkspace)
    return badArgument("'" + m.name +
                       "' uses the delta correction and needs a delta "
                       "workspace of " +
                       std::to_string(deltaWorkspaceBytes(m, s)) +
                       " bytes, got a null pointer");
  if (m.hasDelta && misaligned(bufs.deltaWorkspace))
    return badArgument("delta workspace pointer must be 16-byte aligned");
  if (Status st = checkTensors(m, s, bufs); !st)
    return st;

  auto bits = [](const void *p) {
    return static_cast<int64_t>(reinterpret_cast<uintptr_t>(p));
  };
  std::vector<std::pair<std::string, int64_t>> values = {
      {"q", bits(bufs.q)},
      {"k", bits(bufs.k)},
      {"v", bits(bufs.v)},
      {"o", bits(bufs.o)},
      {"delta", bits(bufs.deltaWorkspace)},
      {"B", s.B},
      {"H", s.H},
      {"Hkv", s.Hkv},
      {"Sq", s.Sq},
      {"Sk", s.Sk},
      {"Nd", s.Nd},
      {"LB", s.LB},
      {"LH", s.LH}};
  for (const TensorArg &t : bufs.tensors)
    values.push_back({t.name, bits(t.data)});

  DeltaRows rows = m.hasDelta
                       ? computeDeltaRows(s.Sq, m.deltaGamma, m.deltaTailMin)
                       : DeltaRows{};
  std::vector<PlannedLaunch> plan;
  // The kernels of the variant compiled for this query length.
  const auto variant = int64_t(selectVariant(m, s.Sq));
  for (size_t i = 0; i < m.kernels.size(); ++i) {
    const KernelInfo &k = m.kernels[i];
    if (k.variant != variant)
      continue;
    // A hand-built manifest may skip parseManifest; its errors are still
    // reported rather than divided by.
    if (k.blockM < 1 || k.threads < 1)
      return Status::error(ErrorKind::InvalidInput,
                           "launch: kernel '" + k.name + "' has block_m " +
                               std::to_string(k.blockM) + " and threads " +
                               std::to_string(k.threads));
    PlannedLaunch launch;
    launch.kernelIndex = i;
    launch.blockX = k.threads;
    launch.persistent = k.persistent;
    launch.gridY = s.B * s.H;
    switch (k.role) {
    case KernelRole::Attention:
      launch.gridX = ceilDiv(s.Sq, k.blockM);
      break;
    case KernelRole::DocumentAttention:
      launch.gridX = ceilDiv(s.Sq, k.blockM) + s.Nd;
      break;
    case KernelRole::DeltaAnchor:
      launch.gridX =
          ceilDiv(rows.numAnchors, k.blockM) + ceilDiv(rows.tailRows, k.blockM);
      break;
    case KernelRole::DeltaMain:
      launch.gridX = ceilDiv(rows.mainRows, k.blockM);
      break;
    }
    if (launch.gridX == 0)
      continue;
    // A persistent kernel numbers its instances in 32 bits.
    if (k.persistent && launch.gridX * launch.gridY > kMaxPersistentInstances)
      return badArgument(
          "kernel '" + k.name + "' runs " + std::to_string(launch.gridX) +
          " query tiles for each of 'B' * 'H' (" +
          std::to_string(launch.gridY) +
          ") heads, more than its persistent grid numbers (2^31)");
    for (size_t j = 0; j < k.params.size(); ++j) {
      const KernelParam &p = k.params[j];
      if (p.kind == "tensor_map") {
        Result<TensorMapRequest> request = tensorMapRequest(m, k, j, s, bufs);
        if (!request)
          return request.status();
        // A placeholder, so that args stay one per parameter.
        launch.args.push_back(0);
        launch.tensorMaps.push_back(request.take());
        continue;
      }
      auto it = std::find_if(values.begin(), values.end(),
                             [&](const auto &v) { return p.name == v.first; });
      if (it == values.end())
        return Status::error(ErrorKind::InvalidInput,
                             "launch: kernel '" + k.name +
                                 "' has unknown parameter '" + p.name + "'");
      launch.args.push_back(it->second);
    }
    plan.push_back(std::move(launch));
  }
  return plan;
}

int64_t persistentGridX(const PlannedLaunch &launch, int64_t residentBlocks,
                        int64_t maxBlocks) {
  // gridX < 2^31 and gridY < 2^16 once launched; an unchecked plan is
  // clamped rather than overflowed.
  int64_t instances = 0;
  if (__builtin_mul_overflow(launch.gridX, launch.gridY, &instances))
    instances = std::numeric_limits<int64_t>::max();
  int64_t n = std::min(instances, std::max<int64_t>(residentBlocks, 1));
  if (maxBlocks > 0)
    n = std::min(n, maxBlocks);
  return std::max<int64_t>(n, 1);
}

} // namespace sattn
