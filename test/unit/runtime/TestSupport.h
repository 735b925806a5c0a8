//===- TestSupport.h - Manifests and cubins shared by the runtime tests ---===//
#ifndef SATTN_TEST_RUNTIME_TESTSUPPORT_H
#define SATTN_TEST_RUNTIME_TESTSUPPORT_H

#include "sattn/Manifest.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace sattn::test {

/// The ABI parameter list (Manifest.h) of an attention or delta kernel.
inline std::vector<KernelParam> abiParams(bool withDelta) {
  std::vector<KernelParam> params = {
      {"q", "ptr"}, {"k", "ptr"}, {"v", "ptr"}, {"o", "ptr"}};
  if (withDelta)
    params.push_back({"delta", "ptr"});
  for (const char *size : {"B", "H", "Hkv", "Sq", "Sk"})
    params.push_back({size, "i64"});
  return params;
}

inline KernelInfo kernel(const std::string &name, KernelRole role,
                         bool withDelta) {
  KernelInfo k;
  k.name = name;
  k.role = role;
  k.params = abiParams(withDelta);
  k.blockM = 64;
  k.threads = 64;
  k.blockN = 64;
  k.sharedMemBytes = 49152;
  k.registers = 128;
  k.spillBytes = 0;
  return k;
}

inline Manifest attentionManifest() {
  Manifest m;
  m.name = "sliding";
  m.compilerVersion = "0.1.0";
  m.specHash = "00112233445566aa";
  m.chip = "sm_90a";
  m.dtype = "bf16";
  m.headDim = 128;
  m.cubinFile = "sliding.cubin";
  m.cubinSize = 4096;
  m.cubinHash = "0123456789abcdef";
  m.kernels = {kernel("sliding_attention", KernelRole::Attention, false)};
  return m;
}

/// `m` reading learnable sinks (f32 [H]): the tensor, and its parameter
/// after o (and delta) in every kernel.
inline Manifest withSinks(Manifest m) {
  m.tensors = {TensorInfo{"sinks", "f32", {"H"}}};
  for (KernelInfo &k : m.kernels) {
    size_t at = m.hasDelta ? 5 : 4;
    k.params.insert(k.params.begin() + at, KernelParam{"sinks", "ptr"});
  }
  return m;
}

/// The attention manifest over documents: cu_seqlens_q/k, the role
/// document_attention and the size parameter Nd after Sk.
inline Manifest documentsManifest() {
  Manifest m = attentionManifest();
  m.tensors = {TensorInfo{"cu_seqlens_q", "i32", {"B", "Nd+1"}},
               TensorInfo{"cu_seqlens_k", "i32", {"B", "Nd+1"}}};
  for (KernelInfo &k : m.kernels) {
    k.role = KernelRole::DocumentAttention;
    k.params.insert(k.params.begin() + 4, {KernelParam{"cu_seqlens_q", "ptr"},
                                           KernelParam{"cu_seqlens_k", "ptr"}});
    k.params.push_back(KernelParam{"Nd", "i64"});
  }
  return m;
}

/// The attention manifest over a block layout of 128 x 64 blocks: the four
/// lists and the size parameters LB and LH after Sk.
inline Manifest layoutManifest() {
  Manifest m = attentionManifest();
  m.tensors = {
      TensorInfo{"kv_num_blocks", "i32", {"LB", "LH", "Sq/128"}},
      TensorInfo{"kv_indices", "i32", {"LB", "LH", "Sq/128", "Sk/64"}},
      TensorInfo{"full_kv_num_blocks", "i32", {"LB", "LH", "Sq/128"}},
      TensorInfo{"full_kv_indices", "i32", {"LB", "LH", "Sq/128", "Sk/64"}}};
  for (KernelInfo &k : m.kernels) {
    k.params.insert(k.params.begin() + 4,
                    {KernelParam{"kv_num_blocks", "ptr"},
                     KernelParam{"kv_indices", "ptr"},
                     KernelParam{"full_kv_num_blocks", "ptr"},
                     KernelParam{"full_kv_indices", "ptr"}});
    k.params.push_back(KernelParam{"LB", "i64"});
    k.params.push_back(KernelParam{"LH", "i64"});
  }
  return m;
}

