// The expression built-ins for the memory model (pages, pfns, physical and virtual addresses), SLUB and identify_address (src/linux/), registered for kernel dumps only.
//
//   BuiltinRegistry reg;  register_memory_builtins(reg, *prog);
#pragma once

#include "lang/builtin_registry.h"
#include "program/program.h"

namespace kdive {

void register_memory_builtins(BuiltinRegistry& registry, Program& program);

}  // namespace kdive
