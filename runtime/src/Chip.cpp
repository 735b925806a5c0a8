//===- Chip.cpp - Chip names and binary compatibility ---------------------===//
#include "Chip.h"

#include "sattn/Runtime.h"

#include <cctype>

namespace sattn::rt {
namespace detail {

std::optional<ChipTarget> parseChip(const std::string &chip) {
  const std::string prefix = "sm_";
  if (chip.compare(0, prefix.size(), prefix) != 0)
    return std::nullopt;
  size_t pos = prefix.size();
  int sm = 0;
  size_t digits = 0;
  // Digits past the third are counted, not accumulated: a long run would
  // overflow `sm` before the check below rejects it.
  while (pos < chip.size() &&
         std::isdigit(static_cast<unsigned char>(chip[pos]))) {
    if (digits < 3)
      sm = sm * 10 + (chip[pos] - '0');
    ++pos;
    ++digits;
  }
  // Two or three digits: sm_80 ... sm_121. The SM number must fit the byte
  // that the cubin's e_flags stores it in.
  if (digits < 2 || digits > 3 || chip[prefix.size()] == '0' || sm > 255)
    return std::nullopt;
  ChipTarget target{sm, false};
  if (pos < chip.size() && chip[pos] == 'a') {
    target.archSpecific = true;
    ++pos;
  }
  if (pos != chip.size())
    return std::nullopt;
  return target;
}

std::string chipName(const ChipTarget &target) {
  return "sm_" + std::to_string(target.sm) + (target.archSpecific ? "a" : "");
}

} // namespace detail

bool chipRunsOn(const std::string &chip, int cc) {
  std::optional<detail::ChipTarget> target = detail::parseChip(chip);
  if (!target)
    return false;
  // Arch-specific code (wgmma, setmaxnreg, ...) exists only on that SM.
  if (target->archSpecific)
    return cc == target->sm;
  // Plain SASS is binary compatible with later minor versions of the same
  // major (sm_80 runs on 8.6 and 8.9, never on 9.0).
  return cc / 10 == target->sm / 10 && cc >= target->sm;
}

} // namespace sattn::rt
