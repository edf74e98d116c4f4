// drgn.Object on kdive's Object: construction (value, address, absent), drgn's repr and
// str, member access (`obj.member` with pointer auto-dereference, member_, subobject_),
// subscripts, iteration of arrays, Python number protocols, C operators with drgn's
// operand conversions, value_/read_/string_/format_, and the module functions cast,
// reinterpret, container_of, sizeof, offsetof, alignof and NULL.
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <pybind11/operators.h>
#include <pybind11/stl.h>

#include "kdive/error.h"
#include "object/object_formatter.h"
#include "object/object_operators.h"
#include "python/python_enums.h"
#include "python/python_errors.h"
#include "python/python_handles.h"
#include "python/python_object_value.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive::python {

namespace {

// The Object class's pybind11 record, looked up once: py::cast and py::isinstance
// would look it up by std::type_index for every Object a loop touches.
const py::detail::type_info* object_type_info() {
  static const py::detail::type_info* info = py::detail::get_type_info(typeid(PyObj), /*throw_if_missing=*/true);
  return info;
}

// The C++ Object inside a Python drgn.Object (or subclass) instance; nullptr, with
// TypeError set, when its __init__ never ran.
PyObj* object_pointer(PyObject* self) {
  auto* inst = reinterpret_cast<py::detail::instance*>(self);
  void* p = inst->simple_layout ? inst->simple_value_holder[0]
                                : py::detail::values_and_holders(inst).begin()->value_ptr();
  if (!p) PyErr_SetString(PyExc_TypeError, "_drgn.Object.__init__() was not called");
  return static_cast<PyObj*>(p);
}

}  // namespace

PyTypeObject* object_class() { return object_type_info()->type; }

PyObj* as_object(const py::handle& h) {
  if (!PyObject_TypeCheck(h.ptr(), object_class())) return nullptr;
  PyObj* o = object_pointer(h.ptr());
  if (!o) throw py::error_already_set();
  return o;
}

// What py::cast(PyObj) does for a new Object (pybind11 2.10's make_new_instance,
// then class_::init_instance for a std::unique_ptr holder), minus its lookups of the
// class by std::type_index and of an existing instance at the same address.
py::object wrap_object(const ProgramRef& prog, Object o) {
  const py::detail::type_info* info = object_type_info();
  auto self = py::reinterpret_steal<py::object>(py::detail::make_new_instance(info->type));
  if (!self) throw py::error_already_set();
  auto* inst = reinterpret_cast<py::detail::instance*>(self.ptr());
  py::detail::value_and_holder v_h = inst->get_value_and_holder(info, /*throw_if_missing=*/true);
  auto* value = new PyObj{prog, std::move(o)};
  v_h.value_ptr() = value;
  inst->owned = true;
  py::detail::register_instance(inst, value, info);
  v_h.set_instance_registered();
  new (std::addressof(v_h.holder<std::unique_ptr<PyObj>>())) std::unique_ptr<PyObj>(value);
  v_h.set_holder_constructed();
  return self;
}

