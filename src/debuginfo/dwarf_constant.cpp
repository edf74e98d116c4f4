// DwarfConstant implementation: raw bits come from libdw (dwarf_formudata zero-extends
// the fixed-size forms and returns LEB128 values as they are); the sign is applied here.
#include "debuginfo/dwarf_constant.h"

#include <dwarf.h>

namespace kdive {

bool dwarf_constant_is_signed(unsigned form, unsigned attr, bool type_is_signed) {
  switch (form) {
    case DW_FORM_sdata: case DW_FORM_implicit_const: return true;
    case DW_FORM_udata: return false;
    default: break;
  }
  switch (attr) {
    case DW_AT_const_value: case DW_AT_upper_bound: case DW_AT_lower_bound: return type_is_signed;
    default: return false;
  }
}

std::optional<DwarfConstant> read_dwarf_constant(Dwarf_Attribute* attr, ConstantType type) {
  unsigned form = dwarf_whatform(attr);
  DwarfConstant c;
  c.is_signed = dwarf_constant_is_signed(form, dwarf_whatattr(attr), type.is_signed);
  switch (form) {
    case DW_FORM_sdata: case DW_FORM_implicit_const: {
      Dwarf_Sword s;
      if (dwarf_formsdata(attr, &s) != 0) return std::nullopt;
      c.bits = static_cast<uint64_t>(s);
      return c;
    }
    case DW_FORM_udata: case DW_FORM_data1: case DW_FORM_data2: case DW_FORM_data4: case DW_FORM_data8:
      break;
    default: return std::nullopt;
  }
  Dwarf_Word w;  // zero-extended by libdw
  if (dwarf_formudata(attr, &w) != 0) return std::nullopt;
  c.bits = w;
  if (c.is_signed && type.bits > 0 && type.bits < 64) {
    // The bits are the value's representation in its type: keep the type's width and
    // sign-extend from its top bit (a narrower form leaves that bit 0: positive).
    uint64_t low = w & ((uint64_t{1} << type.bits) - 1);
    c.bits = (low >> (type.bits - 1)) & 1 ? low | (~uint64_t{0} << type.bits) : low;
  }
  return c;
}

std::optional<DwarfConstant> die_constant(Dwarf_Die* die, unsigned attr, ConstantType type, bool integrate) {
  Dwarf_Attribute a;
  if (!(integrate ? dwarf_attr_integrate(die, attr, &a) : dwarf_attr(die, attr, &a))) return std::nullopt;
  return read_dwarf_constant(&a, type);
}

std::optional<uint64_t> die_unsigned(Dwarf_Die* die, unsigned attr, bool integrate) {
  auto c = die_constant(die, attr, {}, integrate);
  if (!c || c->is_negative()) return std::nullopt;
  return c->bits;
}

}  // namespace kdive
