// ELF patch-site tables (patch_site_tables.h). Entry layouts come from DWARF where the
// kernel has a struct for them (arch/x86/include/asm/alternative.h struct alt_instr,
// include/linux/jump_label.h struct jump_entry, include/linux/static_call_types.h struct
// static_call_site, arch/x86/include/asm/paravirt_types.h struct paravirt_patch_site);
// the others are arrays of s32 offsets relative to the entry (arch/x86/kernel/alternative.c
// apply_retpolines/apply_returns/apply_seal_endbr, alternatives_smp_*, callthunks.c) or,
// for __mcount_loc, absolute addresses (scripts/recordmcount, objtool --mcount).
#include "linux/patch_site_tables.h"

#include <algorithm>
#include <optional>
#include <span>

#include <fmt/format.h>
#include <gelf.h>

#include "base/byte_cursor.h"
#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/text_image.h"
#include "program/program.h"

namespace kdive {

namespace {

struct TableSpec {
  PatchSiteKind kind;
  const char* section;       // in a .ko
  const char* start;         // vmlinux: first entry
  const char* stop;          // vmlinux: end
  const char* struct_name;   // entry type, or null for a plain array
  const char* addr_field;    // member holding the instruction (struct entries)
  bool absolute;             // u64 address instead of an s32 relative offset
  uint32_t length;           // bytes rewritten, when not in the entry
  const char* len_field;     // member holding the length
  const char* detail_field;  // member with the key or feature
};

constexpr TableSpec kTables[] = {
    {PatchSiteKind::Alternative, ".altinstructions", "__alt_instructions", "__alt_instructions_end", "struct alt_instr",
     "instr_offset", false, 0, "instrlen", "cpuid"},
    {PatchSiteKind::JumpLabel, "__jump_table", "__start___jump_table", "__stop___jump_table", "struct jump_entry", "code",
     false, 5, nullptr, "key"},
    {PatchSiteKind::StaticCall, ".static_call_sites", "__start_static_call_sites", "__stop_static_call_sites",
     "struct static_call_site", "addr", false, 5, nullptr, "key"},
    {PatchSiteKind::Retpoline, ".retpoline_sites", "__retpoline_sites", "__retpoline_sites_end", nullptr, nullptr, false,
     6, nullptr, nullptr},
    {PatchSiteKind::ReturnThunk, ".return_sites", "__return_sites", "__return_sites_end", nullptr, nullptr, false, 5,
     nullptr, nullptr},
    {PatchSiteKind::Paravirt, ".parainstructions", "__parainstructions", "__parainstructions_end",
     "struct paravirt_patch_site", "instr", true, 0, "len", nullptr},
    {PatchSiteKind::SmpLock, ".smp_locks", "__smp_locks", "__smp_locks_end", nullptr, nullptr, false, 1, nullptr, nullptr},
    {PatchSiteKind::CallThunk, ".call_sites", "__call_sites", "__call_sites_end", nullptr, nullptr, false, 5, nullptr,
     nullptr},
    {PatchSiteKind::EndbrSeal, ".ibt_endbr_seal", "__ibt_endbr_seal", "__ibt_endbr_seal_end", nullptr, nullptr, false, 4,
     nullptr, nullptr},
    {PatchSiteKind::Mcount, "__mcount_loc", "__start_mcount_loc", "__stop_mcount_loc", nullptr, nullptr, true, 5, nullptr,
     nullptr},
};

struct EntryLayout {
  uint64_t size = 4, addr = 0;
  std::optional<uint64_t> len, detail;
  uint64_t detail_size = 0;
};

std::optional<EntryLayout> entry_layout(KernelLayout& layout, const TableSpec& spec) {
  EntryLayout e;
  if (!spec.struct_name) {
    e.size = spec.absolute ? 8 : 4;
    return e;
  }
  std::optional<uint64_t> addr = layout.find_offset(spec.struct_name, spec.addr_field);
  if (!addr) return std::nullopt;  // the kernel has no such table
  e.size = layout.size_of(spec.struct_name);
  e.addr = *addr;
  if (spec.len_field) e.len = layout.find_offset(spec.struct_name, spec.len_field);
  if (spec.len_field && !e.len) return std::nullopt;
  if (spec.detail_field) {
    // 6.2+ alt_instr keeps cpuid in a bit field of the ft_flags union.
    const char* name = spec.detail_field;
    if (spec.kind == PatchSiteKind::Alternative && layout.has_member(spec.struct_name, "ft_flags")) name = "ft_flags";
    e.detail = layout.find_offset(spec.struct_name, name);
    if (e.detail) e.detail_size = layout.member_size(spec.struct_name, name);
  }
  return e;
}

std::optional<uint64_t> vmlinux_symbol(const DebugModule& m, const char* name) {
  for (const Symbol& s : m.symbols().lookup(name)) return s.address - m.bias();
  return std::nullopt;
}

// The bytes of vmlinux at link-time addresses [begin, end), from the section holding them.
std::optional<std::span<const uint8_t>> vmlinux_range(const DebugModule& m, uint64_t begin, uint64_t end) {
  Elf* elf = m.elf().elf();
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_ALLOC)) continue;
    if (begin < sh.sh_addr || end > sh.sh_addr + sh.sh_size) continue;
    Elf_Data* d = elf_getdata(scn, nullptr);
    if (!d || !d->d_buf || d->d_size < sh.sh_size) return std::nullopt;
    return std::span<const uint8_t>(static_cast<const uint8_t*>(d->d_buf) + (begin - sh.sh_addr), end - begin);
  }
  return std::nullopt;
}

