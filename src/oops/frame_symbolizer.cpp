// FrameSymbolizer: symbol lookup by name (vmlinux through its SymbolTable, .ko files
// through their own .symtab since without a dump their sections have no run-time
// addresses), then the inline chain at the file address from FrameScopes, the same
// walk the stack traces use.
#include "oops/frame_symbolizer.h"

#include <dwarf.h>
#include <gelf.h>

#include <algorithm>
#include <charconv>
#include <filesystem>

#include <fmt/format.h>

#include "debuginfo/dwarf_constant.h"
#include "kdive/error.h"

namespace kdive {

std::string normalize_module_name(std::string_view name) {
  std::string s(name);
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

std::string gnu_function_name(Dwarf_Die* die, bool* mangled_language) {
  Dwarf_Attribute attr;
  for (unsigned at : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (dwarf_attr_integrate(die, at, &attr)) {
      if (const char* s = dwarf_formstring(&attr)) {
        if (mangled_language) *mangled_language = false;
        return s;
      }
    }
  }
  if (mangled_language) {
    // binutils' list of languages whose DW_AT_name is the symbol name.
    Dwarf_Die cu;
    uint64_t lang = 0;
    if (dwarf_diecu(die, &cu, nullptr, nullptr)) lang = die_unsigned(&cu, DW_AT_language, false).value_or(0);
    switch (lang) {
      case DW_LANG_C89: case DW_LANG_C: case DW_LANG_Ada83: case DW_LANG_Cobol74:
      case DW_LANG_Cobol85: case DW_LANG_Fortran77: case DW_LANG_Pascal83: case DW_LANG_C99:
      case DW_LANG_Ada95: case DW_LANG_PLI: case DW_LANG_UPC: case DW_LANG_C11:
      case DW_LANG_Mips_Assembler:
        *mangled_language = false;
        break;
      default:
        *mangled_language = lang != 0;
    }
  }
  return die_name(die);
}

FrameSymbolizer::FrameSymbolizer(DebugInfo& debug_info) : debug_(debug_info) {}

void FrameSymbolizer::add_module_directory(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw OsError(ENOTDIR, dir);
  std::filesystem::recursive_directory_iterator it(dir, std::filesystem::directory_options::skip_permission_denied, ec);
  size_t seen = 0;
  for (; !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (++seen > 200000) break;  // bounded: a modules tree has a few thousand files
    const auto& p = it->path();
    if (p.extension() == ".ko" && it->is_regular_file(ec))
      module_paths_.emplace(normalize_module_name(p.stem().string()), p.string());
  }
}

void FrameSymbolizer::use_report(const OopsReport& report) {
  if (kaslr_) return;
  if (report.kaslr_disabled) {
    kaslr_ = 0;
    return;
  }
  if (report.kernel_offset) {
    kaslr_ = *report.kernel_offset;
    return;
  }
  DebugModule* vmlinux = find_module("");
  if (!vmlinux || vmlinux->bias() != 0) return;
  auto try_location = [&](const CodeLocation& loc) {
    if (kaslr_ || !loc.address || !loc.has_symbol() || !loc.module.empty()) return;
    if (auto s = pick_symbol(*vmlinux, loc.function, loc.size)) {
      uint64_t slide = *loc.address - loc.offset - s->file_address;
      // KASLR slides the image by a multiple of 2 MiB (CONFIG_PHYSICAL_ALIGN).
      if (slide % 0x200000 == 0) kaslr_ = slide;
    }
  };
  if (report.rip) try_location(*report.rip);
  for (const ReportFrame& f : report.frames) try_location(f.location);
}

namespace {

// The kernel image: vmlinux links .text in the top 2 GiB (__START_KERNEL_map). Its
// entry point is a physical address, so a file opened without a dump may have been
// classified by that as a user-space executable.
bool is_kernel_image(const DebugModule& m) {
  if (m.kind() == DebugModule::Kind::Kernel) return true;
  if (m.kind() != DebugModule::Kind::User) return false;
  Elf_Scn* scn = m.elf().find_section(".text");
  GElf_Shdr shdr;
  return scn && gelf_getshdr(scn, &shdr) && shdr.sh_addr >= 0xffffffff80000000ull;
}

}  // namespace

DebugModule* FrameSymbolizer::find_module(std::string_view name) {
  bool kernel = name.empty() || name == "vmlinux";
  std::string want = normalize_module_name(name);
  for (const auto& m : debug_.modules()) {
    if (kernel ? is_kernel_image(*m)
               : m->kind() == DebugModule::Kind::KernelModule && normalize_module_name(m->name()) == want)
      return m.get();
  }
  if (kernel) return nullptr;
  auto it = module_paths_.find(want);
  if (it == module_paths_.end()) return nullptr;
  return &debug_.add_file(it->second, DebugModule::Kind::KernelModule, 0, want);
}

std::vector<FileSymbol> FrameSymbolizer::find_symbols(DebugModule& module, std::string_view name) {
  std::vector<FileSymbol> out;
  if (!module.elf().is_relocatable()) {
    const auto& all = module.symbols().symbols();
    for (const Symbol& s : module.symbols().lookup(name)) {
      if (!s.is_function && s.size == 0) continue;
      auto file = module.unrelocate(s.address);
      if (!file) continue;
      auto next = std::upper_bound(all.begin(), all.end(), s.address,
                                   [](uint64_t a, const Symbol& x) { return a < x.address; });
      uint64_t span = next != all.end() ? next->address - s.address : 0;
      out.push_back({*file, s.size, "", 0, span});
    }
    return out;
  }
  auto [cache, fresh] = ko_symbols_.try_emplace(&module);
  if (fresh) {
    Elf* elf = module.elf().elf();
    Elf_Scn* scn = module.elf().find_section(".symtab");
    GElf_Shdr shdr;
    size_t shstrndx = 0;
    if (scn && gelf_getshdr(scn, &shdr) && shdr.sh_entsize && elf_getshdrstrndx(elf, &shstrndx) == 0) {
      Elf_Data* data = elf_getdata(scn, nullptr);
      size_t count = data ? data->d_size / shdr.sh_entsize : 0;
      for (size_t i = 0; i < count; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
        if (GELF_ST_TYPE(sym.st_info) != STT_FUNC || sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) continue;
        const char* n = elf_strptr(elf, shdr.sh_link, sym.st_name);
        Elf_Scn* sec = elf_getscn(elf, sym.st_shndx);
        GElf_Shdr sec_hdr;
        if (!n || !sec || !gelf_getshdr(sec, &sec_hdr)) continue;
        const char* sec_name = elf_strptr(elf, shstrndx, sec_hdr.sh_name);
        // libdwfl gave each allocated section an offline address (sh_addr), which is
        // what the relocated DWARF uses.
        cache->second.emplace(n, FileSymbol{sec_hdr.sh_addr + sym.st_value, sym.st_size,
                                            sec_name ? sec_name : "", sym.st_value});
      }
    }
    // kallsyms-style sizes: to the next function of the same section.
    std::map<std::string, std::vector<uint64_t>> starts;
    for (const auto& [n, fs] : cache->second) starts[fs.section].push_back(fs.file_address);
    for (auto& [sec, v] : starts) std::sort(v.begin(), v.end());
    for (auto& [n, fs] : cache->second) {
      const auto& v = starts[fs.section];
      auto next = std::upper_bound(v.begin(), v.end(), fs.file_address);
      fs.span = next != v.end() ? *next - fs.file_address : 0;
    }
  }
  auto [lo, hi] = cache->second.equal_range(name);
  for (auto i = lo; i != hi; ++i) out.push_back(i->second);
  return out;
}

std::optional<FileSymbol> FrameSymbolizer::pick_symbol(DebugModule& module, std::string_view name, uint64_t size) {
  std::vector<FileSymbol> all = find_symbols(module, name);
  if (all.empty()) return std::nullopt;
  // Static functions of the same name in several files: the printed size tells them
  // apart (faddr2line does the same).
  // kallsyms sizes run to the next symbol (alignment padding included), as faddr2line
  // computes them from nm; then the ELF size; then the closest ELF size below.
  if (size) {
    for (const FileSymbol& s : all)
      if (s.span == size) return s;
    for (const FileSymbol& s : all)
      if (s.size == size) return s;
    const FileSymbol* best = nullptr;
    for (const FileSymbol& s : all)
      if (s.size <= size && (!best || s.size > best->size)) best = &s;
    if (best) return *best;
  }
  return all.front();
}

std::vector<uint8_t> FrameSymbolizer::read_code(const DebugModule& module, uint64_t file_address, size_t size) const {
  Elf* elf = module.elf().elf();
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC) || shdr.sh_type == SHT_NOBITS) continue;
    if (file_address - shdr.sh_addr >= shdr.sh_size) continue;
    const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
    if (!name) return {};
    auto data = module.elf().section_data(name);
    if (!data) return {};
    uint64_t off = file_address - shdr.sh_addr;
    if (off >= data->size()) return {};
    size_t n = std::min<uint64_t>(size, data->size() - off);
    return {data->begin() + off, data->begin() + off + n};
  }
  return {};
}

