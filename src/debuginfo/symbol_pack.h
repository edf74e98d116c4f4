// Symbol packs (issue 15): a few-MiB ELF file cut from a vmlinux — its GNU build ID, its
// whole ELF symbol table and its .BTF — that stands in for the 400–600 MiB vmlinux with
// DWARF when a dump's VMCOREINFO lists no kallsyms (Linux < 6.0). This file owns writing
// packs and reading symbols and BTF back from a pack or from any ELF with .symtab and .BTF.
//
//   ElfFile vmlinux("/usr/lib/debug/boot/vmlinux-5.10.0-32-cloud-amd64");
//   SymbolPackSummary s = write_symbol_pack(vmlinux, "/tmp/5.10.kdsym");  // throws; nothing
//                                                                         // written on error
//   SymbolTables t = read_symbol_tables(ElfFile("/tmp/5.10.kdsym"));      // link-time addresses
//
// Layout of a pack (ET_EXEC, the vmlinux's class, byte order and machine; no program
// headers, no DWARF):
//   one SHT_NOBITS header per allocated section of the vmlinux (same name, flags,
//     address, size): the sections the symbols point into, so readelf/nm still work;
//   .BTF                SHT_PROGBITS, the vmlinux's bytes as they are (and its header);
//   .note.gnu.build-id  SHT_NOTE, the vmlinux's NT_GNU_BUILD_ID note alone;
//   .symtab / .strtab   every symbol of the vmlinux except section symbols of sections the
//                       pack drops (st_shndx renumbered); the string table as it was;
//   .kdive.nmtype       one byte per .symtab entry: the nm letter (T t D d B b R r A a W w
//                       V v U, '?' for file/section symbols), decided at export time from the
//                       vmlinux's own section headers, because the stubs cannot tell .data
//                       (PROGBITS) from .bss (NOBITS) any more;
//   .kdive.pack         text, "key value" lines: "kdive-symbol-pack 1", then made_from,
//                       made_from_bytes, build_id, symbols, btf_bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "debuginfo/elf_file.h"
#include "debuginfo/kallsyms_table.h"

namespace kdive {

// The format written by this kdive; a reader refuses packs of a higher version.
inline constexpr uint32_t kSymbolPackVersion = 1;

// What write_symbol_pack() wrote.
struct SymbolPackSummary {
  uint64_t file_bytes = 0;    // the pack's size
  uint64_t source_bytes = 0;  // the vmlinux's size
  size_t symbols = 0;         // .symtab entries kept
  uint64_t btf_bytes = 0;
  std::string build_id;
};

// Writes a pack of `vmlinux` to `path` through a temporary file in the same directory,
// renamed into place only when complete. Throws MissingDebugInfoError when the file has
// no .symtab, no .BTF or no build ID (a pack that cannot be checked against a dump is
// useless), BadDataError for a 32-bit or malformed file, OsError when writing fails.
SymbolPackSummary write_symbol_pack(const ElfFile& vmlinux, const std::string& path);

// The .kdive.pack section of a pack.
struct SymbolPackInfo {
  uint32_t version = 0;
  std::string made_from;  // the vmlinux's path at export time
  uint64_t made_from_bytes = 0;
};

// Parses .kdive.pack's text. BadDataError (naming `file`) when there is no
// "kdive-symbol-pack N" line, the version is above kSymbolPackVersion, or a number
// does not parse; unknown keys are ignored (a later minor addition).
SymbolPackInfo parse_symbol_pack_info(std::span<const uint8_t> text, const std::string& file);

// What a dump without kallsyms needs from a debug file: its symbols (kallsyms-like:
// no file, section or undefined symbols; addresses as linked), its BTF and build ID.
struct SymbolTables {
  std::vector<KallsymsSymbol> symbols;
  std::vector<uint8_t> btf;
  std::string build_id;                 // "" when the file has none
  std::optional<SymbolPackInfo> pack;   // set when the file is a symbol pack
};

// Whether `file` is a symbol pack (has a .kdive.pack section). Never throws.
bool is_symbol_pack(const ElfFile& file);
// Whether `file` has what read_symbol_tables() needs (.symtab and .BTF). Never throws.
bool has_symbol_tables(const ElfFile& file);

// Reads a pack, or any 64-bit ELF with .symtab and .BTF (a vmlinux without DWARF; the
// nm letters then come from its section headers). Throws MissingDebugInfoError when
// .symtab or .BTF is missing, BadDataError when the pack is malformed (a letter table
// of the wrong length, a name outside .strtab, a bad .kdive.pack).
SymbolTables read_symbol_tables(const ElfFile& file);

// nm's letter for `sym` (binutils' rules: weak first, then absolute/common, then the
// section's flags: executable t, NOBITS b, not allocated n, read-only r, else d; upper
// case when global). `section` is the header of the symbol's section, null for special
// indexes. kallsyms takes its letters from nm, so this is the kernel's letter too.
char nm_symbol_letter(const GElf_Sym& sym, const GElf_Shdr* section);

}  // namespace kdive
