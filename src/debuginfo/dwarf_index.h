// DwarfIndex: the name index over every compilation unit of one ELF file — types
// (struct/union/class/enum tags, typedefs, base types), global variables, functions and
// enumerators — mapping a name to the DIE offsets that define it.
// Hand-written (instead of walking with libdw) because libdw handles are not
// thread-safe and its DIE walk is slow: this scanner reads .debug_info/.debug_abbrev
// through ByteCursor, skips subtrees with DW_AT_sibling, and indexes CUs in parallel.
//
//   DwarfIndex index = DwarfIndex::build(vmlinux_elf);
//   for (const IndexEntry& e : index.find("task_struct")) if (e.tag == IndexTag::Struct) ...
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/flat_name_index.h"
#include "debuginfo/name_map.h"

namespace kdive {

class ElfFile;
class FileSource;

struct DwarfIndexStats {
  size_t units = 0;
  size_t dies_visited = 0;
  size_t entries = 0;
  size_t bad_units = 0;  // units skipped because their bytes were malformed
};

class DwarfIndex {
 public:
  // Scans the file's DWARF with `threads` workers (0 = hardware concurrency). A unit with
  // malformed bytes is skipped and reported through `warnings` (one line each); the rest
  // are indexed. A file without .debug_info gives an empty index.
  static DwarfIndex build(const ElfFile& file, unsigned threads = 0,
                          std::vector<std::string>* warnings = nullptr);
  // The same index, from the on-disk cache in `cache_dir` when it holds a valid image for
  // this file (keyed by build ID and sizes); else built, and stored there for next time
  // when the file is large enough to be worth it and was indexed without warnings.
  // `cache_dir` empty: no cache. Cache trouble (unwritable directory, damaged image) only
  // means building.
  static constexpr uint64_t kMinCachedDebugInfo = 4u << 20;  // smaller files index in ms
  static DwarfIndex load_or_build(const ElfFile& file, const std::string& cache_dir,
                                  std::vector<std::string>* warnings = nullptr,
                                  uint64_t min_debug_info_size = kMinCachedDebugInfo);
  // $KDIVE_INDEX_CACHE, else $XDG_CACHE_HOME/kdive/index, else ~/.cache/kdive/index;
  // empty (no cache) when KDIVE_INDEX_CACHE is set to "" or "off".
  static std::string default_cache_dir();
  // True when this index was mapped from the cache.
  bool from_cache() const { return mapped_ != nullptr; }

  // Entries for `name`, definitions first, in increasing DIE offset order otherwise.
  // Type tags keep only their first complete definition (plus a declaration when no
  // definition exists), since every CU repeats the common kernel types.
  std::span<const IndexEntry> find(std::string_view name) const;
  // Calls f(name, entry) for every entry (used for completion and listing).
  template <typename F>
  void for_each(F&& f) const {
    if (mapped_) {
      flat_.for_each([&](std::string_view name, std::span<const IndexEntry> entries) {
        for (const IndexEntry& e : entries) f(name, e);
      });
      return;
    }
    map_.for_each([&](std::string_view name, const std::vector<IndexEntry>& entries) {
      for (const IndexEntry& e : entries) f(name, e);
    });
  }
  const DwarfIndexStats& stats() const { return stats_; }

 private:
  NameMap map_;  // names point into the file's string sections or owned_names_
  std::vector<std::deque<std::string>> owned_names_;  // C++ qualified names, per scan thread
  DwarfIndexStats stats_;
  // A cached index: the mapped image and the view of it (map_ then stays empty).
  std::shared_ptr<FileSource> mapped_;
  FlatNameIndex flat_;
};

}  // namespace kdive
