// File text at run-time addresses (text_image.h). The KASLR fixups follow
// arch/x86/tools/relocs.c (do_reloc64): absolute R_X86_64_64/32/32S fields move with the
// kernel unless they name a per-CPU symbol (zero-based .data..percpu); PC-relative
// fields move only when they name a per-CPU symbol (the "inverse" relocations, which
// subtract the offset). A .ko's relocations are applied as the kernel's
// apply_relocate_add() (arch/x86/kernel/module.c) does.
#include "linux/text_image.h"

#include <algorithm>
#include <fnmatch.h>
#include <map>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>
#include <gelf.h>

#include "base/byte_cursor.h"
#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "program/program.h"

namespace kdive {

namespace {

std::string section_name(Elf* elf, const GElf_Shdr& shdr) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  const char* n = elf_strptr(elf, shstrndx, shdr.sh_name);
  return n ? n : "";
}

std::span<const uint8_t> section_bytes(Elf_Scn* scn) {
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data || !data->d_buf) return {};
  return {static_cast<const uint8_t*>(data->d_buf), data->d_size};
}

std::optional<uint64_t> symbol_address(Program& program, std::string_view name) {
  for (const auto& m : program.debug_info().modules())
    for (const Symbol& s : m->symbols().lookup(name))
      if (s.address || !s.symbolizable) return s.address;  // per-CPU symbols are offsets
  return std::nullopt;
}

}  // namespace

struct TextImage::RawElf {
  int fd = -1;
  Elf* elf = nullptr;
  explicit RawElf(const std::string& path) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw OsError(errno, path);
    elf_version(EV_CURRENT);
    elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
    if (!elf) {
      ::close(fd);
      throw BadDataError(fmt::format("{}: not an ELF file: {}", path, elf_errmsg(-1)));
    }
  }
  ~RawElf() {
    elf_end(elf);
    ::close(fd);
  }
  RawElf(const RawElf&) = delete;
  RawElf& operator=(const RawElf&) = delete;
};

TextImage TextImage::of_vmlinux(Program& program, const DebugModule& vmlinux) {
  TextImage img;
  img.name_ = "vmlinux";
  img.module_ = &vmlinux;
  img.kaslr_ = vmlinux.bias();
  img.elf_ = vmlinux.elf().elf();
  uint64_t init_begin = 0, init_end = 0;
  for (const Symbol& s : vmlinux.symbols().lookup("__init_begin")) init_begin = s.address;
  for (const Symbol& s : vmlinux.symbols().lookup("__init_end")) init_end = s.address;
  Elf* elf = img.elf_;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_PROGBITS) continue;
    // Code only: 7.2's vmlinux links .data writable *and* executable ("WAX").
    if ((shdr.sh_flags & (SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE)) != (SHF_ALLOC | SHF_EXECINSTR)) continue;
    TextSection t;
    t.name = section_name(elf, shdr);
    t.index = elf_ndxscn(scn);
    t.address = shdr.sh_addr + img.kaslr_;
    t.bytes = section_bytes(scn);
    t.freed = init_end > init_begin && t.address >= init_begin && t.address < init_end;
    img.sections_.push_back(std::move(t));
  }
  img.load_relocations(program, true);
  return img;
}

TextImage TextImage::of_module(Program& program, const DebugModule& ko) {
  TextImage img;
  img.name_ = ko.name();
  img.module_ = &ko;
  img.raw_ = std::make_shared<RawElf>(ko.elf().path());
  img.elf_ = img.raw_->elf;
  Elf* elf = img.elf_;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_PROGBITS) continue;
    // Code only: 7.2's vmlinux links .data writable *and* executable ("WAX").
    if ((shdr.sh_flags & (SHF_ALLOC | SHF_EXECINSTR | SHF_WRITE)) != (SHF_ALLOC | SHF_EXECINSTR)) continue;
    std::optional<uint64_t> at = ko.elf().section_address(elf_ndxscn(scn));
    if (!at) continue;  // not placed (the kernel did not load it)
    TextSection t;
    t.name = section_name(elf, shdr);
    t.index = elf_ndxscn(scn);
    t.address = *at;
    t.bytes = section_bytes(scn);
    t.freed = ko.in_freed_section(*at) || t.name.starts_with(".init");
    img.sections_.push_back(std::move(t));
  }
  img.load_relocations(program, false);
  return img;
}

