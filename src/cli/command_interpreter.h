// CommandInterpreter: runs one line of the REPL, of `-x`, or of a script — a command
// (`print`, `ptype`, `sizeof`, `offsetof`, `member-at`, `read`, `info`, `help`) or else a
// C expression — and writes its output. Thin: every command is a library call.
//
//   CommandInterpreter ci(*program, std::cout);
//   ci.run_line("init_task.comm");   // prints (char [16])"swapper/0"
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lang/builtin_registry.h"
#include "lang/evaluator.h"
#include "program/program.h"

namespace kdive {

class CommandInterpreter {
 public:
  CommandInterpreter(Program& program, std::ostream& out, bool json = false);

  // Runs `line`; throws kdive::Error on failure (the caller prints it).
  void run_line(std::string_view line);
  // Evaluates an expression and prints it as drgn's str() does.
  void print_expression(std::string_view expr);
  // Command names, for completion and dispatch.
  static const std::vector<std::string>& command_names();
  static bool is_command(std::string_view word);

  Evaluator& evaluator() { return *evaluator_; }

 private:
  void cmd_ptype(std::string_view arg);
  void cmd_sizeof(std::string_view arg);
  void cmd_offsetof(std::string_view arg);
  void cmd_member_at(std::string_view arg);
  void cmd_read(std::string_view arg);
  void cmd_info();
  void cmd_help();
  QualifiedType type_or_expression_type(std::string_view arg);
  uint64_t eval_unsigned(std::string_view expr);

  Program& program_;
  std::ostream& out_;
  bool json_;
  BuiltinRegistry builtins_;
  std::unique_ptr<Evaluator> evaluator_;
};

}  // namespace kdive
