// PageCache: a bounded LRU cache of decoded (decompressed) dump pages, keyed by page
// frame number. Memory is reserved once and touched only as slots fill, so a small
// dump costs little RSS; a hit is a hash lookup and a memcpy. Thread-safe (one mutex:
// fills run under it, which also serialises the decompressor state they share).
//
//   PageCache cache(4096, /*capacity_pages=*/1024);
//   cache.read(pfn, offset, buf, n, [&](uint8_t* page) { decompress_into(page); });
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace kdive {

class PageCache {
 public:
  PageCache(size_t page_size, size_t capacity_pages);

  // Copies [offset, offset+n) of page `key` into `buf` (offset + n <= page_size),
  // filling the page first on a miss. `fill(uint8_t* page)` writes a whole page or
  // throws; a throwing fill caches nothing. A template, not std::function, so that a
  // capturing lambda costs no allocation per read.
  // The hit path alone: copies and returns true when page `key` is cached.
  bool try_read(uint64_t key, size_t offset, void* buf, size_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    return copy_if_cached(key, offset, buf, n);
  }

  template <typename Fill>
  void read(uint64_t key, size_t offset, void* buf, size_t n, Fill&& fill) {
    std::lock_guard<std::mutex> lock(mu_);
    if (copy_if_cached(key, offset, buf, n)) return;
    ++misses_;  // counted here only: a try_read miss followed by read is one miss
    uint32_t slot = acquire_slot();
    uint8_t* page = slot_data(slot);
    try {
      fill(page);
    } catch (...) {
      free_.push_back(slot);
      throw;
    }
    commit(slot, key);
    std::memcpy(buf, page + offset, n);
  }

  size_t page_size() const { return page_size_; }
  size_t capacity() const { return capacity_; }
  uint64_t hits() const { return hits_; }
  uint64_t misses() const { return misses_; }  // = fills

 private:
  static constexpr uint32_t kNone = UINT32_MAX;
  struct Slot {
    uint64_t key = 0;
    uint32_t prev = kNone;  // towards most recently used
    uint32_t next = kNone;  // towards least recently used
  };
  void unlink(uint32_t i);
  void push_front(uint32_t i);
  bool copy_if_cached(uint64_t key, size_t offset, void* buf, size_t n);
  uint32_t acquire_slot();
  void commit(uint32_t slot, uint64_t key);
  uint8_t* slot_data(uint32_t slot) { return data_.get() + size_t{slot} * page_size_; }

  size_t page_size_;
  size_t capacity_;
  std::unique_ptr<uint8_t[]> data_;  // capacity_ × page_size_, touched lazily
  std::vector<Slot> slots_;          // grows up to capacity_
  std::vector<uint32_t> free_;       // slots whose fill failed
  std::unordered_map<uint64_t, uint32_t> index_;
  uint32_t head_ = kNone, tail_ = kNone;
  uint64_t hits_ = 0, misses_ = 0;
  std::mutex mu_;
};

}  // namespace kdive
