// DwarfConstant: the one place that reads a DWARF constant-class attribute and decides
// its signedness from the form, the attribute and the type of the value it describes.
// Every integer read from a DIE (sizes, offsets, bit fields, array bounds, enumerator
// values, DW_AT_const_value, call lines) goes through here.
//
// The rule (DWARF 5 §7.5.5, class "constant"; §7.5.3 for DW_FORM_implicit_const):
//   DW_FORM_sdata, DW_FORM_implicit_const   signed LEB128: signed, whatever the attribute
//   DW_FORM_udata                           unsigned LEB128: unsigned
//   DW_FORM_data1/2/4/8                     bits without a sign (§7.5.5 asks producers to
//     prefer sdata/udata for that reason). They are zero-extended — gcc's convention
//     (dwarf2out.c: "DWARF consumers (GDB, elfutils, etc.) always zero extend the value.
//     Only when the actual value is negative do we need to use add_AT_int"), and GDB's
//     reading (dwarf2_const_value_data) — and then, for a value of a signed type
//     (DW_AT_const_value of a variable or enumerator, DW_AT_upper_bound/DW_AT_lower_bound
//     of a subrange with a signed index type), read in that type's width: data1 0xc8 of
//     an `int` is 200, data1 0x80 of a `signed char` is -128. Everything else — sizes,
//     offsets, counts, encodings, lines — is unsigned by definition (§2.19, §5.7.6).
// libdw gets this wrong both ways, which is why nothing else calls dwarf_formsdata or
// dwarf_formudata: dwarf_formsdata sign-extends data1/2/4 from the form's width (gcc 10's
// linux_banner, upper bound 0xbf in data1, became char[-64]; drgn 0.0.22, which uses it
// for constants of signed type, prints `static const int k = 200;` as (const int)-56);
// dwarf_formudata returns a negative sdata as 2^64 - n.
//
//   ConstantType t{true, 32};  // the enumeration's underlying type: int
//   if (auto c = die_constant(&enumerator, DW_AT_const_value, t)) e.value = c->bits;
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

// What a constant is a value of, as far as reading it goes: whether that type is
// signed, and its width in bits (an enum: its underlying type's).
struct ConstantType {
  bool is_signed = false;
  unsigned bits = 64;
};

// Whether a constant of `form` held by attribute `attr` is signed, when the value's type
// (where the attribute has one, see above) is signed or not.
bool dwarf_constant_is_signed(unsigned form, unsigned attr, bool type_is_signed);

// Reads a constant-class attribute with that rule. nullopt when the form is not an
// integer constant (a block, an expression, a reference such as a VLA's DW_AT_count
// naming a variable, DW_FORM_data16) or the bytes are malformed.
std::optional<DwarfConstant> read_dwarf_constant(Dwarf_Attribute* attr, ConstantType type = {});

// The attribute `attr` of `die` (through DW_AT_abstract_origin / DW_AT_specification
// when `integrate`) read as above.
std::optional<DwarfConstant> die_constant(Dwarf_Die* die, unsigned attr, ConstantType type = {},
                                          bool integrate = true);
// An attribute that is unsigned by definition (size, offset, count, encoding, line):
// nullopt when absent, not a constant, or negative (malformed).
std::optional<uint64_t> die_unsigned(Dwarf_Die* die, unsigned attr, bool integrate = true);

}  // namespace kdive
