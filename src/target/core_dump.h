// CoreDump: what every dump reader gives the program layer — its format, physical
// memory (kernel dumps), the virtual segments the file itself describes (user cores,
// /proc/kcore, QEMU `-p` dumps), the decoded notes (registers, VMCOREINFO, QEMU CPU
// state) — and open_core(), which sniffs a file and picks the reader.
//
//   std::unique_ptr<CoreDump> core = open_core("/var/crash/vmcore");
//   const CoreNotes& notes = core->notes();              // prstatus, vmcoreinfo, qemu_cpus
//   core->physical_memory()->read(0x1000, buf, 8, AddressSpace::Physical);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kdive/memory_reader.h"
#include "target/core_notes.h"
#include "target/segmented_memory.h"

namespace kdive {

enum class CoreFormat : uint8_t {
  ElfKernel,       // ELF vmcore: kdump /proc/vmcore style, QEMU dump-guest-memory (±-p)
  ElfUser,         // user-space process core (kernel or gdb gcore)
  Kcore,           // live /proc/kcore
  Kdump,           // makedumpfile's kdump-compressed (diskdump) format
  KdumpFlattened,  // the same, in makedumpfile's flattened stream layout
};

const char* core_format_name(CoreFormat format);

class CoreDump {
 public:
  virtual ~CoreDump() = default;

  virtual const std::string& path() const = 0;
  virtual CoreFormat format() const = 0;
  // One line for `info`, e.g. "ELF vmcore (QEMU, with virtual segments), 2 CPUs".
  virtual std::string description() const = 0;

  bool is_kernel() const { return format() != CoreFormat::ElfUser; }

  // Physical memory of a kernel dump (reads ignore the AddressSpace argument); null
  // for user cores. Faults: "address not in dump", "page filtered out by makedumpfile",
  // "page excluded from dump", "truncated dump".
  virtual const MemoryReader* physical_memory() const = 0;
  // The physical ranges the dump covers (for scans); empty for user cores.
  virtual std::vector<AddressRange> physical_ranges() const = 0;

  // Virtual address space as the file itself describes it (user cores, /proc/kcore,
  // ELF dumps with virtual segments); null when the file has none. For kernel dumps
  // the page tables are the truth (KernelVirtualMemory); this is a cross-check.
  virtual const SegmentedMemory* virtual_segments() const = 0;

  virtual const CoreNotes& notes() const = 0;

  // phys_base as recorded by the format itself (kdump sub header), if any.
  virtual std::optional<uint64_t> header_phys_base() const { return std::nullopt; }
  // Kernel release as recorded by the format itself (kdump utsname), if any.
  virtual std::optional<std::string> header_release() const { return std::nullopt; }
  // Problems found while opening that did not prevent it (malformed notes, ...).
  virtual const std::vector<std::string>& warnings() const = 0;
};

// Opens a dump of any supported format: ELF core (kernel or user), kdump-compressed,
// flattened kdump. Throws OsError when the file cannot be opened and BadDataError
// naming the file and its first bytes when the format is unknown.
std::unique_ptr<CoreDump> open_core(const std::string& path);

// The running kernel's /proc/kcore (needs CAP_SYS_RAWIO); throws OsError otherwise.
std::unique_ptr<CoreDump> open_kcore(const std::string& path = "/proc/kcore");

}  // namespace kdive
