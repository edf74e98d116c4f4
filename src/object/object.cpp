// Object: construction, lazy slicing (members, elements, dereference) and reading of
// values from target memory, including bit fields in either byte order. Semantics and
// error texts follow drgn 0.0.22's libdrgn/object.c so that results diff equal.
#include "object/object.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>

#include "kdive/error.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {
namespace {

// Only integers up to 64 bits and 32/64-bit floats are held as scalars (as drgn 0.0.22).
constexpr const char* kIntegerTooBig = "integer values larger than 64 bits are not yet supported";
constexpr const char* kFloatSize = "float values which are not 32 or 64 bits are not yet supported";

// "incomplete structure", "void", ... as drgn_error_incomplete_type() spells them.
std::string incomplete_spelling(QualifiedType t) {
  const Type* u = underlying_type(t).type;
  switch (u ? u->kind() : TypeKind::Void) {
    case TypeKind::Struct: return "incomplete structure";
    case TypeKind::Union: return "incomplete union";
    case TypeKind::Class: return "incomplete class";
    case TypeKind::Enum: return "incomplete enumerated";
    case TypeKind::Array: return "incomplete array";
    case TypeKind::Function: return "function";
    default: return "void";
  }
}

uint64_t truncate_unsigned(uint64_t v, uint64_t bits) {
  return bits >= 64 ? v : v & ((uint64_t(1) << bits) - 1);
}

int64_t truncate_signed(uint64_t v, uint64_t bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  uint64_t shift = 64 - bits;
  return static_cast<int64_t>(v << shift) >> shift;
}

// Loads `bit_size` (<= 64) bits starting `bit_offset` (< 8) bits into `p`. Little
// endian numbers bits from the least significant bit of the first byte; big endian
// from the most significant bit of the first byte (as DWARF bit offsets do).
uint64_t load_bits(const uint8_t* p, uint64_t bit_offset, uint64_t bit_size, bool little_endian) {
  size_t n = static_cast<size_t>((bit_offset + bit_size + 7) / 8);  // <= 9
  unsigned __int128 v = 0;
  if (little_endian) {
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    v >>= bit_offset;
  } else {
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    v >>= (8 * n - bit_offset - bit_size);
  }
  return truncate_unsigned(static_cast<uint64_t>(v), bit_size);
}

uint64_t float_to_unsigned(double d, uint64_t bits) {
  // C leaves out-of-range conversions undefined; saturate instead of trapping.
  if (std::isnan(d)) return 0;
  if (d <= -9.2233720368547758e18) return truncate_unsigned(uint64_t(INT64_MIN), bits);
  if (d < 0) return truncate_unsigned(static_cast<uint64_t>(static_cast<int64_t>(d)), bits);
  if (d >= 1.8446744073709552e19) return truncate_unsigned(UINT64_MAX, bits);
  return truncate_unsigned(static_cast<uint64_t>(d), bits);
}

}  // namespace

ValueEncoding value_encoding(QualifiedType t) {
  const Type* type = t.type;
  for (int depth = 0; type && depth < 1000; ++depth) {
    switch (type->kind()) {
      case TypeKind::Int:
        return type->is_signed() ? ValueEncoding::Signed : ValueEncoding::Unsigned;
      case TypeKind::Bool:
      case TypeKind::Pointer:
        return ValueEncoding::Unsigned;
      case TypeKind::Float:
        return ValueEncoding::Float;
      case TypeKind::Struct:
      case TypeKind::Union:
      case TypeKind::Class:
      case TypeKind::Array:
        return type->is_complete() ? ValueEncoding::Buffer : ValueEncoding::Incomplete;
      case TypeKind::Enum:
        if (!type->is_complete()) return ValueEncoding::Incomplete;
        type = type->target().type;
        continue;
      case TypeKind::Typedef:
        type = type->target().type;
        continue;
      case TypeKind::Void:
      case TypeKind::Function:
        return ValueEncoding::None;
    }
  }
  return ValueEncoding::None;
}

Object::Object(const ObjectEnv& env, QualifiedType type, ObjectKind kind)
    : env_(&env), type_(type), kind_(kind), encoding_(value_encoding(type)) {}

uint64_t Object::bit_size() const {
  if (bit_field_size_) return bit_field_size_;
  if (encoding_ == ValueEncoding::None || encoding_ == ValueEncoding::Incomplete) return 0;
  // A bound from corrupt or hostile DWARF can make the size overflow in bits; drgn
  // (drgn_object_type) says the same then.
  uint64_t size = type_sizeof(type_);
  if (size > (UINT64_MAX >> 3)) throw TypeError("object is too large");
  return size * 8;
}