// A .ko section's relocations as offset → S + A (the address a PC-relative or absolute
// field names once applied). Symbols must be defined in the module: the sites are.
std::map<uint64_t, uint64_t> module_targets(Elf* elf, const DebugModule& m, size_t shndx) {
  std::map<uint64_t, uint64_t> out;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr rsh;
    if (!gelf_getshdr(scn, &rsh) || rsh.sh_type != SHT_RELA || rsh.sh_info != shndx) continue;
    Elf_Data* rd = elf_getdata(scn, nullptr);
    Elf_Scn* symscn = elf_getscn(elf, rsh.sh_link);
    Elf_Data* sd = symscn ? elf_getdata(symscn, nullptr) : nullptr;
    if (!rd || !sd || !rsh.sh_entsize) continue;
    for (size_t i = 0; i < rsh.sh_size / rsh.sh_entsize; ++i) {
      GElf_Rela r;
      GElf_Sym sym;
      if (!gelf_getrela(rd, static_cast<int>(i), &r)) break;
      if (!gelf_getsym(sd, static_cast<int>(GELF_R_SYM(r.r_info)), &sym)) continue;
      if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) continue;
      std::optional<uint64_t> base = m.elf().section_address(sym.st_shndx);
      if (!base) continue;
      out[r.r_offset] = *base + sym.st_value + static_cast<uint64_t>(r.r_addend);
    }
  }
  return out;
}

Elf_Scn* find_section(Elf* elf, std::string_view name) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return nullptr;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    const char* n = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : nullptr;
    if (n && name == n) return scn;
  }
  return nullptr;
}

}  // namespace

const char* patch_site_kind_name(PatchSiteKind kind) {
  switch (kind) {
    case PatchSiteKind::Alternative: return "alternative";
    case PatchSiteKind::JumpLabel: return "jump label";
    case PatchSiteKind::StaticCall: return "static call";
    case PatchSiteKind::Retpoline: return "retpoline";
    case PatchSiteKind::ReturnThunk: return "return thunk";
    case PatchSiteKind::Paravirt: return "paravirt";
    case PatchSiteKind::SmpLock: return "smp lock";
    case PatchSiteKind::CallThunk: return "call thunk";
    case PatchSiteKind::EndbrSeal: return "endbr seal";
    case PatchSiteKind::Mcount: return "mcount";
    case PatchSiteKind::RuntimeConst: return "runtime const";
  }
  return "?";
}

