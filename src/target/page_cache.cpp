// PageCache: slots in an index-linked LRU list; the victim is the tail once all
// capacity_ slots are in use.
#include "target/page_cache.h"

#include <cstring>

namespace kdive {

PageCache::PageCache(size_t page_size, size_t capacity_pages)
    : page_size_(page_size),
      capacity_(capacity_pages ? capacity_pages : 1),
      data_(new uint8_t[capacity_ * page_size]) {
  slots_.reserve(capacity_);
  index_.reserve(capacity_ * 2);
}

void PageCache::unlink(uint32_t i) {
  Slot& s = slots_[i];
  if (s.prev != kNone) slots_[s.prev].next = s.next; else head_ = s.next;
  if (s.next != kNone) slots_[s.next].prev = s.prev; else tail_ = s.prev;
  s.prev = s.next = kNone;
}

void PageCache::push_front(uint32_t i) {
  Slot& s = slots_[i];
  s.prev = kNone;
  s.next = head_;
  if (head_ != kNone) slots_[head_].prev = i;
  head_ = i;
  if (tail_ == kNone) tail_ = i;
}

void PageCache::read(uint64_t key, size_t offset, void* buf, size_t n, const FillFn& fill) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {
    ++hits_;
    uint32_t i = it->second;
    if (head_ != i) {
      unlink(i);
      push_front(i);
    }
    std::memcpy(buf, data_.get() + size_t{i} * page_size_ + offset, n);
    return;
  }
  ++misses_;
  uint32_t i;
  if (!free_.empty()) {
    i = free_.back();
    free_.pop_back();
  } else if (slots_.size() < capacity_) {
    i = static_cast<uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    // Evict first: if the fill throws, the slot must not still claim the old key.
    i = tail_;
    index_.erase(slots_[i].key);
    unlink(i);
  }
  uint8_t* page = data_.get() + size_t{i} * page_size_;
  try {
    fill(page);
  } catch (...) {
    free_.push_back(i);
    throw;
  }
  slots_[i].key = key;
  index_.emplace(key, i);
  push_front(i);
  std::memcpy(buf, page + offset, n);
}

}  // namespace kdive
