// Symbol pack writing (libelf, ELF_C_WRITE) and reading. The writer keeps the vmlinux's
// string table byte for byte, so symbol names need no re-encoding, and stubs its
// allocated sections as NOBITS headers, so the pack stays a well-formed ELF that readelf,
// nm and ElfFile open, while its size is that of the symbols and BTF alone.
#include "debuginfo/symbol_pack.h"

#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "base/replacing_file.h"
#include "kdive/error.h"

namespace kdive {

namespace {

constexpr const char* kPackSection = ".kdive.pack";
constexpr const char* kLetterSection = ".kdive.nmtype";

// The section holding the ELF symbol table (by type: a name can lie), or null.
Elf_Scn* symtab_section(Elf* elf) {
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr;
    if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB) return scn;
  }
  return nullptr;
}

// The header of section `index`, or nullopt for a special or out-of-range index.
std::optional<GElf_Shdr> section_header(Elf* elf, size_t index) {
  if (index == SHN_UNDEF || index >= SHN_LORESERVE) return std::nullopt;
  Elf_Scn* scn = elf_getscn(elf, index);
  GElf_Shdr shdr;
  if (!scn || !gelf_getshdr(scn, &shdr)) return std::nullopt;
  return shdr;
}

std::vector<uint8_t> hex_bytes(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    uint8_t b = 0;
    std::from_chars(hex.data() + i, hex.data() + i + 2, b, 16);
    out.push_back(b);
  }
  return out;
}

// Section names are appended to one .shstrtab buffer; each call returns the name's offset.
class StringTable {
 public:
  StringTable() : bytes_(1, '\0') {}
  size_t add(const std::string& s) {
    size_t off = bytes_.size();
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back('\0');
    return off;
  }
  std::vector<char>& bytes() { return bytes_; }

 private:
  std::vector<char> bytes_;
};

// Owns the libelf descriptor of the pack being written.
struct ElfWriter {
  Elf* elf;
  explicit ElfWriter(int fd) : elf(elf_begin(fd, ELF_C_WRITE, nullptr)) {
    if (!elf) throw BadDataError(fmt::format("cannot start an ELF file: {}", elf_errmsg(-1)));
  }
  ~ElfWriter() { elf_end(elf); }
  ElfWriter(const ElfWriter&) = delete;
  ElfWriter& operator=(const ElfWriter&) = delete;
};

}  // namespace

char nm_symbol_letter(const GElf_Sym& sym, const GElf_Shdr* section) {
  unsigned bind = GELF_ST_BIND(sym.st_info), type = GELF_ST_TYPE(sym.st_info);
  if (type == STT_FILE || type == STT_SECTION) return '?';
  if (sym.st_shndx == SHN_UNDEF) return bind == STB_WEAK ? (type == STT_OBJECT ? 'v' : 'w') : 'U';
  if (bind == STB_WEAK) return type == STT_OBJECT ? 'V' : 'W';
  char c = '?';
  if (sym.st_shndx == SHN_ABS) c = 'a';
  else if (sym.st_shndx == SHN_COMMON) c = 'c';
  else if (section) {
    if (section->sh_flags & SHF_EXECINSTR) c = 't';
    else if (section->sh_type == SHT_NOBITS) c = 'b';
    else if (!(section->sh_flags & SHF_ALLOC)) c = 'n';
    else if (!(section->sh_flags & SHF_WRITE)) c = 'r';
    else c = 'd';
  }
  if (c != '?' && bind != STB_LOCAL) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return c;
}