const PcScopes& FrameSymbolizer::scopes(DebugModule& module, uint64_t file_address) {
  // The unit's function index first: FrameScopes' walk from the unit's top misses
  // functions of a module whose sections were placed at run-time addresses.
  auto key = std::make_pair(static_cast<const DebugModule*>(&module), file_address);
  if (auto it = own_scopes_.find(key); it != own_scopes_.end()) return *it->second;
  auto sc = std::make_unique<PcScopes>();
  if (ranges_.scopes(module.elf().dwarf(), file_address, sc.get()))
    return *own_scopes_.emplace(key, std::move(sc)).first->second;
  return scopes_.lookup(module.elf().dwarf(), file_address);
}

SymbolizedFrame FrameSymbolizer::resolve(DebugModule& module, uint64_t file_address, bool return_address) {
  SymbolizedFrame f;
  f.module = &module;
  f.module_name = module.name();
  f.file_address = file_address;
  f.lookup_address = return_address && file_address > 0 ? file_address - 1 : file_address;
  f.resolved = true;
  if (module.elf().is_relocatable()) {
    // The containing symbol and its section, from the .ko's own symbols.
    find_symbols(module, "");  // fills the cache
    for (const auto& [name, s] : ko_symbols_[&module]) {
      if (f.lookup_address - s.file_address < std::max<uint64_t>(s.size, 1)) {
        f.symbol = name;
        f.symbol_offset = file_address - s.file_address;
        f.symbol_size = s.size;
        f.section = s.section;
        f.section_offset = s.section_offset + f.symbol_offset;
        break;
      }
    }
  } else if (auto s = module.symbols().symbolize(module.relocate(f.lookup_address))) {
    f.symbol = std::string(s->name);
    f.symbol_offset = file_address - *module.unrelocate(s->symbol_address);
    f.symbol_size = s->size;
  }
  // The per-unit function index first (fast for many PCs); FrameScopes' full walk for
  // what it does not cover.
  Dwarf_Die fast_cu;
  path_dies_.clear();
  bool fast = ranges_.inline_chain(module.elf().dwarf(), f.lookup_address, &f.frames, &fast_cu, &path_dies_);
  PcScopes none;
  const PcScopes& sc = fast ? none : scopes(module, f.lookup_address);
  if (fast) {
    none.cu = fast_cu;
    none.has_cu = true;
  }
  bool innermost_mangled = false;
  for (const FrameScope& fs : sc.frames) {
    Dwarf_Die d = fs.function;
    bool mangled = false;
    std::string gnu = gnu_function_name(&d, f.frames.empty() ? &mangled : nullptr);
    if (f.frames.empty()) innermost_mangled = mangled;
    f.frames.push_back({fs.name, fs.position, fs.inlined, gnu});
  }
  if (fast && !f.frames.empty() && !path_dies_.empty()) {
    // The fast path's frames (innermost first) against its DIE path (outermost first).
    size_t n = f.frames.size();
    for (size_t k = 0; k < n && k < path_dies_.size(); ++k) {
      bool mangled = false;
      f.frames[k].gnu_name = gnu_function_name(&path_dies_[n - 1 - k], k == 0 ? &mangled : nullptr);
      if (k == 0) innermost_mangled = mangled;
    }
  }
  // A bare DW_AT_name in a mangling language: addr2line prints the ELF symbol.
  if (innermost_mangled && !f.symbol.empty()) f.frames[0].gnu_name = f.symbol;
  Dwarf_Die unit = sc.cu;
  bool has_unit = sc.has_cu;
  if (f.frames.empty()) {
    // The fallback's line may come from another unit; a file named by an STT_FILE
    // symbol is printed as it is.
    std::optional<Dwarf_Die> line_unit = resolve_without_function(module, sc, &f);
    has_unit = line_unit.has_value();
    if (has_unit) unit = *line_unit;
  }
  if (f.frames.size() == 1 && f.frames[0].function.empty()) f.frames[0].function = f.symbol;
  // Relative names are relative to the unit's DW_AT_comp_dir (itself relative in
  // reproducible builds); addr2line prints them joined, and so do we.
  if (has_unit) {
    Dwarf_Attribute attr;
    const char* dir = dwarf_attr(&unit, DW_AT_comp_dir, &attr) ? dwarf_formstring(&attr) : nullptr;
    if (dir && *dir) {
      for (InlineFrame& i : f.frames)
        if (i.position.known && !i.position.file.empty() && i.position.file.front() != '/')
          i.position.file = std::string(dir) + "/" + i.position.file;
    }
  }
  return f;
}

