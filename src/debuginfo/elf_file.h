// ElfFile: one ELF file opened read-only through libelf (vmlinux, a .ko, an executable
// or shared library): sections by name, the GNU build ID, and the libdw handle for its
// DWARF. Owns the descriptor and the libelf/libdw handles (RAII).
//
//   ElfFile vmlinux("/usr/lib/debug/boot/vmlinux-6.1.0-56-cloud-amd64");
//   vmlinux.build_id();   // "7c1d..." (hex), empty when the file has none
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

namespace kdive {

// Run-time addresses of a relocatable file's allocated sections, by section name (a
// kernel module's sections as the dump's `struct module` records them).
using SectionAddresses = std::map<std::string, uint64_t, std::less<>>;

class ElfFile {
 public:
  // Throws OsError when the file cannot be opened, BadDataError when it is not ELF.
  // A relocatable file's DWARF is relocated by libdwfl with its sections laid out one
  // after another from a small base ("offline" addresses: see section_layout());
  // `sections` gives their run-time addresses, used by section_address().
  explicit ElfFile(const std::string& path, const SectionAddresses* sections = nullptr);
  ~ElfFile();
  ElfFile(const ElfFile&) = delete;
  ElfFile& operator=(const ElfFile&) = delete;

  const std::string& path() const { return path_; }
  Elf* elf() const { return elf_; }
  const GElf_Ehdr& header() const { return ehdr_; }
  bool is_relocatable() const { return ehdr_.e_type == ET_REL; }

  // The section's bytes (decompressed if SHF_COMPRESSED), or nullopt when absent.
  std::optional<std::span<const uint8_t>> section_data(const std::string& name) const;
  Elf_Scn* find_section(const std::string& name) const;

  // Hex string of NT_GNU_BUILD_ID, or "" when the file has none.
  const std::string& build_id() const { return build_id_; }
  // Drops the pages of `range` (part of a section_data() span) from this process's
  // resident set when they are the mapped file itself, unmodified (not a decompressed or
  // relocated copy): read
  // again, they fault back in from the page cache. A one-pass scan of .debug_info uses it
  // so that indexing a 200 MB section does not leave 200 MB resident.
  void release_pages(std::span<const uint8_t> range) const;

  // The libdw handle for this file's DWARF, opened on first use; nullptr (and
  // has_dwarf() false) when the file has no debug info.
  Dwarf* dwarf() const;
  bool has_dwarf() const { return dwarf() != nullptr; }

  // The run-time address of a relocatable file's section, by section index; nullopt
  // when unknown (not placed, or not a relocatable file).
  std::optional<uint64_t> section_address(size_t shndx) const;

  // A relocatable file's allocated sections: their offline address (what its DWARF
  // holds), size, and run-time address when `sections` named them.
  struct PlacedSection {
    std::string name;
    uint64_t offline_address = 0;
    uint64_t size = 0;
    std::optional<uint64_t> runtime_address;
  };
  std::vector<PlacedSection> section_layout() const;

 private:
  void read_build_id();
  void check_bounds() const;

  void open_relocated(const SectionAddresses* sections);

  std::string path_;
  int fd_ = -1;
  // Relocatable files (.ko, .o) are opened through libdwfl, which applies the
  // relocations of their debug sections (string offsets, cross-unit references) in
  // memory; elf_ and dwarf_ then belong to dwfl_.
  Dwfl* dwfl_ = nullptr;
  SectionAddresses sections_;
  Elf* elf_ = nullptr;
  GElf_Ehdr ehdr_{};
  std::string build_id_;
  mutable Dwarf* dwarf_ = nullptr;
  mutable bool dwarf_tried_ = false;
};

}  // namespace kdive
