// open_core: format detection by the first bytes — "\x7fELF" (ELF core), "KDUMP   "
// (kdump-compressed), "makedumpfile" (flattened kdump) — and the format names.
#include "target/core_dump.h"

#include <cstring>

#include <fmt/format.h>

#include "kdive/error.h"
#include "target/elf_core_file.h"
#include "target/file_source.h"
#include "target/flattened_source.h"
#include "target/kdump_file.h"

namespace kdive {

const char* core_format_name(CoreFormat format) {
  switch (format) {
    case CoreFormat::ElfKernel: return "ELF vmcore";
    case CoreFormat::ElfUser: return "ELF process core";
    case CoreFormat::Kcore: return "/proc/kcore";
    case CoreFormat::Kdump: return "kdump-compressed";
    case CoreFormat::KdumpFlattened: return "kdump-compressed (flattened)";
  }
  return "unknown";
}

std::unique_ptr<CoreDump> open_core(const std::string& path) {
  auto file = std::make_shared<FileSource>(path);
  std::vector<uint8_t> scratch;
  auto head = file->view(0, 16, scratch);
  if (head.size() >= 4 && std::memcmp(head.data(), "\x7f" "ELF", 4) == 0) {
    return std::make_unique<ElfCoreFile>(file);
  }
  if (head.size() >= 8 && std::memcmp(head.data(), "KDUMP   ", 8) == 0) {
    return std::make_unique<KdumpFile>(file, false, KdumpFile::Options());
  }
  if (FlattenedSource::sniff(head)) {
    auto flat = std::make_shared<FlattenedSource>(file);
    std::vector<uint8_t> s2;
    auto inner = flat->view(0, 8, s2);
    if (inner.size() < 8 || std::memcmp(inner.data(), "KDUMP   ", 8) != 0) {
      throw BadDataError(path, "flattened makedumpfile stream does not hold a kdump-compressed "
                               "dump (ELF output? convert with `makedumpfile -R`)", 0);
    }
    return std::make_unique<KdumpFile>(flat, true, KdumpFile::Options());
  }
  if (head.empty()) throw BadDataError(path, "empty file, not a core dump", 0);
  std::string hex, text;
  for (uint8_t b : head) {
    hex += fmt::format("{:02x} ", b);
    text += (b >= 0x20 && b < 0x7f) ? static_cast<char>(b) : '.';
  }
  hex.pop_back();
  throw BadDataError(path, fmt::format("unknown dump format (first bytes: {} \"{}\")", hex, text), 0);
}

std::unique_ptr<CoreDump> open_kcore(const std::string& path) {
  ElfCoreFile::Options o;
  o.kind = ElfCoreFile::Kind::Kcore;
  return ElfCoreFile::open(path, std::move(o));
}

}  // namespace kdive