void PatchSiteTables::add(Program& program, KernelLayout& layout, const TextImage& image) {
  const DebugModule& m = image.module();
  const bool vmlinux = m.kind() == DebugModule::Kind::Kernel;
  for (const TableSpec& spec : kTables) {
    std::optional<EntryLayout> e;
    try {
      e = entry_layout(layout, spec);
    } catch (const Error& err) {
      problems_.push_back(fmt::format("{}: {}: {}", image.name(), spec.section, err.what()));
      continue;
    }
    if (!e || e->size == 0) continue;
    std::span<const uint8_t> bytes;
    uint64_t table_base = 0;  // vmlinux: link-time address of the table; .ko: 0 (offsets)
    std::map<uint64_t, uint64_t> targets;
    if (vmlinux) {
      std::optional<uint64_t> start = vmlinux_symbol(m, spec.start), stop = vmlinux_symbol(m, spec.stop);
      if (!start || !stop || *stop <= *start) continue;
      std::optional<std::span<const uint8_t>> r = vmlinux_range(m, *start, *stop);
      if (!r) {
        problems_.push_back(fmt::format("vmlinux: {}..{} is not in a section of the file", spec.start, spec.stop));
        continue;
      }
      bytes = *r;
      table_base = *start;
    } else {
      Elf_Scn* scn = find_section(image.elf(), spec.section);
      if (!scn) continue;
      Elf_Data* d = elf_getdata(scn, nullptr);
      if (!d || !d->d_buf) continue;
      bytes = std::span<const uint8_t>(static_cast<const uint8_t*>(d->d_buf), d->d_size);
      targets = module_targets(image.elf(), m, elf_ndxscn(scn));
    }
    // The last entry may end at its last field: 5.10's paravirt sites are emitted by
    // asm (_paravirt_alt) with .balign 8 before each, not after.
    uint64_t needed = e->addr + (spec.absolute ? 8 : 4);
    if (e->len) needed = std::max(needed, *e->len + 1);
    if (e->detail) needed = std::max(needed, *e->detail + std::max<uint64_t>(e->detail_size, 4));
    needed = std::min(needed, e->size);
    if (uint64_t rest = bytes.size() % e->size; rest && rest < needed)
      problems_.push_back(fmt::format("{}: {} is {} bytes, not a whole number of {}-byte entries", image.name(),
                                      spec.section, bytes.size(), e->size));
    ByteCursor c(bytes, m.elf().path(), spec.section);
    size_t unplaced = 0;
    for (uint64_t at = 0; at + needed <= bytes.size(); at += e->size) {
      PatchSite s;
      s.kind = spec.kind;
      s.length = spec.length;
      // The address a field names: vmlinux holds it linked; a .ko in its relocation.
      auto field_target = [&](uint64_t field_off, bool absolute) -> std::optional<uint64_t> {
        if (!vmlinux) {
          auto it = targets.find(at + field_off);
          if (it == targets.end()) return std::nullopt;
          return it->second;
        }
        c.seek(at + field_off);
        if (absolute) {
          uint64_t v = c.u64();
          return v ? std::optional<uint64_t>(v + image.kaslr_offset()) : std::nullopt;
        }
        return table_base + at + field_off + static_cast<uint64_t>(int64_t{c.s32()}) + image.kaslr_offset();
      };
      std::optional<uint64_t> addr = field_target(e->addr, spec.absolute);
      if (!addr) {
        ++unplaced;
        continue;
      }
      s.address = *addr;
      if (e->len) {
        c.seek(at + *e->len);
        s.length = c.u8();
      }
      if (e->detail) {
        if (spec.kind == PatchSiteKind::Alternative) {
          c.seek(at + *e->detail);
          s.detail = c.unsigned_of_size(e->detail_size);
        } else if (std::optional<uint64_t> key = field_target(*e->detail, false)) {
          s.detail = *key & ~uint64_t{3};  // JUMP_TYPE_* / STATIC_CALL_SITE_* flag bits
        }
      }
      if (s.length) sites_.push_back(s);
    }
    if (unplaced && !vmlinux)
      problems_.push_back(fmt::format("{}: {}: {} entries without a placed relocation", image.name(), spec.section, unplaced));
  }
  add_runtime_consts(image);
  finish();
}

// arch/x86/include/asm/runtime-const.h (6.11+): each runtime_const_ptr(sym) /
// runtime_const_shift_right_32(val, sym) records, in a section of its own named after the
// symbol, an s32 offset to the end of its instruction minus the immediate's size (8 or 1).
void PatchSiteTables::add_runtime_consts(const TextImage& image) {
  const DebugModule& m = image.module();
  const bool vmlinux = m.kind() == DebugModule::Kind::Kernel;
  Elf* elf = image.elf();
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    const char* n = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : nullptr;
    if (!n || sh.sh_type != SHT_PROGBITS) continue;
    std::string_view name(n);
    uint32_t length = name.starts_with("runtime_ptr_") ? 8 : name.starts_with("runtime_shift_") ? 1 : 0;
    if (!length) continue;
    Elf_Data* d = elf_getdata(scn, nullptr);
    if (!d || !d->d_buf) continue;
    std::span<const uint8_t> bytes(static_cast<const uint8_t*>(d->d_buf), d->d_size);
    std::map<uint64_t, uint64_t> targets;
    if (!vmlinux) targets = module_targets(elf, m, elf_ndxscn(scn));
    ByteCursor c(bytes, m.elf().path(), std::string(name));
    for (uint64_t at = 0; at + 4 <= bytes.size(); at += 4) {
      PatchSite s;
      s.kind = PatchSiteKind::RuntimeConst;
      s.length = length;
      if (vmlinux) {
        c.seek(at);
        s.address = sh.sh_addr + at + static_cast<uint64_t>(int64_t{c.s32()}) + image.kaslr_offset();
      } else if (auto it = targets.find(at); it != targets.end()) {
        s.address = it->second;
      } else {
        continue;
      }
      sites_.push_back(s);
    }
  }
}

void PatchSiteTables::finish() {
  std::sort(sites_.begin(), sites_.end(), [](const PatchSite& a, const PatchSite& b) { return a.address < b.address; });
  for (const PatchSite& s : sites_) max_length_ = std::max(max_length_, s.length);
}

std::vector<const PatchSite*> PatchSiteTables::covering(uint64_t address) const {
  std::vector<const PatchSite*> out;
  uint64_t from = address >= max_length_ ? address - max_length_ : 0;
  auto it = std::lower_bound(sites_.begin(), sites_.end(), from,
                             [](const PatchSite& s, uint64_t a) { return s.address < a; });
  for (; it != sites_.end() && it->address <= address; ++it)
    if (address < it->address + it->length) out.push_back(&*it);
  return out;
}

std::map<PatchSiteKind, size_t> PatchSiteTables::counts() const {
  std::map<PatchSiteKind, size_t> out;
  for (const PatchSite& s : sites_) ++out[s.kind];
  return out;
}

}  // namespace kdive