std::optional<Dwarf_Die> FrameSymbolizer::resolve_without_function(DebugModule& module, const PcScopes& sc,
                                                                   SymbolizedFrame* f) {
  // No function DIE covers the address (assembly, padding, no DWARF). addr2line then
  // takes the line from any unit whose line sequences cover the address, and the
  // function from the ELF symbols by bfd's rule (ElfFunctionFinder); with no line, the
  // file is the STT_FILE name the symbol table gives ("file:?"), else "??:?".
  std::optional<Dwarf_Die> line_unit;
  SourcePosition pos = sc.line;
  if (pos.known && sc.has_cu) {
    line_unit = sc.cu;
  } else {
    Dwarf_Die cu;
    if (line_sequences_.unit_for(module.elf(), f->lookup_address, &cu)) {
      pos = line_position(&cu, f->lookup_address);
      if (pos.known) line_unit = cu;
    }
  }
  auto& finder = function_finders_[&module];
  if (!finder) finder = std::make_unique<ElfFunctionFinder>(module.elf());
  auto function = finder->find(f->lookup_address);
  if (!pos.known && function && !function->file.empty()) {
    pos.file = std::string(function->file);
    pos.line = 0;
    pos.known = true;
  }
  f->frames.push_back({function ? std::string(function->name) : f->symbol, pos, false, ""});
  return line_unit;
}

