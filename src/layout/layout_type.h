// LayoutType: one node of a type graph as the pahole view (struct_layout_printer.h)
// walks it, from either of its two sources: a DWARF DIE, read as pahole's DWARF loader
// reads it, or a kdive Type (types/type.h; in no-debug-info mode made from the kernel's
// BTF), read as pahole's BTF loader reads the BTF of the same declaration — no
// alignments, base types in the compiler's spelling, enumerators unsigned. Kinds are
// DWARF tags, as pahole keeps them for both loaders; a Type's qualifiers are nodes of
// their own (const, then volatile, then restrict), as DWARF and BTF chain them.
//
//   LayoutType s(die);                                           // a DIE
//   std::optional<LayoutType> t = LayoutType::of(qualified);     // a Type; nullopt: void
//   if (t->tag() == DW_TAG_const_type) t = t->target();
#pragma once

#include <elfutils/libdw.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdive/type.h"

namespace kdive {

class LayoutType {
 public:
  explicit LayoutType(const Dwarf_Die& die) : die_(die) {}
  // nullopt for void (and a null type), which pahole holds as "no type"; a qualified
  // void is a qualifier node over it.
  static std::optional<LayoutType> of(QualifiedType type);

  bool is_die() const { return type_ == nullptr; }
  const Dwarf_Die& die() const { return die_; }  // is_die() only
  const Type* type() const { return type_; }     // !is_die() only

  // DW_TAG_* of the node: base, pointer, qualifier, array, subroutine, struct, class,
  // union, enumeration or typedef (or whatever else a DIE is).
  int tag() const;
  // nullptr when the node has no name. Stable for the life of the DIE's file or Type.
  const char* name() const;
  // What the node refers to (DW_AT_type): a pointee, element, return type, typedef
  // target or the type under a qualifier. nullopt: void, or nothing.
  std::optional<LayoutType> target() const;
  // DW_AT_byte_size, 0 when absent; a Type's size for base, pointer, compound and enum
  // types, 0 for the others (as their DIEs carry none).
  uint64_t byte_size() const;
  // DW_AT_alignment, 0 when absent; always 0 for a Type (BTF has no alignment).
  uint32_t alignment() const;
  bool is_vector() const;  // DW_AT_GNU_vector
  // The element counts of an array, outermost first, 0 for an unbounded one.
  std::vector<uint32_t> array_dimensions() const;
  // Data members of a struct/union (DW_TAG_member children; a Type's members).
  uint16_t member_count() const;
  // Identity for caches: the DIE offset, or the Type's address. Nodes of one graph
  // only, so the two never meet.
  uint64_t id() const;
  // "DIE 0x1234" or "type 'struct foo'", for error messages.
  std::string describe() const;

  struct Parameter;
  // A subroutine type's parameters; `unspecified` set when it ends with `...`.
  std::vector<Parameter> parameters(bool& unspecified) const;

  struct Enumerator {
    const char* name = "";
    uint64_t value = 0;  // two's complement bits when is_signed
  };
  // An enumeration's values and whether pahole prints them signed: as DWARF gives them,
  // in the underlying type's sign and width; from a Type as pahole's BTF loader holds
  // them — unsigned, and zero-extended from 32 bits unless the enum is 8 bytes wide
  // (BTF_KIND_ENUM keeps 32-bit values; ENUM64, for 8-byte enums, all 64 bits).
  std::vector<Enumerator> enumerators(bool& is_signed) const;

  // DWARF only: an unsigned attribute (0 when absent) and whether an attribute is there.
  uint64_t dwarf_unsigned(unsigned attr) const;
  bool dwarf_has(unsigned attr) const;

 private:
  LayoutType(const Type* type, uint8_t qualifiers) : type_(type), qualifiers_(qualifiers) {}

  Dwarf_Die die_{};
  const Type* type_ = nullptr;
  uint8_t qualifiers_ = 0;  // of type_, not yet peeled off
};

struct LayoutType::Parameter {
  const char* name = nullptr;
  std::optional<LayoutType> type;
};

// Follows typedefs and const/volatile/restrict from `type` to the type they name;
// nullopt for void, or a chain too long to come from anything but corrupt data.
std::optional<LayoutType> strip_typedefs_and_modifiers(std::optional<LayoutType> type);

}  // namespace kdive
