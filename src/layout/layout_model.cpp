// LayoutModel implementation. Offsets follow DWARF 5 §5.7.6 (DW_AT_data_member_location
// as a constant or a DW_OP_plus_uconst expression, DW_AT_data_bit_offset) and DWARF 2/3's
// DW_AT_bit_offset (from the storage unit's most significant bit). The hole, padding and
// packed rules reproduce what pahole 1.24 reports, learnt from its output and source.
#include "layout/layout_model.h"

#include <dwarf.h>

#include <algorithm>

#include "debuginfo/dwarf_constant.h"
#include "kdive/error.h"

namespace kdive {

namespace {
constexpr int kMaxDepth = 512;  // deeper type nesting than this only comes from corrupt DWARF

bool is_modifier(int tag) {
  return tag == DW_TAG_const_type || tag == DW_TAG_volatile_type || tag == DW_TAG_restrict_type;
}

// A member location: a constant, or the usual one-operation expression.
uint64_t location_value(Dwarf_Attribute* attr) {
  if (auto c = read_dwarf_constant(attr)) return c->is_negative() ? 0 : c->bits;
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation(attr, &ops, &n) != 0 || n == 0) return 0;
  if (ops[0].atom == DW_OP_plus_uconst || ops[0].atom == DW_OP_constu) return ops[0].number;
  return 0;
}

uint16_t count_members(const Dwarf_Die& die) {
  Dwarf_Die d = die, child;
  uint16_t n = 0;
  if (dwarf_child(&d, &child) != 0) return 0;
  do {
    if (dwarf_tag(&child) == DW_TAG_member) ++n;
  } while (dwarf_siblingof(&child, &child) == 0);
  return n;
}

bool is_struct_tag(int tag) { return tag == DW_TAG_structure_type || tag == DW_TAG_class_type; }
}  // namespace

bool LayoutClass::is_struct() const { return is_struct_tag(tag); }
bool LayoutClass::is_union() const { return tag == DW_TAG_union_type; }

void LayoutModel::fail(const Dwarf_Die& die, const char* what) const {
  Dwarf_Die d = die;
  throw BadDataError(file_, std::string(".debug_info: ") + what, dwarf_dieoffset(&d));
}

uint64_t LayoutModel::udata(const Dwarf_Die& die, unsigned attr) {
  Dwarf_Die d = die;
  return die_unsigned(&d, attr, false).value_or(0);
}

uint64_t LayoutModel::constant(const Dwarf_Die& die, unsigned attr, bool value_is_signed, unsigned value_bits) {
  Dwarf_Die d = die;
  auto c = die_constant(&d, attr, {value_is_signed, value_bits}, false);
  return c ? c->bits : 0;
}

bool LayoutModel::has_attr(const Dwarf_Die& die, unsigned attr) {
  Dwarf_Die d = die;
  return dwarf_hasattr(&d, attr) != 0;
}

std::optional<Dwarf_Die> LayoutModel::type_of(const Dwarf_Die& die) {
  Dwarf_Die d = die, out;
  Dwarf_Attribute a;
  if (!dwarf_attr(&d, DW_AT_type, &a) || !dwarf_formref_die(&a, &out)) return std::nullopt;
  return out;
}

std::optional<Dwarf_Die> LayoutModel::strip_typedefs_and_modifiers(std::optional<Dwarf_Die> type) {
  for (int i = 0; type && i < kMaxDepth; ++i) {
    int tag = dwarf_tag(&*type);
    if (tag != DW_TAG_typedef && !is_modifier(tag)) return type;
    type = type_of(*type);
  }
  return std::nullopt;  // a chain longer than kMaxDepth: corrupt
}

std::vector<uint32_t> LayoutModel::array_dimensions(const Dwarf_Die& array) {
  std::vector<uint32_t> dims;
  Dwarf_Die d = array, child;
  if (dwarf_child(&d, &child) != 0) return dims;
  do {
    if (dwarf_tag(&child) != DW_TAG_subrange_type) continue;
    // pahole keeps 32-bit counts: an upper bound of -1 (a [0] array) wraps to 0 entries.
    if (has_attr(child, DW_AT_upper_bound)) {
      dims.push_back(static_cast<uint32_t>(constant(child, DW_AT_upper_bound, false, 64) + 1));
    } else {
      dims.push_back(static_cast<uint32_t>(udata(child, DW_AT_count)));
    }
    if (dims.size() == 64) break;
  } while (dwarf_siblingof(&child, &child) == 0);
  return dims;
}

