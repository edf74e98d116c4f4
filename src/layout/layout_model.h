// LayoutModel: the facts pahole derives from a struct/union before printing it — member
// byte/bit offsets and sizes (bit fields moved onto their storage unit), byte and bit
// holes, padding, natural alignment and the inferred __packed__ attribute — over
// LayoutType nodes (layout_type.h), so that one set of rules serves both sources: DIEs
// as pahole's DWARF loader reads them (DW_AT_alignment as declared), and kdive Types as
// its BTF loader reads the same BTF (alignments inferred from offsets, as
// btf_loader.c's class__infer_alignment does).
//
//   LayoutModel model("vmlinux", 8, LayoutModel::kDwarf);
//   LayoutClass& c = model.compound(LayoutType(die));  model.find_holes(c);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "layout/layout_type.h"

namespace kdive {

// One data member with pahole's view of where it lives. Field widths follow pahole's
// own (hole counts are 16-bit, bit holes 8-bit) so that its wrap-arounds match.
struct LayoutMember {
  const char* name = nullptr;        // nullptr for an anonymous member
  std::optional<LayoutType> type;    // nullopt: no DW_AT_type (void)
  uint32_t byte_offset = 0;
  uint64_t byte_size = 0;
  uint32_t bit_offset = 0;
  uint32_t bit_size = 0;             // byte_size * 8
  int8_t bitfield_offset = 0;        // from the storage unit's least significant bit
  uint8_t bitfield_size = 0;         // 0: not a bit field
  uint32_t alignment = 0;            // DW_AT_alignment or inferred (Types), 0: none
  bool is_static = false;            // a struct member without a location
  uint16_t hole = 0;                 // bytes after this member
  uint8_t bit_hole = 0;              // bits after this member
};

// A struct, class or union with its members and the results of the hole search and
// packed inference (computed on demand, cached, mutated in the order pahole does).
struct LayoutClass {
  explicit LayoutClass(const LayoutType& n) : node(n) {}

  LayoutType node;
  int tag = 0;  // DW_TAG_structure_type, DW_TAG_class_type or DW_TAG_union_type
  const char* name = nullptr;
  uint32_t size = 0;
  uint32_t alignment = 0;  // DW_AT_alignment or inferred (Types), 0: none
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
  // Whether the source states alignments (DWARF's DW_AT_alignment) or pahole infers
  // them (its BTF loader; kdive Types carry none either).
  enum Alignments : bool { kInferred = false, kDwarf = true };

  // `file` names the source in BadDataError messages.
  LayoutModel(std::string file, uint8_t address_size, Alignments alignments)
      : file_(std::move(file)), address_size_(address_size), has_alignment_info_(alignments) {}

  // The (cached) layout of a struct/class/union. BadDataError for a node of another kind
  // or a nesting deeper than a sane type graph has.
  LayoutClass& compound(const LayoutType& type);

  // pahole's tag__size: bytes of a type (pointers = address size, arrays = element ×
  // all dimensions, an empty 1-byte struct = 0, void = 0).
  uint64_t type_size(const std::optional<LayoutType>& type);
  // pahole's tag__natural_alignment on an already stripped type (never 0).
  uint64_t natural_alignment(const std::optional<LayoutType>& type);

  void find_holes(LayoutClass& c);
  bool infer_packed(LayoutClass& c);
  void infer_union_packed(LayoutClass& c);

  uint8_t address_size() const { return address_size_; }
  // false: alignments were inferred, and pahole prints no "Force padding" bit fields.
  bool has_alignment_info() const { return has_alignment_info_; }
  const std::string& file() const { return file_; }

  // BadDataError naming the file and where in it `type` is.
  [[noreturn]] void fail(const LayoutType& type, const char* what) const;

 private:
  void read_dwarf_members(LayoutClass& c);
  void read_type_members(LayoutClass& c);
  void check_structs_at_unnatural_alignments(LayoutClass& c);
  uint16_t compound_natural_alignment(LayoutClass& c);

  std::string file_;
  uint8_t address_size_;
  bool has_alignment_info_;
  int depth_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<LayoutClass>> classes_;
};

}  // namespace kdive
