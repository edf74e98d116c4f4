// ElfFile implementation over libelf/libdw. Section decompression (SHF_COMPRESSED, as
// Debian's -dbg packages ship) is done by libelf's elf_compress.
#include "debuginfo/elf_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

namespace {
void ensure_libelf() {
  static const bool ok = elf_version(EV_CURRENT) != EV_NONE;
  (void)ok;
}
}  // namespace

ElfFile::ElfFile(const std::string& path, const SectionAddresses* sections) : path_(path) {
  ensure_libelf();
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw OsError(errno, path);
  elf_ = elf_begin(fd_, ELF_C_READ_MMAP, nullptr);
  if (!elf_ || elf_kind(elf_) != ELF_K_ELF || !gelf_getehdr(elf_, &ehdr_)) {
    std::string msg = elf_ ? "not an ELF file" : elf_errmsg(-1);
    if (elf_) elf_end(elf_);
    ::close(fd_);
    elf_ = nullptr;
    fd_ = -1;
    throw BadDataError(fmt::format("{}: {}", path, msg));
  }
  try {
    check_bounds();
  } catch (...) {
    elf_end(elf_);
    ::close(fd_);
    elf_ = nullptr;
    fd_ = -1;
    throw;
  }
  if (ehdr_.e_type == ET_REL) open_relocated(sections);
  read_build_id();
}

// libelf maps a truncated file without complaint and then yields no sections or short
// data; a debug file cut short (an interrupted copy) must be reported, not read as one
// without symbols.
void ElfFile::check_bounds() const {
  struct stat st;
  if (fstat(fd_, &st) != 0) throw OsError(errno, path_);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint64_t table_end = ehdr_.e_shoff + uint64_t{ehdr_.e_shnum} * ehdr_.e_shentsize;
  if (ehdr_.e_shoff > size || table_end > size || table_end < ehdr_.e_shoff)
    throw BadDataError(path_, fmt::format("section header table extends past the end of the file ({} bytes; "
                                          "truncated?)", size), ehdr_.e_shoff);
  size_t shstrndx = 0;
  elf_getshdrstrndx(elf_, &shstrndx);
  for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) throw BadDataError(fmt::format("{}: {}", path_, elf_errmsg(-1)));
    if (shdr.sh_type == SHT_NOBITS || shdr.sh_size == 0) continue;
    if (shdr.sh_offset > size || shdr.sh_size > size - shdr.sh_offset) {
      const char* name = elf_strptr(elf_, shstrndx, shdr.sh_name);
      throw BadDataError(path_, fmt::format("section {} extends past the end of the file ({} bytes; truncated?)",
                                            name ? name : "?", size), shdr.sh_offset);
    }
  }
}

std::optional<uint64_t> ElfFile::section_address(size_t shndx) const {
  if (sections_.empty()) return std::nullopt;
  size_t shstrndx;
  Elf_Scn* scn = elf_getscn(elf_, shndx);
  GElf_Shdr shdr;
  if (!scn || !gelf_getshdr(scn, &shdr) || elf_getshdrstrndx(elf_, &shstrndx) != 0) return std::nullopt;
  const char* name = elf_strptr(elf_, shstrndx, shdr.sh_name);
  if (!name) return std::nullopt;
  auto it = sections_.find(name);
  if (it == sections_.end()) return std::nullopt;
  return it->second;
}

std::vector<ElfFile::PlacedSection> ElfFile::section_layout() const {
  std::vector<PlacedSection> out;
  size_t shstrndx;
  if (!is_relocatable() || elf_getshdrstrndx(elf_, &shstrndx) != 0) return out;
  for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || !(shdr.sh_flags & SHF_ALLOC)) continue;
    const char* name = elf_strptr(elf_, shstrndx, shdr.sh_name);
    PlacedSection p{name ? name : "", shdr.sh_addr, shdr.sh_size, std::nullopt};
    if (auto it = sections_.find(p.name); it != sections_.end()) p.runtime_address = it->second;
    out.push_back(std::move(p));
  }
  return out;
}

