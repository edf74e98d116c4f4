// The expression built-ins for the VFS: path_lookup, d_path, mounts, page-cache contents, open files (src/linux/), registered for kernel dumps only.
//
//   BuiltinRegistry reg;  register_vfs_builtins(reg, *prog);
#pragma once

#include "lang/builtin_registry.h"
#include "program/program.h"

namespace kdive {

void register_vfs_builtins(BuiltinRegistry& registry, Program& program);

}  // namespace kdive
