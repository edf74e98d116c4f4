// DwarfConstant implementation: raw bits come from libdw (dwarf_formudata zero-extends
// the fixed-size forms and returns LEB128 values as they are); the sign is applied here.
#include "debuginfo/dwarf_constant.h"

#include <dwarf.h>

namespace kdive {

namespace {
// Bits held by a fixed-size data form, 0 for the LEB128 and implicit forms.
unsigned fixed_width(unsigned form) {
  switch (form) {
    case DW_FORM_data1: return 8;
    case DW_FORM_data2: return 16;
    case DW_FORM_data4: return 32;
    case DW_FORM_data8: return 64;
    default: return 0;
  }
}
}  // namespace

bool dwarf_constant_is_signed(unsigned form, unsigned attr, bool value_is_signed) {
  switch (form) {
    case DW_FORM_sdata: case DW_FORM_implicit_const: return true;
    case DW_FORM_udata: return false;
    default: break;
  }
  // DW_FORM_dataN: the form says nothing (DWARF 5 §7.5.5 asks producers to prefer
  // sdata/udata for this reason); the attribute and the value's type do.
  switch (attr) {
    case DW_AT_const_value: case DW_AT_upper_bound: case DW_AT_lower_bound: return value_is_signed;
    default: return false;
  }
}

std::optional<DwarfConstant> read_dwarf_constant(Dwarf_Attribute* attr, bool value_is_signed) {
  unsigned form = dwarf_whatform(attr);
  unsigned width = fixed_width(form);
  if (!width && form != DW_FORM_sdata && form != DW_FORM_udata && form != DW_FORM_implicit_const)
    return std::nullopt;
  DwarfConstant c;
  c.is_signed = dwarf_constant_is_signed(form, dwarf_whatattr(attr), value_is_signed);
  if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
    Dwarf_Sword s;
    if (dwarf_formsdata(attr, &s) != 0) return std::nullopt;
    c.bits = static_cast<uint64_t>(s);
    return c;
  }
  Dwarf_Word w;
  if (dwarf_formudata(attr, &w) != 0) return std::nullopt;
  c.bits = w;
  if (c.is_signed && width && width < 64 && ((w >> (width - 1)) & 1)) c.bits = w | (~uint64_t{0} << width);
  return c;
}

std::optional<DwarfConstant> die_constant(Dwarf_Die* die, unsigned attr, bool value_is_signed, bool integrate) {
  Dwarf_Attribute a;
  if (!(integrate ? dwarf_attr_integrate(die, attr, &a) : dwarf_attr(die, attr, &a))) return std::nullopt;
  return read_dwarf_constant(&a, value_is_signed);
}

std::optional<uint64_t> die_unsigned(Dwarf_Die* die, unsigned attr, bool integrate) {
  auto c = die_constant(die, attr, false, integrate);
  if (!c || c->is_negative()) return std::nullopt;
  return c->bits;
}

}  // namespace kdive
