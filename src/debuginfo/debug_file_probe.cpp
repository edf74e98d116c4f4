// Debug-file probing over libelf: section headers and note sections only. The notes
// themselves go through target/'s checked note parser, so a file with a corrupt note
// fails with where, not with a read past the end.
#include "debuginfo/debug_file_probe.h"

#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "kdive/error.h"
#include "target/elf_notes.h"

namespace kdive {

namespace {
constexpr uint32_t kNtGnuBuildId = 3;

// The first GNU build-ID note of one SHT_NOTE section, or "".
std::string build_id_in_notes(std::span<const uint8_t> bytes, const std::string& path, uint64_t offset) {
  for (const ElfNote& n : parse_elf_notes(bytes, path, offset))
    if (n.name == "GNU" && n.type == kNtGnuBuildId && !n.desc.empty()) return build_id_hex(n.desc);
  return "";
}
}  // namespace

std::string build_id_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    hex += kDigits[b >> 4];
    hex += kDigits[b & 15];
  }
  return hex;
}

DebugFileProbe probe_debug_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    DebugFileProbe p;
    p.error = OsError(errno, path).what();
    return p;
  }
  DebugFileProbe p = probe_debug_file(fd, path);
  ::close(fd);
  return p;
}

DebugFileProbe probe_debug_file(int fd, const std::string& path) {
  DebugFileProbe p;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    p.error = OsError(errno, path).what();
    return p;
  }
  const uint64_t file_size = static_cast<uint64_t>(st.st_size);
  // The magic is checked by hand first: libelf accepts any bytes as ELF_K_NONE, and the
  // message for an HTML error page or a truncated download should be the plain one.
  unsigned char magic[4] = {};
  if (file_size < 64 || ::pread(fd, magic, sizeof magic, 0) != static_cast<ssize_t>(sizeof magic) ||
      std::memcmp(magic, ELFMAG, SELFMAG) != 0) {
    p.error = "not an ELF file";
    return p;
  }
  (void)elf_version(EV_CURRENT);
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  GElf_Ehdr ehdr;
  if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &ehdr)) {
    p.error = elf ? "not an ELF file" : fmt::format("not a readable ELF file: {}", elf_errmsg(-1));
    if (elf) elf_end(elf);
    return p;
  }
  p.elf_type = ehdr.e_type;
  try {
    uint64_t table_end = ehdr.e_shoff + uint64_t{ehdr.e_shnum} * ehdr.e_shentsize;
    if (ehdr.e_shoff > file_size || table_end > file_size || table_end < ehdr.e_shoff)
      throw BadDataError(fmt::format("section header table extends past the end of the file ({} bytes; truncated?)",
                                     file_size));
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0) throw BadDataError(elf_errmsg(-1));
    for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
      GElf_Shdr shdr;
      if (!gelf_getshdr(scn, &shdr)) throw BadDataError(elf_errmsg(-1));
      const char* name = elf_strptr(elf, shstrndx, shdr.sh_name);
      if (shdr.sh_type != SHT_NOBITS && shdr.sh_size != 0 &&
          (shdr.sh_offset > file_size || shdr.sh_size > file_size - shdr.sh_offset))
        throw BadDataError(fmt::format("section {} extends past the end of the file ({} bytes; truncated?)",
                                       name ? name : "?", file_size));
      if (name && shdr.sh_size != 0 && shdr.sh_type != SHT_NOBITS &&
          (std::strcmp(name, ".debug_info") == 0 || std::strcmp(name, ".zdebug_info") == 0))
        p.has_dwarf = true;
      if (shdr.sh_type == SHT_NOTE && p.build_id.empty()) {
        Elf_Data* data = elf_rawdata(scn, nullptr);
        if (data && data->d_buf)
          p.build_id = build_id_in_notes({static_cast<const uint8_t*>(data->d_buf), data->d_size}, path,
                                         shdr.sh_offset);
      }
    }
  } catch (const Error& e) {
    p.error = e.what();
  }
  elf_end(elf);
  return p;
}

}  // namespace kdive
