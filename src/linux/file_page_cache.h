// The cached contents of a file: an inode's pages found through its page cache
// (inode->i_mapping->i_pages, an xarray: linux/xarray.h) and read through the direct
// map, as the seed 001 bonus reads /init by hand (xa_load, page_to_virt, read). Sizes
// come from i_size. A page the dump cannot give is never silently replaced: each
// missing run of pages is reported with why — not in the page cache, evicted (a
// shadow/value entry), or unreadable in the dump (the FaultError's reason, e.g. pages
// filtered out by makedumpfile -d 31). The reader streams page by page, so a large
// file costs no memory.
//
// page → virtual address is done here with a small private DirectMap (x86-64
// SPARSEMEM_VMEMMAP: pfn = (page - vmemmap_base) / sizeof(struct page), virt =
// page_offset_base + pfn * 4096) until the memory-model helpers land in linux/.
//
//   FilePageCache cache(program, layout);
//   PageCacheReport r = cache.read(inode, [&](uint64_t off, std::span<const uint8_t> b) {...},
//                                  [&](const MissingPages& m) {...});
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "kdive/memory_reader.h"
#include "linux/vfs_layout.h"
#include "linux/xarray.h"

namespace kdive {

class KernelLayout;
class Program;

// x86-64 SPARSEMEM_VMEMMAP page ↔ direct-map address translation.
struct DirectMap {
  uint64_t vmemmap_base = 0xffffea0000000000;      // VMEMMAP_START without KASLR
  uint64_t page_offset_base = 0xffff888000000000;  // __PAGE_OFFSET_BASE (4-level) without KASLR
  uint64_t struct_page_size = 64;
  uint64_t page_index = 0;  // offsetof(struct page, index)
  uint64_t page_size = 4096;
  // The randomized bases are variables (vmemmap_base, page_offset_base) when
  // CONFIG_RANDOMIZE_MEMORY is on; the fixed ones above otherwise.
  static DirectMap of(Program& program, KernelLayout& layout);
  uint64_t page_to_pfn(uint64_t page) const { return (page - vmemmap_base) / struct_page_size; }
  uint64_t page_to_virt(uint64_t page) const { return page_offset_base + page_to_pfn(page) * page_size; }
};

// A run of file pages the dump does not give.
struct MissingPages {
  uint64_t first = 0;    // page index in the file
  uint64_t count = 0;
  std::string reason;    // "not in the page cache", "evicted (shadow entry)", or a FaultError's reason
  uint64_t address = 0;  // the first unreadable address (0 when the page is not cached at all)
};

struct PageCacheReport {
  uint64_t size = 0;           // i_size
  uint64_t pages = 0;          // pages covering [0, size)
  uint64_t cached_pages = 0;   // pages read
  uint64_t missing_pages = 0;  // pages reported missing
  std::string walk_problem;    // the xarray walk stopped early (corrupt tree): the rest is missing
  bool complete() const { return missing_pages == 0 && walk_problem.empty(); }
};

using PageDataSink = std::function<void(uint64_t offset, std::span<const uint8_t> bytes)>;
using MissingPagesSink = std::function<void(const MissingPages&)>;

class FilePageCache {
 public:
  FilePageCache(const MemoryReader& mem, const VfsLayout& vfs, const XArrayLayout& xa, const DirectMap& dm)
      : mem_(mem), vfs_(vfs), xa_(xa), dm_(dm) {}

  uint64_t inode_size(uint64_t inode) const;
  // Streams the cached bytes of `inode`, in file order, up to i_size: `data` gets each
  // readable piece (the last page cut at i_size), `missing` each run of pages that is
  // not (in order, between the data pieces). Missing runs are merged when they share
  // a reason. BadDataError for a negative i_size; FaultError when the inode or its
  // mapping cannot be read.
  PageCacheReport read(uint64_t inode, const PageDataSink& data, const MissingPagesSink& missing) const;

 private:
  const MemoryReader& mem_;
  VfsLayout vfs_;
  XArrayLayout xa_;
  DirectMap dm_;
};

}  // namespace kdive