SymbolPackSummary write_symbol_pack(const ElfFile& vmlinux, const std::string& path) {
  Elf* src = vmlinux.elf();
  const std::string& from = vmlinux.path();
  if (gelf_getclass(src) != ELFCLASS64) throw BadDataError(from + ": not a 64-bit ELF file");
  Elf_Scn* src_symtab = symtab_section(src);
  if (!src_symtab) throw MissingDebugInfoError(from + ": no symbol table (.symtab): nothing to pack");
  std::optional<std::span<const uint8_t>> btf = vmlinux.section_data(".BTF");
  if (!btf || btf->empty())
    throw MissingDebugInfoError(from + ": no .BTF section (a kernel built without CONFIG_DEBUG_INFO_BTF): "
                                "a pack without types would be of little use");
  if (vmlinux.build_id().empty())
    throw MissingDebugInfoError(from + ": no GNU build ID: a pack could not be matched to a dump");
  GElf_Shdr symtab_hdr;
  gelf_getshdr(src_symtab, &symtab_hdr);
  Elf_Data* src_syms = elf_getdata(src_symtab, nullptr);
  auto strtab_hdr = section_header(src, symtab_hdr.sh_link);
  Elf_Data* src_strs = elf_getdata(elf_getscn(src, symtab_hdr.sh_link), nullptr);
  if (!src_syms || !strtab_hdr || !src_strs || symtab_hdr.sh_entsize != sizeof(Elf64_Sym))
    throw BadDataError(from + ": unreadable .symtab or its string table");

  size_t shstrndx = 0;
  elf_getshdrstrndx(src, &shstrndx);
  ReplacingFile tmp(path);
  ElfWriter out(tmp.fd());
  if (!gelf_newehdr(out.elf, ELFCLASS64)) throw BadDataError(fmt::format("{}: {}", path, elf_errmsg(-1)));
  GElf_Ehdr eh;
  gelf_getehdr(out.elf, &eh);
  const GElf_Ehdr& sh = vmlinux.header();
  eh.e_ident[EI_DATA] = sh.e_ident[EI_DATA];
  eh.e_ident[EI_OSABI] = sh.e_ident[EI_OSABI];
  eh.e_type = ET_EXEC;
  eh.e_machine = sh.e_machine;
  eh.e_version = EV_CURRENT;
  eh.e_flags = sh.e_flags;
  eh.e_entry = sh.e_entry;

  StringTable names;
  // Every buffer handed to libelf must live until elf_update().
  size_t src_sections = 0;
  elf_getshdrnum(src, &src_sections);
  std::vector<size_t> new_index(src_sections, 0);  // the vmlinux's index → the pack's, 0: dropped
  auto add_section = [&](const std::string& name, GElf_Shdr hdr, void* buf, size_t size, Elf_Type type,
                         size_t align) {
    Elf_Scn* scn = elf_newscn(out.elf);
    Elf_Data* d = scn ? elf_newdata(scn) : nullptr;
    if (!d) throw BadDataError(fmt::format("{}: {}", path, elf_errmsg(-1)));
    d->d_buf = buf;  // null for NOBITS: libelf counts the size and writes no bytes
    d->d_size = size;
    d->d_type = type;
    d->d_align = align;
    d->d_version = EV_CURRENT;
    hdr.sh_name = static_cast<GElf_Word>(names.add(name));
    gelf_update_shdr(scn, &hdr);
    return elf_ndxscn(scn);
  };

  // The allocated sections, as NOBITS stubs (.BTF with its bytes).
  std::vector<uint8_t> btf_copy(btf->begin(), btf->end());
  for (Elf_Scn* scn = elf_nextscn(src, nullptr); scn; scn = elf_nextscn(src, scn)) {
    GElf_Shdr h;
    if (!gelf_getshdr(scn, &h) || !(h.sh_flags & SHF_ALLOC)) continue;
    const char* n = elf_strptr(src, shstrndx, h.sh_name);
    std::string name = n ? n : "";
    size_t old = elf_ndxscn(scn);
    GElf_Shdr stub = h;
    stub.sh_link = stub.sh_info = 0;
    size_t idx;
    if (name == ".BTF") {
      stub.sh_type = SHT_PROGBITS;
      stub.sh_flags &= ~static_cast<GElf_Xword>(SHF_COMPRESSED);
      idx = add_section(name, stub, btf_copy.data(), btf_copy.size(), ELF_T_BYTE, 1);
    } else {
      stub.sh_type = SHT_NOBITS;
      idx = add_section(name, stub, nullptr, h.sh_size, ELF_T_BYTE, 1);
    }
    if (old < new_index.size()) new_index[old] = idx;
  }

  // NT_GNU_BUILD_ID alone: namesz, descsz, type, "GNU\0", the ID padded to 4 bytes.
  std::vector<uint8_t> id = hex_bytes(vmlinux.build_id());
  std::vector<uint8_t> note(sizeof(GElf_Nhdr) + 4 + (id.size() + 3) / 4 * 4, 0);
  GElf_Nhdr nh{4, static_cast<GElf_Word>(id.size()), NT_GNU_BUILD_ID};
  std::memcpy(note.data(), &nh, sizeof nh);
  std::memcpy(note.data() + sizeof nh, "GNU", 4);
  std::memcpy(note.data() + sizeof nh + 4, id.data(), id.size());
  GElf_Shdr note_hdr{};
  note_hdr.sh_type = SHT_NOTE;
  note_hdr.sh_addralign = 4;
  add_section(".note.gnu.build-id", note_hdr, note.data(), note.size(), ELF_T_NHDR, 4);

  // The symbols, their sections renumbered, and each one's nm letter.
  size_t count = symtab_hdr.sh_size / sizeof(Elf64_Sym);
  std::vector<Elf64_Sym> syms;
  std::vector<char> letters;
  syms.reserve(count);
  letters.reserve(count);
  size_t locals = 0;
  for (size_t i = 0; i < count; ++i) {
    GElf_Sym s;
    if (!gelf_getsym(src_syms, static_cast<int>(i), &s))
      throw BadDataError(from, fmt::format(".symtab: entry {} unreadable", i), symtab_hdr.sh_offset);
    std::optional<GElf_Shdr> sec = section_header(src, s.st_shndx);
    char letter = nm_symbol_letter(s, sec ? &*sec : nullptr);
    if (sec) {
      size_t mapped = s.st_shndx < new_index.size() ? new_index[s.st_shndx] : 0;
      // A section symbol of a dropped (debug, relocation) section names nothing kept.
      if (!mapped && GELF_ST_TYPE(s.st_info) == STT_SECTION) continue;
      s.st_shndx = static_cast<GElf_Section>(mapped ? mapped : SHN_ABS);
    }
    if (i < symtab_hdr.sh_info) ++locals;
    syms.push_back({s.st_name, s.st_info, s.st_other, s.st_shndx, s.st_value, s.st_size});
    letters.push_back(letter);
  }

  std::string info = fmt::format("kdive-symbol-pack {}\nmade_from {}\nmade_from_bytes {}\nbuild_id {}\nsymbols {}\n"
                                 "btf_bytes {}\n",
                                 kSymbolPackVersion, from, std::filesystem::file_size(from), vmlinux.build_id(),
                                 syms.size(), btf_copy.size());
  GElf_Shdr plain{};
  plain.sh_type = SHT_PROGBITS;
  plain.sh_addralign = 1;
  add_section(kLetterSection, plain, letters.data(), letters.size(), ELF_T_BYTE, 1);
  add_section(kPackSection, plain, info.data(), info.size(), ELF_T_BYTE, 1);
  GElf_Shdr strtab = *strtab_hdr;
  strtab.sh_addr = 0;
  strtab.sh_flags = 0;
  strtab.sh_type = SHT_STRTAB;
  // .symtab is added after .strtab's index is known: its sh_link names it.
  size_t symtab_index = elf_ndxscn(elf_newscn(out.elf));
  size_t strtab_index = add_section(".strtab", strtab, src_strs->d_buf, src_strs->d_size, ELF_T_BYTE, 1);
  {
    Elf_Scn* scn = elf_getscn(out.elf, symtab_index);
    Elf_Data* d = elf_newdata(scn);
    if (!d) throw BadDataError(fmt::format("{}: {}", path, elf_errmsg(-1)));
    d->d_buf = syms.data();
    d->d_size = syms.size() * sizeof(Elf64_Sym);
    d->d_type = ELF_T_SYM;
    d->d_align = 8;
    d->d_version = EV_CURRENT;
    GElf_Shdr h{};
    h.sh_name = static_cast<GElf_Word>(names.add(".symtab"));
    h.sh_type = SHT_SYMTAB;
    h.sh_link = static_cast<GElf_Word>(strtab_index);
    h.sh_info = static_cast<GElf_Word>(locals);
    h.sh_entsize = sizeof(Elf64_Sym);
    h.sh_addralign = 8;
    gelf_update_shdr(scn, &h);
  }
  GElf_Shdr shstr{};
  shstr.sh_type = SHT_STRTAB;
  shstr.sh_addralign = 1;
  // The name ".shstrtab" must be in the table before the table's bytes are handed over.
  size_t shstr_name = names.add(".shstrtab");
  Elf_Scn* shstr_scn = elf_newscn(out.elf);
  Elf_Data* shstr_data = shstr_scn ? elf_newdata(shstr_scn) : nullptr;
  if (!shstr_data) throw BadDataError(fmt::format("{}: {}", path, elf_errmsg(-1)));
  shstr_data->d_buf = names.bytes().data();
  shstr_data->d_size = names.bytes().size();
  shstr_data->d_type = ELF_T_BYTE;
  shstr_data->d_align = 1;
  shstr.sh_name = static_cast<GElf_Word>(shstr_name);
  gelf_update_shdr(shstr_scn, &shstr);
  eh.e_shstrndx = static_cast<GElf_Half>(elf_ndxscn(shstr_scn));
  gelf_update_ehdr(out.elf, &eh);

  if (elf_update(out.elf, ELF_C_WRITE) < 0) throw BadDataError(fmt::format("{}: cannot write: {}", path, elf_errmsg(-1)));
  tmp.commit();

  SymbolPackSummary summary;
  summary.file_bytes = std::filesystem::file_size(path);
  summary.source_bytes = std::filesystem::file_size(from);
  summary.symbols = syms.size();
  summary.btf_bytes = btf_copy.size();
  summary.build_id = vmlinux.build_id();
  return summary;
}

