//===- Manifest.h - What a compiled pattern contains and how to launch it -===//
//
// `sparse-opt --emit=cubin` writes <name>.cubin and <name>.manifest.json; the
// JSON is this struct. The runtime (no MLIR) reads it to validate and launch
// the kernels; the CPU backend uses the same launch plan.
//
// Kernel ABI (every role): tensors are contiguous row-major
//   q, o: [B, H, Sq, D]   k, v: [B, Hkv, Sk, D]   (dtype of the manifest)
//   delta workspace: [B*H, numAnchors, D] f32
// Launch tensors (format version 4): "tensors" lists the tensors a pattern
// reads at launch besides q, k, v, {"name", "dtype": "f32"|"i32", "shape":
// [size names, outermost first]}, contiguous and aligned to their element;
// e.g. learnable sinks read {"name": "sinks", "dtype": "f32", "shape": ["H"]}.
// The launch API takes them by name and checks each against this entry.
// Parameters, in manifest order, are device pointers (8 bytes), int64, or
// 128-byte tensor maps (CUtensorMap) passed by value: the pointers and sizes
// of the role's ABI (q, k, v, o[, delta], the launch tensors in manifest
// order, B, H, Hkv, Sq, Sk) come first, in that order, and tensor maps
// ("tensor_map", sm_90a with bf16/f16 only) follow them. A tensor map is a
// `__grid_constant__` kernel parameter
// (`.param .align 64 .b8 name[128]` in PTX) that the launcher encodes with
// cuTensorMapEncodeTiled for each launch. The tensor map of k or v describes
// that tensor as 3-D, innermost first:
//   dims {D, Sk, B*Hkv} (elements), strides of dims 1 and 2 {D*es, Sk*D*es}
//   (bytes; es = element bytes), box {boxCols, boxRows, 1}, element strides
//   {1, 1, 1}, 128-byte swizzle (boxCols * es == 128), no interleave, L2
//   promotion 256B, out-of-bounds elements zero-filled.
// TMA limits dims to 2^32 (Sk and B*Hkv; the launch plan checks them). In
// the JSON a tensor map parameter reads
//   {"name": "k_map", "kind": "tensor_map", "tensor": "k",
//    "box": [boxCols, boxRows], "swizzle": "128B"}
// (box innermost first, as TMA orders it; boxRows <= 256, boxCols divides
// head_dim); "ptr" and "i64" parameters have only "name" and "kind".
// Roles and their grids (block = (threads, 1, 1), grid.y = B*H):
//   "attention"    grid.x = ceil(Sq / blockM)
//   "delta_anchor" grid.x = ceil(numAnchors / blockM) + ceil(tailRows / blockM)
//   "delta_main"   grid.x = ceil(mainRows / blockM)
// with, for the delta correction (gamma, tailMin):
//   mainRows = max(0, Sq - (Sq mod gamma + max(tailMin, gamma)))
//   numAnchors = ceil(mainRows / gamma),  tailRows = Sq - mainRows.
// Those grids count program instances (one query tile of one batch*head
// each). A kernel marked "persistent" (format version 3) instead runs on
// grid (n, 1, 1) with n = min(instances, blocks resident at once on the
// device): block b takes instances b, b + n, b + 2n, ... in its own order,
// so any n >= 1 computes the same result.
// Launch variants (format version 2): "variants" lists kernel sets by the
// query lengths they serve, {"name", "seq_q": [min, max or null]}, ordered
// and covering [0, inf) without gaps; each kernel names its "variant". A
// launch runs the kernels of the variant whose range holds Sq.
// Launch order is the manifest's kernel order (anchor before main). The JSON
// also spells out these derived facts ("supports", each kernel's "launch",
// "delta.rows") so that a reader needs no other document; parseManifest
// rejects copies that disagree with the fields they derive from.
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_MANIFEST_H
#define SATTN_MANIFEST_H

#include "sattn/KernelRole.h"
#include "sattn/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sattn {

struct KernelParam {
  std::string name;   ///< q, k, v, o, delta, B, H, Hkv, Sq, Sk, or a map's name
  std::string kind;   ///< "ptr", "i64" or "tensor_map"
  std::string tensor; ///< tensor_map: the buffer it describes, "k" or "v"
  int64_t boxCols = 0; ///< tensor_map: box extent along head_dim (elements)
  int64_t boxRows = 0; ///< tensor_map: box extent along the sequence (rows)
};

/// A set of kernels compiled for a range of query lengths: the compiler may
/// give a pattern several (e.g. 64-row tiles for short sequences, 128-row
/// tiles with two computing warpgroups for long ones); a launch runs the
/// one whose range holds its Sq.
struct LaunchVariant {
  std::string name;    ///< What distinguishes it, e.g. "64x128".
  int64_t minSeqQ = 0; ///< First Sq it serves.
  int64_t maxSeqQ = -1; ///< One past the last; -1: unbounded.
  bool holds(int64_t sq) const {
    return sq >= minSeqQ && (maxSeqQ < 0 || sq < maxSeqQ);
  }
};

