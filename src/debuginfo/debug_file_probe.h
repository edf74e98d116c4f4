// Probing a candidate debug file before trusting it: is it ELF, which GNU build ID does
// it carry, does it have DWARF. Reads only the ELF header, the section headers and the
// note sections (no DWARF parsing, no relocation), so checking a 600 MB vmlinux or a
// debuginfod download costs a few page faults.
//
//   DebugFileProbe p = probe_debug_file("/tmp/cache/7c1d.../debuginfo");
//   if (!p.error.empty()) ...;            // "not an ELF file", "section ... truncated?"
//   if (p.build_id != wanted) ...;        // hex, "" when the file has none
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace kdive {

struct DebugFileProbe {
  // "" for a readable ELF file; otherwise what is wrong ("not an ELF file", "section
  // header table extends past the end of the file (… bytes; truncated?)", an OS error).
  std::string error;
  std::string build_id;    // NT_GNU_BUILD_ID (hex), "" when absent
  bool has_dwarf = false;  // a .debug_info section with bytes (or .zdebug_info)
  uint16_t elf_type = 0;   // ET_EXEC, ET_REL, ET_DYN, ...
};

// Never throws: every failure is described in `error`.
DebugFileProbe probe_debug_file(const std::string& path);
// The same on an open descriptor (not closed); `path` names it in messages.
DebugFileProbe probe_debug_file(int fd, const std::string& path);

// "0a1b..." for the bytes of a build ID.
std::string build_id_hex(std::span<const uint8_t> bytes);

}  // namespace kdive
