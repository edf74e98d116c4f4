// ElfCoreFile: ELF header and program headers (System V gABI, ELF-64 object file
// format), notes, and segment registration. Hand-written rather than through libelf
// because a dump is mostly one flat mapping: we need p_paddr/p_vaddr/p_offset and the
// notes, then direct pointers into the mapping for every read; libelf adds a copy-or-
// convert layer and its own error model for no gain here.
#include "target/elf_core_file.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "target/file_source.h"

namespace kdive {

namespace {
constexpr uint16_t kEtCore = 4;
constexpr uint16_t kEmX86_64 = 62;
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint16_t kPnXnum = 0xffff;
constexpr size_t kEhdrSize = 64;
constexpr size_t kPhdrSize = 56;
constexpr size_t kShdrSize = 64;
// Bounds for untrusted counts: a user core of a process with 1M mappings is absurd.
constexpr uint64_t kMaxProgramHeaders = 1u << 20;
constexpr uint64_t kMaxNoteBytes = 256u << 20;

// p_memsz beyond p_filesz: in memory, not in the file. In a kernel dump only
// makedumpfile's ELF output (-E with -d) does this, for the pages it filtered out
// (/proc/vmcore and QEMU always write p_filesz = p_memsz), so the fault says so; in a
// process core these are pages the kernel chose not to dump.
SegmentedMemory::Segment unbacked(uint64_t start, uint64_t size, const char* reason) {
  SegmentedMemory::Segment s;
  s.start = start;
  s.size = size;
  s.tail = SegmentedMemory::Tail::Fault;
  s.tail_reason = reason;
  return s;
}
}  // namespace

std::unique_ptr<ElfCoreFile> ElfCoreFile::open(const std::string& path, Options options) {
  auto mode = options.kind == Kind::Kcore ? FileSource::Mode::Pread : FileSource::Mode::Auto;
  auto source = std::make_shared<FileSource>(path, mode);
  return std::make_unique<ElfCoreFile>(std::move(source), std::move(options));
}

ElfCoreFile::ElfCoreFile(std::shared_ptr<const ByteSource> source, Options options)
    : source_(std::move(source)), options_(std::move(options)) {
  parse_headers();
  build_memory();
}

void ElfCoreFile::parse_headers() {
  const std::string& file = source_->name();
  std::vector<uint8_t> scratch;
  auto ehdr_bytes = source_->view(0, kEhdrSize, scratch);
  ByteCursor eh(ehdr_bytes, file, "ELF header");
  if (ehdr_bytes.size() < 4 || ehdr_bytes[0] != 0x7f || ehdr_bytes[1] != 'E' ||
      ehdr_bytes[2] != 'L' || ehdr_bytes[3] != 'F') {
    throw BadDataError(file, "not an ELF file (bad magic)", 0);
  }
  if (ehdr_bytes.size() < kEhdrSize) {
    throw BadDataError(file, fmt::format("ELF header truncated ({} of {} bytes)",
                                         ehdr_bytes.size(), kEhdrSize), 0);
  }
  if (ehdr_bytes[4] != 2) {
    throw BadDataError(file, fmt::format("ELF class {} is not ELFCLASS64", ehdr_bytes[4]), 4);
  }
  if (ehdr_bytes[5] != 1) {
    throw BadDataError(file, "big-endian ELF cores are not supported", 5);
  }
  eh.seek(16);
  uint16_t type = eh.u16();
  uint16_t machine = eh.u16();
  if (type != kEtCore) {
    throw BadDataError(file, fmt::format("ELF type {} is not ET_CORE", type), 16);
  }
  if (machine != kEmX86_64) {
    throw BadDataError(file, fmt::format("ELF machine {} is not x86-64", machine), 18);
  }
  eh.seek(32);
  uint64_t phoff = eh.u64();
  uint64_t shoff = eh.u64();
  eh.seek(54);
  uint16_t phentsize = eh.u16();
  uint64_t phnum = eh.u16();
  if (phnum == kPnXnum) {
    // More than 0xfffe headers: the real count is section header 0's sh_info.
    std::vector<uint8_t> sh_scratch;
    auto sh = source_->view(shoff, kShdrSize, sh_scratch);
    if (sh.size() < kShdrSize) throw BadDataError(file, "section header 0 (PN_XNUM) truncated", shoff);
    ByteCursor sc(sh, file, "section header 0", true, shoff);
    sc.seek(44);
    phnum = sc.u32();
  }
  if (phnum != 0 && phentsize != kPhdrSize) {
    throw BadDataError(file, fmt::format("program header size {} is not {}", phentsize, kPhdrSize), 54);
  }
  if (phnum > kMaxProgramHeaders) {
    throw BadDataError(file, fmt::format("{} program headers (limit {})", phnum, kMaxProgramHeaders), 56);
  }
  uint64_t ph_bytes = phnum * kPhdrSize;
  if (phoff > source_->size() || ph_bytes > source_->size() - phoff) {
    throw BadDataError(file, "program headers extend past end of file", phoff);
  }
  std::vector<uint8_t> ph_scratch;
  auto ph = source_->view(phoff, static_cast<size_t>(ph_bytes), ph_scratch);
  if (ph.size() < ph_bytes) throw BadDataError(file, "program headers extend past end of file", phoff);
  ByteCursor pc(ph, file, "program headers", true, phoff);

  bool taskstruct = false;
  for (uint64_t i = 0; i < phnum; ++i) {
    uint32_t p_type = pc.u32();
    ElfLoadSegment s;
    s.flags = pc.u32();
    s.offset = pc.u64();
    s.vaddr = pc.u64();
    s.paddr = pc.u64();
    s.filesz = pc.u64();
    s.memsz = pc.u64();
    pc.skip(8);  // p_align
    if (p_type == kPtLoad) {
      loads_.push_back(s);
    } else if (p_type == kPtNote && s.filesz > 0) {
      // Notes are part of the headers: a truncated note segment is an error on open.
      if (s.filesz > kMaxNoteBytes) {
        throw BadDataError(file, fmt::format("note segment of {} bytes is implausible", s.filesz),
                           phoff + i * kPhdrSize);
      }
      std::vector<uint8_t> bytes(static_cast<size_t>(s.filesz));
      if (s.offset > source_->size() ||
          source_->read_at(s.offset, bytes.data(), bytes.size()) != bytes.size()) {
        throw BadDataError(file, "note segment extends past end of file", s.offset);
      }
      note_storage_.push_back(std::move(bytes));
      auto notes = parse_elf_notes(note_storage_.back(), file, s.offset);
      raw_notes_.insert(raw_notes_.end(), notes.begin(), notes.end());
    }
  }
  notes_ = decode_core_notes(raw_notes_, file);
  warnings_ = notes_.warnings;
  for (const ElfNote& n : raw_notes_) {
    if (n.name == "CORE" && n.type == kNtTaskstruct) taskstruct = true;
  }

  switch (options_.kind) {
    case Kind::Kernel: kernel_ = true; break;
    case Kind::User: kernel_ = false; break;
    case Kind::Kcore: kernel_ = kcore_ = true; break;
    case Kind::Auto:
      // Kernel dumps carry VMCOREINFO or QEMU notes; /proc/kcore has NT_TASKSTRUCT;
      // process cores have NT_AUXV / NT_FILE, which kernel dumps never have.
      kernel_ = notes_.vmcoreinfo || !notes_.qemu_cpus.empty() || taskstruct ||
                (notes_.auxv.empty() && notes_.files.empty());
      break;
  }
  for (const ElfLoadSegment& s : loads_) {
    if (s.vaddr != 0 && s.vaddr != s.paddr) has_virtual_ = true;
  }
  if (!kernel_) has_virtual_ = !loads_.empty();
}

void ElfCoreFile::add_file_segment(SegmentedMemory& mem, uint64_t start,
                                   const ElfLoadSegment& seg) {
  // [start, start+filesz) comes from the file; what of it lies past EOF faults
  // "truncated dump". [start+filesz, start+memsz) is not in the file.
  uint64_t fsize = source_->size();
  uint64_t avail = seg.offset >= fsize ? 0 : std::min(seg.filesz, fsize - seg.offset);
  SegmentedMemory::Segment s;
  s.start = start;
  s.size = seg.filesz;
  s.backed_size = avail;
  s.tail = SegmentedMemory::Tail::Fault;
  s.tail_reason = kReasonTruncated;
  if (const uint8_t* d = source_->data()) {
    s.data = d + (seg.offset < fsize ? seg.offset : 0);
  } else {
    std::shared_ptr<const ByteSource> src = source_;
    uint64_t base = seg.offset;
    s.read = [src, base](uint64_t address, uint64_t off, void* buf, size_t n) {
      size_t got;
      try {
        got = src->read_at(base + off, buf, n);
      } catch (const OsError& e) {
        throw FaultError(address, std::string("read error: ") + std::strerror(e.errnum()));
      }
      if (got < n) throw FaultError(address + got, kReasonTruncated);
    };
  }
  mem.add(std::move(s));
}

void ElfCoreFile::add_file_mappings() {
  // Everything NT_FILE maps reads through to the file unless the core holds the bytes
  // (segments registered earlier win): the kernel leaves unmodified read-only file
  // pages out (p_filesz < p_memsz), gdb's gcore leaves such mappings out entirely.
  for (const FileMapping& m : notes_.files) {
    if (m.end <= m.start) continue;
    SegmentedMemory::Segment s;
    s.start = m.start;
    s.size = m.end - m.start;
    s.backed_size = s.size;
    const FileMapping* mapping = &m;  // notes_ outlives virtual_
    const FileMappingReader* files = mapped_files_.get();
    s.read = [mapping, files](uint64_t address, uint64_t, void* buf, size_t n) {
      files->read(*mapping, address, buf, n);
    };
    virtual_->add(std::move(s));
  }
}

void ElfCoreFile::build_memory() {
  const std::string& file = source_->name();
  const char* tail_reason = kernel_ && !kcore_ ? kReasonFiltered : kReasonExcluded;
  if (kernel_) {
    physical_ = std::make_unique<SegmentedMemory>(file + " (physical)");
    for (const ElfLoadSegment& s : loads_) {
      // /proc/kcore marks segments without a physical address (vmalloc, modules) -1.
      if (kcore_ && (s.paddr == UINT64_MAX || s.paddr == 0)) continue;
      add_file_segment(*physical_, s.paddr, s);
    }
    for (const ElfLoadSegment& s : loads_) {
      if (kcore_ && (s.paddr == UINT64_MAX || s.paddr == 0)) continue;
      if (s.memsz > s.filesz) {
        physical_->add(unbacked(s.paddr + s.filesz, s.memsz - s.filesz, tail_reason));
      }
    }
  }
  if (has_virtual_) {
    virtual_ = std::make_unique<SegmentedMemory>(file + " (virtual)");
    // QEMU -p also lists physical memory that no page table maps, with p_vaddr = 0:
    // no kernel address is 0, so such segments have no place in the virtual space.
    auto virtual_ok = [this](const ElfLoadSegment& s) { return !kernel_ || s.vaddr != 0; };
    for (const ElfLoadSegment& s : loads_) {
      if (virtual_ok(s)) add_file_segment(*virtual_, s.vaddr, s);
    }
    if (!kernel_ && !notes_.files.empty()) {
      mapped_files_ = std::make_unique<FileMappingReader>(options_.resolve_mapped_file);
      add_file_mappings();
    }
    for (const ElfLoadSegment& s : loads_) {
      if (virtual_ok(s) && s.memsz > s.filesz) {
        virtual_->add(unbacked(s.vaddr + s.filesz, s.memsz - s.filesz, tail_reason));
      }
    }
  }
}

CoreFormat ElfCoreFile::format() const {
  if (kcore_) return CoreFormat::Kcore;
  return kernel_ ? CoreFormat::ElfKernel : CoreFormat::ElfUser;
}

std::string ElfCoreFile::description() const {
  if (kcore_) return "/proc/kcore (live kernel)";
  if (!kernel_) {
    std::string name = notes_.prpsinfo ? notes_.prpsinfo->fname : std::string("?");
    return fmt::format("ELF process core ({}), {} threads, {} mapped files", name,
                       notes_.prstatus.size(), notes_.files.size());
  }
  return fmt::format("ELF vmcore{}, {} virtual segments, {} CPUs",
                     from_qemu() ? " (QEMU)" : "", has_virtual_ ? "with" : "without",
                     notes_.prstatus.size());
}

const MemoryReader* ElfCoreFile::physical_memory() const { return physical_.get(); }

std::vector<AddressRange> ElfCoreFile::physical_ranges() const {
  return physical_ ? physical_->ranges() : std::vector<AddressRange>{};
}

const SegmentedMemory* ElfCoreFile::virtual_segments() const { return virtual_.get(); }

}  // namespace kdive
