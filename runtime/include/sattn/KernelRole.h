//===- KernelRole.h - What a kernel of a compiled pattern computes --------===//
//
// The one definition of the kernel roles, shared by the compiler (the
// `#sattn.kernel` attribute's role) and the runtime (the manifest's "role",
// the launch plan's grid formulas): header-only and free of MLIR, so that
// both sides name the same enumerators and the same spellings.
//
//   attention     the whole pattern, one program per query tile
//   document_attention
//                 the whole pattern over packed documents, one program per
//                 query tile of a document (x < ceil(Sq / block_m) + Nd:
//                 each document's tiles start on a tile of their own)
//   delta_anchor  the delta correction's anchor rows (dense - sparse, f32
//                 workspace) and its dense tail rows
//   delta_main    the rows below the tail: sparse attention plus the delta of
//                 each row's anchor
//
//===----------------------------------------------------------------------===//
#ifndef SATTN_KERNELROLE_H
#define SATTN_KERNELROLE_H

#include <optional>
#include <string_view>

namespace sattn {

enum class KernelRole { Attention, DocumentAttention, DeltaAnchor, DeltaMain };

inline constexpr KernelRole kKernelRoles[] = {
    KernelRole::Attention, KernelRole::DocumentAttention,
    KernelRole::DeltaAnchor, KernelRole::DeltaMain};

/// The spelling in manifests and in the IR.
constexpr const char *kernelRoleName(KernelRole role) {
  switch (role) {
  case KernelRole::Attention:
    return "attention";
  case KernelRole::DocumentAttention:
    return "document_attention";
  case KernelRole::DeltaAnchor:
    return "delta_anchor";
  case KernelRole::DeltaMain:
    return "delta_main";
  }
  return "?";
}

inline std::optional<KernelRole> parseKernelRole(std::string_view name) {
  for (KernelRole r : kKernelRoles)
    if (name == kernelRoleName(r))
      return r;
  return std::nullopt;
}

} // namespace sattn

#endif // SATTN_KERNELROLE_H