void ElfFile::open_relocated(const SectionAddresses* sections) {
  static const Dwfl_Callbacks callbacks = {
      .find_elf = dwfl_build_id_find_elf,
      .find_debuginfo = dwfl_standard_find_debuginfo,
      .section_address = dwfl_offline_section_address,
      .debuginfo_path = nullptr,
  };
  if (sections) sections_ = *sections;
  dwfl_ = dwfl_begin(&callbacks);
  if (!dwfl_) return;
  Dwfl_Module* mod = dwfl_report_offline(dwfl_, path_.c_str(), path_.c_str(), -1);
  dwfl_report_end(dwfl_, nullptr, nullptr);
  Dwarf_Addr bias = 0;
  Dwarf* dw = mod ? dwfl_module_getdwarf(mod, &bias) : nullptr;
  Elf* relocated = mod ? dwfl_module_getelf(mod, &bias) : nullptr;
  if (!relocated) {
    dwfl_end(dwfl_);
    dwfl_ = nullptr;
    return;
  }
  elf_end(elf_);
  elf_ = relocated;
  dwarf_ = dw;
  dwarf_tried_ = true;
}

ElfFile::~ElfFile() {
  if (dwfl_) {
    dwfl_end(dwfl_);  // owns elf_ and dwarf_
  } else {
    if (dwarf_) dwarf_end(dwarf_);
    if (elf_) elf_end(elf_);
  }
  if (fd_ >= 0) ::close(fd_);
}

Elf_Scn* ElfFile::find_section(const std::string& name) const {
  size_t shstrndx;
  if (elf_getshdrstrndx(elf_, &shstrndx) != 0) return nullptr;
  for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr)) continue;
    const char* n = elf_strptr(elf_, shstrndx, shdr.sh_name);
    if (n && name == n) return scn;
  }
  return nullptr;
}

std::optional<std::span<const uint8_t>> ElfFile::section_data(const std::string& name) const {
  Elf_Scn* scn = find_section(name);
  if (!scn) return std::nullopt;
  GElf_Shdr shdr;
  if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS) return std::nullopt;
  if (shdr.sh_flags & SHF_COMPRESSED) {
    if (elf_compress(scn, 0, 0) < 0) {
      throw BadDataError(path_, fmt::format("section {}: cannot decompress: {}", name, elf_errmsg(-1)),
                         shdr.sh_offset);
    }
  }
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data || !data->d_buf) return std::span<const uint8_t>();
  return std::span<const uint8_t>(static_cast<const uint8_t*>(data->d_buf), data->d_size);
}

void ElfFile::release_pages(std::span<const uint8_t> range) const {
  // A relocatable file's DWARF was relocated in place by libdwfl: its pages are private
  // copies now, and dropping them would bring back the unrelocated bytes.
  if (is_relocatable()) return;
  size_t file_size = 0;
  const char* raw = elf_rawfile(elf_, &file_size);
  if (!raw || range.empty()) return;
  auto begin = reinterpret_cast<uintptr_t>(range.data());
  auto end = begin + range.size();
  auto base = reinterpret_cast<uintptr_t>(raw);
  if (begin < base || end > base + file_size) return;  // not the file mapping
  const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  uintptr_t first = (begin + page - 1) & ~(page - 1);
  uintptr_t last = end & ~(page - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

void ElfFile::read_build_id() {
  // NT_GNU_BUILD_ID lives in an SHT_NOTE section (.note.gnu.build-id in vmlinux, .ko and
  // executables); iterate every note section rather than trusting the name.
  for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
    GElf_Shdr shdr;
    if (!gelf_getshdr(scn, &shdr) || shdr.sh_type != SHT_NOTE) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data) continue;
    size_t offset = 0, name_off, desc_off;
    GElf_Nhdr nhdr;
    while ((offset = gelf_getnote(data, offset, &nhdr, &name_off, &desc_off)) > 0) {
      const char* nm = static_cast<const char*>(data->d_buf) + name_off;
      if (nhdr.n_type == NT_GNU_BUILD_ID && nhdr.n_namesz == 4 && std::memcmp(nm, "GNU", 4) == 0) {
        const auto* d = static_cast<const uint8_t*>(data->d_buf) + desc_off;
        std::string hex;
        for (size_t i = 0; i < nhdr.n_descsz; ++i) hex += fmt::format("{:02x}", d[i]);
        build_id_ = hex;
        return;
      }
    }
  }
}

Dwarf* ElfFile::dwarf() const {
  if (!dwarf_tried_) {
    dwarf_tried_ = true;
    dwarf_ = dwarf_begin_elf(elf_, DWARF_C_READ, nullptr);
  }
  return dwarf_;
}

}  // namespace kdive
