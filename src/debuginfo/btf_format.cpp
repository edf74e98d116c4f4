// BtfRecords implementation. Layout (Documentation/bpf/btf.rst §2): a 24-byte (or
// longer) struct btf_header, then a type section of variable-length records and a
// string section, both placed by offsets counted from the end of the header. Every
// record is a struct btf_type followed by kind-specific data (btf.rst §2.2). Parsing
// walks the type section once to find each record's extent, then once more to check
// every reference, so that the type translator can trust ids and string offsets.
#include "debuginfo/btf_format.h"

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

namespace {
constexpr uint16_t kBtfMagic = 0xeb9f;
constexpr uint32_t kHeaderSize = 24;  // struct btf_header up to str_len
constexpr uint32_t kRecordSize = 12;  // struct btf_type
// Longest string accepted: C identifiers of the kernel stay far below (88 bytes in
// 7.2's BTF); the kernel's own check of BTF names stops at KSYM_NAME_LEN, 512.
constexpr size_t kMaxStringLength = 1024;

// Bytes of kind-specific data after the struct btf_type; -1 for an unknown kind.
int64_t trailing_size(BtfKind kind, uint32_t vlen) {
  switch (kind) {
    case BtfKind::Int: return 4;                  // u32 encoding/offset/bits
    case BtfKind::Array: return 12;               // struct btf_array
    case BtfKind::Struct: case BtfKind::Union:    // struct btf_member each
    case BtfKind::Enum64:                         // struct btf_enum64 each
    case BtfKind::Datasec: return 12 * int64_t{vlen};  // struct btf_var_secinfo each
    case BtfKind::Enum:                           // struct btf_enum each
    case BtfKind::FuncProto: return 8 * int64_t{vlen};  // struct btf_param each
    case BtfKind::Var: return 4;                  // struct btf_var (linkage)
    case BtfKind::DeclTag: return 4;              // struct btf_decl_tag (component_idx)
    case BtfKind::Ptr: case BtfKind::Fwd: case BtfKind::Typedef: case BtfKind::Volatile:
    case BtfKind::Const: case BtfKind::Restrict: case BtfKind::Func: case BtfKind::Float:
    case BtfKind::TypeTag: return 0;
    case BtfKind::Unknown: return -1;
  }
  return -1;
}

// Kinds a reference "to a type" may not name: they describe declarations.
bool is_declaration_kind(BtfKind k) {
  return k == BtfKind::Func || k == BtfKind::Var || k == BtfKind::Datasec || k == BtfKind::DeclTag;
}

// Kinds translated by translating their target first (btf_types.cpp): a cycle through
// them can only come from corrupt data and would never end.
bool is_chain_kind(BtfKind k) {
  return k == BtfKind::Typedef || k == BtfKind::Volatile || k == BtfKind::Const ||
         k == BtfKind::Restrict || k == BtfKind::TypeTag || k == BtfKind::Array;
}
}  // namespace

const char* btf_kind_name(BtfKind kind) {
  switch (kind) {
    case BtfKind::Unknown: return "UNKN";
    case BtfKind::Int: return "INT";
    case BtfKind::Ptr: return "PTR";
    case BtfKind::Array: return "ARRAY";
    case BtfKind::Struct: return "STRUCT";
    case BtfKind::Union: return "UNION";
    case BtfKind::Enum: return "ENUM";
    case BtfKind::Fwd: return "FWD";
    case BtfKind::Typedef: return "TYPEDEF";
    case BtfKind::Volatile: return "VOLATILE";
    case BtfKind::Const: return "CONST";
    case BtfKind::Restrict: return "RESTRICT";
    case BtfKind::Func: return "FUNC";
    case BtfKind::FuncProto: return "FUNC_PROTO";
    case BtfKind::Var: return "VAR";
    case BtfKind::Datasec: return "DATASEC";
    case BtfKind::Float: return "FLOAT";
    case BtfKind::DeclTag: return "DECL_TAG";
    case BtfKind::TypeTag: return "TYPE_TAG";
    case BtfKind::Enum64: return "ENUM64";
  }
  return "UNKN";
}

void BtfRecords::fail(const std::string& what, uint64_t offset) const {
  throw BadDataError(source_, "BTF: " + what, offset);
}

ByteCursor BtfRecords::cursor_at(uint32_t offset, const char* part) const {
  // Bounded by the type section's end: record data never reads into the strings.
  ByteCursor c(std::span<const uint8_t>(blob_).first(types_end_), source_, part, little_endian_);
  c.seek(offset);
  return c;
}

BtfRecords BtfRecords::parse(std::vector<uint8_t> blob, std::string source, const BtfRecords* base) {
  BtfRecords r;
  r.blob_ = std::move(blob);
  r.source_ = std::move(source);
  r.base_ = base;
  r.read_header();
  r.index_records();
  r.check_chains(r.check_references());
  return r;
}