namespace {

// Validates a bit-field size against the type, as drgn_object_type() does.
void check_bit_field(ValueEncoding enc, QualifiedType type, uint64_t bfs) {
  if (!bfs) return;
  if (enc != ValueEncoding::Signed && enc != ValueEncoding::Unsigned)
    throw TypeError("bit field must be integer");
  if (bfs > type_sizeof(type) * 8) throw TypeError("bit field size is larger than type size");
}

}  // namespace

Object Object::reference(const ObjectEnv& env, QualifiedType type, uint64_t address,
                         uint64_t bit_offset, uint64_t bit_field_size) {
  Object o(env, type, ObjectKind::Reference);
  check_bit_field(o.encoding_, type, bit_field_size);
  address += bit_offset / 8;
  bit_offset %= 8;
  if (bit_offset && o.encoding_ != ValueEncoding::Signed && o.encoding_ != ValueEncoding::Unsigned &&
      o.encoding_ != ValueEncoding::Float)
    throw TypeError("non-scalar must be byte-aligned");
  o.address_ = address;
  o.bit_offset_ = bit_offset;
  o.bit_field_size_ = bit_field_size;
  return o;
}

Object Object::absent(const ObjectEnv& env, QualifiedType type, std::string reason,
                      uint64_t bit_field_size) {
  Object o(env, type, ObjectKind::Absent);
  check_bit_field(o.encoding_, type, bit_field_size);
  o.bit_field_size_ = bit_field_size;
  o.absent_reason_ = std::move(reason);
  return o;
}

Object Object::unsigned_value(const ObjectEnv& env, QualifiedType type, uint64_t value,
                              uint64_t bit_field_size) {
  Object o(env, type, ObjectKind::Value);
  check_bit_field(o.encoding_, type, bit_field_size);
  o.bit_field_size_ = bit_field_size;
  switch (o.encoding_) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned: {
      uint64_t bits = o.bit_size();
      if (bits > 64) throw TypeError(kIntegerTooBig);
      if (o.encoding_ == ValueEncoding::Signed)
        o.svalue_ = truncate_signed(value, bits);
      else
        o.uvalue_ = truncate_unsigned(value, bits);
      return o;
    }
    case ValueEncoding::Float:
      return float_value(env, type, static_cast<double>(value));
    case ValueEncoding::Incomplete:
    case ValueEncoding::None:
      throw TypeError(fmt::format("cannot create object with {} type", incomplete_spelling(type)));
    case ValueEncoding::Buffer:
      break;
  }
  throw TypeError(fmt::format("cannot create '{}' object from an integer", type_name(type)));
}

Object Object::signed_value(const ObjectEnv& env, QualifiedType type, int64_t value,
                            uint64_t bit_field_size) {
  if (value_encoding(type) == ValueEncoding::Float)
    return float_value(env, type, static_cast<double>(value));
  return unsigned_value(env, type, static_cast<uint64_t>(value), bit_field_size);
}

Object Object::float_value(const ObjectEnv& env, QualifiedType type, double value) {
  Object o(env, type, ObjectKind::Value);
  switch (o.encoding_) {
    case ValueEncoding::Float: {
      uint64_t bits = o.bit_size();
      if (bits != 32 && bits != 64) throw TypeError(kFloatSize);
      o.fvalue_ = bits == 32 ? static_cast<double>(static_cast<float>(value)) : value;
      return o;
    }
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned: {
      uint64_t bits = o.bit_size();
      if (bits > 64) throw TypeError(kIntegerTooBig);
      uint64_t u = float_to_unsigned(value, bits);
      if (o.encoding_ == ValueEncoding::Signed)
        o.svalue_ = truncate_signed(u, bits);
      else
        o.uvalue_ = u;
      return o;
    }
    case ValueEncoding::Incomplete:
    case ValueEncoding::None:
      throw TypeError(fmt::format("cannot create object with {} type", incomplete_spelling(type)));
    case ValueEncoding::Buffer:
      break;
  }
  throw TypeError(fmt::format("cannot create '{}' object from a float", type_name(type)));
}