SymbolPackInfo parse_symbol_pack_info(std::span<const uint8_t> text, const std::string& file) {
  std::string_view rest(reinterpret_cast<const char*>(text.data()), text.size());
  SymbolPackInfo info;
  bool seen_magic = false;
  auto number = [&](std::string_view key, std::string_view v) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size())
      throw BadDataError(fmt::format("{}: {}: {} is not a number: '{}'", file, kPackSection, key, v));
    return n;
  };
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    size_t sp = line.find(' ');
    std::string_view key = line.substr(0, sp), value = sp == std::string_view::npos ? "" : line.substr(sp + 1);
    if (key == "kdive-symbol-pack") {
      uint64_t v = number(key, value);
      if (v == 0 || v > kSymbolPackVersion)
        throw BadDataError(fmt::format("{}: {}: format version {} (this kdive reads up to {}: made by a newer "
                                       "kdive?)", file, kPackSection, v, kSymbolPackVersion));
      info.version = static_cast<uint32_t>(v);
      seen_magic = true;
    } else if (key == "made_from") {
      info.made_from = std::string(value);
    } else if (key == "made_from_bytes") {
      info.made_from_bytes = number(key, value);
    }
  }
  if (!seen_magic) throw BadDataError(fmt::format("{}: {}: no 'kdive-symbol-pack VERSION' line", file, kPackSection));
  return info;
}

