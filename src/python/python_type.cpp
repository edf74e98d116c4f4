// drgn.Type on kdive's type model: kind, name/tag, size, length, target type, members,
// enumerators, parameters, qualifiers, signedness, completeness; type_name(), str()
// (the definition, as drgn's ptype) and repr (drgn's constructor form); TypeMember,
// TypeEnumerator and TypeParameter.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include "kdive/error.h"
#include "python/python_enums.h"
#include "python/python_handles.h"
#include "python/python_object_value.h"
#include "python/python_type_parts.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive::python {

namespace {

// The type, with a null type (void) as the program's void type.
const Type& type_of(const PyType& t) {
  if (!t.type.type) return *t.prog->program().types().void_type();
  return *t.type.type;
}

// drgn's AttributeError for an attribute the type's kind lacks: "int type does not have
// a tag" (`what` = "a tag").
void require_kind(const PyType& t, bool ok, const char* what) {
  if (!ok) throw py::attribute_error(fmt::format("{} type does not have {}", type_kind_name(type_of(t).kind()), what));
}

// drgn's Type.primitive: the C primitive a void/int/bool/float type's name spells
// ("unsigned long" → C_UNSIGNED_LONG), else None.
py::object primitive_of(const PyType& self) {
  const Type& t = type_of(self);
  std::string key;
  switch (t.kind()) {
    case TypeKind::Void: key = "C_VOID"; break;
    case TypeKind::Bool: if (t.name() == "_Bool") key = "C_BOOL"; break;
    case TypeKind::Int:
    case TypeKind::Float:
      for (const char* name : {"char", "signed char", "unsigned char", "short", "unsigned short", "int", "unsigned int",
                               "long", "unsigned long", "long long", "unsigned long long", "float", "double",
                               "long double"}) {
        if (t.name() != name) continue;
        key = "C_";
        for (char c : t.name()) key += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      break;
    default: break;
  }
  if (key.empty()) return py::none();
  return py::module_::import("_drgn").attr("PrimitiveType").attr(key.c_str());
}

}  // namespace

void bind_type(py::module_& m) {
  py::class_<PyTypeMember>(m, "TypeMember")
      .def(py::init(&make_type_member), py::arg("object_or_type"), py::arg("name") = py::none(),
           py::arg("bit_offset") = 0)
      .def_property_readonly("type", [](const PyTypeMember& self) { return PyType{self.prog, self.type}; })
      .def_property_readonly("object", [](const PyTypeMember& self) {
        // The absent object drgn keeps for a member: its type and bit-field size.
        return wrap_object(self.prog, Object::absent(self.prog->program().object_env(), self.type, {}, self.bit_field_size));
      })
      .def_readonly("name", &PyTypeMember::name)
      .def_readonly("bit_offset", &PyTypeMember::bit_offset)
      .def_property_readonly("offset", [](const PyTypeMember& self) {
        if (self.bit_offset % 8) throw py::value_error("member is not byte-aligned");
        return self.bit_offset / 8;
      })
      .def_property_readonly("bit_field_size", [](const PyTypeMember& self) -> py::object {
        if (!self.bit_field_size) return py::none();
        return py::int_(self.bit_field_size);
      })
      .def("__repr__", &type_member_repr);

  py::class_<PyTypeEnumerator>(m, "TypeEnumerator")
      .def(py::init([](const py::object& name, const py::object& value) {
             auto type_name = [](const py::handle& h) { return py::type::handle_of(h).attr("__name__").cast<std::string>(); };
             if (!py::isinstance<py::str>(name))
               throw py::type_error(fmt::format("TypeEnumerator() argument 1 must be str, not {}", type_name(name)));
             if (!py::isinstance<py::int_>(value))
               throw py::type_error(fmt::format("TypeEnumerator() argument 2 must be int, not {}", type_name(value)));
             return PyTypeEnumerator{name.cast<std::string>(), py::reinterpret_borrow<py::int_>(value)};
           }),
           py::arg("name"), py::arg("value"))
      .def_readonly("name", &PyTypeEnumerator::name)
      .def_readonly("value", &PyTypeEnumerator::value)
      .def("__repr__", &type_enumerator_repr)
      .def("__iter__", [](const PyTypeEnumerator& self) { return py::iter(py::make_tuple(self.name, self.value)); })
      .def("__len__", [](const PyTypeEnumerator&) { return 2; })
      .def("__getitem__", [](const PyTypeEnumerator& self, int i) -> py::object {
        if (i == 0 || i == -2) return py::str(self.name);
        if (i == 1 || i == -1) return self.value;
        throw py::index_error("TypeEnumerator index out of range");
      })
      .def("__eq__", [](const PyTypeEnumerator& self, const PyTypeEnumerator& other) {
        return self.name == other.name && self.value.equal(other.value);
      });

  py::class_<PyTypeParameter>(m, "TypeParameter")
      .def(py::init(&make_type_parameter), py::arg("default_argument_or_type"), py::arg("name") = py::none())
      .def_property_readonly("type", [](const PyTypeParameter& self) { return PyType{self.prog, self.type}; })
      .def_readonly("name", &PyTypeParameter::name)
      .def("__repr__", &type_parameter_repr)
      .def_property_readonly("default_argument", [](const PyTypeParameter& self) {
        return py::module_::import("_drgn").attr("Object")(self.prog, PyType{self.prog, self.type}, py::arg("absent") = true);
      });

  py::class_<PyType>(m, "Type")
      .def_property_readonly("prog", [](const PyType& self) { return self.prog; })
      .def_property_readonly("kind", [](const PyType& self) {
        return type_kind_member(self.type.type ? self.type.type->kind() : TypeKind::Void);
      })
      // The type with top-level typedefs removed, keeping this type's own qualifiers.
      .def("unaliased", [](const PyType& self) {
        QualifiedType u = underlying_type(QualifiedType{self.type.type, 0});
        return PyType{self.prog, {u.type, self.type.qualifiers}};
      })
      .def("unaliased_kind", [](const PyType& self) {
        QualifiedType u = underlying_type(QualifiedType{self.type.type, 0});
        return type_kind_member(u.type ? u.type->kind() : TypeKind::Void);
      })
      .def_property_readonly("primitive", &primitive_of)
      .def_property_readonly("byteorder", [](const PyType& self) {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Int || t.kind() == TypeKind::Bool || t.kind() == TypeKind::Float ||
                               t.kind() == TypeKind::Pointer, "a byte order");
        return t.little_endian() ? "little" : "big";
      })
      .def_property_readonly("qualifiers", [](const PyType& self) { return qualifiers_member(self.type.qualifiers); })
      .def_property_readonly("name", [](const PyType& self) -> py::object {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Int || t.kind() == TypeKind::Bool || t.kind() == TypeKind::Float ||
                               t.kind() == TypeKind::Typedef, "a name");
        return py::str(t.name());
      })
      .def_property_readonly("tag", [](const PyType& self) -> py::object {
        const Type& t = type_of(self);
        require_kind(self, t.has_tag(), "a tag");
        if (t.name().empty()) return py::none();
        return py::str(t.name());
      })
      .def_property_readonly("size", [](const PyType& self) -> py::object {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Int || t.kind() == TypeKind::Bool || t.kind() == TypeKind::Float ||
                               t.is_compound() || t.kind() == TypeKind::Pointer, "a size");
        if (!t.is_complete()) return py::none();
        return py::int_(t.size());
      })
      .def_property_readonly("length", [](const PyType& self) -> py::object {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Array, "a length");
        if (!t.length()) return py::none();
        return py::int_(*t.length());
      })
      .def_property_readonly("is_signed", [](const PyType& self) {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Int, "a signedness");
        return t.is_signed();
      })
      .def_property_readonly("type", [](const PyType& self) {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Pointer || t.kind() == TypeKind::Array || t.kind() == TypeKind::Typedef ||
                               t.kind() == TypeKind::Function || t.kind() == TypeKind::Enum, "an underlying type");
        if (t.kind() == TypeKind::Enum && !t.is_complete()) return py::object(py::none());
        return py::cast(PyType{self.prog, t.target()});
      })
      .def_property_readonly("members", [](const PyType& self) -> py::object {
        const Type& t = type_of(self);
        require_kind(self, t.is_compound(), "members");
        if (!t.is_complete()) return py::none();
        py::list out;
        for (const TypeMember& mem : t.members()) {
          out.append(PyTypeMember{self.prog, mem.type.get(),
                                  mem.name.empty() ? std::nullopt : std::optional<std::string>(mem.name), mem.bit_offset,
                                  mem.bit_field_size});
        }
        return py::tuple(out);
      })
      .def_property_readonly("enumerators", [](const PyType& self) -> py::object {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Enum, "enumerators");
        if (!t.is_complete()) return py::none();
        py::list out;
        for (const TypeEnumerator& e : t.enumerators()) out.append(PyTypeEnumerator{e.name, enumerator_value(t, e)});
        return py::tuple(out);
      })
      // C has no templates: compound and function types have none (drgn gives ()).
      .def_property_readonly("template_parameters", [](const PyType& self) {
        const Type& t = type_of(self);
        require_kind(self, t.is_compound() || t.kind() == TypeKind::Function, "template parameters");
        return py::tuple();
      })
      .def_property_readonly("parameters", [](const PyType& self) {
        const Type& t = type_of(self);
        require_kind(self, t.kind() == TypeKind::Function, "parameters");
        py::list out;
        for (const TypeParameter& p : t.parameters())
          out.append(PyTypeParameter{self.prog, p.type.get(), p.name.empty() ? std::nullopt : std::optional<std::string>(p.name)});
        return py::tuple(out);
      })
      .def_property_readonly("is_variadic", [](const PyType& self) {
        const Type& t = type_of(self);
        if (t.kind() != TypeKind::Function)
          throw py::attribute_error(fmt::format("{} type cannot be variadic", type_kind_name(t.kind())));
        return t.is_variadic();
      })
      .def("type_name", [](const PyType& self) { return type_name_of(self.type); })
      .def("is_complete", [](const PyType& self) {
        if (!self.type.type) return false;
        const Type& t = *self.type.type;
        if (t.kind() == TypeKind::Array) return t.length().has_value() && type_has_size(t.target());
        if (t.kind() == TypeKind::Typedef) return type_has_size(self.type);
        return t.kind() != TypeKind::Void && t.is_complete();
      })
      .def("qualified", [](const PyType& self, const py::object& q) {
        return PyType{self.prog, {self.type.type, static_cast<uint8_t>(q.attr("value").cast<int>())}};
      }, py::arg("qualifiers"))
      .def("unqualified", [](const PyType& self) { return PyType{self.prog, {self.type.type, 0}}; })
      .def("member", [](const PyType& self, const std::string& name) {
        FoundMember f = member_of(self.type, name);
        return PyTypeMember{self.prog, f.type, name, f.bit_offset, f.bit_field_size};
      }, py::arg("name"))
      .def("has_member", [](const PyType& self, const std::string& name) {
        return find_member(self.type, name).has_value();
      }, py::arg("name"))
      .def("__str__", [](const PyType& self) {
        // drgn formats a function type only as part of a declarator (a pointer to it).
        if (self.type.type && self.type.type->kind() == TypeKind::Function)
          throw py::value_error("function type cannot be formatted");
        return type_definition(self.type);
      })
      .def("__repr__", [](const PyType& self) { return type_repr(self.prog, self.type); })
      .def("__eq__", [](const PyType& self, const py::object& other) {
        if (!py::isinstance<PyType>(other)) return false;
        const PyType& o = other.cast<const PyType&>();
        return self.type == o.type;
      })
      .def("__hash__", [](const PyType& self) { return std::hash<const void*>()(self.type.type) ^ self.type.qualifiers; });
}

}  // namespace kdive::python
