// The commands for pages, slab objects and address identification (`page`, `slab`, `identify`).
#include "cli/command_interpreter.h"

namespace kdive {

void register_memory_commands(CommandTable& table) { (void)table; }

}  // namespace kdive
