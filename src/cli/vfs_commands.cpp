// The commands for files and paths (`mount`, `files`, `cat`, `path`).
#include "cli/command_interpreter.h"

namespace kdive {

void register_vfs_commands(CommandTable& table) { (void)table; }

}  // namespace kdive
