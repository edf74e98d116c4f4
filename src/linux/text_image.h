// TextImage: the code of vmlinux or of one kernel module as its file on disk has it,
// placed at the dump's run-time addresses — vmlinux's sections moved by the KASLR
// offset with the boot-time KASLR fixups applied at its relocation sites (.rela.text,
// kept by --emit-relocs), a .ko's sections with its relocations applied, symbols
// resolved in the dump. What memory would hold if the kernel had patched nothing.
//
//   TextImage img = TextImage::of_vmlinux(program, vmlinux_module);
//   std::vector<uint8_t> bytes; std::vector<bool> unknown;
//   if (img.read(pc, 16, bytes, &unknown)) ...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

typedef struct Elf Elf;

namespace kdive {

class DebugModule;
class Program;

struct TextSection {
  std::string name;          // ".text"
  size_t index = 0;          // ELF section index
  uint64_t address = 0;      // run-time address
  std::span<const uint8_t> bytes;  // the file's bytes (unrelocated)
  bool freed = false;        // init text the kernel freed after boot
};

class TextImage {
 public:
  // vmlinux: executable sections at sh_addr + KASLR offset; [__init_begin, __init_end) is
  // freed.
  static TextImage of_vmlinux(Program& program, const DebugModule& vmlinux);
  // A .ko placed as the dump's struct module says (DebugModule's section addresses);
  // undefined symbols are looked up in vmlinux's symbol table.
  static TextImage of_module(Program& program, const DebugModule& ko);

  const std::string& name() const { return name_; }  // "vmlinux" or the module's name
  const DebugModule& module() const { return *module_; }
  // The file as on disk: vmlinux's ELF handle, or for a .ko one opened apart from its
  // DebugModule's (libdwfl applies and then drops some of a .ko's relocation sections
  // in the copy it keeps for DWARF).
  Elf* elf() const { return elf_; }
  const std::vector<TextSection>& sections() const { return sections_; }
  const TextSection* section_at(uint64_t address) const;
  // Whether the file has relocations for its text (vmlinux: .rela.text from
  // --emit-relocs; some distributions strip them).
  bool has_relocations() const { return has_relocations_; }
  uint64_t kaslr_offset() const { return kaslr_; }

  // The bytes of [address, address + size) as placed and relocated. `unknown` (when
  // given) marks bytes whose relocation could not be resolved. False when the range is
  // not inside one section.
  bool read(uint64_t address, size_t size, std::vector<uint8_t>& bytes, std::vector<bool>* unknown = nullptr) const;
  // The relocation field covering `address`: {start, width}; nullopt when none.
  std::optional<std::pair<uint64_t, unsigned>> relocation_at(uint64_t address) const;

  // Problems met while reading relocations (unknown types, unresolved symbols).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  struct Fixup {
    uint64_t address;  // run-time address of the field
    uint8_t width;     // 4 or 8
    bool known;        // the value below is meaningful
    uint64_t value;    // the field's run-time value (truncated to width)
  };
  void load_relocations(Program& program, bool vmlinux);

  struct RawElf;
  std::string name_;
  const DebugModule* module_ = nullptr;
  std::shared_ptr<RawElf> raw_;
  Elf* elf_ = nullptr;
  std::vector<TextSection> sections_;
  std::vector<Fixup> fixups_;  // by address
  uint64_t kaslr_ = 0;
  bool has_relocations_ = false;
  std::vector<std::string> problems_;
};

// vmlinux, then every loaded module kdive has a .ko for.
std::vector<TextImage> kernel_text_images(Program& program);

struct TextFunction {
  std::string_view name;  // points into the file's string table
  uint64_t address = 0, size = 0;
  const TextImage* image = nullptr;
  bool global = false;
};
// The functions (sized function symbols in text the kernel kept, not the __pfx_/__cfi_
// padding symbols) whose name matches
// `glob` (fnmatch; "" matches all), by address; one per address (a global name is
// preferred over its local aliases).
std::vector<TextFunction> text_functions(const std::vector<TextImage>& images, std::string_view glob);

}  // namespace kdive