bool is_symbol_pack(const ElfFile& file) { return file.find_section(kPackSection) != nullptr; }

bool has_symbol_tables(const ElfFile& file) {
  if (!symtab_section(file.elf())) return false;
  try {
    auto btf = file.section_data(".BTF");
    return btf && !btf->empty();
  } catch (const Error&) {
    return false;
  }
}

SymbolTables read_symbol_tables(const ElfFile& file) {
  Elf* elf = file.elf();
  const std::string& path = file.path();
  if (gelf_getclass(elf) != ELFCLASS64) throw BadDataError(path + ": not a 64-bit ELF file");
  SymbolTables out;
  if (auto text = file.section_data(kPackSection)) out.pack = parse_symbol_pack_info(*text, path);
  Elf_Scn* symtab = symtab_section(elf);
  if (!symtab) throw MissingDebugInfoError(path + ": no symbol table (.symtab)");
  std::optional<std::span<const uint8_t>> btf = file.section_data(".BTF");
  if (!btf || btf->empty()) throw MissingDebugInfoError(path + ": no .BTF section: no types");
  out.btf.assign(btf->begin(), btf->end());
  out.build_id = file.build_id();

  GElf_Shdr hdr;
  gelf_getshdr(symtab, &hdr);
  if (hdr.sh_entsize != sizeof(Elf64_Sym))
    throw BadDataError(path, fmt::format(".symtab: entry size {} (expected {})", hdr.sh_entsize, sizeof(Elf64_Sym)),
                       hdr.sh_offset);
  Elf_Data* data = elf_getdata(symtab, nullptr);
  size_t count = hdr.sh_size / sizeof(Elf64_Sym);
  if (!data || data->d_size / sizeof(Elf64_Sym) < count)
    throw BadDataError(path, ".symtab: unreadable", hdr.sh_offset);
  // A pack carries its letters; any other file's come from its section headers.
  std::optional<std::span<const uint8_t>> letters;
  if (out.pack) {
    letters = file.section_data(kLetterSection);
    if (!letters || letters->size() != count)
      throw BadDataError(fmt::format("{}: {}: {} letters for {} symbols", path, kLetterSection,
                                     letters ? letters->size() : 0, count));
  }
  out.symbols.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    GElf_Sym s;
    if (!gelf_getsym(data, static_cast<int>(i), &s))
      throw BadDataError(path, fmt::format(".symtab: entry {} unreadable", i), hdr.sh_offset);
    unsigned type = GELF_ST_TYPE(s.st_info);
    if (type == STT_FILE || type == STT_SECTION || s.st_shndx == SHN_UNDEF || s.st_name == 0) continue;
    const char* name = elf_strptr(elf, hdr.sh_link, s.st_name);
    if (!name)
      throw BadDataError(path, fmt::format(".symtab: entry {}: name offset {} outside the string table", i, s.st_name),
                         hdr.sh_offset + i * sizeof(Elf64_Sym));
    char letter;
    if (letters) {
      letter = static_cast<char>((*letters)[i]);
    } else {
      std::optional<GElf_Shdr> sec = section_header(elf, s.st_shndx);
      letter = nm_symbol_letter(s, sec ? &*sec : nullptr);
    }
    // What scripts/kallsyms leaves out: undefined and non-allocated symbols, local
    // labels, and the export tables' CRC values (absolute numbers, not addresses).
    std::string_view n(name);
    if (letter == 'U' || letter == 'N' || letter == 'n' || letter == '?' || n.empty() || n.starts_with(".L") ||
        n.starts_with("__crc_"))
      continue;
    out.symbols.push_back({std::string(n), s.st_value, letter});
  }
  return out;
}

}  // namespace kdive
