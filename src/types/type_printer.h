// Type printing: the C name of any type ("struct task_struct *", "char [16]",
// "int (*)(void *)", "struct <anonymous>") and its full definition as drgn's
// str(Type) prints it (ptype), byte for byte with libdrgn/language_c.c (v0.0.22).
//
//   type_name({arena.pointer_to({fn, 0}), 0})   // "void (*)(int)"
//   type_definition({task_struct, 0})           // "struct task_struct {\n\t...\n}"
#pragma once

#include <string>
#include <string_view>

#include "kdive/type.h"

namespace kdive {

// The C name of `type` (drgn's Type.type_name()).
std::string type_name(QualifiedType type);
// The C declaration of `name` with type `type` ("char comm[16]", "int (*fn)(void *)").
std::string type_declaration(QualifiedType type, std::string_view name);
// The definition as drgn's str(Type) prints it: compound and enum types with their
// bodies (members indented with tabs, anonymous members expanded inline), typedefs as
// "typedef <target declaration>", everything else as its name.
std::string type_definition(QualifiedType type);

}  // namespace kdive
