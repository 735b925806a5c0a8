//===- Cubin.cpp - Check a CUDA ELF file without a device -----------------===//
//
// A truncated or wrong-architecture cubin makes cuModuleLoadData fail with an
// unhelpful CUDA_ERROR_INVALID_IMAGE / NO_BINARY_FOR_GPU, and only on a
// machine with a GPU. Reading the ELF header by hand catches both anywhere.
//
// Where the target SM is recorded (dumped from ptxas 13.0 output):
//   e_ident[EI_ABIVERSION] == 8 (CUDA 13 ELF ABI): SM in e_flags bits 8..15,
//     e.g. sm_80 0x06005004, sm_86 0x06005604, sm_90 and sm_90a 0x06005a04,
//     sm_100 0x06006402. ptxas 13.0 leaves EF_CUDA_ACCELERATORS (bit 3, per
//     LLVM's ELF.h) clear even for sm_90a; the 'a' variant is only visible
//     in the .nv.compat section, attribute 0x09 = 1 (0 for sm_90 and sm_100f,
//     and sm_80 cubins have no .nv.compat at all). Both are honoured.
//   Older ABI (CUDA <= 12): SM in the low byte of e_flags and the 'a' flag in
//     bit 11 (EF_CUDA_ACCELERATORS_V1, 0x800), as in LLVM's ELF.h.
//
//===----------------------------------------------------------------------===//
#include "Chip.h"

#include "sattn/Runtime.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace sattn::rt {
namespace {

constexpr size_t kEhdrSize = 64;
constexpr size_t kShdrSize = 64;
constexpr size_t kPhdrSize = 56;
constexpr uint16_t kEmCuda = 190;
constexpr uint32_t kShtNobits = 8;
constexpr uint8_t kCudaAbiV8 = 8;
constexpr uint32_t kAcceleratorsV8 = 0x8;
constexpr uint32_t kAcceleratorsV1 = 0x800;
// .nv.compat records are {u8 format, u8 attribute, u16 value-or-size}; the
// format 4 record is followed by `size` payload bytes.
constexpr uint8_t kCompatFormatSized = 4;
constexpr uint8_t kCompatArchSpecific = 0x09;

template <typename T> T readLE(const std::string &bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value; // CUDA ELF is little-endian, as are the hosts we build for.
}

struct Section {
  uint32_t name, type;
  uint64_t offset, size;
};

class CubinChecker {
public:
  CubinChecker(const std::string &bytes, const std::string &source)
      : bytes_(bytes), source_(source) {}

  Status run(const detail::ChipTarget &expected);

private:
  Status fail(const std::string &message) const {
    return Status::error(ErrorKind::InvalidInput, source_ + ": " + message);
  }
  Status truncated(const std::string &what, uint64_t end) const {
    return fail("truncated cubin: " + what + " ends at byte " +
                std::to_string(end) + " but the file has " +
                std::to_string(bytes_.size()) + " bytes");
  }
  /// Whether [offset, offset + size) lies in the file, overflow-safe.
  bool inFile(uint64_t offset, uint64_t size) const {
    return offset <= bytes_.size() && size <= bytes_.size() - offset;
  }
  Status checkTable(const char *what, uint64_t offset, uint16_t count,
                    uint16_t entrySize, size_t expectedEntrySize) const;
  Status checkSegments() const;
  Status readSections();
  Status compatArchSpecific(bool &archSpecific) const;