void TextImage::load_relocations(Program& program, bool vmlinux) {
  Elf* elf = elf_;
  size_t percpu = SIZE_MAX;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) && section_name(elf, shdr) == ".data..percpu") percpu = elf_ndxscn(scn);
  }
  std::map<std::string, std::optional<uint64_t>, std::less<>> undefined;
  size_t unknown_types = 0, unresolved = 0;
  std::string unresolved_names;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr rshdr;
    if (!gelf_getshdr(scn, &rshdr) || rshdr.sh_type != SHT_RELA) continue;
    auto target = std::find_if(sections_.begin(), sections_.end(),
                               [&](const TextSection& t) { return t.index == rshdr.sh_info; });
    if (target == sections_.end()) continue;
    has_relocations_ = true;
    if (vmlinux && kaslr_ == 0) continue;  // nothing moved
    Elf_Data* rdata = elf_getdata(scn, nullptr);
    Elf_Scn* symscn = elf_getscn(elf, rshdr.sh_link);
    Elf_Data* symdata = symscn ? elf_getdata(symscn, nullptr) : nullptr;
    GElf_Shdr symshdr;
    if (!rdata || !symdata || !gelf_getshdr(symscn, &symshdr)) continue;
    const size_t count = rshdr.sh_entsize ? rshdr.sh_size / rshdr.sh_entsize : 0;
    // vmlinux's r_offset is a link-time address; a .ko's an offset in the section.
    const uint64_t link_base = vmlinux ? target->address - kaslr_ : 0;
    for (size_t i = 0; i < count; ++i) {
      GElf_Rela r;
      GElf_Sym sym;
      if (!gelf_getrela(rdata, static_cast<int>(i), &r)) break;
      const uint32_t type = GELF_R_TYPE(r.r_info);
      if (!gelf_getsym(symdata, static_cast<int>(GELF_R_SYM(r.r_info)), &sym)) continue;
      if (r.r_offset < link_base) continue;
      const uint64_t off = r.r_offset - link_base;
      const uint8_t width = (type == R_X86_64_64 || type == R_X86_64_PC64) ? 8 : 4;
      if (off + width > target->bytes.size()) continue;
      const uint64_t field = target->address + off;
      if (vmlinux) {
        ByteCursor c(target->bytes, module_->elf().path(), target->name, true, 0);
        c.seek(off);
        const uint64_t linked = c.unsigned_of_size(width);
        // relocs.c is_percpu_sym(): symbols of .data..percpu except __init_begin,
        // __per_cpu_load* and init_per_cpu_* (real addresses that share its index).
        bool per_cpu = sym.st_shndx == percpu;
        if (per_cpu) {
          const char* n = elf_strptr(elf, symshdr.sh_link, sym.st_name);
          std::string_view name = n ? n : "";
          if (name == "__init_begin" || name.starts_with("__per_cpu_load") || name.starts_with("init_per_cpu_"))
            per_cpu = false;
        }
        int64_t delta = 0;
        if (type == R_X86_64_64 || type == R_X86_64_32 || type == R_X86_64_32S) {
          if (!per_cpu && sym.st_shndx != SHN_ABS) delta = static_cast<int64_t>(kaslr_);
        } else if (type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64) {
          if (per_cpu) delta = -static_cast<int64_t>(kaslr_);
        }
        if (delta == 0) continue;
        uint64_t v = linked + static_cast<uint64_t>(delta);
        if (width == 4) v &= 0xffffffffu;
        fixups_.push_back({field, width, true, v});
        continue;
      }
      // A .ko: S + A (- P), S resolved in the dump.
      std::optional<uint64_t> s;
      if (sym.st_shndx == SHN_UNDEF) {
        const char* n = elf_strptr(elf, symshdr.sh_link, sym.st_name);
        std::string name = n ? n : "";
        auto it = undefined.find(name);
        if (it == undefined.end()) it = undefined.emplace(name, symbol_address(program, name)).first;
        s = it->second;
      } else if (sym.st_shndx == SHN_ABS) {
        s = sym.st_value;
      } else if (std::optional<uint64_t> base = module_->elf().section_address(sym.st_shndx)) {
        s = *base + sym.st_value;
      }
      uint64_t v = 0;
      bool known = s.has_value();
      const uint64_t sa = s.value_or(0) + static_cast<uint64_t>(r.r_addend);
      switch (type) {
        case R_X86_64_64: v = sa; break;
        case R_X86_64_32:
        case R_X86_64_32S: v = sa & 0xffffffffu; break;
        case R_X86_64_PC32:
        case R_X86_64_PLT32: v = (sa - field) & 0xffffffffu; break;
        case R_X86_64_PC64: v = sa - field; break;
        default: known = false; ++unknown_types; break;
      }
      if (!s && ++unresolved <= 3) {
        const char* n = elf_strptr(elf, symshdr.sh_link, sym.st_name);
        unresolved_names += fmt::format("{}{}", unresolved > 1 ? ", " : "", n && *n ? n : "?");
      }
      fixups_.push_back({field, width, known, v});
    }
  }
  std::sort(fixups_.begin(), fixups_.end(), [](const Fixup& a, const Fixup& b) { return a.address < b.address; });
  if (unknown_types) problems_.push_back(fmt::format("{}: {} relocations of types kdive does not apply", name_, unknown_types));
  if (unresolved) problems_.push_back(fmt::format("{}: {} relocations name symbols not found in the dump ({}{})", name_, unresolved,
                                             unresolved_names, unresolved > 3 ? ", ..." : ""));
}