void BtfRecords::read_header() {
  if (blob_.size() < kHeaderSize)
    fail(fmt::format("blob of {} bytes is shorter than its {}-byte header", blob_.size(), kHeaderSize), 0);
  if (blob_.size() > UINT32_MAX) fail(fmt::format("blob of {} bytes exceeds 4 GiB", blob_.size()), 0);
  ByteCursor c(blob_, source_, "BTF header", true);
  // The magic, read in either byte order, tells the blob's (btf.rst §2.1).
  uint16_t magic = c.u16();
  if (magic == 0x9feb) little_endian_ = false;
  else if (magic != kBtfMagic) fail(fmt::format("bad magic {:#06x} (expected {:#06x})", magic, kBtfMagic), 0);
  c.set_little_endian(little_endian_);
  if (uint8_t version = c.u8(); version != 1) fail(fmt::format("unsupported version {}", version), 2);
  c.u8();  // flags: none defined
  uint32_t hdr_len = c.u32();
  uint32_t type_off = c.u32(), type_len = c.u32(), str_off = c.u32(), str_len = c.u32();
  // A longer header (newer fields) is fine: sections are placed from its end.
  if (hdr_len < kHeaderSize || hdr_len > blob_.size())
    fail(fmt::format("header length {} outside {}..{}", hdr_len, kHeaderSize, blob_.size()), 4);
  auto section_end = [&](uint32_t off, uint32_t len, const char* what, uint64_t field) {
    uint64_t begin = uint64_t{hdr_len} + off, end = begin + len;
    if (end > blob_.size())
      fail(fmt::format("{} section [{:#x}, {:#x}) past the end of the {}-byte blob", what, begin, end,
                       blob_.size()), field);
    return end;
  };
  types_end_ = static_cast<uint32_t>(section_end(type_off, type_len, "type", 8));
  types_begin_ = hdr_len + type_off;
  uint32_t strs_end = static_cast<uint32_t>(section_end(str_off, str_len, "string", 16));
  strs_begin_ = hdr_len + str_off;
  str_len_ = str_len;
  // Strings are NUL-terminated, so the section must end with one; a base blob's first
  // string is "" (name offset 0 means anonymous).
  if (str_len && blob_[strs_end - 1] != 0) fail("string section does not end with a NUL", strs_end - 1);
  if (!base_ && str_len && blob_[strs_begin_] != 0)
    fail("string section does not start with an empty string", strs_begin_);
  // Bounded names: a member name is copied into each Type that has it, so one huge
  // string named by every member of a corrupt blob would cost memory quadratically.
  ByteCursor strs(std::span<const uint8_t>(blob_).subspan(strs_begin_, str_len), source_, "BTF strings",
                  little_endian_, strs_begin_);
  while (!strs.at_end()) {
    size_t at = strs.position();
    if (strs.cstring().size() > kMaxStringLength)
      fail(fmt::format("string longer than {} bytes", kMaxStringLength), strs_begin_ + at);
  }
  first_id_ = base_ ? base_->type_count() : 1;
  str_start_ = base_ ? base_->str_end() : 0;
  if (uint64_t{str_start_} + str_len > UINT32_MAX)
    fail("string section too large for 32-bit string offsets", 20);
}

void BtfRecords::index_records() {
  ByteCursor c = cursor_at(types_begin_, "BTF");
  size_t max_records = (types_end_ - types_begin_) / kRecordSize;
  offsets_.reserve(max_records);
  kinds_.reserve(max_records);
  while (c.position() < types_end_) {
    uint32_t at = static_cast<uint32_t>(c.position());
    uint64_t id = uint64_t{first_id_} + offsets_.size();
    if (types_end_ - at < kRecordSize)
      fail(fmt::format("type [{}] record past the end of the type section", id), at);
    c.u32();  // name_off, checked later
    uint32_t info = c.u32();
    c.u32();  // size or type
    auto kind = static_cast<BtfKind>((info >> 24) & 0x1f);
    int64_t extra = trailing_size(kind, info & 0xffff);
    if (extra < 0) fail(fmt::format("type [{}] has unknown kind {}", id, (info >> 24) & 0x1f), at);
    if (static_cast<uint64_t>(extra) > types_end_ - c.position())
      fail(fmt::format("type [{}] ({}, vlen {}) runs past the end of the type section", id,
                       btf_kind_name(kind), info & 0xffff), at);
    c.skip(static_cast<size_t>(extra));
    if ((kind == BtfKind::Enum || kind == BtfKind::Enum64) && (info >> 31)) knows_enum_sign_ = true;
    offsets_.push_back(at);
    kinds_.push_back(kind);
  }
  if (uint64_t{first_id_} + offsets_.size() > UINT32_MAX) fail("too many types", types_begin_);
  if (base_ && base_->knows_enum_signedness()) knows_enum_sign_ = true;
}

