// DwarfTypeTranslator implementation over libdw. Member locations follow DWARF 5 §5.7.6
// (DW_AT_data_member_location as constant or DW_OP_plus_uconst expression,
// DW_AT_data_bit_offset) and DWARF 2/3's DW_AT_bit_offset (counted from the most
// significant bit of a DW_AT_byte_size storage unit).
#include "debuginfo/dwarf_type_translator.h"

#include <dwarf.h>

#include <fmt/format.h>

#include "kdive/error.h"
#include "types/type_name_parser.h"

namespace kdive {

namespace {
constexpr int kMaxDepth = 256;  // qualifier/typedef/pointer chains deeper than this are corrupt

std::string die_name(Dwarf_Die* die) {
  const char* n = dwarf_diename(die);
  return n ? n : "";
}

bool flag(Dwarf_Die* die, unsigned attr) {
  Dwarf_Attribute a;
  bool v = false;
  return dwarf_attr_integrate(die, attr, &a) && dwarf_formflag(&a, &v) == 0 && v;
}

std::optional<uint64_t> udata(Dwarf_Die* die, unsigned attr) {
  Dwarf_Attribute a;
  Dwarf_Word v;
  if (!dwarf_attr_integrate(die, attr, &a) || dwarf_formudata(&a, &v) != 0) return std::nullopt;
  return v;
}
}  // namespace

void DwarfTypeTranslator::fail(Dwarf_Die* die, const std::string& what) const {
  throw BadDataError(file_, fmt::format(".debug_info: {}", what), dwarf_dieoffset(die));
}

QualifiedType DwarfTypeTranslator::type_at(uint64_t die_offset) {
  auto it = cache_.find(die_offset);
  if (it != cache_.end()) return it->second;
  Dwarf_Die die;
  if (!dwarf_offdie(dwarf_, die_offset, &die)) {
    throw BadDataError(file_, "no DIE at this offset in .debug_info", die_offset);
  }
  return translate(&die, 0);
}

QualifiedType DwarfTypeTranslator::type_of(Dwarf_Die* die) { return type_attr(die, 0); }

QualifiedType DwarfTypeTranslator::type_attr(Dwarf_Die* die, int depth) {
  Dwarf_Attribute a;
  Dwarf_Die target;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a)) return {arena_.void_type(), 0};
  if (!dwarf_formref_die(&a, &target)) fail(die, "bad DW_AT_type reference");
  return translate(&target, depth + 1);
}

LazyType DwarfTypeTranslator::lazy_type_attr(Dwarf_Die* die) {
  Dwarf_Attribute a;
  Dwarf_Die target;
  if (!dwarf_attr_integrate(die, DW_AT_type, &a)) return LazyType(QualifiedType{arena_.void_type(), 0});
  if (!dwarf_formref_die(&a, &target)) fail(die, "bad DW_AT_type reference");
  uint64_t off = dwarf_dieoffset(&target);
  auto it = cache_.find(off);
  if (it != cache_.end()) return LazyType(it->second);
  return LazyType([this, off] { return type_at(off); });
}

QualifiedType DwarfTypeTranslator::translate(Dwarf_Die* die, int depth) {
  if (depth > kMaxDepth) fail(die, "type chain too deep (cycle?)");
  uint64_t off = dwarf_dieoffset(die);
  auto it = cache_.find(off);
  if (it != cache_.end()) return it->second;
  QualifiedType result;
  int tag = dwarf_tag(die);
  switch (tag) {
    case DW_TAG_const_type: case DW_TAG_volatile_type: case DW_TAG_restrict_type: case DW_TAG_atomic_type: {
      result = type_attr(die, depth);
      result.qualifiers |= tag == DW_TAG_const_type ? kQualConst
                           : tag == DW_TAG_volatile_type ? kQualVolatile
                           : tag == DW_TAG_restrict_type ? kQualRestrict : kQualAtomic;
      break;
    }
    case DW_TAG_base_type: result = {translate_base(die), 0}; break;
    case DW_TAG_unspecified_type: result = {arena_.void_type(), 0}; break;
    case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
      result = {arena_.make_pointer_lazy(lazy_type_attr(die), udata(die, DW_AT_byte_size).value_or(8)), 0};
      break;
    case DW_TAG_typedef: {
      result = {arena_.make_typedef(die_name(die), lazy_type_attr(die)), 0};
      break;
    }
    case DW_TAG_structure_type: result = {translate_compound(die, TypeKind::Struct), 0}; break;
    case DW_TAG_union_type: result = {translate_compound(die, TypeKind::Union), 0}; break;
    case DW_TAG_class_type: result = {translate_compound(die, TypeKind::Class), 0}; break;
    case DW_TAG_enumeration_type: result = {translate_enum(die, depth), 0}; break;
    case DW_TAG_array_type: result = {translate_array(die, depth), 0}; break;
    case DW_TAG_subroutine_type: case DW_TAG_subprogram: result = {translate_function(die), 0}; break;
    default: fail(die, fmt::format("DIE with tag {:#x} is not a type", tag));
  }
  cache_[off] = result;
  return result;
}

