//===- Chip.h - Parse "sm_90a"-style chip names (internal) ----------------===//
#ifndef SATTN_RUNTIME_CHIP_H
#define SATTN_RUNTIME_CHIP_H

#include <optional>
#include <string>

namespace sattn::rt::detail {

/// A GPU target: SM number (e.g. 90) and whether it is the arch-specific
/// 'a' variant, whose code runs only on exactly that SM.
struct ChipTarget {
  int sm = 0;
  bool archSpecific = false;
};

/// Parses "sm_<NN>" or "sm_<NN>a"; nullopt for anything else ("host" too).
std::optional<ChipTarget> parseChip(const std::string &chip);
std::string chipName(const ChipTarget &target);

} // namespace sattn::rt::detail

#endif // SATTN_RUNTIME_CHIP_H
