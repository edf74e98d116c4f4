// drgn's repr of Type and its parts: the constructor call that would make the type
// ("prog.int_type(name='int', size=4, is_signed=True)"), with nested types in full
// except behind members and parameters, which name their type ("prog.type('int')").
#include <fmt/format.h>

#include "python/python_enums.h"
#include "python/python_type_parts.h"

namespace kdive::python {

namespace {

std::string pyrepr(const py::handle& h) { return py::repr(h).cast<std::string>(); }
std::string str_repr(const std::string& s) { return pyrepr(py::str(s)); }

// "prog.type('T')" for a named member/parameter type, or the absent bit-field Object
// drgn keeps for a bit field ("Object(prog, 'unsigned int', bit_field_size=1)").
std::string lazy_type_repr(QualifiedType t, uint64_t bit_field_size) {
  if (bit_field_size)
    return fmt::format("Object(prog, {}, bit_field_size={})", str_repr(type_name_of(t)), bit_field_size);
  return fmt::format("prog.type({})", str_repr(type_name_of(t)));
}

template <typename T, typename F>
std::string tuple_repr(const std::vector<T>& items, F item_repr) {
  std::string s = "(";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) s += ", ";
    s += item_repr(items[i]);
  }
  if (items.size() == 1) s += ",";
  return s + ")";
}

}  // namespace

py::int_ enumerator_value(const Type& enum_type, const TypeEnumerator& e) {
  QualifiedType compatible = enum_type.target();
  bool is_signed = compatible.type && underlying_type(compatible).type && underlying_type(compatible).type->is_signed();
  return is_signed ? py::int_(static_cast<int64_t>(e.value)) : py::int_(e.value);
}

std::string type_repr(const ProgramRef& prog, QualifiedType qt) {
  TypeKind kind = qt.type ? qt.type->kind() : TypeKind::Void;
  std::vector<std::string> fields;
  auto field = [&](const char* name, const std::string& value) { fields.push_back(fmt::format("{}={}", name, value)); };
  if (qt.type) {
    const Type& t = *qt.type;
    switch (kind) {
      case TypeKind::Int:
        field("name", str_repr(t.name()));
        field("size", std::to_string(t.size()));
        field("is_signed", t.is_signed() ? "True" : "False");
        break;
      case TypeKind::Bool:
      case TypeKind::Float:
        field("name", str_repr(t.name()));
        field("size", std::to_string(t.size()));
        break;
      case TypeKind::Typedef:
        field("name", str_repr(t.name()));
        field("type", type_repr(prog, t.target()));
        break;
      case TypeKind::Struct:
      case TypeKind::Union:
      case TypeKind::Class:
        field("tag", t.name().empty() ? "None" : str_repr(t.name()));
        if (!t.is_complete()) {
          field("size", "None");
          field("members", "None");
          break;
        }
        field("size", std::to_string(t.size()));
        field("members", tuple_repr(t.members(), [&](const TypeMember& m) {
          return type_member_repr(PyTypeMember{prog, m.type.get(),
                                               m.name.empty() ? std::nullopt : std::optional<std::string>(m.name),
                                               m.bit_offset, m.bit_field_size});
        }));
        break;
      case TypeKind::Enum:
        field("tag", t.name().empty() ? "None" : str_repr(t.name()));
        if (!t.is_complete()) {
          field("type", "None");
          field("enumerators", "None");
          break;
        }
        field("type", type_repr(prog, t.target()));
        field("enumerators", tuple_repr(t.enumerators(), [&](const TypeEnumerator& e) {
          return type_enumerator_repr(PyTypeEnumerator{e.name, enumerator_value(t, e)});
        }));
        break;
      case TypeKind::Pointer:
        field("type", type_repr(prog, t.target()));
        if (t.size() != prog->program().object_env().pointer_size) field("size", std::to_string(t.size()));
        break;
      case TypeKind::Array:
        field("type", type_repr(prog, t.target()));
        field("length", t.length() ? std::to_string(*t.length()) : "None");
        break;
      case TypeKind::Function:
        field("type", type_repr(prog, t.target()));
        field("parameters", tuple_repr(t.parameters(), [&](const TypeParameter& p) {
          return type_parameter_repr(PyTypeParameter{prog, p.type.get(),
                                                     p.name.empty() ? std::nullopt : std::optional<std::string>(p.name)});
        }));
        field("is_variadic", t.is_variadic() ? "True" : "False");
        break;
      case TypeKind::Void:
        break;
    }
  }
  if (qt.qualifiers) field("qualifiers", pyrepr(qualifiers_member(qt.qualifiers)));
  std::string s = fmt::format("prog.{}_type(", type_kind_name(kind));
  for (size_t i = 0; i < fields.size(); ++i) s += (i ? ", " : "") + fields[i];
  return s + ")";
}

std::string type_member_repr(const PyTypeMember& m) {
  std::string s = "TypeMember(" + lazy_type_repr(m.type, m.bit_field_size);
  if (m.name) s += ", name=" + str_repr(*m.name);
  // drgn includes the bit offset even when it is the default 0.
  return s + fmt::format(", bit_offset={})", m.bit_offset);
}

std::string type_enumerator_repr(const PyTypeEnumerator& e) {
  return fmt::format("TypeEnumerator({}, {})", str_repr(e.name), pyrepr(e.value));
}

std::string type_parameter_repr(const PyTypeParameter& p) {
  std::string s = "TypeParameter(" + lazy_type_repr(p.type, 0);
  if (p.name) s += ", name=" + str_repr(*p.name);
  return s + ")";
}

}  // namespace kdive::python