const Type* DwarfTypeTranslator::translate_base(Dwarf_Die* die) {
  std::string name = die_name(die);
  uint64_t size = udata(die, DW_AT_byte_size).value_or(0);
  uint64_t enc = udata(die, DW_AT_encoding).value_or(0);
  // Canonical C spelling ("long unsigned int" → "unsigned long"), as drgn prints.
  if (auto canon = canonical_primitive_name(name)) name = *canon;
  switch (enc) {
    case DW_ATE_boolean: return arena_.bool_type(name, size);
    case DW_ATE_float: return arena_.float_type(name, size);
    case DW_ATE_signed: case DW_ATE_signed_char: return arena_.int_type(name, size, true);
    case DW_ATE_unsigned: case DW_ATE_unsigned_char: case DW_ATE_UTF: return arena_.int_type(name, size, false);
    default: return arena_.int_type(name, size, false);
  }
}

const Type* DwarfTypeTranslator::translate_compound(Dwarf_Die* die, TypeKind kind) {
  std::string tag = die_name(die);
  if (flag(die, DW_AT_declaration)) {
    if (complete_ && !tag.empty()) {
      if (const Type* full = complete_(kind, tag)) return full;
    }
    return arena_.make_compound(kind, tag, 0, {}, false);
  }
  uint64_t size = udata(die, DW_AT_byte_size).value_or(0);
  std::vector<TypeMember> members;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_member) continue;
      TypeMember m;
      m.name = die_name(&child);
      m.type = lazy_type_attr(&child);
      uint64_t bit_offset = 0;
      Dwarf_Attribute a;
      if (dwarf_attr(&child, DW_AT_data_bit_offset, &a)) {
        Dwarf_Word v;
        if (dwarf_formudata(&a, &v) == 0) bit_offset = v;
      } else if (dwarf_attr(&child, DW_AT_data_member_location, &a)) {
        Dwarf_Word v;
        if (dwarf_whatform(&a) == DW_FORM_exprloc || dwarf_whatform(&a) == DW_FORM_block1) {
          Dwarf_Op* ops;
          size_t nops;
          if (dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 && ops[0].atom == DW_OP_plus_uconst)
            bit_offset = ops[0].number * 8;
          else
            fail(&child, "unsupported DW_AT_data_member_location expression");
        } else if (dwarf_formudata(&a, &v) == 0) {
          bit_offset = v * 8;
        }
      }
      if (auto bs = udata(&child, DW_AT_bit_size)) {
        m.bit_field_size = *bs;
        if (auto old = udata(&child, DW_AT_bit_offset)) {
          // DWARF 2/3: offset of the field's most significant bit within a storage unit of
          // DW_AT_byte_size bytes; on little-endian targets convert to the LSB position.
          uint64_t unit = udata(&child, DW_AT_byte_size).value_or(0);
          if (unit == 0) {
            QualifiedType mt = m.type.get();
            unit = mt.type ? mt.type->size() : 0;
          }
          bit_offset += unit * 8 - *old - *bs;
        }
      }
      m.bit_offset = bit_offset;
      members.push_back(std::move(m));
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return arena_.make_compound(kind, tag, size, std::move(members), true);
}