namespace {

const ObjectEnv& env_of(PyProgram& prog) { return prog.program().object_env(); }

// A Python operand of a C operator as an Object: Objects as they are; Python ints as
// drgn converts them (int, else long, else unsigned long long); floats as double; bools as int.
Object operand(PyProgram& prog, const py::handle& h) {
  if (PyObj* o = as_object(h)) return o->obj;
  const ObjectEnv& env = env_of(prog);
  if (py::isinstance<py::bool_>(h)) return Object::signed_value(env, {env.prim.int_type}, h.cast<bool>() ? 1 : 0);
  if (py::isinstance<py::int_>(h)) {
    py::int_ i = py::reinterpret_borrow<py::int_>(h);
    if (i >= py::int_(std::numeric_limits<int32_t>::min()) && i <= py::int_(std::numeric_limits<int32_t>::max()))
      return Object::signed_value(env, {env.prim.int_type}, h.cast<int64_t>());
    if (i >= py::int_(std::numeric_limits<int64_t>::min()) && i <= py::int_(std::numeric_limits<int64_t>::max()))
      return Object::signed_value(env, {env.prim.long_type}, h.cast<int64_t>());
    if (i >= py::int_(0) && i <= py::int_(std::numeric_limits<uint64_t>::max()))
      return Object::unsigned_value(env, {env.prim.unsigned_long_long_type}, h.cast<uint64_t>());
    throw py::value_error("integer is too large");
  }
  if (py::isinstance<py::float_>(h)) return Object::float_value(env, {env.prim.double_type}, h.cast<double>());
  throw py::type_error("unsupported operand type");
}

ProgramRef program_of_operands(const py::handle& a, const py::handle& b) {
  if (PyObj* o = as_object(a)) return o->prog;
  return as_object(b)->prog;
}

void require_present(const Object& o);

// What drgn's operators accept: Objects, ints (bools included) and floats.
bool is_operand(const py::handle& h) {
  return as_object(h) || PyLong_Check(h.ptr()) || PyFloat_Check(h.ptr());
}

// drgn raises ObjectAbsentError for an operator on an absent object.
void require_present_operands(const py::handle& lhs, const py::handle& rhs) {
  for (const py::handle& h : {lhs, rhs}) {
    if (PyObj* o = as_object(h)) require_present(o->obj);
  }
}

py::object binary(BinaryOp op, const py::handle& lhs, const py::handle& rhs) {
  bool supported = is_operand(lhs) && is_operand(rhs);
  if (!supported) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  ProgramRef prog = program_of_operands(lhs, rhs);
  require_present_operands(lhs, rhs);
  return wrap_object(prog, binary_op(op, operand(*prog, lhs), operand(*prog, rhs)));
}

py::object compare(BinaryOp op, const py::handle& lhs, const py::handle& rhs) {
  bool supported = is_operand(lhs) && is_operand(rhs);
  if (!supported) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  ProgramRef prog = program_of_operands(lhs, rhs);
  require_present_operands(lhs, rhs);
  Object a = operand(*prog, lhs);
  Object b = operand(*prog, rhs);
  // drgn compares a pointer only with a pointer (not even with 0, unlike C's null
  // pointer constant); arrays and functions are pointers here, as they decay in C.
  auto is_pointer = [](const Object& o) {
    QualifiedType t = o.underlying();
    return t.type && (t.type->kind() == TypeKind::Pointer || t.type->kind() == TypeKind::Array ||
                      t.type->kind() == TypeKind::Function);
  };
  if (is_pointer(a) != is_pointer(b))
    throw py::type_error(fmt::format("invalid operands to comparison ('{}' and '{}')", type_name_of(a.type()),
                                     type_name_of(b.type())));
  int c = compare_objects(a, b);
  bool r = false;
  switch (op) {
    case BinaryOp::Lt: r = c < 0; break;
    case BinaryOp::Gt: r = c > 0; break;
    case BinaryOp::Le: r = c <= 0; break;
    case BinaryOp::Ge: r = c >= 0; break;
    case BinaryOp::Eq: r = c == 0; break;
    default: r = c != 0; break;
  }
  return py::bool_(r);
}

void require_present(const Object& o) {
  if (o.is_absent()) raise_python(object_absent_error_class(), py::str("object absent"));
}

void require_arithmetic(const Object& o, const char* what) {
  QualifiedType t = o.underlying();
  if (!t.type || !(t.type->is_integer() || t.type->kind() == TypeKind::Float || t.type->kind() == TypeKind::Enum))
    throw py::type_error(fmt::format("cannot {} '{}'", what, type_name_of(o.type())));
}

// math.trunc/floor/ceil of an arithmetic object: of its Python value (an int).
py::object math_of(const PyObj& self, const char* fn) {
  require_present(self.obj);
  require_arithmetic(self.obj, fn);
  return py::module_::import("math").attr(fn)(object_value(self.prog, self.obj));
}

// Member names for dir(): anonymous members' members are reachable by name too.
void add_member_names(QualifiedType t, py::list& out) {
  for (const TypeMember& m : t.type->members()) {
    if (!m.name.empty()) {
      out.append(py::str(m.name));
      continue;
    }
    QualifiedType mt = underlying_type(m.type.get());
    if (mt.type && mt.type->is_compound() && mt.type->is_complete()) add_member_names(mt, out);
  }
}

// drgn's Object.__repr__: "Object(prog, 'type', value=...)" (pointers in hex),
// "address=0x..." with a nonzero bit_offset, or nothing for an absent object; then the
// bit-field size.
std::string object_repr(const PyObj& self) {
  const Object& o = self.obj;
  std::string s = "Object(prog, " + py::repr(py::str(type_name_of(o.type()))).cast<std::string>();
  if (o.is_reference()) {
    s += fmt::format(", address={:#x}", o.address());
    if (o.bit_offset()) s += fmt::format(", bit_offset={}", o.bit_offset());
  } else if (o.is_value()) {
    py::object value = object_value(self.prog, o);
    QualifiedType t = o.underlying();
    if (t.type && t.type->kind() == TypeKind::Pointer)
      s += ", value=" + py::reinterpret_steal<py::object>(PyNumber_ToBase(value.ptr(), 16)).cast<std::string>();
    else
      s += ", value=" + py::repr(value).cast<std::string>();
  }
  if (o.is_bit_field()) s += fmt::format(", bit_field_size={}", o.bit_field_size());
  return s + ")";
}

// `obj.name`: a member of a struct/union, or of the struct a pointer points to.
Object attribute(const Object& o, std::string_view name) {
  QualifiedType t = o.underlying();
  if (t.type && t.type->kind() == TypeKind::Pointer) return o.member_dereference(name);
  return o.member(name);
}

// format_()'s keyword arguments as drgn parses them: columns a size_t, the rest truth values.
FormatOptions format_options(const py::kwargs& kw) {
  FormatOptions f;
  for (auto [key, value] : kw) {
    std::string k = key.cast<std::string>();
    if (k == "columns") {
      if (value.is_none()) continue;
      py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
      if (!i) throw py::error_already_set();
      size_t columns = PyLong_AsSize_t(i.ptr());
      if (columns == static_cast<size_t>(-1) && PyErr_Occurred()) throw py::error_already_set();
      f.columns = columns;
      continue;
    }
    bool* flag = k == "dereference" ? &f.dereference
                 : k == "symbolize" ? &f.symbolize
                 : k == "string" ? &f.string
                 : k == "char" ? &f.chars
                 : k == "type_name" ? &f.type_name
                 : k == "member_type_names" ? &f.member_type_names
                 : k == "element_type_names" ? &f.element_type_names
                 : k == "members_same_line" ? &f.members_same_line
                 : k == "elements_same_line" ? &f.elements_same_line
                 : k == "member_names" ? &f.member_names
                 : k == "element_indices" ? &f.element_indices
                 : k == "implicit_members" ? &f.implicit_members
                 : k == "implicit_elements" ? &f.implicit_elements
                 : nullptr;
    if (!flag) throw py::type_error(fmt::format("'{}' is an invalid keyword argument for format_()", k));
    if (value.is_none()) continue;
    int truth = PyObject_IsTrue(value.ptr());
    if (truth < 0) throw py::error_already_set();
    *flag = truth != 0;
  }
  return f;
}


// drgn.Object's tp_getattro, as drgn's: the type's own attributes first, without
// building an AttributeError when there is none, then the member of that name.
PyObject* object_getattro(PyObject* self, PyObject* name) {
  PyObject* found = _PyObject_GenericGetAttrWithDict(self, name, nullptr, /*suppress=*/1);
  if (found || PyErr_Occurred()) return found;
  Py_ssize_t length = 0;
  const char* chars = PyUnicode_AsUTF8AndSize(name, &length);
  if (!chars) return nullptr;
  PyObj* o = object_pointer(self);
  if (!o) return nullptr;
  try {
    return wrap_object(o->prog, attribute(o->obj, std::string_view(chars, static_cast<size_t>(length)))).release().ptr();
  } catch (const kdive::LookupError& e) {
    PyErr_SetString(PyExc_AttributeError, e.what());
  } catch (const kdive::TypeError&) {
    PyErr_Format(PyExc_AttributeError, "'_drgn.Object' object has no attribute '%U'", name);
  } catch (...) {
    set_python_error_from_current_exception();
  }
  return nullptr;
}

// obj[start:stop]: a new array of the elements from start to stop (none when stop <=
// start), at the first one's address; a value array gives a value. Omitted bounds are
// 0 and the array's length (which then must be complete).
py::object slice_of(const PyObj& self, const py::object& s) {
  auto bound = [](const py::object& v) -> std::optional<int64_t> {
    if (v.is_none()) return std::nullopt;
    return py::int_(py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()))).cast<int64_t>();
  };
  std::optional<int64_t> step = bound(s.attr("step"));
  if (step && *step != 1) throw py::value_error("object slice step must be 1");
  QualifiedType t = self.obj.underlying();
  if (!t.type || (t.type->kind() != TypeKind::Array && t.type->kind() != TypeKind::Pointer))
    throw py::type_error(fmt::format("'{}' is not an array or pointer", type_name_of(self.obj.type())));
  int64_t start = bound(s.attr("start")).value_or(0);
  std::optional<int64_t> stop = bound(s.attr("stop"));
  if (!stop) {
    if (t.type->kind() != TypeKind::Array || !t.type->length())
      throw py::type_error(fmt::format("'{}' has no length; slice needs a stop index", type_name_of(self.obj.type())));
    stop = static_cast<int64_t>(*t.type->length());
  }
  int64_t n = *stop > start ? *stop - start : 0;
  py::object first = py::cast(PyObj{self.prog, self.obj.subscript(start)});
  py::object drgn = py::module_::import("_drgn");
  py::object array_type = py::cast(self.prog).attr("array_type")(first.attr("type_"), n);
  py::object address = first.attr("address_");
  if (!address.is_none()) return drgn.attr("Object")(self.prog, array_type, py::arg("address") = address);
  if (start < 0 || (n > 0 && *stop > static_cast<int64_t>(t.type->length().value_or(0))))
    throw py::index_error("array slice out of range for a value");
  py::bytes all = py::cast(self).attr("to_bytes_")();
  uint64_t size = drgn.attr("sizeof")(first.attr("type_")).cast<uint64_t>();
  std::string bytes = all.cast<std::string>().substr(static_cast<size_t>(start) * size, static_cast<size_t>(n) * size);
  return drgn.attr("Object").attr("from_bytes_")(self.prog, array_type, py::bytes(bytes));
}

