// ElfCoreFile: ELF64 little-endian x86-64 core files — kernel vmcores (kdump's
// /proc/vmcore, QEMU dump-guest-memory with and without -p), user-space process cores
// and /proc/kcore. Parses the headers and notes, and registers PT_LOAD segments with a
// physical and/or a virtual SegmentedMemory. The file is mmap'ed (pread for kcore).
//
//   auto core = ElfCoreFile::open("vmcore.elf");
//   core->has_virtual_segments();   // true for QEMU -p and kdump vmcores
//   core->physical_memory()->read(0x1000000, buf, 16);
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "target/byte_source.h"
#include "target/core_dump.h"
#include "target/elf_notes.h"
#include "target/file_mapping_reader.h"

namespace kdive {

struct ElfLoadSegment {
  uint64_t offset = 0;  // p_offset
  uint64_t vaddr = 0;   // p_vaddr
  uint64_t paddr = 0;   // p_paddr
  uint64_t filesz = 0;  // p_filesz
  uint64_t memsz = 0;   // p_memsz
  uint32_t flags = 0;   // p_flags (PF_R=4, PF_W=2, PF_X=1)
};

class ElfCoreFile : public CoreDump {
 public:
  enum class Kind : uint8_t { Auto, Kernel, User, Kcore };
  struct Options {
    Kind kind = Kind::Auto;
    // User cores: maps a path recorded in NT_FILE to the file to read on this machine.
    std::function<std::string(const std::string&)> resolve_mapped_file;
  };

  // Opens `path` (mmap, or pread for Kind::Kcore). Throws OsError / BadDataError.
  static std::unique_ptr<ElfCoreFile> open(const std::string& path, Options options);
  static std::unique_ptr<ElfCoreFile> open(const std::string& path) { return open(path, Options()); }
  // Parses a core held by `source`. Throws BadDataError on malformed headers.
  ElfCoreFile(std::shared_ptr<const ByteSource> source, Options options);
  explicit ElfCoreFile(std::shared_ptr<const ByteSource> source)
      : ElfCoreFile(std::move(source), Options()) {}

  const std::string& path() const override { return source_->name(); }
  CoreFormat format() const override;
  std::string description() const override;
  const MemoryReader* physical_memory() const override;
  std::vector<AddressRange> physical_ranges() const override;
  const SegmentedMemory* virtual_segments() const override;
  const CoreNotes& notes() const override { return notes_; }
  const std::vector<std::string>& warnings() const override { return warnings_; }

  // True when PT_LOAD headers carry virtual addresses (p_vaddr ≠ 0 and ≠ p_paddr for
  // some segment): QEMU `-p`, kdump /proc/vmcore, user cores. QEMU dumps without -p
  // have p_vaddr = 0.
  bool has_virtual_segments() const { return has_virtual_; }
  // True when the notes include QEMU's per-CPU "QEMU" notes.
  bool from_qemu() const { return !notes_.qemu_cpus.empty(); }
  const std::vector<ElfLoadSegment>& load_segments() const { return loads_; }
  const std::vector<ElfNote>& raw_notes() const { return raw_notes_; }

 private:
  void parse_headers();
  void build_memory();
  void add_file_segment(SegmentedMemory& mem, uint64_t start, const ElfLoadSegment& seg);
  void add_file_mappings();

  std::shared_ptr<const ByteSource> source_;
  Options options_;
  bool kernel_ = false;
  bool kcore_ = false;
  bool has_virtual_ = false;
  std::vector<ElfLoadSegment> loads_;
  std::vector<std::vector<uint8_t>> note_storage_;
  std::vector<ElfNote> raw_notes_;
  CoreNotes notes_;
  std::vector<std::string> warnings_;
  std::unique_ptr<SegmentedMemory> physical_;
  std::unique_ptr<SegmentedMemory> virtual_;
  std::unique_ptr<FileMappingReader> mapped_files_;
};

}  // namespace kdive
