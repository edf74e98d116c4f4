// The commands for crash-report decoding (`oops`, `dis`, `addr2line`).
#include "cli/command_interpreter.h"

namespace kdive {

void register_oops_commands(CommandTable& table) { (void)table; }

}  // namespace kdive
