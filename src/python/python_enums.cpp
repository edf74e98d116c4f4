// drgn's enumerations, defined in Python (enum.Enum/enum.Flag) with drgn 0.0.22's values
// so that `TypeKind.STRUCT`, `Qualifiers.CONST | Qualifiers.VOLATILE`, comparisons and
// reprs behave as in drgn.
#include "python/python_enums.h"

#include <pybind11/eval.h>

namespace kdive::python {

namespace py = pybind11;

namespace {

constexpr const char* kEnumSource = R"PY(
import enum

class TypeKind(enum.Enum):
    VOID = 1
    INT = 2
    BOOL = 3
    FLOAT = 4
    STRUCT = 5
    UNION = 6
    CLASS = 7
    ENUM = 8
    TYPEDEF = 9
    POINTER = 10
    ARRAY = 11
    FUNCTION = 12

class Qualifiers(enum.Flag):
    NONE = 0
    CONST = 1
    VOLATILE = 2
    RESTRICT = 4
    ATOMIC = 8

class PrimitiveType(enum.Enum):
    C_VOID = 0
    C_CHAR = 1
    C_SIGNED_CHAR = 2
    C_UNSIGNED_CHAR = 3
    C_SHORT = 4
    C_UNSIGNED_SHORT = 5
    C_INT = 6
    C_UNSIGNED_INT = 7
    C_LONG = 8
    C_UNSIGNED_LONG = 9
    C_LONG_LONG = 10
    C_UNSIGNED_LONG_LONG = 11
    C_BOOL = 12
    C_FLOAT = 13
    C_DOUBLE = 14
    C_LONG_DOUBLE = 15
    C_SIZE_T = 16
    C_PTRDIFF_T = 17

class FindObjectFlags(enum.Flag):
    CONSTANT = 1
    FUNCTION = 2
    VARIABLE = 4
    ANY = 7

class ProgramFlags(enum.Flag):
    IS_LINUX_KERNEL = 1
    IS_LIVE = 2
    IS_LOCAL = 4

class SymbolBinding(enum.Enum):
    UNKNOWN = 0
    LOCAL = 1
    GLOBAL = 2
    WEAK = 3
    UNIQUE = 11

class SymbolKind(enum.Enum):
    UNKNOWN = 0
    OBJECT = 1
    FUNC = 2
    SECTION = 3
    FILE = 4
    COMMON = 5
    TLS = 6
    IFUNC = 10

class Architecture(enum.Enum):
    UNKNOWN = 0
    X86_64 = 1
    I386 = 2
    AARCH64 = 3
    ARM = 4
    PPC64 = 5
    RISCV64 = 6
    RISCV32 = 7
    S390X = 8
    S390 = 9

class PlatformFlags(enum.Flag):
    IS_64_BIT = 1
    IS_LITTLE_ENDIAN = 2

class AbsenceReason(enum.Enum):
    OTHER = 0
    OPTIMIZED_OUT = 1
    NOT_IMPLEMENTED = 2
)PY";

constexpr const char* kEnumNames[] = {"TypeKind", "Qualifiers", "PrimitiveType", "FindObjectFlags", "ProgramFlags",
                                      "SymbolBinding", "SymbolKind", "Architecture", "PlatformFlags", "AbsenceReason"};

py::handle g_module;  // borrowed: the extension module, alive for the process

}  // namespace

void bind_enums(py::module_& m) {
  py::dict scope;
  scope["__builtins__"] = py::module_::import("builtins");
  scope["__name__"] = m.attr("__name__");
  py::exec(kEnumSource, scope);
  for (const char* name : kEnumNames) m.attr(name) = scope[name];
  g_module = m;
}

py::object enum_class(const char* name) { return g_module.attr(name); }

py::object type_kind_member(TypeKind kind) {
  // kdive's TypeKind is drgn's order minus one (Void = 0 ... Function = 11).
  return enum_class("TypeKind")(static_cast<int>(kind) + 1);
}

py::object qualifiers_member(uint8_t qualifiers) { return enum_class("Qualifiers")(qualifiers); }

}  // namespace kdive::python
