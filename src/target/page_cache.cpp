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

bool PageCache::copy_if_cached(uint64_t key, size_t offset, void* buf, size_t n) {
  auto it = index_.find(key);
  if (it == index_.end()) return false;
  ++hits_;
  uint32_t i = it->second;
  if (head_ != i) {
    unlink(i);
    push_front(i);
  }
  std::memcpy(buf, slot_data(i) + offset, n);
  return true;
}

uint32_t PageCache::acquire_slot() {
  if (!free_.empty()) {
    uint32_t i = free_.back();
    free_.pop_back();
    return i;
  }
  if (slots_.size() < capacity_) {
    slots_.emplace_back();
    return static_cast<uint32_t>(slots_.size() - 1);
  }
  // Evict the least recently used page first: should the fill throw, the slot must
  // not still claim its old key.
  uint32_t i = tail_;
  index_.erase(slots_[i].key);
  unlink(i);
  return i;
}

void PageCache::commit(uint32_t slot, uint64_t key) {
  slots_[slot].key = key;
  index_.emplace(key, slot);
  push_front(slot);
}

}  // namespace kdive
