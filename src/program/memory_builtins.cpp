// Registration of the memory built-ins (see memory_builtins.h).
#include "program/memory_builtins.h"

namespace kdive {

void register_memory_builtins(BuiltinRegistry& registry, Program& program) {
  if (!program.is_kernel()) return;
  (void)registry;
}

}  // namespace kdive
