// ElfFile: one ELF file opened read-only through libelf (vmlinux, a .ko, an executable
// or shared library): sections by name, the GNU build ID, and the libdw handle for its
// DWARF. Owns the descriptor and the libelf/libdw handles (RAII).
//
//   ElfFile vmlinux("/usr/lib/debug/boot/vmlinux-6.1.0-56-cloud-amd64");
//   vmlinux.build_id();   // "7c1d..." (hex), empty when the file has none
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

namespace kdive {

class ElfFile {
 public:
  // Throws OsError when the file cannot be opened, BadDataError when it is not ELF.
  explicit ElfFile(const std::string& path);
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

  // The libdw handle for this file's DWARF, opened on first use; nullptr (and
  // has_dwarf() false) when the file has no debug info.
  Dwarf* dwarf() const;
  bool has_dwarf() const { return dwarf() != nullptr; }

  // Opens a separate libelf+libdw handle over the same file, for a worker thread
  // (libdw handles are not safe to share between threads).
  std::unique_ptr<ElfFile> reopen() const { return std::make_unique<ElfFile>(path_); }

 private:
  void read_build_id();

  void open_relocated();

  std::string path_;
  int fd_ = -1;
  // Relocatable files (.ko, .o) are opened through libdwfl, which applies the
  // relocations of their debug sections (string offsets, cross-unit references) in
  // memory; elf_ and dwarf_ then belong to dwfl_.
  Dwfl* dwfl_ = nullptr;
  Elf* elf_ = nullptr;
  GElf_Ehdr ehdr_{};
  std::string build_id_;
  mutable Dwarf* dwarf_ = nullptr;
  mutable bool dwarf_tried_ = false;
};

}  // namespace kdive
