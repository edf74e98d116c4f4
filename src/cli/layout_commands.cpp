// The commands for struct layout in pahole's format (`layout`).
#include "cli/command_interpreter.h"

namespace kdive {

void register_layout_commands(CommandTable& table) { (void)table; }

}  // namespace kdive
