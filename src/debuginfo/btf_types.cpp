// BtfTypes implementation: BTF records (debuginfo/btf_format.h) → kdive Types, built as
// DwarfTypeTranslator builds the same C declaration, so that the two print and lay out
// alike. Where BTF says less than DWARF (signedness of enums and chars from old pahole,
// `x[]` vs `x[0]`), the choice made here is documented at the place it is made, and
// measured by tests/integration/debuginfo/btf_types_dump_test.cpp.
#include "debuginfo/btf_types.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "types/type_name_parser.h"

namespace kdive {

namespace {
// Qualifier/typedef/array chains deeper than this are corrupt (as in the DWARF
// translator); acyclic chains are checked at parse time, this bounds the recursion.
constexpr int kMaxDepth = 256;

bool is_float_name(std::string_view n) { return n == "float" || n == "double" || n == "long double"; }

// gcc's names for the compatible type of an enum of this size (what its DW_AT_type
// names), canonicalised as the DWARF translator does.
const char* enum_compatible_name(uint64_t size, bool is_signed) {
  switch (size) {
    case 8: return is_signed ? "long" : "unsigned long";
    case 2: return is_signed ? "short" : "unsigned short";
    case 1: return is_signed ? "signed char" : "unsigned char";
    default: return is_signed ? "int" : "unsigned int";
  }
}
}  // namespace

std::unique_ptr<BtfTypes> BtfTypes::parse(std::vector<uint8_t> blob, TypeArena& arena, std::string source,
                                          const BtfTypes* base) {
  BtfRecords records = BtfRecords::parse(std::move(blob), std::move(source), base ? &base->records_ : nullptr);
  return std::unique_ptr<BtfTypes>(new BtfTypes(std::move(records), arena, base));
}

BtfTypes::BtfTypes(BtfRecords records, TypeArena& arena, const BtfTypes* base)
    : records_(std::move(records)), arena_(arena), base_(base) {
  cache_.resize(records_.type_count() - records_.first_id());
  // pahole before 1.21 encoded DW_ATE_signed_char as unsigned: "signed char" without
  // BTF_INT_SIGNED says the producer dropped char signedness.
  char_sign_unknown_ = base_ && base_->char_sign_unknown_;
  for (uint32_t id = first_id(); id < type_count(); ++id) {
    if (kind_of(id) != BtfKind::Int) continue;
    BtfTypeRecord r = records_.record(id);
    if (records_.name(r.name_off) == "signed char")
      char_sign_unknown_ = !(records_.int_data(r).encoding & kBtfIntSigned);
  }
}

std::string_view BtfTypes::name_of(uint32_t id) const {
  if (id == 0 || id >= type_count()) return {};
  return records_.name(records_.record(id).name_off);
}

const BtfTypes& BtfTypes::owner(uint32_t id) const {
  return id < first_id() && base_ ? base_->owner(id) : *this;
}

void BtfTypes::fail(const BtfTypeRecord& r, const std::string& what) const {
  throw BadDataError(source(), "BTF: " + what, r.offset);
}

QualifiedType BtfTypes::type_by_id(uint32_t id) const {
  if (id == 0) return {arena_.void_type(), 0};
  if (id >= type_count())
    throw BadDataError(fmt::format("{}: BTF: no type id {} (ids are 1..{})", source(), id, type_count() - 1));
  const BtfTypes& o = owner(id);
  if (o.kind_of(id) == BtfKind::Datasec || o.kind_of(id) == BtfKind::DeclTag)
    throw UsageError(fmt::format("{}: BTF id {} is a {}, not a type", source(), id, btf_kind_name(o.kind_of(id))));
  return o.translate(id, 0);
}

LazyType BtfTypes::lazy(uint32_t id) const {
  if (id == 0) return LazyType(QualifiedType{arena_.void_type(), 0});
  const BtfTypes& o = owner(id);
  if (QualifiedType t = o.cache_[id - o.first_id()]; t.type) return LazyType(t);
  return LazyType([&o, id] { return o.translate(id, 0); });
}

QualifiedType BtfTypes::translate(uint32_t id, int depth) const {
  if (id == 0) return {arena_.void_type(), 0};
  if (id < first_id()) return owner(id).translate(id, depth);
  QualifiedType& slot = cache_[id - first_id()];
  if (slot.type) return slot;
  BtfTypeRecord r = records_.record(id);
  if (depth > kMaxDepth) fail(r, fmt::format("type [{}]: chain of types too deep", id));
  QualifiedType result;
  switch (r.kind) {
    case BtfKind::Int: result = {translate_int(r), 0}; break;
    case BtfKind::Float: {
      std::string name(records_.name(r.name_off));
      result = {arena_.float_type(canonical_primitive_name(name).value_or(name), r.size_or_type), 0};
      break;
    }
    // Pointers are 8 bytes: BTF's PTR has no size (x86-64 kernels only).
    case BtfKind::Ptr: result = {arena_.make_pointer_lazy(lazy(r.size_or_type), 8), 0}; break;
    case BtfKind::Array: result = {translate_array(r, depth), 0}; break;
    case BtfKind::Struct: result = {translate_compound(r, TypeKind::Struct), 0}; break;
    case BtfKind::Union: result = {translate_compound(r, TypeKind::Union), 0}; break;
    case BtfKind::Enum: case BtfKind::Enum64: result = {translate_enum(r), 0}; break;
    case BtfKind::Fwd: {
      // btf.rst §2.2.7: kind_flag says union. The definition may be elsewhere (a module's
      // FWD of a vmlinux struct), as the DWARF translator completes declarations.
      TypeKind kind = r.kind_flag ? TypeKind::Union : TypeKind::Struct;
      std::string tag(records_.name(r.name_off));
      const Type* full = tag.empty() ? nullptr : find_complete(kind, tag);
      result = {full ? full : arena_.make_compound(kind, tag, 0, {}, false), 0};
      break;
    }
    case BtfKind::Typedef:
      result = {arena_.make_typedef(std::string(records_.name(r.name_off)), lazy(r.size_or_type)), 0};
      break;
    case BtfKind::Volatile: case BtfKind::Const: case BtfKind::Restrict:
      result = translate(r.size_or_type, depth + 1);
      result.qualifiers |= r.kind == BtfKind::Const ? kQualConst
                           : r.kind == BtfKind::Volatile ? kQualVolatile : kQualRestrict;
      break;
    // A type tag (__user, __rcu, __percpu; kind_flag: an __attribute__) annotates the type
    // it refers to without changing it: C sees through it.
    case BtfKind::TypeTag: result = translate(r.size_or_type, depth + 1); break;
    case BtfKind::FuncProto: result = {translate_function(r), 0}; break;
    // A FUNC is its FUNC_PROTO (whose parameters carry the names), possibly the base's.
    case BtfKind::Func: result = translate(r.size_or_type, depth + 1); break;
    case BtfKind::Var: result = translate(r.size_or_type, depth + 1); break;
    case BtfKind::Datasec: case BtfKind::DeclTag: case BtfKind::Unknown:
      fail(r, fmt::format("type [{}] is a {}, not a type", id, btf_kind_name(r.kind)));
  }
  slot = result;
  return result;
}

const Type* BtfTypes::translate_int(const BtfTypeRecord& r) const {
  std::string name(records_.name(r.name_off));
  if (auto canon = canonical_primitive_name(name)) name = *canon;
  uint64_t size = r.size_or_type;
  BtfInt data = records_.int_data(r);
  if (data.encoding & kBtfIntBool) return arena_.bool_type(name, size);
  // pahole before 1.21 (5.10's BTF) had no FLOAT kind and wrote floating types as INT.
  if (is_float_name(name)) return arena_.float_type(name, size);
  bool is_signed = (data.encoding & kBtfIntSigned) != 0;
  // BTF_INT_CHAR only says how to print. C's "signed char" is signed whatever the
  // producer wrote; plain "char" is x86-64's signed char when the producer dropped char
  // signedness (then Linux < 6.2: -funsigned-char came with 6.2 and BTF that records it).
  if (name == "signed char" || (name == "char" && char_sign_unknown_)) is_signed = true;
  return arena_.int_type(name, size, is_signed);
}

const Type* BtfTypes::translate_compound(const BtfTypeRecord& r, TypeKind kind) const {
  std::string tag(records_.name(r.name_off));
  // No members but a size is a struct of unnamed bit fields only (uapi's bpf_timer:
  // pahole drops those, as gcc's DWARF does), or a distilled base's stand-in for a
  // vmlinux type (.BTF.base, btf.rst §4.5): an empty complete struct either way.
  std::vector<BtfMember> raw = records_.members(r);
  std::vector<TypeMember> members;
  members.reserve(raw.size());
  // Which member may be a flexible array `x[]` (C11 6.7.2.1p18): the last of a struct
  // with other members; gcc refuses it elsewhere, so there nelems 0 is `x[0]` (the
  // kernel's __cacheline_group_begin markers, `char x[0]` alone in cacheline_padding).
  for (size_t i = 0; i < raw.size(); ++i) {
    const BtfMember& bm = raw[i];
    TypeMember m;
    m.name = records_.name(bm.name_off);
    bool flexible = kind == TypeKind::Struct && i > 0 && i + 1 == raw.size() &&
                    records_.kind_of(bm.type) == BtfKind::Array &&
                    records_.owner(bm.type).array(records_.record(bm.type)).nelems == 0;
    m.type = flexible ? flexible_array(bm.type) : lazy(bm.type);
    if (r.kind_flag) {
      // btf.rst §2.2.4: kind_flag set: bit-field size in bits 24-31, bit offset in 0-23.
      m.bit_field_size = bm.offset >> 24;
      m.bit_offset = bm.offset & 0xffffff;
    } else {
      // Without kind_flag a bit field is a member whose type is an INT narrower than its
      // size (BTF_INT_BITS), starting BTF_INT_OFFSET bits into the member's offset.
      m.bit_offset = bm.offset;
      if (records_.kind_of(bm.type) == BtfKind::Int) {
        const BtfRecords& o = records_.owner(bm.type);
        BtfTypeRecord t = o.record(bm.type);
        BtfInt data = o.int_data(t);
        if (data.offset != 0 || data.bits != uint64_t{t.size_or_type} * 8) {
          m.bit_field_size = data.bits;
          m.bit_offset += data.offset;
        }
      }
    }
    members.push_back(std::move(m));
  }
  return arena_.make_compound(kind, std::move(tag), r.size_or_type, std::move(members), true);
}

const Type* BtfTypes::translate_enum(const BtfTypeRecord& r) const {
  std::string tag(records_.name(r.name_off));
  // pahole writes `enum foo;` (a declaration) as an ENUM without values: C has no empty
  // enum. Complete it by name, as FWD.
  if (r.vlen == 0) {
    const Type* full = tag.empty() ? nullptr : find_complete(TypeKind::Enum, tag);
    return full ? full : arena_.make_enum(tag, {}, {}, false);
  }
  std::vector<BtfEnumValue> raw = records_.enumerators(r);
  bool is64 = r.kind == BtfKind::Enum64;
  uint64_t size = r.size_or_type;
  // btf.rst §2.2.6: kind_flag = signed. Producers before pahole 1.24 never set it, and
  // kept only the low 32 bits of an 8-byte enum's values (no ENUM64 yet). Then an
  // 8-byte enum is unsigned (it is 8 bytes because a value exceeds int: mostly masks
  // like (u64)-32), a smaller one signed iff a value is negative, as the DWARF
  // translator decides for an enum without DW_AT_type (wrong for an unsigned enum with
  // a value >= 2^31, which reads as negative).
  bool is_signed = r.kind_flag;
  if (!is_signed && !records_.knows_enum_signedness() && !is64 && size < 8)
    for (const BtfEnumValue& e : raw) is_signed = is_signed || (e.val_lo32 >> 31) != 0;
  std::vector<TypeEnumerator> enumerators;
  enumerators.reserve(raw.size());
  for (const BtfEnumValue& e : raw) {
    TypeEnumerator te;
    te.name = records_.name(e.name_off);
    // An ENUM of more than 4 bytes holds the low half of each value: sign-extending
    // restores the values within 2^31 of 0 or of 2^64.
    if (is64) te.value = uint64_t{e.val_hi32} << 32 | e.val_lo32;
    else if (is_signed || size > 4) te.value = static_cast<uint64_t>(int64_t{static_cast<int32_t>(e.val_lo32)});
    else te.value = e.val_lo32;
    enumerators.push_back(std::move(te));
  }
  QualifiedType compatible{arena_.int_type(enum_compatible_name(size, is_signed), size, is_signed), 0};
  return arena_.make_enum(tag, compatible, std::move(enumerators), true);
}

const Type* BtfTypes::translate_array(const BtfTypeRecord& r, int depth) const {
  // A multi-dimensional C array is an ARRAY of ARRAY, as DWARF's translation builds it
  // (some pahole versions flattened some into one dimension: the layout is the same).
  // nelems 0 is both `x[]` and `x[0]`: pahole writes both alike. Here it is `x[0]`;
  // translate_compound() makes the last member of a struct `x[]` (flexible_array()).
  BtfArray a = records_.array(r);
  return arena_.array_of(translate(a.type, depth + 1), a.nelems);
}

LazyType BtfTypes::flexible_array(uint32_t array_id) const {
  return LazyType([this, array_id] {
    QualifiedType zero = translate(array_id, 0);
    return QualifiedType{arena_.array_of(zero.type->target(), std::nullopt), zero.qualifiers};
  });
}

const Type* BtfTypes::translate_function(const BtfTypeRecord& proto) const {
  // btf.rst §2.2.13: a variadic prototype ends with a parameter of type 0 and no name.
  // A FUNC's prototype carries its parameter names; one reached by a pointer has none.
  std::vector<BtfParam> raw = records_.params(proto);
  bool variadic = !raw.empty() && raw.back().type == 0 && raw.back().name_off == 0;
  if (variadic) raw.pop_back();
  std::vector<TypeParameter> params;
  params.reserve(raw.size());
  for (const BtfParam& p : raw) {
    TypeParameter tp;
    tp.name = records_.name(p.name_off);
    tp.type = lazy(p.type);
    params.push_back(std::move(tp));
  }
  return arena_.make_function(lazy(proto.size_or_type), std::move(params), variadic);
}

void BtfTypes::build_name_index() const {
  if (names_built_) return;
  next_same_name_.assign(type_count() - first_id(), 0);
  // From the highest id down, so that each name's chain lists its ids in increasing order.
  for (uint32_t id = type_count(); id-- > first_id();) {
    BtfKind k = kind_of(id);
    bool primitive = k == BtfKind::Int || k == BtfKind::Float;
    if (!primitive && k != BtfKind::Struct && k != BtfKind::Union && k != BtfKind::Enum &&
        k != BtfKind::Enum64 && k != BtfKind::Fwd && k != BtfKind::Typedef && k != BtfKind::Func &&
        k != BtfKind::Var)
      continue;
    std::string_view key = records_.name(records_.record(id).name_off);
    if (key.empty()) continue;
    if (primitive) {
      if (auto canon = canonical_primitive_name(key); canon && *canon != key)
        key = canonical_names_.emplace_back(std::move(*canon));
    }
    auto [it, inserted] = first_named_.try_emplace(key, id);
    if (!inserted) {
      next_same_name_[id - first_id()] = it->second;
      it->second = id;
    }
  }
  names_built_ = true;
}

QualifiedType BtfTypes::find_own_type(TypeKind kind, std::string_view name, bool complete_only) const {
  build_name_index();
  auto it = first_named_.find(name);
  if (it == first_named_.end()) return {};
  uint32_t declaration = 0;
  for (uint32_t id = it->second; id; id = next_same_name_[id - first_id()]) {
    BtfKind k = kind_of(id);
    bool match = false, complete = true;
    switch (kind) {
      case TypeKind::Struct: case TypeKind::Union: {
        BtfKind def = kind == TypeKind::Struct ? BtfKind::Struct : BtfKind::Union;
        match = k == def || (k == BtfKind::Fwd && records_.record(id).kind_flag == (kind == TypeKind::Union));
        complete = k == def;
        break;
      }
      case TypeKind::Enum:
        match = k == BtfKind::Enum || k == BtfKind::Enum64;
        complete = match && records_.record(id).vlen != 0;
        break;
      case TypeKind::Typedef: match = k == BtfKind::Typedef; break;
      case TypeKind::Int: case TypeKind::Bool: match = k == BtfKind::Int; break;
      case TypeKind::Float: match = k == BtfKind::Int || k == BtfKind::Float; break;
      default: break;  // BTF has no C++ classes; other kinds have no names
    }
    if (!match) continue;
    if (!complete) {
      if (!declaration) declaration = id;
      continue;
    }
    QualifiedType t = translate(id, 0);
    // An INT may translate to Bool or Float (old producers' floating types).
    if (t.type->kind() != kind && kind != TypeKind::Typedef) continue;
    return t;
  }
  if (complete_only || !declaration) return {};
  return translate(declaration, 0);
}

const Type* BtfTypes::find_complete(TypeKind kind, std::string_view tag) const {
  // Cached: every FWD of a name asks, and each answer walks all types of that name.
  auto key = std::make_pair(kind, std::string(tag));
  if (auto it = complete_.find(key); it != complete_.end()) return it->second;
  const Type* t = base_ ? base_->find_complete(kind, tag) : nullptr;
  if (!t) t = find_own_type(kind, tag, true).type;
  complete_.emplace(std::move(key), t);
  return t;
}

QualifiedType BtfTypes::find_type(TypeKind kind, std::string_view name) const {
  std::string key(name);
  if (kind == TypeKind::Int || kind == TypeKind::Bool || kind == TypeKind::Float)
    if (auto canon = canonical_primitive_name(name)) key = *canon;
  QualifiedType declaration;
  if (base_) {
    QualifiedType t = base_->find_type(kind, key);
    if (t.type && t.type->is_complete()) return t;
    declaration = t;
  }
  QualifiedType own = find_own_type(kind, key, false);
  if (own.type && own.type->is_complete()) return own;
  return declaration.type ? declaration : own;
}

QualifiedType BtfTypes::find_function(std::string_view name) const {
  build_name_index();
  auto it = first_named_.find(name);
  if (it == first_named_.end()) return {};
  for (uint32_t id = it->second; id; id = next_same_name_[id - first_id()])
    if (kind_of(id) == BtfKind::Func) return translate(id, 0);
  return {};
}

std::optional<BtfTypes::Variable> BtfTypes::find_variable(std::string_view name) const {
  build_name_index();
  auto it = first_named_.find(name);
  if (it == first_named_.end()) return std::nullopt;
  uint32_t var = 0;
  for (uint32_t id = it->second; id && !var; id = next_same_name_[id - first_id()])
    if (kind_of(id) == BtfKind::Var) var = id;
  if (!var) return std::nullopt;
  if (!sections_built_) {
    // btf.rst §2.2.15: a DATASEC lists the variables of one ELF section with offsets.
    for (uint32_t id = first_id(); id < type_count(); ++id) {
      if (kind_of(id) != BtfKind::Datasec) continue;
      for (const BtfVarSecinfo& s : records_.secinfos(records_.record(id)))
        if (kind_of(s.type) == BtfKind::Var) var_sections_.try_emplace(s.type, id, s.offset);
    }
    sections_built_ = true;
  }
  Variable v;
  v.type = translate(var, 0);
  if (auto s = var_sections_.find(var); s != var_sections_.end()) {
    v.section = name_of(s->second.first);
    v.offset = s->second.second;
  }
  return v;
}

std::optional<BtfTypes::Enumerator> BtfTypes::find_enumerator(std::string_view name) const {
  if (base_)
    if (auto e = base_->find_enumerator(name)) return e;
  if (!enumerators_built_) {
    for (uint32_t id = first_id(); id < type_count(); ++id) {
      BtfKind k = kind_of(id);
      if (k != BtfKind::Enum && k != BtfKind::Enum64) continue;
      std::vector<BtfEnumValue> values = records_.enumerators(records_.record(id));
      for (uint32_t i = 0; i < values.size(); ++i)
        enumerators_.try_emplace(records_.name(values[i].name_off), id, i);
    }
    enumerators_built_ = true;
  }
  auto it = enumerators_.find(name);
  if (it == enumerators_.end()) return std::nullopt;
  QualifiedType t = translate(it->second.first, 0);
  return Enumerator{t, t.type->enumerators().at(it->second.second).value};
}

}  // namespace kdive