const TextSection* TextImage::section_at(uint64_t address) const {
  for (const TextSection& t : sections_)
    if (address >= t.address && address - t.address < t.bytes.size()) return &t;
  return nullptr;
}

bool TextImage::read(uint64_t address, size_t size, std::vector<uint8_t>& bytes, std::vector<bool>* unknown) const {
  const TextSection* t = section_at(address);
  if (!t || size > t->bytes.size() - (address - t->address)) return false;
  const size_t off = address - t->address;
  bytes.assign(t->bytes.begin() + static_cast<ptrdiff_t>(off), t->bytes.begin() + static_cast<ptrdiff_t>(off + size));
  if (unknown) unknown->assign(size, false);
  // Fixups that start up to 7 bytes before the range may reach into it.
  auto it = std::lower_bound(fixups_.begin(), fixups_.end(), address >= 8 ? address - 7 : 0,
                             [](const Fixup& f, uint64_t a) { return f.address < a; });
  for (; it != fixups_.end() && it->address < address + size; ++it) {
    for (unsigned i = 0; i < it->width; ++i) {
      uint64_t a = it->address + i;
      if (a < address || a >= address + size) continue;
      if (it->known) bytes[a - address] = static_cast<uint8_t>(it->value >> (8 * i));
      else if (unknown) (*unknown)[a - address] = true;
    }
  }
  return true;
}

std::optional<std::pair<uint64_t, unsigned>> TextImage::relocation_at(uint64_t address) const {
  auto it = std::lower_bound(fixups_.begin(), fixups_.end(), address >= 8 ? address - 7 : 0,
                             [](const Fixup& f, uint64_t a) { return f.address < a; });
  for (; it != fixups_.end() && it->address <= address; ++it)
    if (address < it->address + it->width) return std::make_pair(it->address, unsigned{it->width});
  return std::nullopt;
}

std::vector<TextImage> kernel_text_images(Program& program) {
  std::vector<TextImage> out;
  for (const auto& m : program.debug_info().modules())
    if (m->kind() == DebugModule::Kind::Kernel) out.push_back(TextImage::of_vmlinux(program, *m));
  for (const auto& m : program.debug_info().modules())
    if (m->kind() == DebugModule::Kind::KernelModule) out.push_back(TextImage::of_module(program, *m));
  return out;
}

std::vector<TextFunction> text_functions(const std::vector<TextImage>& images, std::string_view glob) {
  std::vector<TextFunction> out;
  const std::string pattern(glob);
  for (const TextImage& img : images) {
    for (const Symbol& s : img.module().symbols().symbols()) {
      if (!s.is_function || !s.size || !s.symbolizable) continue;
      // Padding before a function (CONFIG_FUNCTION_PADDING_BYTES, 6.2+): NOPs that call
      // thunks or FineIBT may fill, named after the function but not a function.
      if (s.name.starts_with("__pfx_") || s.name.starts_with("__cfi_")) continue;
      const TextSection* t = img.section_at(s.address);
      if (!t || t->freed) continue;
      if (!pattern.empty() && fnmatch(pattern.c_str(), std::string(s.name).c_str(), 0) != 0) continue;
      out.push_back({s.name, s.address, s.size, &img, s.is_global});
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const TextFunction& a, const TextFunction& b) { return a.address < b.address; });
  std::vector<TextFunction> unique;
  for (const TextFunction& f : out) {
    if (!unique.empty() && unique.back().address == f.address) {
      if (f.global && !unique.back().global) unique.back() = f;
      continue;
    }
    unique.push_back(f);
  }
  return unique;
}

}  // namespace kdive
