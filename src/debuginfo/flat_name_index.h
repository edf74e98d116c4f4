// FlatNameIndex: the DWARF name index as one contiguous, position-independent byte image
// (header, open-addressing hash slots, name records, IndexEntry records, name bytes) —
// the form the on-disk index cache stores and maps back with no parsing, so a second
// open of the same vmlinux neither rescans .debug_info nor rebuilds a hash table.
// Hand-written: the layout is ours (format version kFlatIndexVersion below).
//
//   std::vector<uint8_t> image = FlatNameIndex::serialize(map, key, stats);
//   FlatNameIndex flat(image_span, "cache.kdx");      // throws BadDataError if malformed
//   for (const IndexEntry& e : flat.find("task_struct")) ...
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/index_entry.h"
#include "debuginfo/name_map.h"

namespace kdive {

// What an image was built from; an image is used only when this matches exactly.
struct FlatIndexKey {
  uint64_t file_size = 0;
  uint64_t debug_info_size = 0;
  uint64_t mtime_ns = 0;  // a file rewritten in place under the same build ID
  bool operator==(const FlatIndexKey&) const = default;
};

struct FlatIndexStats {
  uint64_t units = 0;
  uint64_t dies_visited = 0;
};

class FlatNameIndex {
 public:
  static std::vector<uint8_t> serialize(const NameMap& map, const FlatIndexKey& key, const FlatIndexStats& stats);

  FlatNameIndex() = default;
  // Views `image` (which must stay alive and 8-byte aligned). Checks the header, the
  // section bounds and `key`; throws BadDataError naming `origin` otherwise. Records are
  // checked when a lookup reaches them, so a damaged image fails a lookup with
  // BadDataError instead of returning garbage.
  FlatNameIndex(std::span<const uint8_t> image, std::string origin, const FlatIndexKey& key);

  std::span<const IndexEntry> find(std::string_view name) const;
  const FlatIndexStats& stats() const { return stats_; }
  uint64_t name_count() const { return name_count_; }
  uint64_t entry_count() const { return entry_count_; }
  // f(name, entries) for every name.
  template <typename F>
  void for_each(F&& f) const {
    for (uint64_t i = 0; i < name_count_; ++i) {
      auto [name, entries] = record(i);
      f(name, entries);
    }
  }

 private:
  std::pair<std::string_view, std::span<const IndexEntry>> record(uint64_t name_index) const;

  std::span<const uint8_t> image_;
  std::string origin_;
  FlatIndexStats stats_;
  uint64_t slot_mask_ = 0;
  uint64_t name_count_ = 0;
  uint64_t entry_count_ = 0;
  const uint8_t* slots_ = nullptr;
  const uint8_t* names_ = nullptr;
  const IndexEntry* entries_ = nullptr;
  std::span<const uint8_t> blob_;
};

}  // namespace kdive