void BtfRecords::check_name(uint32_t name_off, uint32_t at) const {
  if (name_off >= str_end() && name_off != 0)
    fail(fmt::format("string offset {:#x} out of range (the strings end at {:#x})", name_off, str_end()), at);
}

void BtfRecords::check_type_ref(uint32_t id, uint32_t at, bool allow_void) const {
  if (id == 0) {
    if (!allow_void) fail("reference to type 0 (void) where a type is needed", at);
    return;
  }
  if (id >= type_count()) fail(fmt::format("type id {} out of range (ids end at {})", id, type_count()), at);
  if (BtfKind k = kind_of(id); is_declaration_kind(k))
    fail(fmt::format("refers to [{}], a {}, as a type", id, btf_kind_name(k)), at);
}

std::vector<uint32_t> BtfRecords::check_references() const {
  // chain_next[i]: the type that own record i is translated through (is_chain_kind).
  std::vector<uint32_t> chain_next(offsets_.size(), 0);
  ByteCursor c = cursor_at(types_begin_, "BTF");  // one cursor, records in order
  auto pos = [&c] { return static_cast<uint32_t>(c.position()); };
  for (size_t i = 0; i < offsets_.size(); ++i) {
    uint32_t at = offsets_[i];
    c.seek(at);
    uint32_t name_off = c.u32(), vlen = c.u32() & 0xffff, size_or_type = c.u32();
    BtfKind kind = kinds_[i];
    check_name(name_off, at);
    switch (kind) {
      case BtfKind::Ptr: case BtfKind::Typedef: case BtfKind::Volatile: case BtfKind::Const:
      case BtfKind::Restrict: case BtfKind::TypeTag:
        check_type_ref(size_or_type, at, true);
        chain_next[i] = is_chain_kind(kind) ? size_or_type : 0;
        break;
      case BtfKind::Array: {
        uint32_t elem = c.u32(), index = c.u32();
        check_type_ref(elem, at + 12, false);
        check_type_ref(index, at + 16, true);
        chain_next[i] = elem;
        break;
      }
      case BtfKind::Struct: case BtfKind::Union:
        for (uint32_t k = 0; k < vlen; ++k) {
          uint32_t m_at = pos(), m_name = c.u32(), m_type = c.u32();
          c.u32();  // offset
          check_name(m_name, m_at);
          check_type_ref(m_type, m_at + 4, false);
        }
        break;
      case BtfKind::Enum: case BtfKind::Enum64:
        for (uint32_t k = 0; k < vlen; ++k) {
          uint32_t e_at = pos(), e_name = c.u32();
          c.skip(kind == BtfKind::Enum ? 4 : 8);  // the value
          check_name(e_name, e_at);
        }
        break;
      case BtfKind::Func: {
        BtfKind k = kind_of(size_or_type);
        if (k != BtfKind::FuncProto)
          fail(fmt::format("FUNC [{}] refers to type id {} ({}), not a FUNC_PROTO", first_id_ + i, size_or_type,
                           btf_kind_name(k)), at);
        break;
      }
      case BtfKind::FuncProto:
        check_type_ref(size_or_type, at, true);
        for (uint32_t k = 0; k < vlen; ++k) {
          uint32_t p_at = pos(), p_name = c.u32(), p_type = c.u32();
          check_name(p_name, p_at);
          check_type_ref(p_type, p_at + 4, true);  // 0: the "..." of a variadic function
        }
        break;
      case BtfKind::Var: check_type_ref(size_or_type, at, false); break;
      case BtfKind::Datasec:
        for (uint32_t k = 0; k < vlen; ++k) {
          uint32_t s_at = pos(), s_type = c.u32();
          c.skip(8);  // offset, size
          if (s_type == 0 || s_type >= type_count())
            fail(fmt::format("DATASEC entry refers to type id {} (ids end at {})", s_type, type_count()), s_at);
        }
        break;
      case BtfKind::DeclTag:
        if (size_or_type == 0 || size_or_type >= type_count())
          fail(fmt::format("DECL_TAG refers to type id {} (ids end at {})", size_or_type, type_count()), at);
        break;
      case BtfKind::Int: case BtfKind::Fwd: case BtfKind::Float: case BtfKind::Unknown: break;
    }
  }
  return chain_next;
}