SymbolizedFrame FrameSymbolizer::symbolize(const CodeLocation& location, bool return_address) {
  if (!location.has_symbol()) {
    if (!location.address) {
      SymbolizedFrame f;
      f.error = "no address and no symbol";
      return f;
    }
    return symbolize_address(*location.address, return_address);
  }
  DebugModule* module = find_module(location.module);
  SymbolizedFrame f;
  if (!module) {
    f.error = location.module.empty() ? "no vmlinux given" : fmt::format("no debug file for module {}", location.module);
    f.runtime_address = location.address;
    return f;
  }
  auto sym = pick_symbol(*module, location.function, location.size);
  if (!sym) {
    f.error = fmt::format("no symbol {} in {}", location.function, module->elf().path());
    f.runtime_address = location.address;
    return f;
  }
  // A return address may be the end of a function ending in a call to a noreturn one.
  // Only a printed size bounds the offset (addr2line takes any address).
  uint64_t limit = location.size;
  if (limit && (location.offset > limit || (location.offset == limit && !return_address))) {
    f.error = fmt::format("offset {:#x} is past the end of {} (size {:#x})", location.offset, location.function, limit);
    return f;
  }
  f = resolve(*module, sym->file_address + location.offset, return_address);
  f.symbol = location.function;
  f.symbol_offset = location.offset;
  f.symbol_size = sym->size;
  // Past the DWARF ranges (alignment padding after a noreturn call): the symbol names
  // the function, as addr2line falls back to the symbol table.
  if (f.frames.size() == 1 && f.frames[0].function.empty()) f.frames[0].function = f.symbol;
  if (module->elf().is_relocatable()) {
    f.section = sym->section;
    f.section_offset = sym->section_offset + location.offset;
  }
  if (location.address) {
    f.runtime_address = location.address;
  } else if (module->kind() == DebugModule::Kind::Kernel) {
    if (module->bias() != 0) f.runtime_address = module->relocate(f.file_address);
    else if (kaslr_) f.runtime_address = f.file_address + *kaslr_;
  } else if (auto r = module->relocate(f.file_address); r != f.file_address) {
    f.runtime_address = r;
  }
  return f;
}

