// The interactive REPL: libedit line editing, persistent history (~/.kdive_history),
// tab completion of commands, built-ins, globals and type names, and members after `.`
// or `->`. Each line goes to a CommandInterpreter.
#pragma once

#include "cli/command_interpreter.h"

namespace kdive {

// Runs until EOF or `quit`; errors are printed and the loop goes on.
void run_repl(CommandInterpreter& interpreter, Program& program);

}  // namespace kdive
