// The expression built-ins that need a Program: the generic ones of lang/ wired to the
// kernel's per-CPU offsets (__per_cpu_offset[cpu]), and the program's own.
//
//   BuiltinRegistry reg;  register_program_builtins(reg, *prog);
#pragma once

#include "lang/builtin_registry.h"
#include "program/program.h"

namespace kdive {

void register_program_builtins(BuiltinRegistry& registry, Program& program);

}  // namespace kdive