uint64_t LayoutModel::type_size(const std::optional<Dwarf_Die>& type) {
  std::optional<Dwarf_Die> t = type;
  uint64_t multiplier = 1;
  for (int i = 0; t; ++i) {
    if (i > kMaxDepth) fail(*t, "type chain too deep");
    switch (dwarf_tag(&*t)) {
      case DW_TAG_pointer_type: case DW_TAG_reference_type: case DW_TAG_rvalue_reference_type:
        return multiplier * address_size_;
      case DW_TAG_base_type:
        return multiplier * udata(*t, DW_AT_byte_size);
      case DW_TAG_enumeration_type: {
        uint64_t s = udata(*t, DW_AT_byte_size);
        return multiplier * (s ? s : 4);
      }
      case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type: {
        uint64_t s = udata(*t, DW_AT_byte_size);
        // pahole treats an empty one-byte aggregate as zero-sized (C++'s empty base).
        if (s == 1 && count_members(*t) == 0) return 0;
        return multiplier * s;
      }
      case DW_TAG_array_type: {
        uint64_t n = 1;
        for (uint32_t d : array_dimensions(*t)) n *= d;
        multiplier *= n;
        break;
      }
      default: break;
    }
    std::optional<Dwarf_Die> next = type_of(*t);
    if (!next) return multiplier * udata(*t, DW_AT_byte_size);
    t = next;
  }
  return 0;
}

uint64_t LayoutModel::natural_alignment(const std::optional<Dwarf_Die>& type) {
  if (!type) return 1;
  uint64_t a = 1;
  Dwarf_Die t = *type;
  switch (dwarf_tag(&t)) {
    case DW_TAG_pointer_type: a = address_size_; break;
    case DW_TAG_base_type: a = udata(t, DW_AT_byte_size); break;
    case DW_TAG_enumeration_type: {
      uint64_t s = udata(t, DW_AT_byte_size);
      a = s ? s : 4;
      break;
    }
    case DW_TAG_structure_type: case DW_TAG_class_type: case DW_TAG_union_type:
      a = compound_natural_alignment(compound(t));
      break;
    case DW_TAG_array_type: {
      if (++depth_ > kMaxDepth) fail(t, "array nesting too deep");
      std::optional<Dwarf_Die> elem = strip_typedefs_and_modifiers(type_of(t));
      a = elem ? natural_alignment(elem) : 1;
      --depth_;
      break;
    }
    default: break;
  }
  return a ? a : 1;
}

uint16_t LayoutModel::compound_natural_alignment(LayoutClass& c) {
  if (c.natural_alignment != 0) return c.natural_alignment;
  if (++depth_ > kMaxDepth) fail(c.die, "type nesting too deep");
  for (LayoutMember& m : c.members) {
    if (m.is_static) continue;
    std::optional<Dwarf_Die> t = strip_typedefs_and_modifiers(m.type);
    if (!t) continue;
    uint64_t a = natural_alignment(t);
    if (c.natural_alignment < a) c.natural_alignment = static_cast<uint16_t>(a);
  }
  --depth_;
  return c.natural_alignment;
}