Object Object::from_bytes(const ObjectEnv& env, QualifiedType type, const uint8_t* bytes,
                          size_t size, uint64_t bit_offset, uint64_t bit_field_size) {
  Object o(env, type, ObjectKind::Value);
  check_bit_field(o.encoding_, type, bit_field_size);
  o.bit_field_size_ = bit_field_size;
  if (o.encoding_ == ValueEncoding::None || o.encoding_ == ValueEncoding::Incomplete)
    throw TypeError(fmt::format("cannot create object with {} type", incomplete_spelling(type)));
  uint64_t bits = o.bit_size();
  uint64_t end;
  if (__builtin_add_overflow(bit_offset, bits, &end) || (end + 7) / 8 > size)
    throw TypeError("buffer is too small");
  const uint8_t* p = bytes + bit_offset / 8;
  bit_offset %= 8;
  bool le = env.little_endian;
  switch (o.encoding_) {
    case ValueEncoding::Buffer:
      if (bit_offset) throw TypeError("non-scalar must be byte-aligned");
      o.buffer_.assign(p, p + bits / 8);
      return o;
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned: {
      if (bits > 64) throw TypeError(kIntegerTooBig);
      uint64_t u = load_bits(p, bit_offset, bits, le);
      if (o.encoding_ == ValueEncoding::Signed)
        o.svalue_ = truncate_signed(u, bits);
      else
        o.uvalue_ = u;
      return o;
    }
    case ValueEncoding::Float: {
      if (bits != 32 && bits != 64) throw TypeError(kFloatSize);
      uint64_t u = load_bits(p, bit_offset, bits, le);
      if (bits == 32) {
        uint32_t u32 = static_cast<uint32_t>(u);
        float f;
        std::memcpy(&f, &u32, 4);
        o.fvalue_ = f;
      } else {
        std::memcpy(&o.fvalue_, &u, 8);
      }
      return o;
    }
    default:
      break;
  }
  throw TypeError("cannot create object");
}

uint64_t Object::address() const {
  if (kind_ != ObjectKind::Reference) {
    if (kind_ == ObjectKind::Absent) throw TypeError("object absent");
    throw TypeError("cannot get address of value");
  }
  return address_;
}

Object Object::read() const {
  if (kind_ == ObjectKind::Value) return *this;
  if (kind_ == ObjectKind::Absent) throw TypeError("object absent");
  if (encoding_ == ValueEncoding::None || encoding_ == ValueEncoding::Incomplete)
    throw TypeError(fmt::format("cannot read object with {} type", incomplete_spelling(type_)));
  uint64_t bits = bit_size();
  if (encoding_ == ValueEncoding::Float && bits != 32 && bits != 64) throw TypeError(kFloatSize);
  if ((encoding_ == ValueEncoding::Signed || encoding_ == ValueEncoding::Unsigned) && bits > 64)
    throw TypeError(kIntegerTooBig);
  uint64_t nbytes = (bit_offset_ + bits + 7) / 8;
  // Bounded: a compound read is at most its type size; refuse absurd sizes from
  // corrupt debug info rather than allocating them.
  if (nbytes > (uint64_t(1) << 32)) throw TypeError("object is too large");
  if (!env_->memory) throw FaultError(address_, "no memory to read from");
  if (encoding_ == ValueEncoding::Buffer) {
    Object o = *this;
    o.kind_ = ObjectKind::Value;
    o.buffer_.resize(nbytes);
    if (nbytes) env_->memory->read(address_, o.buffer_.data(), nbytes);
    return o;
  }
  uint8_t buf[16];
  env_->memory->read(address_, buf, nbytes);
  return from_bytes(*env_, type_, buf, nbytes, bit_offset_, bit_field_size_);
}

int64_t Object::as_signed() const {
  if (kind_ != ObjectKind::Value) return read().as_signed();
  switch (encoding_) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned:
      return svalue_;
    case ValueEncoding::Float:
      return static_cast<int64_t>(float_to_unsigned(fvalue_, 64));
    default:
      throw TypeError("object cannot be converted to integer");
  }
}

uint64_t Object::as_unsigned() const {
  if (kind_ != ObjectKind::Value) return read().as_unsigned();
  switch (encoding_) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned:
      return uvalue_;
    case ValueEncoding::Float:
      return float_to_unsigned(fvalue_, 64);
    default:
      throw TypeError("object cannot be converted to integer");
  }
}

double Object::as_double() const {
  if (kind_ != ObjectKind::Value) return read().as_double();
  switch (encoding_) {
    case ValueEncoding::Signed: return static_cast<double>(svalue_);
    case ValueEncoding::Unsigned: return static_cast<double>(uvalue_);
    case ValueEncoding::Float: return fvalue_;
    default: throw TypeError("object cannot be converted to floating-point");
  }
}

