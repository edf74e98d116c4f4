// IndexEntry: one DIE of the DWARF name index (what kind of name it defines, where it
// is, and whether it is a declaration or has an address).
#pragma once

#include <cstdint>

namespace kdive {

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

}  // namespace kdive
