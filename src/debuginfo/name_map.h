// NameMap: the DWARF index's name → entries table. A flat open-addressing hash table
// (linear probing, power-of-two capacity, hashes stored) because the index performs a
// lookup for every named top-level DIE of every unit — millions on a kernel — and
// std::unordered_map's node chasing made that the dominant cost of opening a dump.
//
//   NameMap m;  m["task_struct"].push_back(entry);  const auto* v = m.find("task_struct");
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "debuginfo/index_entry.h"

namespace kdive {

// A 64-bit string hash, stable across builds and runs (the on-disk index stores it):
// 8 bytes per multiply–xorshift round, then a final avalanche (splitmix64's constants).
inline uint64_t name_hash(std::string_view s) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ s.size();
  const char* p = s.data();
  size_t n = s.size();
  auto mix = [&h](uint64_t w) {
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  };
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    mix(w);
  }
  if (n) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    mix(w);
  }
  h ^= h >> 30;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

class NameMap {
 public:
  NameMap() { slots_.resize(1024); }

  // The entries of `name`, inserted empty when absent. `name` must outlive the map.
  std::vector<IndexEntry>& operator[](std::string_view name) {
    uint64_t h = hash(name);
    if ((lists_.size() + 1) * 4 > slots_.size() * 3) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.list == kEmpty) {
        s = {h, name, static_cast<uint32_t>(lists_.size())};
        names_.push_back(name);
        lists_.emplace_back();
        return lists_.back();
      }
      if (s.hash == h && s.name == name) return lists_[s.list];
    }
  }

  const std::vector<IndexEntry>* find(std::string_view name) const {
    uint64_t h = hash(name);
    size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.list == kEmpty) return nullptr;
      if (s.hash == h && s.name == name) return &lists_[s.list];
    }
  }

  // f(std::string_view name, std::vector<IndexEntry>& entries) for every name.
  template <typename F>
  void for_each(F&& f) {
    for (size_t i = 0; i < lists_.size(); ++i) f(names_[i], lists_[i]);
  }
  template <typename F>
  void for_each(F&& f) const {
    for (size_t i = 0; i < lists_.size(); ++i) f(names_[i], lists_[i]);
  }
  size_t size() const { return lists_.size(); }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    std::string_view name;
    uint32_t list = kEmpty;
  };

  static uint64_t hash(std::string_view s) { return name_hash(s); }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.list == kEmpty) continue;
      size_t i = s.hash & mask;
      while (slots_[i].list != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }

  std::vector<Slot> slots_;
  std::vector<std::vector<IndexEntry>> lists_;
  std::vector<std::string_view> names_;
};

}  // namespace kdive
