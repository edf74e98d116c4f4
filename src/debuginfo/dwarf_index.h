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
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kdive {

class ElfFile;

enum class IndexTag : uint8_t {
  Struct,
  Union,
  Class,
  Enum,
  Typedef,
  BaseType,
  Variable,
  Function,
  Enumerator,
};

struct IndexEntry {
  uint64_t die_offset = 0;  // offset of the DIE in .debug_info
  uint64_t parent_offset = 0;  // for enumerators: the enumeration type DIE
  IndexTag tag = IndexTag::Variable;
  bool is_declaration = false;
  // Variables: has DW_AT_location; functions: has DW_AT_low_pc or DW_AT_ranges.
  bool has_address = false;
};

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

  // Entries for `name`, definitions first, in increasing DIE offset order otherwise.
  // Type tags keep only their first complete definition (plus a declaration when no
  // definition exists), since every CU repeats the common kernel types.
  std::span<const IndexEntry> find(std::string_view name) const;
  // Calls f(name, entry) for every entry (used for completion and listing).
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [name, entries] : map_)
      for (const IndexEntry& e : entries) f(name, e);
  }
  const DwarfIndexStats& stats() const { return stats_; }

 private:
  std::vector<std::string> names_storage_;  // unused when names point into the file
  std::unordered_map<std::string_view, std::vector<IndexEntry>> map_;
  DwarfIndexStats stats_;
};

}  // namespace kdive