std::vector<uint8_t> Object::bytes() const {
  if (kind_ != ObjectKind::Value) return read().bytes();
  if (encoding_ == ValueEncoding::Buffer) return buffer_;
  uint64_t bits = bit_size();
  size_t n = static_cast<size_t>((bits + 7) / 8);
  std::vector<uint8_t> out(n);
  uint64_t u = uvalue_;
  if (encoding_ == ValueEncoding::Float) {
    if (bits == 32) {
      float f = static_cast<float>(fvalue_);
      uint32_t u32;
      std::memcpy(&u32, &f, 4);
      u = u32;
    } else {
      std::memcpy(&u, &fvalue_, 8);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = static_cast<uint8_t>(u >> (8 * i));
    out[env_->little_endian ? i : n - 1 - i] = b;
  }
  return out;
}

bool Object::is_zero() const { return is_zero_impl(0); }

bool Object::is_zero_impl(int depth) const {
  if (kind_ == ObjectKind::Absent) throw TypeError("object absent");
  // Only a self-containing type from corrupt debug info nests this deep.
  if (depth > 512) throw TypeError("object is too deeply nested");
  switch (encoding_) {
    case ValueEncoding::Signed:
    case ValueEncoding::Unsigned:
      return as_unsigned() == 0;
    case ValueEncoding::Float:
      return as_double() == 0.0;
    case ValueEncoding::Buffer: {
      const Type* u = underlying().type;
      if (u->kind() == TypeKind::Array) {
        QualifiedType element = u->target();
        uint64_t element_bits = type_sizeof(element) * 8;
        uint64_t n = u->length().value_or(0);
        // A value's bytes can be checked directly; a reference is sliced element by
        // element so that a fault is reported where drgn reports it.
        if (kind_ == ObjectKind::Value && value_encoding(element) != ValueEncoding::Float) {
          for (uint8_t b : buffer_)
            if (b) return false;
          return true;
        }
        for (uint64_t i = 0; i < n; ++i)
          if (!slice(element, i * element_bits).is_zero_impl(depth + 1)) return false;
        return true;
      }
      for (const TypeMember& m : u->members())
        if (!slice(m.type.get(), m.bit_offset, m.bit_field_size).is_zero_impl(depth + 1)) return false;
      return true;
    }
    case ValueEncoding::Incomplete: {
      // An incomplete array has no known elements (drgn: length 0, so zero).
      const Type* u = underlying().type;
      if (u && u->kind() == TypeKind::Array) return true;
      throw TypeError("object cannot be converted to boolean");
    }
    default:
      throw TypeError("object cannot be converted to boolean");
  }
}

bool Object::truthy() const {
  const Type* u = underlying().type;
  if (u && u->kind() == TypeKind::Array) return true;
  bool scalar = encoding_ == ValueEncoding::Signed || encoding_ == ValueEncoding::Unsigned ||
                encoding_ == ValueEncoding::Float;
  if (!scalar) throw TypeError(fmt::format("cannot convert '{}' to bool", type_name(type_)));
  return !is_zero();
}

std::string Object::read_c_string(size_t limit) const {
  const Type* u = underlying().type;
  uint64_t address;
  size_t max_len = limit;
  if (u && u->kind() == TypeKind::Pointer) {
    address = as_unsigned();
  } else if (u && u->kind() == TypeKind::Array) {
    if (u->length() && *u->length() < max_len) max_len = static_cast<size_t>(*u->length());
    if (kind_ == ObjectKind::Value) {
      std::string s;
      for (size_t i = 0; i < buffer_.size() && i < max_len && buffer_[i]; ++i)
        s += static_cast<char>(buffer_[i]);
      return s;
    }
    address = this->address();
  } else {
    throw TypeError(fmt::format("string() argument must be an array or pointer, not '{}'",
                                type_name(type_)));
  }
  if (!env_->memory) throw FaultError(address, "no memory to read from");
  return kdive::read_c_string(*env_->memory, address, max_len, AddressSpace::Virtual);
}

std::string read_c_string(const MemoryReader& memory, uint64_t address, size_t limit, AddressSpace space) {
  // Read in chunks up to the next page boundary so that a string ending just before
  // an unreadable page is still read.
  std::string s;
  while (s.size() < limit) {
    uint64_t a = address + s.size();
    size_t chunk = static_cast<size_t>(4096 - (a & 4095));
    if (chunk > limit - s.size()) chunk = limit - s.size();
    char buf[4096];
    try {
      memory.read(a, buf, chunk, space);
    } catch (const FaultError&) {
      // Memory may end inside the page (a segment boundary): read byte by byte up to
      // the NUL or the first unreadable byte, which then faults as drgn's does.
      for (size_t i = 0; i < chunk; ++i) {
        char c;
        memory.read(a + i, &c, 1, space);
        if (!c) return s;
        s += c;
      }
      continue;
    }
    size_t n = strnlen(buf, chunk);
    s.append(buf, n);
    if (n < chunk) break;
  }
  return s;
}

Object Object::slice(QualifiedType type, uint64_t bit_offset, uint64_t bit_field_size) const {
  switch (kind_) {
    case ObjectKind::Value: {
      if (encoding_ != ValueEncoding::Buffer) throw TypeError("not a buffer object");
      if (value_encoding(type) == ValueEncoding::Incomplete) {
        // A flexible array member of a value (e.g. mm_struct.cpu_bitmap[]): no bytes
        // are known past the struct, so it is a value with no elements, which formats
        // as "{}" like drgn's reference to it.
        Object o(*env_, type, ObjectKind::Value);
        return o;
      }
      uint64_t sub_bits = bit_field_size ? bit_field_size
                                         : (type_has_size(type) ? type_sizeof(type) * 8 : 0);
      uint64_t end;
      if (__builtin_add_overflow(bit_offset, sub_bits, &end) || end > buffer_.size() * 8)
        throw TypeError("out of bounds of value");
      return from_bytes(*env_, type, buffer_.data(), buffer_.size(), bit_offset, bit_field_size);
    }
    case ObjectKind::Reference:
      if (encoding_ != ValueEncoding::Buffer && encoding_ != ValueEncoding::Incomplete)
        throw TypeError("not a buffer object");
      return reference(*env_, type, address_ + (bit_offset_ + bit_offset) / 8,
                       (bit_offset_ + bit_offset) % 8, bit_field_size);
    case ObjectKind::Absent:
      break;
  }
  throw TypeError("object absent");
}

Object Object::member(std::string_view name) const {
  FoundMember m = member_of(type_, name);
  return slice(m.type, m.bit_offset, m.bit_field_size);
}

namespace {

// The element type and its size in bits for `[]` and `*` (drgn_program_element_info).
std::pair<QualifiedType, uint64_t> element_info(QualifiedType t) {
  const Type* u = underlying_type(t).type;
  if (!u || (u->kind() != TypeKind::Pointer && u->kind() != TypeKind::Array))
    throw TypeError(fmt::format("'{}' is not an array or pointer", type_name({t.type, 0})));
  QualifiedType element = u->target();
  return {element, type_sizeof(element) * 8};
}

}  // namespace

Object Object::member_dereference(std::string_view name) const {
  const Type* u = underlying().type;
  if (!u || u->kind() != TypeKind::Pointer)
    throw TypeError(fmt::format("'{}' is not a pointer to a structure, union, or class",
                                type_name({type_.type, 0})));
  FoundMember m = member_of(u->target(), name);
  uint64_t address = as_unsigned();
  return reference(*env_, m.type, address + m.bit_offset / 8, m.bit_offset % 8, m.bit_field_size);
}

Object Object::subscript(int64_t index) const {
  auto [element, element_bits] = element_info(type_);
  // Signed byte arithmetic (wrapping like the target's address arithmetic).
  uint64_t byte_delta = static_cast<uint64_t>(index) * (element_bits / 8);
  if (encoding_ == ValueEncoding::Unsigned) {  // a pointer
    uint64_t address = as_unsigned();
    return reference(*env_, element, address + byte_delta);
  }
  if (kind_ == ObjectKind::Reference)
    return reference(*env_, element, address_ + byte_delta, bit_offset_);
  if (index < 0) throw TypeError("out of bounds of value");
  uint64_t bit_offset;
  if (__builtin_mul_overflow(static_cast<uint64_t>(index), element_bits, &bit_offset))
    throw TypeError("out of bounds of value");
  return slice(element, bit_offset);
}

Object Object::dereference() const { return subscript(0); }

Object Object::address_of() const {
  if (kind_ == ObjectKind::Value) throw TypeError("cannot take address of value");
  if (kind_ == ObjectKind::Absent) throw TypeError("object absent");
  if (bit_field_size_ || bit_offset_) throw TypeError("cannot take address of bit field");
  if (!env_->types) throw TypeError("no type arena to make a pointer type");
  const Type* ptr = env_->types->pointer_to(type_, env_->pointer_size);
  return unsigned_value(*env_, {ptr, 0}, address_);
}

}  // namespace kdive