SymbolizedFrame FrameSymbolizer::symbolize_address(uint64_t runtime_address, bool return_address) {
  for (const auto& m : debug_.modules()) {
    uint64_t a = runtime_address;
    if (is_kernel_image(*m)) {
      if (m->bias() == 0 && kaslr_) a -= *kaslr_;
      uint64_t probe = return_address ? a - 1 : a;
      auto s = m->symbols().symbolize(probe);
      if (!s) continue;
      auto file = m->unrelocate(a);
      if (!file) continue;
      SymbolizedFrame f = resolve(*m, *file, return_address);
      f.runtime_address = runtime_address;
      return f;
    }
    if (m->kind() == DebugModule::Kind::KernelModule) {
      auto file = m->unrelocate(a);
      // Without a dump a module's sections are not placed: unrelocate is the identity
      // and says nothing about where it was loaded.
      if (!file || *file == a) continue;
      SymbolizedFrame f = resolve(*m, *file, return_address);
      f.runtime_address = runtime_address;
      return f;
    }
  }
  SymbolizedFrame f;
  f.runtime_address = runtime_address;
  f.error = kaslr_ || debug_.modules().empty() ? "address not in any debug file"
                                               : "address not in any debug file (KASLR offset unknown)";
  return f;
}

SymbolizedFrame FrameSymbolizer::symbolize_text(std::string_view spec, bool return_address) {
  std::string_view s = spec;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  auto parse_hex = [](std::string_view t, uint64_t* out) {
    if (t.substr(0, 2) == "0x" || t.substr(0, 2) == "0X") t.remove_prefix(2);
    if (t.empty()) return false;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out, 16);
    return ec == std::errc() && p == t.data() + t.size();
  };
  uint64_t addr = 0;
  if (parse_hex(s, &addr) && s.find('+') == std::string_view::npos) return symbolize_address(addr, return_address);
  CodeLocation loc;
  if (size_t b = s.find('['); b != std::string_view::npos) {
    size_t e = s.find(']', b);
    if (e == std::string_view::npos) throw SyntaxError(fmt::format("missing ']' in '{}'", spec), b);
    loc.module = std::string(s.substr(b + 1, e - b - 1));
    s = s.substr(0, b);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  } else if (size_t sp = s.find(' '); sp != std::string_view::npos) {
    // "func module" (the brackets may have been eaten by a shell or option parser).
    std::string_view mod = s.substr(sp + 1);
    while (!mod.empty() && mod.front() == ' ') mod.remove_prefix(1);
    loc.module = std::string(mod);
    s = s.substr(0, sp);
  }
  size_t plus = s.rfind('+');
  std::string_view name = s.substr(0, plus);
  if (name.empty() || name.find_first_of(" \t/") != std::string_view::npos)
    throw SyntaxError(fmt::format("expected ADDRESS or SYMBOL+OFFSET[/SIZE] [MODULE], got '{}'", spec), 0);
  loc.function = std::string(name);
  if (plus != std::string_view::npos) {
    std::string_view rest = s.substr(plus + 1);
    size_t slash = rest.find('/');
    if (!parse_hex(rest.substr(0, slash), &loc.offset) ||
        (slash != std::string_view::npos && !parse_hex(rest.substr(slash + 1), &loc.size)))
      throw SyntaxError(fmt::format("bad offset in '{}' (expected +0xOFF or +0xOFF/0xSIZE)", spec), plus + 1);
  }
  return symbolize(loc, return_address);
}

}  // namespace kdive