/// A tensor the kernels read at launch besides q, k, v (see the header
/// comment).
struct TensorInfo {
  std::string name;  ///< The kernels' parameter and the launch API's key.
  std::string dtype; ///< "f32" or "i32"
  /// Size names ("B", "H", "Hkv", "Sq", "Sk", "Nd+1", "LB", "LH", "Sq/n",
  /// "Sk/n"), outermost first.
  /// "Nd+1" is one more than the documents of a batch row: the launch takes
  /// Nd from the tensor (every tensor naming it must agree) and passes it
  /// to the kernels as the size parameter "Nd", after "Sk".
  /// "LB" and "LH" (format version 6) are a block layout's batch rows and
  /// heads, 1 (shared) or B and 1 or H: the launch takes them from the
  /// tensors and passes them as the size parameters "LB" and "LH" after
  /// "Sk". "Sq/n" and "Sk/n" (n a multiple of 16 up to 65536) are
  /// ceil(Sq / n) and ceil(Sk / n), the layout's query and key blocks.
  std::vector<std::string> shape;
};

struct KernelInfo {
  std::string name; ///< Symbol in the cubin.
  int64_t variant = 0; ///< Index into Manifest::variants.
  KernelRole role = KernelRole::Attention;
  std::vector<KernelParam> params;
  int64_t blockM = 64;       ///< Query rows per program (thread block).
  int64_t threads = 64;      ///< Threads per block (block_m in SIMT form).
  int64_t blockN = 64;       ///< Keys per key tile.
  int64_t sharedMemBytes = 0;
  /// Runs its instances in a loop on as many blocks as are resident at once
  /// (see the header comment).
  bool persistent = false;
  int64_t registers = -1;    ///< From ptxas, -1 if unknown.
  int64_t spillBytes = -1;   ///< Spill stores + loads from ptxas, -1 unknown.
};

struct Manifest {
  /// 2: launch variants; 3: persistent kernels; 4: launch tensors; 5:
  /// documents (the role "document_attention", the size "Nd"); 6: block
  /// layouts (the sizes "LB", "LH" and block counts).
  /// Versions 1 (one kernel set) to 3 still load; a reader older than
  /// version 3 must not take a persistent kernel, which it would launch once
  /// per instance, nor one older than 4 a kernel with launch tensors, nor
  /// one older than 5 a kernel over documents, nor one older than 6 a
  /// kernel over a block layout.
  static constexpr int kFormatVersion = 6;
  std::string name;
  std::string compilerVersion;
  std::string specHash;
  std::string chip;   ///< "sm_80", "sm_90a", ... ("host" for CPU)
  std::string dtype;  ///< "bf16", "f16", "f32"
  int64_t headDim = 0;
  std::string cubinFile; ///< File name relative to the manifest.
  int64_t cubinSize = 0; ///< Bytes; a mismatch means a truncated cubin.
  std::string cubinHash; ///< FNV-1a 64 of the cubin bytes, 16 hex digits.
  bool hasDelta = false;
  int64_t deltaGamma = 0;
  int64_t deltaTailMin = 0;
  /// The launch tensors, in kernel-parameter order.
  std::vector<TensorInfo> tensors;
  /// Ordered by range; the ranges cover every Sq >= 0 exactly once.
  std::vector<LaunchVariant> variants = {LaunchVariant{"default", 0, -1}};
  /// Each variant's kernels in launch order (anchor before main).
  std::vector<KernelInfo> kernels;
};

/// The variant whose range holds `seqQ` (the manifest validates that one
/// does).
size_t selectVariant(const Manifest &m, int64_t seqQ);

/// Serialises to JSON text (pretty-printed).
std::string manifestToJson(const Manifest &m);
/// Parses and validates; `source` names the file in messages, which carry
/// the JSON path ("out/p.json: $.kernels[0].params[3].kind: ...").
Result<Manifest> parseManifest(const std::string &jsonText,
                               const std::string &source);

/// FNV-1a 64-bit hash as 16 lowercase hex digits.
std::string fnv1a64Hex(const void *data, size_t size);

/// Problem sizes of one launch.
struct AttentionShape {
  int64_t B = 1, H = 1, Hkv = 1, Sq = 1, Sk = 1, D = 0;
  /// Documents a batch row packs; 0 where the pattern has none. The launch
  /// sets it from the tensors (TensorInfo::shape's "Nd+1").
  int64_t Nd = 0;
  /// A block layout's batch rows and heads (1 or B, 1 or H); 0 where the
  /// pattern has none. The launch sets them from the tensors ("LB", "LH").
  int64_t LB = 0, LH = 0;
};

