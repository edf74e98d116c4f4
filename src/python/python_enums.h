// drgn's enumerations (TypeKind, Qualifiers, PrimitiveType, FindObjectFlags,
// ProgramFlags, SymbolBinding, SymbolKind, Architecture, PlatformFlags) as real Python
// enum.Enum / enum.Flag classes with drgn's member values, and conversions to them.
#pragma once

#include <pybind11/pybind11.h>

#include "kdive/type.h"

namespace kdive::python {

void bind_enums(pybind11::module_& m);

// The enum class named `name` (e.g. "TypeKind") as bind_enums made it.
pybind11::object enum_class(const char* name);
// drgn's TypeKind member for a kdive kind.
pybind11::object type_kind_member(TypeKind kind);
// drgn's Qualifiers flag value for kdive qualifier bits (same bit values).
pybind11::object qualifiers_member(uint8_t qualifiers);

}  // namespace kdive::python