const Type* DwarfTypeTranslator::translate_enum(Dwarf_Die* die, int depth) {
  std::string tag = die_name(die);
  if (flag(die, DW_AT_declaration)) {
    if (complete_ && !tag.empty()) {
      if (const Type* full = complete_(TypeKind::Enum, tag)) return full;
    }
    return arena_.make_enum(tag, {}, {}, false);
  }
  uint64_t size = udata(die, DW_AT_byte_size).value_or(4);
  QualifiedType compatible;
  Dwarf_Attribute ta;
  if (dwarf_attr_integrate(die, DW_AT_type, &ta)) compatible = type_attr(die, depth);
  std::vector<TypeEnumerator> enumerators;
  bool any_negative = false;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_enumerator) continue;
      Dwarf_Attribute a;
      if (!dwarf_attr(&child, DW_AT_const_value, &a)) continue;
      TypeEnumerator e;
      e.name = die_name(&child);
      unsigned form = dwarf_whatform(&a);
      if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
        Dwarf_Sword s;
        dwarf_formsdata(&a, &s);
        e.value = static_cast<uint64_t>(s);
        if (s < 0) any_negative = true;
      } else {
        Dwarf_Word w;
        dwarf_formudata(&a, &w);
        e.value = w;
        // Fixed-size data forms carry no sign: sign-extend when the compatible type is signed.
        bool is_signed = compatible.type ? underlying_type(compatible).type->is_signed() : false;
        unsigned bits = form == DW_FORM_data1 ? 8 : form == DW_FORM_data2 ? 16 : form == DW_FORM_data4 ? 32 : 64;
        if (is_signed && bits < 64 && (w >> (bits - 1)) & 1) e.value = w | (~uint64_t{0} << bits);
      }
      enumerators.push_back(std::move(e));
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (!compatible.type) {
    // No DW_AT_type (DWARF < 3 style): an int of the enum's size, signed if any value is negative.
    const char* name = size == 8 ? (any_negative ? "long" : "unsigned long")
                       : size == 2 ? (any_negative ? "short" : "unsigned short")
                       : size == 1 ? (any_negative ? "signed char" : "unsigned char")
                       : (any_negative ? "int" : "unsigned int");
    compatible = {arena_.int_type(name, size, any_negative), 0};
  }
  return arena_.make_enum(tag, compatible, std::move(enumerators), true);
}

const Type* DwarfTypeTranslator::translate_array(Dwarf_Die* die, int depth) {
  // Each DW_TAG_subrange_type child is one dimension, outermost first: int a[2][3] has
  // subranges 2 then 3, i.e. array of 2 (array of 3 int).
  std::vector<std::optional<uint64_t>> dims;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      int t = dwarf_tag(&child);
      if (t != DW_TAG_subrange_type && t != DW_TAG_enumeration_type) continue;
      std::optional<uint64_t> len;
      Dwarf_Attribute a;
      if (auto count = udata(&child, DW_AT_count)) {
        len = *count;
      } else if (dwarf_attr(&child, DW_AT_upper_bound, &a)) {
        unsigned form = dwarf_whatform(&a);
        if (form == DW_FORM_sdata || form == DW_FORM_implicit_const) {
          Dwarf_Sword s;
          if (dwarf_formsdata(&a, &s) == 0) len = static_cast<uint64_t>(s + 1);  // -1 → zero-length
        } else if (form != DW_FORM_exprloc && form != DW_FORM_block1 && form != DW_FORM_ref4) {
          // DW_FORM_dataN carries no sign: the bound is in the (unsigned) index type.
          // libdw's dwarf_formsdata sign-extends data1/2/4, which made gcc 10's
          // linux_banner (upper bound 0xbf, data1) an array of -64 chars.
          Dwarf_Word w = 0;
          if (dwarf_formudata(&a, &w) == 0) {
            len = w + 1;
            if (form == DW_FORM_data4 && w == 0xffffffff) len = 0;  // -1 in 32 bits: zero-length
            if (w == ~uint64_t{0}) len = 0;
          }
        }
      }
      dims.push_back(len);
      if (dims.size() > 64) fail(die, "array with too many dimensions");
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  if (dims.empty()) dims.push_back(std::nullopt);
  QualifiedType elem = type_attr(die, depth);
  const Type* t = nullptr;
  for (size_t i = dims.size(); i-- > 0;) {
    t = arena_.array_of(elem, dims[i]);
    elem = {t, 0};
  }
  return t;
}

const Type* DwarfTypeTranslator::translate_function(Dwarf_Die* die) {
  std::vector<TypeParameter> params;
  bool variadic = false;
  Dwarf_Die child;
  if (dwarf_child(die, &child) == 0) {
    do {
      int t = dwarf_tag(&child);
      if (t == DW_TAG_formal_parameter) {
        TypeParameter p;
        p.name = die_name(&child);
        p.type = lazy_type_attr(&child);
        params.push_back(std::move(p));
      } else if (t == DW_TAG_unspecified_parameters) {
        variadic = true;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return arena_.make_function(lazy_type_attr(die), std::move(params), variadic);
}

}  // namespace kdive
