// DwarfConstant: the one place that reads a DWARF constant-class attribute and decides
// its signedness from the form, the attribute and the type of the value it describes.
// Every integer read from a DIE (sizes, offsets, bit fields, array bounds, enumerator
// values, DW_AT_const_value, call lines) goes through here.
//
// The rule (DWARF 5 §7.5.5, class "constant"; §7.5.3 for DW_FORM_implicit_const):
//   DW_FORM_sdata, DW_FORM_implicit_const   signed LEB128: signed, whatever the attribute
//   DW_FORM_udata                           unsigned LEB128: unsigned
//   DW_FORM_data1/2/4/8                     bits without a sign. The attribute decides:
//     DW_AT_const_value (of a variable or an enumerator), DW_AT_upper_bound and
//     DW_AT_lower_bound: signed exactly when the value's type is (the variable's type,
//     the enumeration's underlying type, the subrange's index type); everything else —
//     sizes, offsets, counts, encodings, lines — is unsigned by definition (§2.19, §5.7.6).
// libdw gets this wrong both ways, which is why nothing calls dwarf_formsdata/formudata
// directly: dwarf_formsdata sign-extends data1/2/4 regardless of the type (gcc 10's
// linux_banner, upper bound 0xbf in data1, became char[-64]; 6.1's linux_proc_banner,
// 0x84, became char[18446744073709551493]); dwarf_formudata returns a negative sdata as
// 2^64 - n.
//
//   bool is_signed = type_is_signed(enum_compatible_type);
//   if (auto c = die_constant(&enumerator, DW_AT_const_value, is_signed)) e.value = c->bits;
//   uint64_t size = die_unsigned(&die, DW_AT_byte_size).value_or(0);
#pragma once

#include <cstdint>
#include <optional>

#include <elfutils/libdw.h>

namespace kdive {

struct DwarfConstant {
  uint64_t bits = 0;       // the value, sign- or zero-extended to 64 bits as decided
  bool is_signed = false;  // read as signed: `bits` is an int64_t in two's complement
  int64_t as_signed() const { return static_cast<int64_t>(bits); }
  bool is_negative() const { return is_signed && as_signed() < 0; }
};

// Whether a constant of `form` held by attribute `attr` is signed; `value_is_signed` is
// the signedness of the value's type where the attribute has one (see above).
bool dwarf_constant_is_signed(unsigned form, unsigned attr, bool value_is_signed);

// Reads a constant-class attribute with that rule. nullopt when the form is not an
// integer constant (a block, an expression, a reference such as a VLA's DW_AT_count
// naming a variable, DW_FORM_data16) or the bytes are malformed.
std::optional<DwarfConstant> read_dwarf_constant(Dwarf_Attribute* attr, bool value_is_signed = false);

// The attribute `attr` of `die` (through DW_AT_abstract_origin / DW_AT_specification
// when `integrate`) read as above.
std::optional<DwarfConstant> die_constant(Dwarf_Die* die, unsigned attr, bool value_is_signed = false,
                                          bool integrate = true);
// An attribute that is unsigned by definition (size, offset, count, encoding, line):
// nullopt when absent, not a constant, or negative (malformed).
std::optional<uint64_t> die_unsigned(Dwarf_Die* die, unsigned attr, bool integrate = true);

}  // namespace kdive
