// Object ↔ Python value conversions (python_object_value.h), with drgn's rules: bool
// objects give bool, enums and pointers give int, arrays give a list of every element,
// structs a dict by member name (anonymous members' members merged in).
#include "python/python_object_value.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "object/object_operators.h"
#include "types/type_layout.h"
#include "python/python_errors.h"

namespace kdive::python {

namespace py = pybind11;

namespace {

py::int_ int_from_bytes(const std::vector<uint8_t>& bytes, bool little_endian, bool is_signed) {
  py::bytes b(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return py::int_(py::module_::import("builtins").attr("int").attr("from_bytes")(
      b, little_endian ? "little" : "big", py::arg("signed") = is_signed));
}

void add_members(const ProgramRef& prog, const Object& obj, QualifiedType t, py::dict& out) {
  for (const TypeMember& m : t.type->members()) {
    Object member = obj.slice(m.type.get(), m.bit_offset, m.bit_field_size);
    if (m.name.empty()) {
      QualifiedType mt = underlying_type(m.type.get());
      if (mt.type && mt.type->is_compound()) {
        // An anonymous struct/union: its members are the enclosing struct's.
        Object inner = obj.slice(m.type.get(), m.bit_offset);
        add_members(prog, inner, mt, out);
        continue;
      }
    }
    out[py::str(m.name)] = object_value(prog, member);
  }
}


// Writes `bits` bits of `value` (bit 0 first, little-endian byte order as kdive's
// targets) into `buf` starting `bit_offset` bits in.
void put_bits(std::vector<uint8_t>& buf, uint64_t bit_offset, const std::vector<uint8_t>& value, uint64_t bits) {
  for (uint64_t i = 0; i < bits; ++i) {
    bool bit = (value[i / 8] >> (i % 8)) & 1;
    uint64_t at = bit_offset + i;
    if (bit) buf[at / 8] |= static_cast<uint8_t>(1u << (at % 8));
    else buf[at / 8] &= static_cast<uint8_t>(~(1u << (at % 8)));
  }
}

// Fills `buf` at `bit_offset` with the Python value of a `type` object: a mapping of
// member names for structs/unions, an iterable of elements for arrays (the rest zero),
// a number for scalars — drgn's Object(prog, type, value) for compound types.
void write_value(PyProgram& prog, std::vector<uint8_t>& buf, uint64_t bit_offset, QualifiedType type,
                 const py::handle& value, uint64_t bit_field_size) {
  QualifiedType t = underlying_type(type);
  if (t.type && t.type->is_compound() && !py::isinstance<PyObj>(value)) {
    if (!PyMapping_Check(value.ptr()) || py::isinstance<py::str>(value))
      throw py::type_error(fmt::format("'{}' value must be dictionary or mapping", type_name_of(type)));
    py::object items = py::reinterpret_borrow<py::object>(value).attr("items")();
    for (const py::handle& item : items) {
      py::tuple kv = py::reinterpret_borrow<py::tuple>(item);
      if (!py::isinstance<py::str>(kv[0])) throw py::type_error("member key must be str");
      FoundMember f = member_of(type, kv[0].cast<std::string>());
      write_value(prog, buf, bit_offset + f.bit_offset, f.type, kv[1], f.bit_field_size);
    }
    return;
  }
  if (t.type && t.type->kind() == TypeKind::Array && !py::isinstance<PyObj>(value)) {
    if (!py::isinstance<py::iterable>(value))
      throw py::type_error(fmt::format("'{}' value must be iterable", type_name_of(type)));
    QualifiedType element = t.type->target();
    uint64_t element_bits = type_sizeof(element) * 8;
    uint64_t length = t.type->length().value_or(0);
    uint64_t i = 0;
    for (const py::handle& item : value) {
      if (i >= length) throw py::value_error("too many items in array value");
      write_value(prog, buf, bit_offset + i * element_bits, element, item, 0);
      ++i;
    }
    return;
  }
  Object o = object_from_value(prog, type, value, bit_field_size);
  std::vector<uint8_t> bytes = o.bytes();
  put_bits(buf, bit_offset, bytes, bit_field_size ? bit_field_size : bytes.size() * 8);
}

}  // namespace

uint64_t to_u64(const py::handle& h) {
  py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!i) throw py::error_already_set();
  unsigned long long v = PyLong_AsUnsignedLongLong(i.ptr());
  if (v == static_cast<unsigned long long>(-1) && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

void check_bit_field(QualifiedType type, uint64_t bit_field_size) {
  if (!bit_field_size) return;
  QualifiedType t = underlying_type(type);
  if (!t.type || !(t.type->is_integer() || t.type->kind() == TypeKind::Enum))
    throw py::value_error("bit field must be integer");
  if (bit_field_size > type_sizeof(type) * 8) throw py::value_error("bit field size is larger than type size");
}

py::int_ object_int(const Object& obj) {
  if (obj.encoding() == ValueEncoding::Signed) return py::int_(obj.as_signed());
  if (obj.encoding() == ValueEncoding::Unsigned) return py::int_(obj.as_unsigned());
  if (obj.encoding() == ValueEncoding::Float) {
    return py::int_(py::module_::import("builtins").attr("int")(obj.as_double()));
  }
  QualifiedType t = obj.underlying();
  if (t.type && t.type->kind() == TypeKind::Int)
    return int_from_bytes(obj.bytes(), obj.env().little_endian, t.type->is_signed());
  throw kdive::TypeError(fmt::format("cannot convert '{}' to int", type_name_of(obj.type())));
}

py::object object_value(const ProgramRef& prog, const Object& obj) {
  if (obj.is_absent()) raise_python(object_absent_error_class(), py::str("object absent"));
  QualifiedType t = obj.underlying();
  if (!t.type || t.type->kind() == TypeKind::Void) throw kdive::TypeError("cannot read object with void type");
  switch (t.type->kind()) {
    case TypeKind::Function: throw kdive::TypeError("cannot read object with function type");
    case TypeKind::Bool: return py::bool_(obj.as_unsigned() != 0);
    case TypeKind::Float: return py::float_(obj.as_double());
    case TypeKind::Int:
    case TypeKind::Enum:
    case TypeKind::Pointer: return object_int(obj);
    case TypeKind::Struct:
    case TypeKind::Union:
    case TypeKind::Class: {
      Object value = obj.read();
      py::dict out;
      add_members(prog, value, t, out);
      return out;
    }
    case TypeKind::Array: {
      Object value = obj.read();
      py::list out;
      uint64_t n = t.type->length().value_or(0);
      for (uint64_t i = 0; i < n; ++i) out.append(object_value(prog, value.subscript(static_cast<int64_t>(i))));
      return out;
    }
    default:
      throw kdive::TypeError(fmt::format("cannot get value of {}", type_name_of(obj.type())));
  }
}

Object object_from_value(PyProgram& prog, QualifiedType type, const py::handle& value, uint64_t bit_field_size) {
  const ObjectEnv& env = prog.program().object_env();
  QualifiedType t = underlying_type(type);
  if (!t.type || t.type->kind() == TypeKind::Void) throw py::type_error("cannot create value with void type");
  if (py::isinstance<PyObj>(value)) {
    const Object& o = value.cast<const PyObj&>().obj;
    if (t.type->is_compound() || t.type->kind() == TypeKind::Array) {
      Object read = o.read();
      std::vector<uint8_t> b = read.bytes();
      return Object::from_bytes(env, type, b.data(), b.size(), 0, bit_field_size);
    }
    return kdive::cast(type, o);
  }
  switch (t.type->kind()) {
    case TypeKind::Float:
      if (!py::isinstance<py::float_>(value) && !py::isinstance<py::int_>(value))
        throw py::type_error(fmt::format("'{}' value must be number", type_name_of(type)));
      return Object::float_value(env, type, py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>());
    case TypeKind::Int:
    case TypeKind::Bool:
    case TypeKind::Enum:
    case TypeKind::Pointer: {
      if (py::isinstance<py::float_>(value)) {
        if (t.type->kind() == TypeKind::Pointer)  // truncated toward zero, as int() does
          return object_from_value(prog, type, py::int_(py::reinterpret_borrow<py::object>(value)), bit_field_size);
        return kdive::cast(type, Object::float_value(env, {env.prim.double_type}, value.cast<double>()));
      }
      if (!py::isinstance<py::int_>(value) && !PyIndex_Check(value.ptr()))
        throw py::type_error(fmt::format("'{}' value must be number", type_name_of(type)));
      // Truncated to 64 bits as C's conversion does, then to the type's size.
      py::int_ i = py::reinterpret_steal<py::int_>(PyNumber_Index(value.ptr()));
      uint64_t bits = py::int_(i & py::int_(std::numeric_limits<uint64_t>::max())).cast<uint64_t>();
      return Object::unsigned_value(env, type, bits, bit_field_size);
    }
    case TypeKind::Struct:
    case TypeKind::Union:
    case TypeKind::Class:
    case TypeKind::Array: {
      std::vector<uint8_t> buf(type_sizeof(type), 0);
      write_value(prog, buf, 0, type, value, 0);
      return Object::from_bytes(env, type, buf.data(), buf.size());
    }
    default:
      throw py::type_error(fmt::format("cannot create '{}' object from Python value", type_name_of(type)));
  }
}

}  // namespace kdive::python