// tp_richcompare: drgn's comparison of two Objects or an Object and a number.
PyObject* object_richcompare(PyObject* self, PyObject* other, int op) {
  static constexpr BinaryOp kOps[] = {BinaryOp::Lt, BinaryOp::Le, BinaryOp::Eq, BinaryOp::Ne, BinaryOp::Gt, BinaryOp::Ge};
  if (op < 0 || op > 5) Py_RETURN_NOTIMPLEMENTED;
  try {
    return compare(kOps[op], self, other).release().ptr();
  } catch (...) {
    set_python_error_from_current_exception();
  }
  return nullptr;
}

// A METH_NOARGS method of a present Object: `f(object)` returns the new reference.
template <typename F>
PyObject* present_object_method(PyObject* self, F&& f) {
  PyObj* o = object_pointer(self);
  if (!o) return nullptr;
  try {
    require_present(o->obj);
    return f(*o).release().ptr();
  } catch (...) {
    set_python_error_from_current_exception();
  }
  return nullptr;
}

PyObject* object_value_method(PyObject* self, PyObject*) {
  return present_object_method(self, [](const PyObj& o) { return object_value(o.prog, o.obj); });
}

PyObject* object_read_method(PyObject* self, PyObject*) {
  return present_object_method(self, [](const PyObj& o) { return wrap_object(o.prog, o.obj.read()); });
}

