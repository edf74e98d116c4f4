// ElfFunctionFinder: binutils 2.40 bfd/elf.c elf_find_function and
// _bfd_elf_maybe_function_sym, as facts: symbols are taken in .symtab order; section,
// file, object and TLS symbols never name code (so a static-call trampoline, an
// STT_OBJECT in .text, is skipped for the FUNC/NOTYPE symbol before it); a hidden
// local sizeless NOTYPE symbol is an annotation, not a function; the candidate with the
// highest address at or below the target wins, then the larger size, then the first in
// the table. Its file is the last STT_FILE before it in the table, except for a global
// symbol after an STT_FILE that followed other symbols (globals are listed after all
// files' locals, so the last file says nothing about them).
#include "oops/elf_function_finder.h"

#include <algorithm>
#include <map>

#include "debuginfo/elf_file.h"

namespace kdive {

ElfFunctionFinder::ElfFunctionFinder(const ElfFile& file) {
  Elf* elf = file.elf();
  Elf_Scn* symtab = file.find_section(".symtab");
  GElf_Shdr shdr;
  if (!symtab || !gelf_getshdr(symtab, &shdr) || shdr.sh_entsize == 0) return;
  Elf_Data* data = elf_getdata(symtab, nullptr);
  if (!data) return;

  // Allocated sections by index, with the addresses DWARF uses (a relocatable file's
  // offline layout is in its in-memory section headers).
  std::map<size_t, size_t> section_of_index;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr s;
    if (!gelf_getshdr(scn, &s) || !(s.sh_flags & SHF_ALLOC) || s.sh_size == 0) continue;
    section_of_index[elf_ndxscn(scn)] = sections_.size();
    sections_.push_back({s.sh_addr, s.sh_addr + s.sh_size, {}});
  }
  const bool relocatable = file.is_relocatable();

  enum class State { nothing_seen, symbol_seen, file_after_symbol_seen } state = State::nothing_seen;
  std::string_view current_file;
  bool have_file = false;
  size_t count = data->d_size / shdr.sh_entsize;
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);
    int type = GELF_ST_TYPE(sym.st_info);
    if (type == STT_FILE) {
      current_file = name ? name : "";
      have_file = true;
      if (state == State::symbol_seen) state = State::file_after_symbol_seen;
      continue;
    }
    if (state == State::nothing_seen) state = State::symbol_seen;
    if (type == STT_SECTION || type == STT_OBJECT || type == STT_TLS || type == STT_COMMON) continue;
    auto sec = section_of_index.find(sym.st_shndx);
    if (sec == section_of_index.end() || !name) continue;
    bool local = GELF_ST_BIND(sym.st_info) == STB_LOCAL;
    if (sym.st_size == 0 && local && type == STT_NOTYPE && GELF_ST_VISIBILITY(sym.st_other) == STV_HIDDEN) continue;
    Section& section = sections_[sec->second];
    Candidate c;
    c.address = relocatable ? section.start + sym.st_value : sym.st_value;
    c.size = sym.st_size ? sym.st_size : 1;
    c.index = static_cast<uint32_t>(i);
    c.function.name = name;
    c.function.address = c.address;
    if (have_file && (local || state != State::file_after_symbol_seen)) c.function.file = current_file;
    section.candidates.push_back(c);
  }
  std::erase_if(sections_, [](const Section& s) { return s.candidates.empty(); });
  for (Section& s : sections_) {
    std::sort(s.candidates.begin(), s.candidates.end(), [](const Candidate& a, const Candidate& b) {
      if (a.address != b.address) return a.address < b.address;
      if (a.size != b.size) return a.size > b.size;
      return a.index < b.index;
    });
  }
  std::sort(sections_.begin(), sections_.end(), [](const Section& a, const Section& b) { return a.start < b.start; });
}

std::optional<ElfFunction> ElfFunctionFinder::find(uint64_t file_address) const {
  auto sec = std::upper_bound(sections_.begin(), sections_.end(), file_address,
                              [](uint64_t a, const Section& s) { return a < s.start; });
  if (sec == sections_.begin()) return std::nullopt;
  --sec;
  if (file_address >= sec->end) return std::nullopt;
  const auto& c = sec->candidates;
  auto it = std::upper_bound(c.begin(), c.end(), file_address,
                             [](uint64_t a, const Candidate& x) { return a < x.address; });
  if (it == c.begin()) return std::nullopt;
  // The first candidate at the highest address at or below: the winner of its group.
  uint64_t at = std::prev(it)->address;
  auto first = std::lower_bound(c.begin(), it, at, [](const Candidate& x, uint64_t a) { return x.address < a; });
  return first->function;
}

}  // namespace kdive
