// The VMCOREINFO scan. The kernel allocates vmcoreinfo_data with get_zeroed_page() and
// appends "KEY=VALUE\n" lines starting with OSRELEASE (kernel/crash_core.c), so the
// text starts a page and ends at the first NUL within it.
#include "target/vmcoreinfo_scanner.h"

#include <cstring>
#include <string_view>
#include <vector>

#include "kdive/error.h"

namespace kdive {

std::optional<Vmcoreinfo> scan_for_vmcoreinfo(const MemoryReader& physical,
                                              const std::vector<AddressRange>& ranges,
                                              uint64_t page_size, uint64_t max_pages) {
  static constexpr char kMagic[] = "OSRELEASE=";
  constexpr size_t kMagicLen = sizeof kMagic - 1;
  if (page_size < 64 || (page_size & (page_size - 1))) return std::nullopt;
  uint64_t scanned = 0;
  std::vector<uint8_t> page;
  for (const AddressRange& r : ranges) {
    uint64_t addr = (r.start + page_size - 1) & ~(page_size - 1);
    uint64_t end = r.start + r.size;
    if (end < r.start) end = UINT64_MAX;  // range reaching 2^64
    for (; addr >= r.start && addr < end && end - addr >= page_size; addr += page_size) {
      if (++scanned > max_pages) return std::nullopt;
      char head[kMagicLen];
      try {
        physical.read(addr, head, kMagicLen, AddressSpace::Physical);
      } catch (const FaultError&) {
        continue;
      }
      if (std::memcmp(head, kMagic, kMagicLen) != 0) continue;
      page.resize(static_cast<size_t>(page_size));
      try {
        physical.read(addr, page.data(), page.size(), AddressSpace::Physical);
      } catch (const FaultError&) {
        continue;
      }
      const void* nul = std::memchr(page.data(), 0, page.size());
      size_t len = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - page.data())
                       : page.size();
      std::string_view text(reinterpret_cast<const char*>(page.data()), len);
      if (text.find("\nPAGESIZE=") == std::string_view::npos) continue;
      Vmcoreinfo vi = Vmcoreinfo::parse(text);
      vi.found_by_scan = true;
      vi.scan_address = addr;
      return vi;
    }
  }
  return std::nullopt;
}

std::optional<Vmcoreinfo> find_vmcoreinfo(const CoreDump& core) {
  if (core.notes().vmcoreinfo) return Vmcoreinfo::parse(*core.notes().vmcoreinfo);
  if (!core.is_kernel() || !core.physical_memory()) return std::nullopt;
  return scan_for_vmcoreinfo(*core.physical_memory(), core.physical_ranges());
}

}  // namespace kdive
