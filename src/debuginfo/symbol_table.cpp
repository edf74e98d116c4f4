// SymbolTable implementation: reads the symbol table once through libelf, keeps
// STT_FUNC/STT_OBJECT/STT_NOTYPE symbols with a name, sorted by address.
#include "debuginfo/symbol_table.h"

#include <algorithm>

#include <gelf.h>

#include "debuginfo/elf_file.h"
#include "debuginfo/name_map.h"

namespace kdive {

SymbolTable::SymbolTable(const ElfFile& file, std::function<uint64_t(uint64_t)> relocate,
                         std::function<bool(uint64_t)> symbolizable) {
  Elf_Scn* scn = file.find_section(".symtab");
  if (!scn) scn = file.find_section(".dynsym");
  if (!scn) return;
  GElf_Shdr shdr;
  if (!gelf_getshdr(scn, &shdr) || shdr.sh_entsize == 0) return;
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data) return;
  size_t count = shdr.sh_size / shdr.sh_entsize;
  by_address_.reserve(count);
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    int type = GELF_ST_TYPE(sym.st_info);
    if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE) continue;
    if (sym.st_shndx == SHN_UNDEF || sym.st_shndx == SHN_ABS) continue;
    const char* name = elf_strptr(file.elf(), shdr.sh_link, sym.st_name);
    if (!name || !*name) continue;
    // ARM mapping symbols ("$x", "$d") mark code/data, not names. Local labels such as
    // ".LC0" stay: drgn (libdwfl) names unlabelled .rodata after them.
    if (name[0] == '$') continue;
    Symbol s;
    s.name = name;
    s.table_index = static_cast<uint32_t>(i);
    if (file.is_relocatable()) {
      // Relocatable (.ko): st_value is an offset into its section, placed at run time.
      auto base = file.section_address(sym.st_shndx);
      if (!base) continue;
      s.address = *base + sym.st_value;
    } else {
      s.address = relocate(sym.st_value);
    }
    s.symbolizable = !symbolizable || symbolizable(s.address);
    s.size = sym.st_size;
    s.is_function = type == STT_FUNC;
    s.is_global = GELF_ST_BIND(sym.st_info) != STB_LOCAL;
    s.elf_binding = static_cast<uint8_t>(GELF_ST_BIND(sym.st_info));
    s.elf_type = static_cast<uint8_t>(type);
    by_address_.push_back(s);
  }
  std::sort(by_address_.begin(), by_address_.end(), [](const Symbol& a, const Symbol& b) {
    if (a.address != b.address) return a.address < b.address;
    // Among symbols at one address, the preferred one sorts last, so that
    // upper_bound-1 finds it: functions over others, sized over size 0, global over local.
    auto rank = [](const Symbol& s) { return (s.is_function ? 4 : 0) + (s.size ? 2 : 0) + (s.is_global ? 1 : 0); };
    // Equal ranks: the later symbol-table entry wins, as with libdwfl (so drgn), e.g.
    // init_thread_union over init_stack and __end_rodata_aligned at the same address.
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a.table_index < b.table_index;
  });
  size_t capacity = 16;
  while (capacity < by_address_.size() * 2) capacity *= 2;
  by_name_.assign(capacity, NameSlot{});
  const size_t mask = capacity - 1;
  for (size_t i = 0; i < by_address_.size(); ++i) {
    uint32_t h = static_cast<uint32_t>(name_hash(by_address_[i].name));
    size_t slot = h & mask;
    while (by_name_[slot].position_plus_one != 0) slot = (slot + 1) & mask;
    by_name_[slot] = {h, static_cast<uint32_t>(i + 1)};
  }
}

std::optional<SymbolizedAddress> SymbolTable::symbolize(uint64_t address) const {
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), address,
                             [](uint64_t a, const Symbol& s) { return a < s.address; });
  // Walk back over symbols that start at or below the address until one contains it;
  // bounded, because nested sized symbols are rare.
  for (int steps = 0; it != by_address_.begin() && steps < 64; ++steps) {
    --it;
    const Symbol& s = *it;
    if (!s.symbolizable) continue;
    if (address < s.address + s.size || (s.size == 0 && address == s.address)) {
      return SymbolizedAddress{s.name, s.address, address - s.address, s.size};
    }
  }
  return std::nullopt;
}

std::optional<SymbolizedAddress> SymbolTable::symbolize_after_sizeless(uint64_t address) const {
  auto it = std::upper_bound(by_address_.begin(), by_address_.end(), address,
                             [](uint64_t a, const Symbol& s) { return a < s.address; });
  while (it != by_address_.begin()) {
    const Symbol& s = *--it;
    if (!s.symbolizable) continue;
    if (s.size != 0) return std::nullopt;  // a sized symbol ends before the address
    return SymbolizedAddress{s.name, s.address, address - s.address, 0};
  }
  return std::nullopt;
}

std::vector<Symbol> SymbolTable::lookup(std::string_view name) const {
  std::vector<Symbol> out;
  if (by_name_.empty()) return out;
  const uint32_t h = static_cast<uint32_t>(name_hash(name));
  const size_t mask = by_name_.size() - 1;
  for (size_t slot = h & mask; by_name_[slot].position_plus_one != 0; slot = (slot + 1) & mask) {
    const NameSlot& n = by_name_[slot];
    if (n.hash == h && by_address_[n.position_plus_one - 1].name == name) out.push_back(by_address_[n.position_plus_one - 1]);
  }
  std::sort(out.begin(), out.end(), [](const Symbol& a, const Symbol& b) { return a.address < b.address; });
  return out;
}

}  // namespace kdive
