// drgn.TypeMember, TypeEnumerator and TypeParameter as the binding holds them, shared by
// python_type.cpp (Type's attributes), python_type_repr.cpp (drgn's constructor-form
// repr) and python_type_constructors.cpp (Program.struct_type and friends).
#pragma once

#include <optional>
#include <string>

#include "python/python_handles.h"

namespace kdive::python {

struct PyTypeMember {
  ProgramRef prog;
  QualifiedType type;
  std::optional<std::string> name;
  uint64_t bit_offset = 0;
  uint64_t bit_field_size = 0;
};

struct PyTypeEnumerator {
  std::string name;
  py::int_ value;
};

struct PyTypeParameter {
  ProgramRef prog;
  QualifiedType type;
  std::optional<std::string> name;
};

// drgn's reprs: "prog.struct_type(tag='list_head', size=16, members=(...))",
// "TypeMember(prog.type('int'), name='x', bit_offset=0)", "TypeEnumerator('A', 1)",
// "TypeParameter(prog.type('int'), name='a')".
std::string type_repr(const ProgramRef& prog, QualifiedType t);
std::string type_member_repr(const PyTypeMember& m);
std::string type_enumerator_repr(const PyTypeEnumerator& e);
std::string type_parameter_repr(const PyTypeParameter& p);

// The Python value of an enumerator (signed when the enum's compatible type is).
py::int_ enumerator_value(const Type& enum_type, const TypeEnumerator& e);

// Program's type constructors (void_type … function_type) and the constructors of
// TypeMember and TypeParameter.
PyTypeMember make_type_member(const py::object& object_or_type, const py::object& name, const py::object& bit_offset);
PyTypeParameter make_type_parameter(const py::object& default_argument_or_type, const py::object& name);

}  // namespace kdive::python