void BtfRecords::check_chains(const std::vector<uint32_t>& chain_next) const {
  // Each chain-kind record has one successor, so following successors from every record
  // visits each at most twice: 1 = on the path being followed, 2 = known to end. The
  // base was checked when it was parsed, and never refers to this blob's ids.
  std::vector<uint8_t> state(offsets_.size(), 0);
  auto own = [&](uint32_t id) { return id >= first_id_ && chain_next[id - first_id_] != 0; };
  for (uint32_t i = 0; i < offsets_.size(); ++i) {
    uint32_t id = first_id_ + i;
    if (!own(id) || state[i]) continue;
    uint32_t j = id;
    while (own(j) && state[j - first_id_] == 0) {
      state[j - first_id_] = 1;
      j = chain_next[j - first_id_];
    }
    if (own(j) && state[j - first_id_] == 1)
      fail(fmt::format("type [{}] ({}) is part of a reference cycle through typedefs, qualifiers or arrays",
                       j, btf_kind_name(kinds_[j - first_id_])), offsets_[j - first_id_]);
    for (j = id; own(j) && state[j - first_id_] == 1; j = chain_next[j - first_id_]) state[j - first_id_] = 2;
  }
}

BtfKind BtfRecords::kind_of(uint32_t id) const {
  if (id == 0 || id >= type_count()) return BtfKind::Unknown;
  if (id < first_id_) return base_->kind_of(id);
  return kinds_[id - first_id_];
}

const BtfRecords& BtfRecords::owner(uint32_t id) const {
  return id < first_id_ && base_ ? base_->owner(id) : *this;
}

BtfTypeRecord BtfRecords::record(uint32_t id) const {
  if (id == 0 || id >= type_count())
    throw BadDataError(fmt::format("{}: BTF: no type id {} (ids are 1..{})", source_, id, type_count() - 1));
  if (id < first_id_) return base_->record(id);
  BtfTypeRecord r;
  r.offset = offsets_[id - first_id_];
  ByteCursor c = cursor_at(r.offset, "BTF");
  r.name_off = c.u32();
  uint32_t info = c.u32();
  r.size_or_type = c.u32();
  r.kind = static_cast<BtfKind>((info >> 24) & 0x1f);
  r.kind_flag = (info >> 31) != 0;
  r.vlen = static_cast<uint16_t>(info & 0xffff);
  return r;
}

std::string_view BtfRecords::name(uint32_t name_off) const {
  if (name_off == 0) return {};
  if (name_off < str_start_) return base_->name(name_off);
  uint32_t rel = name_off - str_start_;
  if (rel >= str_len_)
    throw BadDataError(source_, fmt::format("BTF: string offset {:#x} out of range", name_off), strs_begin_);
  ByteCursor c(std::span<const uint8_t>(blob_).subspan(strs_begin_, str_len_), source_, "BTF strings",
               little_endian_, strs_begin_);
  c.seek(rel);
  return c.cstring();
}

BtfInt BtfRecords::int_data(const BtfTypeRecord& r) const {
  uint32_t v = cursor_at(r.offset + kRecordSize, "BTF").u32();
  return {(v >> 24) & 0x0f, (v >> 16) & 0xff, v & 0xff};
}

BtfArray BtfRecords::array(const BtfTypeRecord& r) const {
  ByteCursor c = cursor_at(r.offset + kRecordSize, "BTF");
  BtfArray a;
  a.type = c.u32();
  a.index_type = c.u32();
  a.nelems = c.u32();
  return a;
}

std::vector<BtfMember> BtfRecords::members(const BtfTypeRecord& r) const {
  ByteCursor c = cursor_at(r.offset + kRecordSize, "BTF");
  std::vector<BtfMember> out(r.vlen);
  for (BtfMember& m : out) {
    m.name_off = c.u32();
    m.type = c.u32();
    m.offset = c.u32();
  }
  return out;
}

std::vector<BtfEnumValue> BtfRecords::enumerators(const BtfTypeRecord& r) const {
  ByteCursor c = cursor_at(r.offset + kRecordSize, "BTF");
  std::vector<BtfEnumValue> out(r.vlen);
  for (BtfEnumValue& e : out) {
    e.name_off = c.u32();
    e.val_lo32 = c.u32();
    if (r.kind == BtfKind::Enum64) e.val_hi32 = c.u32();
  }
  return out;
}

std::vector<BtfParam> BtfRecords::params(const BtfTypeRecord& r) const {
  ByteCursor c = cursor_at(r.offset + kRecordSize, "BTF");
  std::vector<BtfParam> out(r.vlen);
  for (BtfParam& p : out) {
    p.name_off = c.u32();
    p.type = c.u32();
  }
  return out;
}

std::vector<BtfVarSecinfo> BtfRecords::secinfos(const BtfTypeRecord& r) const {
  ByteCursor c = cursor_at(r.offset + kRecordSize, "BTF");
  std::vector<BtfVarSecinfo> out(r.vlen);
  for (BtfVarSecinfo& s : out) {
    s.type = c.u32();
    s.offset = c.u32();
    s.size = c.u32();
  }
  return out;
}

}  // namespace kdive