/// Row counts of the delta correction (see the header comment).
struct DeltaRows {
  int64_t mainRows = 0, numAnchors = 0, tailRows = 0;
};
DeltaRows computeDeltaRows(int64_t Sq, int64_t gamma, int64_t tailMin);

/// Checks a shape against a manifest (head_dim, H % Hkv, positive sizes,
/// Sq == Sk where the pattern needs it); the message names the argument.
Status validateShape(const Manifest &m, const AttentionShape &s);

/// A tensor map the launcher encodes (cuTensorMapEncodeTiled) and passes by
/// value as parameter `param`.
struct TensorMapRequest {
  size_t param = 0; ///< Index into the kernel's params / args.
  const void *address = nullptr;
  int64_t dims[3] = {};    ///< Elements, innermost first: D, Sk, B*Hkv.
  int64_t strides[2] = {}; ///< Bytes of dims 1 and 2.
  int64_t box[3] = {};     ///< boxCols, boxRows, 1.
  int64_t elementBytes = 0;
  std::string dtype; ///< "bf16" or "f16"
};

/// One kernel launch of the plan: grid and the argument values in ABI order
/// (pointers as uint64_t bit patterns, sizes as int64_t).
struct PlannedLaunch {
  size_t kernelIndex = 0;
  /// The program instances (see Manifest.h); the grid itself unless
  /// `persistent`, then see persistentGridX.
  int64_t gridX = 0, gridY = 0, blockX = 0;
  bool persistent = false;
  /// One 8-byte slot per parameter; a tensor map's slot is a placeholder 0
  /// (the launcher passes the encoded map instead).
  std::vector<int64_t> args;
  std::vector<TensorMapRequest> tensorMaps; ///< In parameter order.
};

/// A launch tensor as the caller passes it: the launch checks its name,
/// dtype and shape against the manifest's entry, and its pointer.
struct TensorArg {
  std::string name;
  const void *data = nullptr;
  std::string dtype;          ///< "f32" or "i32"
  std::vector<int64_t> shape; ///< Outermost first.
};

struct LaunchBuffers {
  const void *q = nullptr, *k = nullptr, *v = nullptr;
  void *o = nullptr;
  void *deltaWorkspace = nullptr; ///< Required iff the manifest has delta.
  /// Exactly the manifest's launch tensors, in any order.
  std::vector<TensorArg> tensors;
};

/// The extents a launch tensor must have for a shape (its size names
/// evaluated).
std::vector<int64_t> tensorExtents(const TensorInfo &t,
                                   const AttentionShape &s);
/// "[H] = [16]" for messages.
std::string describeTensorShape(const TensorInfo &t, const AttentionShape &s);

/// Bytes of f32 delta workspace a launch of this shape needs (0 if none).
int64_t deltaWorkspaceBytes(const Manifest &m, const AttentionShape &s);

/// Checks the documents' offsets (cu_seqlens_q, cu_seqlens_k) of a launch
/// whose tensors are in host memory (the CPU backend): each batch row's
/// offsets start at 0, never decrease and end at Sq (Sk); the message names
/// the tensor, the batch row and the offset. planLaunches must have accepted
/// the launch. The GPU kernels clamp offsets to the sequences, so bad ones
/// there never read or write outside the buffers, but are not reported.
Status checkDocumentOffsets(const Manifest &m, const AttentionShape &s,
                            const LaunchBuffers &bufs);

/// Checks a block layout (kv_num_blocks, kv_indices and their full_ pair)
/// of a launch whose tensors are in host memory (the CPU backend): every
/// count in [0, Nb], every listed index in [0, Nb), no key block listed
/// twice for one query block (in either list); the message names the
/// tensor, the layout row and the entry. planLaunches must have accepted
/// the launch. The GPU kernels clamp counts and indices, so bad ones there
/// never read outside the buffers, but are not reported.
Status checkBlockLayout(const Manifest &m, const LaunchBuffers &bufs);

/// The divisor of a block-count size name ("Sq/128" -> 128), or 0 when
/// `name` is not one.
int64_t blockCountDivisor(const std::string &name);

/// The launches, in order, for a shape; kernels with an empty grid are left
/// out. Validates the shape, the pointers (non-null, workspace present) and
/// the launch tensors (each of the manifest's present once, none other, its
/// dtype and shape, its pointer non-null and aligned to its element),
/// and for tensor_map parameters the TMA limits (Sk and B*Hkv at most 2^32,
/// rows a multiple of 16 bytes).
Result<std::vector<PlannedLaunch>> planLaunches(const Manifest &m,
                                                const AttentionShape &s,
                                                const LaunchBuffers &bufs);

/// Blocks of a persistent launch (grid (n, 1, 1)): one per instance up to
/// the `residentBlocks` the device runs at once, and at most `maxBlocks`
/// when positive; at least one.
int64_t persistentGridX(const PlannedLaunch &launch, int64_t residentBlocks,
                        int64_t maxBlocks = 0);

} // namespace sattn

#endif // SATTN_MANIFEST_H