LayoutClass& LayoutModel::compound(const Dwarf_Die& die) {
  Dwarf_Die d = die;
  uint64_t key = dwarf_dieoffset(&d);
  auto it = classes_.find(key);
  if (it != classes_.end()) return *it->second;

  int tag = dwarf_tag(&d);
  if (!is_struct_tag(tag) && tag != DW_TAG_union_type) fail(die, "not a struct or union");
  auto c = std::make_unique<LayoutClass>();
  c->die = d;
  c->tag = tag;
  c->name = dwarf_diename(&d);
  c->size = static_cast<uint32_t>(udata(d, DW_AT_byte_size));
  c->alignment = static_cast<uint32_t>(udata(d, DW_AT_alignment));
  bool in_union = tag == DW_TAG_union_type;

  Dwarf_Die child;
  if (dwarf_child(&d, &child) == 0) {
    do {
      if (dwarf_tag(&child) != DW_TAG_member) continue;
      LayoutMember m;
      m.die = child;
      m.name = dwarf_diename(&child);
      m.type = type_of(child);
      m.alignment = static_cast<uint32_t>(udata(child, DW_AT_alignment));
      m.bitfield_size = static_cast<uint8_t>(udata(child, DW_AT_bit_size));
      uint64_t declared_byte_size = udata(child, DW_AT_byte_size);
      Dwarf_Attribute a;
      bool has_bit_offset = dwarf_attr(&child, DW_AT_data_bit_offset, &a) != nullptr;
      if (has_bit_offset) {
        m.bit_offset = static_cast<uint32_t>(location_value(&a));
      } else {
        if (dwarf_attr(&child, DW_AT_data_member_location, &a)) {
          m.byte_offset = static_cast<uint32_t>(location_value(&a));
        } else {
          m.is_static = !in_union;
        }
        m.bit_offset = m.byte_offset * 8;
        m.bitfield_offset = static_cast<int8_t>(udata(child, DW_AT_bit_offset));
      }

      if (m.is_static) {
        // Static members have no size in pahole's accounting.
      } else if (m.bitfield_size == 0) {
        m.byte_size = declared_byte_size ? declared_byte_size : type_size(m.type);
        m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
      } else {
        m.byte_size = declared_byte_size;
        if (m.byte_size == 0) m.byte_size = type_size(strip_typedefs_and_modifiers(m.type));
        m.bit_size = static_cast<uint32_t>(m.byte_size * 8);
        if (m.byte_size == 0) {
          m.bitfield_offset = 0;
        } else {
          if (!has_bit_offset) {
            // DW_AT_bit_offset counts from the most significant bit (little endian).
            m.bitfield_offset = static_cast<int8_t>(static_cast<int>(m.bit_size) - m.bitfield_offset -
                                                    m.bitfield_size);
            m.bit_offset = m.byte_offset * 8 + m.bitfield_offset;
          } else {
            m.byte_offset = m.bit_offset / 8;
            m.bitfield_offset = static_cast<int8_t>(m.bit_offset - m.byte_offset * 8);
          }
          if (m.bitfield_offset < 0) {
            m.bitfield_offset = static_cast<int8_t>(m.bitfield_offset + m.bit_size);
            m.byte_offset -= static_cast<uint32_t>(m.byte_size);
            m.bit_offset = m.byte_offset * 8 + m.bitfield_offset;
          }
          // Move the field onto its storage unit, aligned to the unit's size.
          m.bitfield_offset = static_cast<int8_t>(m.bitfield_offset + (m.byte_offset % m.byte_size) * 8);
          m.byte_offset = m.bit_offset / m.bit_size * m.bit_size / 8;
          if (static_cast<uint32_t>(m.bitfield_offset) >= m.bit_size) {
            m.bitfield_offset = static_cast<int8_t>(m.bitfield_offset - m.bit_size);
            m.byte_offset += static_cast<uint32_t>(m.byte_size);
          }
        }
      }
      c->members.push_back(m);
      ++c->nr_members;
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  LayoutClass& ref = *c;
  classes_.emplace(key, std::move(c));
  return ref;
}

void LayoutModel::find_holes(LayoutClass& c) {
  if (!c.is_struct() || c.holes_searched) return;
  c.nr_holes = 0;
  c.nr_bit_holes = 0;
  uint32_t cur_bitfield_end = c.size * 8, cur_bitfield_size = 0;
  uint32_t last_seen_bit = 0;
  bool in_bitfield = false;
  LayoutMember* last = nullptr;
  for (LayoutMember& m : c.members) {
    if (m.is_static) continue;
    m.bit_hole = 0;
    m.hole = 0;
    uint32_t bit_start = m.bit_offset;
    uint32_t bit_end = m.bitfield_size ? bit_start + m.bitfield_size
                                       : bit_start + static_cast<uint32_t>(m.byte_size * 8);
    int bit_holes = 0, byte_holes = 0;
    if (in_bitfield) {
      // Bits left over at the end of the previous bit-field storage unit.
      uint32_t bitfield_end = std::min(bit_start, cur_bitfield_end);
      bit_holes = static_cast<int>(bitfield_end - last_seen_bit);
      last_seen_bit = bitfield_end;
    }
    if (m.bitfield_size) {
      uint32_t aligned_start = m.byte_offset * 8;
      if (last_seen_bit < aligned_start && aligned_start <= bit_start) {
        byte_holes = static_cast<int>(m.byte_offset - last_seen_bit / 8);
        last_seen_bit = aligned_start;
      }
      bit_holes += static_cast<int>(bit_start - last_seen_bit);
    } else {
      byte_holes = static_cast<int>(bit_start / 8 - last_seen_bit / 8);
    }
    last_seen_bit = bit_end;

    if (m.bitfield_size) {
      in_bitfield = true;
      if (bit_end > cur_bitfield_end || m.bit_size > cur_bitfield_size) {
        cur_bitfield_size = m.bit_size;
        cur_bitfield_end = m.byte_offset * 8 + cur_bitfield_size;
        // A field that borrowed bits of the previous unit ends in the next one.
        if (bit_end > cur_bitfield_end) cur_bitfield_end += cur_bitfield_size;
      }
    } else {
      in_bitfield = false;
      cur_bitfield_size = 0;
      cur_bitfield_end = bit_end;
    }

    if (last) {
      last->hole = static_cast<uint16_t>(byte_holes);
      last->bit_hole = static_cast<uint8_t>(bit_holes);
    } else {
      c.pre_hole = static_cast<uint16_t>(byte_holes);
      c.pre_bit_hole = static_cast<uint8_t>(bit_holes);
    }
    if (bit_holes) ++c.nr_bit_holes;
    if (byte_holes) ++c.nr_holes;
    last = &m;
  }
  if (in_bitfield) {
    uint32_t bitfield_end = std::min(c.size * 8, cur_bitfield_end);
    c.bit_padding = static_cast<uint8_t>(bitfield_end - last_seen_bit);
    last_seen_bit = bitfield_end;
  } else {
    c.bit_padding = 0;
  }
  c.padding = static_cast<uint16_t>(c.size - last_seen_bit / 8);
  c.holes_searched = true;
}

void LayoutModel::check_structs_at_unnatural_alignments(LayoutClass& c) {
  // A struct embedded at an offset its natural alignment forbids must be packed.
  for (LayoutMember& m : c.members) {
    std::optional<Dwarf_Die> t = strip_typedefs_and_modifiers(m.type);
    if (!t || !is_struct_tag(dwarf_tag(&*t))) continue;
    uint64_t a = natural_alignment(t);
    if (m.byte_offset % a != 0) {
      LayoutClass& inner = compound(*t);
      inner.is_packed = true;
      inner.packed_inferred = true;
    }
  }
}

bool LayoutModel::infer_packed(LayoutClass& c) {
  if (!c.is_struct()) return false;
  if (c.packed_inferred) return c.is_packed;
  find_holes(c);
  if (c.padding != 0 || c.nr_holes != 0) {
    check_structs_at_unnatural_alignments(c);
    c.is_packed = false;
    c.packed_inferred = true;
    return false;
  }
  uint64_t max_alignment = 1;
  for (LayoutMember& m : c.members) {
    if (m.is_static) continue;
    uint64_t a = natural_alignment(strip_typedefs_and_modifiers(m.type));
    if (a == 1) continue;
    max_alignment = std::max(max_alignment, a);
    if (m.byte_offset % a == 0) continue;
    c.is_packed = true;
    c.packed_inferred = true;
    return true;
  }
  if ((max_alignment != 1 && c.alignment == 1) || c.size % max_alignment != 0) c.is_packed = true;
  c.packed_inferred = true;
  return c.is_packed;
}

void LayoutModel::infer_union_packed(LayoutClass& c) {
  if (c.packed_inferred) return;
  // A struct whose alignment does not divide the union's size breaks arrays of the
  // union unless it is packed.
  for (LayoutMember& m : c.members) {
    std::optional<Dwarf_Die> t = strip_typedefs_and_modifiers(m.type);
    if (!t || !is_struct_tag(dwarf_tag(&*t))) continue;
    uint64_t a = natural_alignment(t);
    if (c.size % a != 0) {
      LayoutClass& inner = compound(*t);
      inner.is_packed = true;
      inner.packed_inferred = true;
    }
  }
  c.packed_inferred = true;
}

}  // namespace kdive