// drgn.container_of(ptr, type, member), the step of every hand-written list walk.
PyObject* container_of_function(PyObject*, PyObject* args, PyObject* kwargs) {
  static const char* keywords[] = {"ptr", "type", "member", nullptr};
  PyObject* ptr = nullptr;
  PyObject* type = nullptr;
  PyObject* member_name = nullptr;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOU:container_of", const_cast<char**>(keywords), &ptr, &type,
                                   &member_name))
    return nullptr;
  Py_ssize_t member_length = 0;
  const char* member = PyUnicode_AsUTF8AndSize(member_name, &member_length);
  if (!member) return nullptr;
  try {
    PyObj* p = as_object(ptr);
    if (!p) {
      PyErr_Format(PyExc_TypeError, "container_of() argument 1 must be _drgn.Object, not %s", Py_TYPE(ptr)->tp_name);
      return nullptr;
    }
    Object entry = kdive::container_of(p->obj, type_argument(*p->prog, type),
                                       std::string_view(member, static_cast<size_t>(member_length)));
    return wrap_object(p->prog, std::move(entry)).release().ptr();
  } catch (...) {
    set_python_error_from_current_exception();
  }
  return nullptr;
}

PyMethodDef kContainerOf = {"container_of", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(container_of_function)),
                            METH_VARARGS | METH_KEYWORDS,
                            "container_of(ptr, type, member): the object containing the member ptr points to."};

