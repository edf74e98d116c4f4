// The cached contents of a file: an inode's pages found through its page cache
// (inode->i_mapping->i_pages, an xarray: linux/xarray.h) and read through the direct
// map, as the seed 001 bonus reads /init by hand (xa_load, page_to_virt, read). Sizes
// come from i_size. A page the dump cannot give is never silently replaced: each
// missing run of pages is reported with why — not in the page cache, evicted (a
// shadow/value entry), or unreadable in the dump (the FaultError's reason, e.g. pages
// filtered out by makedumpfile -d 31). The reader streams page by page, so a large
// file costs no memory.
//
// page → virtual address is MemoryModel's (linux/memory_model.h); the page's index in
// the file is VfsLayout::page_index.
//
//   FilePageCache cache(MemoryModel(program), VfsLayout::of(layout), XArrayLayout::of(layout));
//   uint64_t size = cache.inode_size(inode);
//   PageCacheReport r = cache.read(inode, [&](uint64_t off, std::span<const uint8_t> b) {...},
//                                  [&](const MissingPages& m) {...});
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "kdive/memory_reader.h"
#include "linux/memory_model.h"
#include "linux/vfs_layout.h"
#include "linux/xarray.h"

namespace kdive {

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
  // Reads through `model.memory()`, which must outlive the cache.
  FilePageCache(const MemoryModel& model, const VfsLayout& vfs, const XArrayLayout& xa)
      : model_(model), mem_(model_.memory()), vfs_(vfs), xa_(xa) {}

  uint64_t inode_size(uint64_t inode) const;
  // Streams the cached bytes of `inode`, in file order, up to i_size: `data` gets each
  // readable piece (the last page cut at i_size), `missing` each run of pages that is
  // not (in order, between the data pieces). Missing runs are merged when they share
  // a reason. BadDataError for a negative i_size; FaultError when the inode or its
  // mapping cannot be read.
  PageCacheReport read(uint64_t inode, const PageDataSink& data, const MissingPagesSink& missing) const;

 private:
  MemoryModel model_;
  const MemoryReader& mem_;
  VfsLayout vfs_;
  XArrayLayout xa_;
};

}  // namespace kdive