inline Manifest deltaManifest() {
  Manifest m = attentionManifest();
  m.name = "delta";
  m.cubinFile = "delta.cubin";
  m.hasDelta = true;
  m.deltaGamma = 64;
  m.deltaTailMin = 100;
  m.kernels = {kernel("delta_anchor", KernelRole::DeltaAnchor, true),
               kernel("delta_main", KernelRole::DeltaMain, true)};
  return m;
}

/// A "tensor_map" parameter of `tensor` ("k" or "v") with box [cols, rows].
inline KernelParam tensorMapParam(const std::string &name,
                                  const std::string &tensor, int64_t cols,
                                  int64_t rows) {
  KernelParam p;
  p.name = name;
  p.kind = "tensor_map";
  p.tensor = tensor;
  p.boxCols = cols;
  p.boxRows = rows;
  return p;
}

/// `m` (sm_90a, bf16) with k_map (box [64, 128]) and v_map (box [64, 64])
/// after the ABI parameters of every kernel.
inline Manifest withTensorMaps(Manifest m) {
  for (KernelInfo &k : m.kernels) {
    k.params.push_back(tensorMapParam("k_map", "k", 64, 128));
    k.params.push_back(tensorMapParam("v_map", "v", 64, 64));
  }
  return m;
}

// The build's cubins, for the runtime's suites (their CMake defines the
// directory); other suites use only the manifests above.
#ifdef SATTN_TEST_CUBIN_DIR
/// Where the build put the cubins ptxas assembled ("" without ptxas);
/// $SATTN_TEST_CUBIN_DIR overrides it where the tests run from a bundle
/// (bench/gpu_bundle.sh).
inline std::string cubinDir() {
  const char *env = std::getenv("SATTN_TEST_CUBIN_DIR");
  return env ? std::string(env) : std::string(SATTN_TEST_CUBIN_DIR);
}

/// Path of a cubin assembled by ptxas at build time, or "" without ptxas.
inline std::string cubinPath(const std::string &arch) {
  std::string dir = cubinDir();
  return dir.empty() ? "" : dir + "/fake_attention_" + arch + ".cubin";
}

/// fake_tma.ptx assembled for sm_90a, or "" without ptxas.
inline std::string tmaCubinPath() {
  std::string dir = cubinDir();
  return dir.empty() ? "" : dir + "/fake_tma_sm_90a.cubin";
}

inline bool haveCubins() { return !cubinDir().empty(); }
#endif // SATTN_TEST_CUBIN_DIR

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A manifest describing fake_attention.ptx.in assembled for `arch`.
inline Manifest fakeAttentionManifest(const std::string &arch,
                                      const std::string &cubin) {
  Manifest m;
  m.name = "fake";
  m.compilerVersion = "test";
  m.chip = arch;
  m.dtype = "f32";
  m.headDim = 64;
  m.cubinFile = "fake.cubin";
  m.cubinSize = int64_t(cubin.size());
  m.cubinHash = fnv1a64Hex(cubin.data(), cubin.size());
  m.kernels = {kernel("fake_attention", KernelRole::Attention, false)};
  m.kernels[0].sharedMemBytes = 0;
  return m;
}

} // namespace sattn::test

// Tests that read build-time cubins skip, visibly, when ptxas was missing.
#define SATTN_REQUIRE_CUBINS()                                                 \
  do {                                                                         \
    if (!::sattn::test::haveCubins())                                          \
      GTEST_SKIP() << "ptxas was not found at configure time";                 \
  } while (0)

#endif // SATTN_TEST_RUNTIME_TESTSUPPORT_H