PyMethodDef kFastMethods[] = {
    {"value_", object_value_method, METH_NOARGS, "Get the value of this object as a Python object."},
    {"read_", object_read_method, METH_NOARGS, "Read this object (which may be a reference) as a value."},
};

// The loops users write (`t.pid.value_()`, `while pos != head: pos = pos.next`) spend
// most of their time in these: they become plain CPython slots and methods instead of
// going through pybind11's overload dispatch (argument casters, a std::string per
// name, an AttributeError formatted before every __getattr__).
void install_fast_paths(const py::handle& cls) {
  auto* type = reinterpret_cast<PyTypeObject*>(cls.ptr());
  type->tp_getattro = object_getattro;
  type->tp_richcompare = object_richcompare;
  for (PyMethodDef& def : kFastMethods) {
    py::object descriptor = py::reinterpret_steal<py::object>(PyDescr_NewMethod(type, &def));
    if (!descriptor) throw py::error_already_set();
    if (PyObject_SetAttrString(cls.ptr(), def.ml_name, descriptor.ptr()) != 0) throw py::error_already_set();
  }
  PyType_Modified(type);
}

}  // namespace

void bind_object(py::module_& m) {
  auto cls = py::class_<PyObj>(m, "Object");
  cls.def(py::init([](const ProgramRef& prog, const py::object& type, const py::object& value, const py::object& address,
                      const py::object& bit_offset_arg, const py::object& bit_field_size, bool absent) {
        const ObjectEnv& env = env_of(*prog);
        if (!type.is_none() && !py::isinstance<PyType>(type) && !py::isinstance<py::str>(type))
          throw py::type_error("type must be Type, str, or None");
        uint64_t bits = 0;
        if (!bit_field_size.is_none()) {
          bits = to_u64(bit_field_size);
          if (!bits) throw py::value_error("bit field size cannot be zero");
        }
        uint64_t bit_offset = to_u64(bit_offset_arg);
        if (!address.is_none()) {
          if (!value.is_none()) throw py::value_error("object cannot have address and value");
          if (type.is_none()) throw py::value_error("reference must have type");
          uint64_t addr = to_u64(address);
          QualifiedType t = type_argument(*prog, type);
          check_bit_field(t, bits);
          return PyObj{prog, Object::reference(env, t, addr, bit_offset, bits)};
        }
        if (bit_offset) throw py::value_error("value cannot have bit offset");
        if (value.is_none() || absent) {
          if (type.is_none()) throw py::value_error("absent object must have type");
          QualifiedType t = type_argument(*prog, type);
          check_bit_field(t, bits);
          return PyObj{prog, Object::absent(env, t, {}, bits)};
        }
        if (type.is_none()) {
          if (py::isinstance<PyObj>(value)) throw py::type_error("cannot create _drgn.Object literal");
          return PyObj{prog, operand(*prog, value)};
        }
        QualifiedType t = type_argument(*prog, type);
        check_bit_field(t, bits);
        return PyObj{prog, object_from_value(*prog, t, value, bits)};
      }), py::arg("prog"), py::arg("type") = py::none(), py::arg("value") = py::none(), py::kw_only(),
      py::arg("address") = py::none(), py::arg("bit_offset") = 0, py::arg("bit_field_size") = py::none(),
      py::arg("absent") = false);

  cls.def_property_readonly("prog_", [](const PyObj& self) { return self.prog; })
      .def_property_readonly("type_", [](const PyObj& self) { return PyType{self.prog, self.obj.type()}; })
      .def_property_readonly("absent_", [](const PyObj& self) { return self.obj.is_absent(); })
      // kdive does not record why an object is absent: OTHER, as drgn says for an
      // Object made absent by its constructor.
      .def_property_readonly("absence_reason_", [](const PyObj& self) -> py::object {
        if (!self.obj.is_absent()) return py::none();
        return enum_class("AbsenceReason").attr("OTHER");
      })
      .def_property_readonly("address_", [](const PyObj& self) -> py::object {
        if (!self.obj.is_reference()) return py::none();
        return py::int_(self.obj.address());
      })
      .def_property_readonly("bit_offset_", [](const PyObj& self) -> py::object {
        if (!self.obj.is_reference()) return py::none();
        return py::int_(self.obj.bit_offset());
      })
      .def_property_readonly("bit_field_size_", [](const PyObj& self) -> py::object {
        if (!self.obj.is_bit_field()) return py::none();
        return py::int_(self.obj.bit_field_size());
      })
      .def("__repr__", &object_repr)
      .def("__str__", [](const PyObj& self) { return format_object(self.obj); })
      .def("format_", [](const PyObj& self, const py::kwargs& kw) { return format_object(self.obj, format_options(kw)); })
      .def("string_", [](const PyObj& self) {
        require_present(self.obj);
        return py::bytes(self.obj.read_c_string());
      })
      .def("address_of_", [](const PyObj& self) { return PyObj{self.prog, self.obj.address_of()}; })
      .def("member_", [](const PyObj& self, const std::string& name) { return PyObj{self.prog, attribute(self.obj, name)}; },
           py::arg("name"))
      .def("subobject_", [](const PyObj& self, const std::string& designator) {
        FoundMember f = resolve_designator(self.obj.type(), designator);
        return PyObj{self.prog, self.obj.slice(f.type, f.bit_offset, f.bit_field_size)};
      }, py::arg("designator"))
      .def("__getattr__", [](const PyObj& self, const std::string& name) {
        try {
          return PyObj{self.prog, attribute(self.obj, name)};
        } catch (const kdive::LookupError& e) {
          throw py::attribute_error(e.what());
        } catch (const kdive::TypeError& e) {
          throw py::attribute_error(fmt::format("'{}' object has no attribute '{}'", "_drgn.Object", name));
        }
      })
      .def("__getitem__", [](const PyObj& self, const py::object& index) -> py::object {
        if (py::isinstance<py::slice>(index)) return slice_of(self, index);
        int64_t i = py::isinstance<PyObj>(index) ? index.cast<const PyObj&>().obj.as_signed()
                                                 : py::int_(py::reinterpret_borrow<py::object>(PyNumber_Index(index.ptr()))).cast<int64_t>();
        return py::cast(PyObj{self.prog, self.obj.subscript(i)});
      })
      .def("__len__", [](const PyObj& self) {
        QualifiedType t = self.obj.underlying();
        if (!t.type || t.type->kind() != TypeKind::Array || !t.type->length())
          throw py::type_error(fmt::format("'{}' has no len()", type_name_of(self.obj.type())));
        return *t.type->length();
      })
      .def("_repr_pretty_", [](const py::object& self, const py::object& p, bool cycle) {
        // IPython's pretty printer shows str(obj), as drgn does.
        p.attr("text")(cycle ? py::str("...") : py::str(self));
      }, py::arg("p"), py::arg("cycle"))
      .def("__reversed__", [](const PyObj&) -> py::object {
        // drgn's Object is a mapping to Python, not a sequence: reversed() refuses it.
        throw py::type_error("'_drgn.Object' object is not reversible");
      })
      .def("__iter__", [](const PyObj& self) {
        QualifiedType t = self.obj.underlying();
        if (!t.type || t.type->kind() != TypeKind::Array || !t.type->length())
          throw py::type_error(fmt::format("'{}' is not iterable", type_name_of(self.obj.type())));
        py::list items;
        for (uint64_t i = 0; i < *t.type->length(); ++i) items.append(PyObj{self.prog, self.obj.subscript(static_cast<int64_t>(i))});
        return py::iter(items);
      })
      .def("__bool__", [](const PyObj& self) { require_present(self.obj); return self.obj.truthy(); })
      .def("__int__", [](const PyObj& self) { require_present(self.obj); return object_int(self.obj); })
      .def("__index__", [](const PyObj& self) {
        require_present(self.obj);
        QualifiedType t = self.obj.underlying();
        if (!t.type || !(is_integer_like_type(t) || t.type->kind() == TypeKind::Pointer))
          throw py::type_error(fmt::format("'{}' object cannot be interpreted as an integer", type_name_of(self.obj.type())));
        return object_int(self.obj);
      })
      .def("__float__", [](const PyObj& self) {
        require_present(self.obj);
        QualifiedType t = self.obj.underlying();
        if (!t.type || !(t.type->is_integer() || t.type->kind() == TypeKind::Float || t.type->kind() == TypeKind::Enum))
          throw py::type_error(fmt::format("cannot convert '{}' to float", type_name_of(self.obj.type())));
        return self.obj.as_double();
      })
      .def("__round__", [](const PyObj& self, const py::object& ndigits) -> py::object {
        require_present(self.obj);
        require_arithmetic(self.obj, "round");
        py::object value = object_value(self.prog, self.obj);
        if (ndigits.is_none()) return value.attr("__round__")();
        return py::cast(PyObj{self.prog, object_from_value(*self.prog, self.obj.type(), value.attr("__round__")(ndigits),
                                                           self.obj.bit_field_size())});
      }, py::arg("ndigits") = py::none())
      .def("__trunc__", [](const PyObj& self) { return math_of(self, "trunc"); })
      .def("__floor__", [](const PyObj& self) { return math_of(self, "floor"); })
      .def("__ceil__", [](const PyObj& self) { return math_of(self, "ceil"); })
      .def("__dir__", [](const py::object& self) {
        // As drgn's C type lists them: without pybind11's __getattr__ and __module__ entries.
        py::list out;
        for (const py::handle& name : py::module_::import("builtins").attr("object").attr("__dir__")(self)) {
          std::string n = py::str(name);
          if (n != "__getattr__" && n != "__module__") out.append(name);
        }
        QualifiedType t = self.cast<const PyObj&>().obj.underlying();
        if (t.type && t.type->kind() == TypeKind::Pointer) t = underlying_type(t.type->target());
        if (t.type && t.type->is_compound() && t.type->is_complete()) add_member_names(t, out);
        return out;
      })
      .def("to_bytes_", [](const PyObj& self) {
        require_present(self.obj);
        std::vector<uint8_t> b = self.obj.read().bytes();
        return py::bytes(reinterpret_cast<const char*>(b.data()), b.size());
      })
      .def_static("from_bytes_", [](const ProgramRef& prog, const py::object& type, const py::object& bytes,
                                    const py::object& bit_offset_arg, const py::object& bit_field_size) {
        QualifiedType t = type_argument(*prog, type);
        Py_buffer view;
        if (PyObject_GetBuffer(bytes.ptr(), &view, PyBUF_SIMPLE) != 0) throw py::error_already_set();
        std::vector<uint8_t> data(static_cast<const uint8_t*>(view.buf), static_cast<const uint8_t*>(view.buf) + view.len);
        PyBuffer_Release(&view);
        uint64_t bit_offset = to_u64(bit_offset_arg);
        uint64_t bits = 0;
        if (!bit_field_size.is_none()) {
          bits = to_u64(bit_field_size);
          if (!bits) throw py::value_error("bit field size cannot be zero");
        }
        check_bit_field(t, bits);
        uint64_t need = bit_offset + (bits ? bits : type_sizeof(t) * 8);
        if (need > data.size() * 8) throw py::value_error("buffer is too small");
        return PyObj{prog, Object::from_bytes(env_of(*prog), t, data.data(), data.size(), bit_offset, bits)};
      }, py::arg("prog"), py::arg("type"), py::arg("bytes"), py::kw_only(), py::arg("bit_offset") = 0,
         py::arg("bit_field_size") = py::none())
      .def("__hash__", [](const PyObj&) -> size_t { throw py::type_error("unhashable type: '_drgn.Object'"); })
      .def("__pos__", [](const PyObj& self) { require_present(self.obj); return PyObj{self.prog, unary_op(UnaryOp::Plus, self.obj)}; })
      .def("__neg__", [](const PyObj& self) { require_present(self.obj); return PyObj{self.prog, unary_op(UnaryOp::Minus, self.obj)}; })
      .def("__invert__", [](const PyObj& self) { require_present(self.obj); return PyObj{self.prog, unary_op(UnaryOp::BitNot, self.obj)}; });

  struct Op { const char* name; const char* rname; BinaryOp op; };
  for (Op op : {Op{"__add__", "__radd__", BinaryOp::Add}, Op{"__sub__", "__rsub__", BinaryOp::Sub},
                Op{"__mul__", "__rmul__", BinaryOp::Mul}, Op{"__truediv__", "__rtruediv__", BinaryOp::Div},
                Op{"__mod__", "__rmod__", BinaryOp::Mod}, Op{"__lshift__", "__rlshift__", BinaryOp::LShift},
                Op{"__rshift__", "__rrshift__", BinaryOp::RShift}, Op{"__and__", "__rand__", BinaryOp::BitAnd},
                Op{"__or__", "__ror__", BinaryOp::BitOr}, Op{"__xor__", "__rxor__", BinaryOp::BitXor}}) {
    BinaryOp b = op.op;
    cls.def(op.name, [b](const py::object& self, const py::object& other) { return binary(b, self, other); }, py::is_operator());
    cls.def(op.rname, [b](const py::object& self, const py::object& other) { return binary(b, other, self); }, py::is_operator());
  }
  struct Cmp { const char* name; BinaryOp op; };
  for (Cmp c : {Cmp{"__lt__", BinaryOp::Lt}, Cmp{"__gt__", BinaryOp::Gt}, Cmp{"__le__", BinaryOp::Le},
                Cmp{"__ge__", BinaryOp::Ge}, Cmp{"__eq__", BinaryOp::Eq}, Cmp{"__ne__", BinaryOp::Ne}}) {
    BinaryOp b = c.op;
    cls.def(c.name, [b](const py::object& self, const py::object& other) { return compare(b, self, other); }, py::is_operator());
  }

  install_fast_paths(cls);

  m.def("cast", [](const py::object& type, const PyObj& obj) {
    return PyObj{obj.prog, kdive::cast(type_argument(*obj.prog, type), obj.obj)};
  }, py::arg("type"), py::arg("obj"));
  m.def("reinterpret", [](const py::object& type, const PyObj& obj) {
    return PyObj{obj.prog, kdive::reinterpret(type_argument(*obj.prog, type), obj.obj)};
  }, py::arg("type"), py::arg("obj"));
  py::object container_of_fn = py::reinterpret_steal<py::object>(PyCFunction_NewEx(&kContainerOf, nullptr, m.attr("__name__").ptr()));
  if (!container_of_fn) throw py::error_already_set();
  m.attr("container_of") = container_of_fn;
  m.def("NULL", [](const ProgramRef& prog, const py::object& type) {
    return PyObj{prog, Object::unsigned_value(env_of(*prog), type_argument(*prog, type), 0)};
  }, py::arg("prog"), py::arg("type"));
  m.def("sizeof", [](const py::object& type_or_obj) -> uint64_t {
    if (py::isinstance<PyObj>(type_or_obj)) return type_sizeof(type_or_obj.cast<const PyObj&>().obj.type());
    return type_sizeof(type_or_obj.cast<const PyType&>().type);
  }, py::arg("type_or_obj"));
  m.def("offsetof", [](const PyType& type, const std::string& member) { return offset_of(type.type, member); },
        py::arg("type"), py::arg("member"));
  m.def("alignof", [](const PyType& type) { return type_alignof(type.type); }, py::arg("type"));
}

}  // namespace kdive::python
