// CommandInterpreter: runs one line of the REPL, of `-x`, or of a script — a command
// (`print`, `ptype`, `sizeof`, `offsetof`, `member-at`, `read`, `info`, `help`) or else a
// C expression — and writes its output. Thin: every command is a library call.
//
//   CommandInterpreter ci(*program, std::cout);
//   ci.run_line("init_task.comm");   // prints (char [16])"swapper/0"
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lang/builtin_registry.h"
#include "lang/evaluator.h"
#include "program/program.h"

namespace kdive {

// What a command handler gets: the program, the session's evaluator (for arguments
// that are expressions), where to write, and whether --json was asked for.
struct CommandContext {
  Program& program;
  Evaluator& evaluator;
  std::ostream& out;
  bool json;
  const BuiltinRegistry& builtins;
};

// Helpers for command handlers.
std::string_view trim_text(std::string_view s);
// "TYPE, REST" split at the last top-level comma.
std::pair<std::string_view, std::string_view> split_last_comma(std::string_view s);
// The unsigned value of an expression (a pointer's value for pointers).
uint64_t eval_unsigned(CommandContext& ctx, std::string_view expr);
// The whitespace-separated words of a command's argument.
std::vector<std::string> split_words(std::string_view arg);

struct Command {
  std::string name;
  std::string usage;  // "bt [PID]"
  std::string help;   // one line
  std::function<void(CommandContext&, std::string_view arg)> run;
};

// The commands of a subject register themselves from their own file
// (src/cli/<subject>_commands.cpp) through one function each, called in
// register_all_commands() (command_interpreter.cpp).
using CommandTable = std::map<std::string, Command, std::less<>>;
// Adds (or replaces) a command of the table.
void add_command(CommandTable& table, std::string name, std::string usage, std::string help,
                 std::function<void(CommandContext&, std::string_view)> run);
void register_core_commands(CommandTable& table);
void register_linux_commands(CommandTable& table);
void register_stack_commands(CommandTable& table);
void register_layout_commands(CommandTable& table);
void register_triage_commands(CommandTable& table);
void register_oops_commands(CommandTable& table);
void register_memory_commands(CommandTable& table);
void register_vfs_commands(CommandTable& table);
void register_trace_commands(CommandTable& table);
void register_instrumentation_commands(CommandTable& table);
void register_symbol_pack_commands(CommandTable& table);

class CommandInterpreter {
 public:
  CommandInterpreter(Program& program, std::ostream& out, bool json = false);

  // Runs `line`; throws kdive::Error on failure (the caller prints it).
  void run_line(std::string_view line);
  // Evaluates an expression and prints it as drgn's str() does.
  void print_expression(std::string_view expr);
  // Every registered command, by name (for help, completion and dispatch).
  static const CommandTable& commands();
  static bool is_command(std::string_view word);

  Evaluator& evaluator() { return *evaluator_; }
  const BuiltinRegistry& builtins() const { return builtins_; }

 private:
  Program& program_;
  std::ostream& out_;
  bool json_;
  BuiltinRegistry builtins_;
  std::unique_ptr<Evaluator> evaluator_;
};

}  // namespace kdive
