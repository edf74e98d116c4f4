// Reading a module's kallsyms (kernel/module/kallsyms.c of the dumped kernel: what
// add_kallsyms() keeps and module_get_kallsym() lists). See module_kallsyms.h.
#include "program/module_kallsyms.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "types/type_layout.h"

namespace kdive {
namespace {

// KSYM_NAME_LEN: the kernel copies at most this much of a name (strscpy in
// add_kallsyms() and module_get_kallsym()).
constexpr size_t kKsymNameLen = 512;
// MODULE_NAME_LEN is 64 - sizeof(unsigned long); struct module's name array is the bound.
constexpr size_t kModuleNameLen = 64;
// Symbols read from memory per chunk.
constexpr uint64_t kSymbolsPerChunk = 4096;
constexpr uint16_t kShnUndef = 0;

// The type letter of a kernel without typetab. A letter (0x41..0x7a) is never a real
// st_info (its binding would be 4..7, which ELF reserves), so a letter there is the
// one the kernel wrote; otherwise st_info is genuine and the letter is in st_size.
char elf_type_letter(uint8_t st_info, uint64_t st_size) {
  auto letter = [](uint64_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  if (letter(st_info)) return static_cast<char>(st_info);
  if (letter(st_size)) return static_cast<char>(st_size);
  return '?';
}

bool has_member(QualifiedType t, std::string_view name) { return find_member(t, name).has_value(); }

// The struct holding symtab/num_symtab/strtab(/typetab): *mod->kallsyms, which
// do_init_module() points at mod->core_kallsyms once init is done (during init it is
// the full symbol table); before Linux 4.6 (8244062ef1e5 "modules: fix longstanding
// /proc/kallsyms vs module insertion race") the fields were struct module's own.
Object kallsyms_holder(const Object& mod, const std::string& name) {
  QualifiedType t = mod.type();
  if (has_member(t, "kallsyms")) {
    Object p = mod.member("kallsyms").read();
    if (p.as_unsigned() != 0) return p.dereference();
  }
  if (has_member(t, "core_kallsyms")) return mod.member("core_kallsyms");
  if (has_member(t, "symtab") && has_member(t, "num_symtab")) return mod;
  throw LookupError(fmt::format("module {}: struct module has no kallsyms (kernel built without CONFIG_KALLSYMS?)",
                                name));
}

}  // namespace

ModuleSymbols read_module_kallsyms(const Object& module) {
  Object mod = module;
  if (const Type* t = mod.underlying().type; t && t->kind() == TypeKind::Pointer) mod = mod.dereference();
  ModuleSymbols out;
  out.module = mod.member("name").read_c_string(kModuleNameLen);
  Object ks = kallsyms_holder(mod, out.module);

  const uint64_t num = ks.member("num_symtab").as_unsigned();
  if (num > kMaxModuleSymbols)
    throw BadDataError(fmt::format("module {}: num_symtab is {} (more than {})", out.module, num, kMaxModuleSymbols));
  const uint64_t symtab = ks.member("symtab").as_unsigned();
  const uint64_t strtab = ks.member("strtab").as_unsigned();
  // typetab: Linux 5.2 (1c7651f43777 "kallsyms: store type information in its own
  // array"). Before, add_kallsyms() overwrote an Elf_Sym field with the type letter:
  // st_info, then st_size in 5.0 and 5.1 (5439c985c5a8 "module: Overwrite st_size
  // instead of st_info"). See elf_type_letter().
  const bool has_typetab = has_member(ks.type(), "typetab");
  const uint64_t typetab = has_typetab ? ks.member("typetab").as_unsigned() : 0;

  const ObjectEnv& env = mod.env();
  if (!env.memory) throw FaultError(symtab, "no memory to read module symbols from");
  const MemoryReader& memory = *env.memory;
  // Elf64_Sym {u32 st_name; u8 st_info; u8 st_other; u16 st_shndx; u64 st_value;
  // u64 st_size} or Elf32_Sym {u32 st_name; u32 st_value; u32 st_size; u8 st_info;
  // u8 st_other; u16 st_shndx}, by the target's word size.
  const bool elf64 = env.pointer_size == 8;
  const uint64_t sym_size = elf64 ? 24 : 16;

  std::vector<uint8_t> types;
  if (typetab && num) {
    types.resize(num);
    memory.read(typetab, types.data(), types.size());
  }
  std::vector<uint8_t> chunk;
  for (uint64_t first = 0; first < num; first += kSymbolsPerChunk) {
    const uint64_t n = std::min(kSymbolsPerChunk, num - first);
    chunk.resize(n * sym_size);
    memory.read(symtab + first * sym_size, chunk.data(), chunk.size());
    ByteCursor c(chunk, fmt::format("module {}", out.module), "symtab", env.little_endian, first * sym_size);
    for (uint64_t i = first; i < first + n; i++) {
      uint32_t st_name = c.u32();
      uint8_t st_info;
      uint16_t st_shndx;
      uint64_t st_value, st_size;
      if (elf64) {
        st_info = c.u8();
        c.skip(1);  // st_other
        st_shndx = c.u16();
        st_value = c.u64();
        st_size = c.u64();
      } else {
        st_value = c.u32();
        st_size = c.u32();
        st_info = c.u8();
        c.skip(1);  // st_other
        st_shndx = c.u16();
      }
      // Entry 0 (kept by add_kallsyms) has no name; /proc/kallsyms skips empty names,
      // and the core copy has no undefined symbols (the init-time table does).
      if (st_name == 0 || st_shndx == kShnUndef) continue;
      std::string name = read_c_string(memory, strtab + st_name, kKsymNameLen);
      if (name.empty()) continue;
      char type = has_typetab ? (typetab ? static_cast<char>(types[i]) : '?') : elf_type_letter(st_info, st_size);
      out.symbols.push_back({std::move(name), st_value, type});
    }
  }
  std::stable_sort(out.symbols.begin(), out.symbols.end(),
                   [](const KallsymsSymbol& a, const KallsymsSymbol& b) { return a.address < b.address; });
  return out;
}

}  // namespace kdive
