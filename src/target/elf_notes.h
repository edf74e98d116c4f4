// ElfNote: one entry of an ELF note segment (PT_NOTE) or of a kdump file's notes area:
// owner name, type, descriptor bytes. Parsing is bounded and checked; the descriptors
// are views into the caller's buffer.
//
//   for (const ElfNote& n : parse_elf_notes(bytes, "vmcore", offset))
//     if (n.name == "CORE" && n.type == kNtPrstatus) ...
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kdive {

// Note types (include/uapi/linux/elf.h).
inline constexpr uint32_t kNtPrstatus = 1;
inline constexpr uint32_t kNtPrfpreg = 2;
inline constexpr uint32_t kNtPrpsinfo = 3;
inline constexpr uint32_t kNtTaskstruct = 4;
inline constexpr uint32_t kNtAuxv = 6;
inline constexpr uint32_t kNtSiginfo = 0x53494749;  // "SIGI"
inline constexpr uint32_t kNtFile = 0x46494c45;     // "FILE"
inline constexpr uint32_t kNtX86Xstate = 0x202;

struct ElfNote {
  std::string_view name;  // without the terminating NUL
  uint32_t type = 0;
  std::span<const uint8_t> desc;
  uint64_t offset = 0;  // file offset of the note header, for error messages
};

// Parses a sequence of 4-byte aligned ELF notes (Elf64_Nhdr has 32-bit fields; Linux
// pads name and descriptor to 4 bytes in 64-bit cores too). `base_offset` is the file
// offset of bytes[0]. Throws BadDataError on a note that runs past the end. A trailing
// run of zero bytes (padding some writers leave) ends the list.
std::vector<ElfNote> parse_elf_notes(std::span<const uint8_t> bytes, const std::string& file,
                                     uint64_t base_offset);

}  // namespace kdive
