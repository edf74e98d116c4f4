// Reading a file's pages from its page cache (file_page_cache.h).
#include "linux/file_page_cache.h"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/target_words.h"

namespace kdive {

uint64_t FilePageCache::inode_size(uint64_t inode) const {
  int64_t size = static_cast<int64_t>(read_u64(mem_, inode + vfs_.i_size));
  if (size < 0) throw BadDataError(fmt::format("inode {:#x}: negative i_size {}", inode, size));
  return static_cast<uint64_t>(size);
}

PageCacheReport FilePageCache::read(uint64_t inode, const PageDataSink& data, const MissingPagesSink& missing) const {
  PageCacheReport r;
  r.size = inode_size(inode);
  r.pages = r.size / model_.page_size() + (r.size % model_.page_size() != 0);
  uint64_t mapping = read_u64(mem_, inode + vfs_.i_mapping);
  if (!mapping) throw BadDataError(fmt::format("inode {:#x} has no i_mapping", inode));

  std::optional<MissingPages> pending;
  auto flush = [&] {
    if (pending) missing(*pending);
    pending.reset();
  };
  auto lose = [&](uint64_t first, uint64_t count, const std::string& reason, uint64_t address) {
    if (!count) return;
    r.missing_pages += count;
    if (pending && pending->reason == reason && pending->first + pending->count == first) {
      pending->count += count;
      return;
    }
    flush();
    pending = MissingPages{first, count, reason, address};
  };
  std::vector<uint8_t> buf(model_.page_size());
  // Page `k` of the file, from the struct page `head` its slot holds (a folio or
  // compound head when it covers several indices: the subpage is found from the
  // head's index, which also covers kernels that stored the head in every slot).
  auto one_page = [&](uint64_t k, uint64_t head, uint64_t entry_index) {
    uint64_t page = head + (k - entry_index) * model_.struct_page_size();
    try {
      uint64_t head_index = read_u64(mem_, head + vfs_.page_index);
      if (k >= head_index && k - head_index < (uint64_t(1) << 18))
        page = head + (k - head_index) * model_.struct_page_size();
      if (!model_.is_page_address(page)) {
        lose(k, 1, fmt::format("page cache entry {:#x} is not a struct page", page), page);
        return;
      }
      uint64_t virt = model_.page_to_virt(page);
      uint64_t len = std::min(model_.page_size(), r.size - k * model_.page_size());
      mem_.read(virt, buf.data(), len);
      flush();
      ++r.cached_pages;
      data(k * model_.page_size(), std::span<const uint8_t>(buf.data(), len));
    } catch (const FaultError& e) {
      lose(k, 1, e.reason(), e.address());
    }
  };
  uint64_t next = 0;
  WalkStatus st = walk_xarray(mem_, xa_, mapping + vfs_.a_pages, [&](const XArrayEntry& e) {
    if (e.index >= r.pages) return false;
    lose(next, e.index - next, "not in the page cache", 0);
    uint64_t end = std::min(r.pages, e.index + e.span);
    if (e.entry & 1) {
      lose(e.index, end - e.index, "evicted (shadow entry)", 0);
    } else {
      for (uint64_t k = e.index; k < end; ++k) one_page(k, e.entry, e.index);
    }
    next = end;
    return true;
  });
  if (!st.ok()) {
    r.walk_problem = st.message();
    lose(next, r.pages - next, "page cache walk stopped: " + st.message(), st.problem_address);
  } else {
    lose(next, r.pages - next, "not in the page cache", 0);
  }
  flush();
  return r;
}

}  // namespace kdive