  const std::string &bytes_;
  const std::string &source_;
  std::vector<Section> sections_;
};

Status CubinChecker::checkTable(const char *what, uint64_t offset,
                                uint16_t count, uint16_t entrySize,
                                size_t expectedEntrySize) const {
  if (count == 0)
    return Status::ok();
  if (entrySize != expectedEntrySize)
    return fail(std::string("corrupt ELF header: ") + what + " entry size " +
                std::to_string(entrySize) + ", expected " +
                std::to_string(expectedEntrySize));
  uint64_t size = uint64_t(count) * entrySize;
  if (!inFile(offset, size))
    return truncated(what, offset + size);
  return Status::ok();
}

Status CubinChecker::checkSegments() const {
  uint64_t phoff = readLE<uint64_t>(bytes_, 0x20);
  uint16_t phnum = readLE<uint16_t>(bytes_, 0x38);
  for (uint16_t i = 0; i < phnum; ++i) {
    size_t at = phoff + size_t(i) * kPhdrSize;
    uint64_t offset = readLE<uint64_t>(bytes_, at + 0x08);
    uint64_t fileSize = readLE<uint64_t>(bytes_, at + 0x20);
    if (!inFile(offset, fileSize))
      return truncated("segment " + std::to_string(i), offset + fileSize);
  }
  return Status::ok();
}

Status CubinChecker::readSections() {
  uint64_t shoff = readLE<uint64_t>(bytes_, 0x28);
  uint16_t shnum = readLE<uint16_t>(bytes_, 0x3c);
  for (uint16_t i = 0; i < shnum; ++i) {
    size_t at = shoff + size_t(i) * kShdrSize;
    Section s{readLE<uint32_t>(bytes_, at), readLE<uint32_t>(bytes_, at + 4),
              readLE<uint64_t>(bytes_, at + 0x18),
              readLE<uint64_t>(bytes_, at + 0x20)};
    // NOBITS sections (.bss, shared memory) occupy no bytes of the file.
    if (s.type != kShtNobits && !inFile(s.offset, s.size))
      return truncated("section " + std::to_string(i), s.offset + s.size);
    sections_.push_back(s);
  }
  return Status::ok();
}

/// Looks for the 'a' marker that ptxas 13 writes into .nv.compat.
Status CubinChecker::compatArchSpecific(bool &archSpecific) const {
  uint16_t shstrndx = readLE<uint16_t>(bytes_, 0x3e);
  if (shstrndx >= sections_.size() || sections_[shstrndx].type == kShtNobits)
    return Status::ok(); // No section names, hence no .nv.compat.
  const Section &names = sections_[shstrndx];
  const char kCompat[] = ".nv.compat";
  for (const Section &s : sections_) {
    if (s.type == kShtNobits || s.name >= names.size ||
        names.size - s.name < sizeof(kCompat) ||
        std::memcmp(bytes_.data() + names.offset + s.name, kCompat,
                    sizeof(kCompat)) != 0)
      continue;
    uint64_t at = s.offset, end = s.offset + s.size;
    while (end - at >= 4) {
      uint8_t format = uint8_t(bytes_[at]);
      uint8_t attribute = uint8_t(bytes_[at + 1]);
      uint16_t value = readLE<uint16_t>(bytes_, at + 2);
      at += 4;
      if (format == kCompatFormatSized) {
        if (value > end - at)
          return fail("corrupt .nv.compat section: record runs past its end");
        at += value;
      } else if (attribute == kCompatArchSpecific) {
        archSpecific = archSpecific || (value & 0xff) != 0;
      }
    }
  }
  return Status::ok();
}

Status CubinChecker::run(const detail::ChipTarget &expected) {
  const char kMagic[] = {0x7f, 'E', 'L', 'F'};
  size_t magicBytes = std::min(bytes_.size(), sizeof(kMagic));
  if (std::memcmp(bytes_.data(), kMagic, magicBytes) != 0)
    return fail("not a cubin: the file does not start with the ELF magic");
  if (bytes_.size() < kEhdrSize)
    return fail("truncated cubin: " + std::to_string(bytes_.size()) +
                " bytes, shorter than the 64-byte ELF header");
  if (bytes_[4] != 2)
    return fail("not a cubin: not a 64-bit ELF file (EI_CLASS " +
                std::to_string(int(bytes_[4])) + ")");
  if (bytes_[5] != 1)
    return fail("not a cubin: not a little-endian ELF file");
  uint16_t machine = readLE<uint16_t>(bytes_, 0x12);
  if (machine != kEmCuda)
    return fail("not a cubin: ELF machine " + std::to_string(machine) +
                ", expected 190 (EM_CUDA)");

  if (Status s =
          checkTable("program header table", readLE<uint64_t>(bytes_, 0x20),
                     readLE<uint16_t>(bytes_, 0x38),
                     readLE<uint16_t>(bytes_, 0x36), kPhdrSize);
      !s)
    return s;
  if (Status s =
          checkTable("section header table", readLE<uint64_t>(bytes_, 0x28),
                     readLE<uint16_t>(bytes_, 0x3c),
                     readLE<uint16_t>(bytes_, 0x3a), kShdrSize);
      !s)
    return s;
  if (Status s = checkSegments(); !s)
    return s;
  if (Status s = readSections(); !s)
    return s;

  uint32_t flags = readLE<uint32_t>(bytes_, 0x30);
  detail::ChipTarget found;
  if (uint8_t(bytes_[8]) >= kCudaAbiV8) {
    found.sm = int((flags >> 8) & 0xff);
    found.archSpecific = (flags & kAcceleratorsV8) != 0;
  } else {
    found.sm = int(flags & 0xff);
    found.archSpecific = (flags & kAcceleratorsV1) != 0;
  }
  if (Status s = compatArchSpecific(found.archSpecific); !s)
    return s;
  if (found.sm != expected.sm || found.archSpecific != expected.archSpecific)
    return fail("cubin is for " + detail::chipName(found) + ", expected " +
                detail::chipName(expected));
  return Status::ok();
}

} // namespace

Status validateCubin(const std::string &bytes, const std::string &chip,
                     const std::string &source) {
  std::optional<detail::ChipTarget> expected = detail::parseChip(chip);
  if (!expected)
    return Status::error(ErrorKind::InvalidInput,
                         source + ": cannot check a cubin against chip '" +
                             chip + "' (expected sm_<NN> or sm_<NN>a)");
  return CubinChecker(bytes, source).run(*expected);
}

} // namespace sattn::rt
