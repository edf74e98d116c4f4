// Registration of the vfs built-ins (see vfs_builtins.h).
#include "program/vfs_builtins.h"

namespace kdive {

void register_vfs_builtins(BuiltinRegistry& registry, Program& program) {
  if (!program.is_kernel()) return;
  (void)registry;
}

}  // namespace kdive
