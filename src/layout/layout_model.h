// LayoutModel: the facts pahole derives from a struct/union DIE before printing it —
// member byte/bit offsets and sizes (bit fields moved onto their storage unit), byte
// and bit holes, padding, natural alignment and the inferred __packed__ attribute.
// Read straight from libdw because the type model (kdive/type.h) carries no
// DW_AT_alignment, no typedef/qualifier chain as declared, and no DIE identity.
//
//   LayoutModel model("vmlinux", 8);
//   LayoutClass& c = model.compound(die);  model.find_holes(c);
#pragma once

#include <elfutils/libdw.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace kdive {

// One DW_TAG_member with pahole's view of where it lives. Field widths follow pahole's
// own (hole counts are 16-bit, bit holes 8-bit) so that its wrap-arounds match.
struct LayoutMember {
  Dwarf_Die die{};
  const char* name = nullptr;        // nullptr for an anonymous member
  std::optional<Dwarf_Die> type;     // nullopt: no DW_AT_type (void)
  uint32_t byte_offset = 0;
  uint64_t byte_size = 0;
  uint32_t bit_offset = 0;
  uint32_t bit_size = 0;             // byte_size * 8
  int8_t bitfield_offset = 0;        // from the storage unit's least significant bit
  uint8_t bitfield_size = 0;         // 0: not a bit field
  uint32_t alignment = 0;            // DW_AT_alignment, 0 when absent
  bool is_static = false;            // a struct member without a location
  uint16_t hole = 0;                 // bytes after this member
  uint8_t bit_hole = 0;              // bits after this member
};

// A struct, class or union DIE with its members and the results of the hole search and
// packed inference (computed on demand, cached, mutated in the order pahole does).
struct LayoutClass {
  Dwarf_Die die{};
  int tag = 0;  // DW_TAG_structure_type, DW_TAG_class_type or DW_TAG_union_type
  const char* name = nullptr;
  uint32_t size = 0;
  uint32_t alignment = 0;
  uint16_t nr_members = 0;
  std::vector<LayoutMember> members;

  bool holes_searched = false;
  uint16_t pre_hole = 0;
  uint8_t pre_bit_hole = 0;
  uint16_t padding = 0;
  uint8_t bit_padding = 0;
  uint8_t nr_holes = 0;
  uint8_t nr_bit_holes = 0;

  bool packed_inferred = false;
  bool is_packed = false;
  uint16_t natural_alignment = 0;  // 0: not computed yet

  bool is_struct() const;
  bool is_union() const;
};

class LayoutModel {
 public:
  // `file` names the debug file in BadDataError messages.
  LayoutModel(std::string file, uint8_t address_size)
      : file_(std::move(file)), address_size_(address_size) {}

  // The (cached) layout of a struct/class/union DIE. BadDataError for a DIE of another
  // kind or a nesting deeper than a sane type graph has.
  LayoutClass& compound(const Dwarf_Die& die);

  // pahole's tag__size: bytes of a type DIE (pointers = address size, arrays = element
  // × all dimensions, an empty 1-byte struct = 0, void = 0).
  uint64_t type_size(const std::optional<Dwarf_Die>& type);
  // pahole's tag__natural_alignment on an already stripped type (never 0).
  uint64_t natural_alignment(const std::optional<Dwarf_Die>& type);

  void find_holes(LayoutClass& c);
  bool infer_packed(LayoutClass& c);
  void infer_union_packed(LayoutClass& c);

  uint8_t address_size() const { return address_size_; }
  const std::string& file() const { return file_; }

  // DW_AT_type of a DIE (nullopt when absent: void).
  static std::optional<Dwarf_Die> type_of(const Dwarf_Die& die);
  // Follows typedefs and const/volatile/restrict from a type.
  static std::optional<Dwarf_Die> strip_typedefs_and_modifiers(std::optional<Dwarf_Die> type);
  // The element counts of an array DIE's subranges (0 for an unbounded one).
  static std::vector<uint32_t> array_dimensions(const Dwarf_Die& array);
  static uint64_t udata(const Dwarf_Die& die, unsigned attr);
  // A constant of a type (const value, bound) with that type's sign and width in bits;
  // two's complement bits, 0 when absent (rule: debuginfo/dwarf_constant.h).
  static uint64_t constant(const Dwarf_Die& die, unsigned attr, bool value_is_signed, unsigned value_bits);
  static bool has_attr(const Dwarf_Die& die, unsigned attr);

 private:
  void check_structs_at_unnatural_alignments(LayoutClass& c);
  uint16_t compound_natural_alignment(LayoutClass& c);

  [[noreturn]] void fail(const Dwarf_Die& die, const char* what) const;

  std::string file_;
  uint8_t address_size_;
  int depth_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<LayoutClass>> classes_;
};

}  // namespace kdive
