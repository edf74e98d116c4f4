// Finding VMCOREINFO: from the dump's note or header when it has one, else by scanning
// physical memory for the page the kernel keeps it in (vmcoreinfo_data, a zeroed page
// starting with "OSRELEASE="). QEMU dumps taken without `-device vmcoreinfo` need the
// scan; the result says it was found that way so `info` can tell the user.
//
//   std::optional<Vmcoreinfo> vi = find_vmcoreinfo(*core);
//   if (vi && vi->found_by_scan) warn("VMCOREINFO found by scanning memory at ...");
#pragma once

#include <optional>
#include <vector>

#include "kdive/memory_reader.h"
#include "target/core_dump.h"
#include "target/vmcoreinfo.h"

namespace kdive {

// Scans the page-aligned starts of `ranges` for a VMCOREINFO page: it must begin with
// "OSRELEASE=" and contain "PAGESIZE=". Reads at most `max_pages` pages.
std::optional<Vmcoreinfo> scan_for_vmcoreinfo(const MemoryReader& physical,
                                              const std::vector<AddressRange>& ranges,
                                              uint64_t page_size = 4096,
                                              uint64_t max_pages = uint64_t{1} << 22);

// The note's (or kdump header's) VMCOREINFO, else the scan's; nullopt for user cores
// and kernel dumps without one.
std::optional<Vmcoreinfo> find_vmcoreinfo(const CoreDump& core);

}  // namespace kdive
