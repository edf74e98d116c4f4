// CommandInterpreter implementation: splitting a line into command and argument and
// calling the library; output formats follow drgn (objects, types) and crash (`rd`-like
// hex dumps).
#include "cli/command_interpreter.h"
#include "cli/python_launcher.h"

#include <algorithm>
#include <ostream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "kdive/error.h"
#include "lang/value.h"
#include "object/object_formatter.h"
#include "program/linux_builtins.h"
#include "program/memory_builtins.h"
#include "program/program_builtins.h"
#include "program/stack_builtins.h"
#include "program/vfs_builtins.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {

std::string_view trim_text(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Type names contain commas only inside parentheses (function pointer parameter lists).
std::pair<std::string_view, std::string_view> split_last_comma(std::string_view s) {
  int depth = 0;
  for (size_t i = s.size(); i-- > 0;) {
    char c = s[i];
    if (c == ')' || c == ']') ++depth;
    else if (c == '(' || c == '[') --depth;
    else if (c == ',' && depth == 0) return {trim_text(s.substr(0, i)), trim_text(s.substr(i + 1))};
  }
  return {s, {}};
}

uint64_t eval_unsigned(CommandContext& ctx, std::string_view expr) {
  Value v = ctx.evaluator.evaluate(expr);
  const Object& o = v.object();
  if (o.underlying().type->kind() == TypeKind::Pointer) return o.read().as_unsigned();
  return o.as_unsigned();
}

std::vector<std::string> split_words(std::string_view arg) {
  std::istringstream in{std::string(arg)};
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void add_command(CommandTable& table, std::string name, std::string usage, std::string help,
                 std::function<void(CommandContext&, std::string_view)> run) {
  Command c{name, std::move(usage), std::move(help), std::move(run)};
  table[std::move(name)] = std::move(c);
}

CommandInterpreter::CommandInterpreter(Program& program, std::ostream& out, bool json)
    : program_(program), out_(out), json_(json) {
  register_program_builtins(builtins_, program_);
  register_linux_builtins(builtins_, program_);
  register_stack_builtins(builtins_, program_);
  register_memory_builtins(builtins_, program_);
  register_vfs_builtins(builtins_, program_);
  evaluator_ = std::make_unique<Evaluator>(program_, builtins_);
}

const CommandTable& CommandInterpreter::commands() {
  static const CommandTable table = [] {
    CommandTable t;
    // One line per subject file (src/cli/<subject>_commands.cpp); later ones may
    // replace the "not implemented yet" placeholders of register_core_commands.
    register_core_commands(t);
    register_linux_commands(t);
    register_stack_commands(t);
    register_layout_commands(t);
    register_oops_commands(t);
    register_memory_commands(t);
    register_vfs_commands(t);
    register_trace_commands(t);
    register_instrumentation_commands(t);
    register_symbol_pack_commands(t);
    register_triage_commands(t);
    register_python_commands(t);
    return t;
  }();
  return table;
}

bool CommandInterpreter::is_command(std::string_view word) { return commands().count(word) != 0; }

void CommandInterpreter::run_line(std::string_view line) {
  line = trim_text(line);
  if (line.empty() || line.front() == '#') return;
  size_t sp = line.find_first_of(" \t");
  std::string_view word = line.substr(0, sp);
  std::string_view arg = sp == std::string_view::npos ? std::string_view() : trim_text(line.substr(sp));
  auto it = commands().find(word);
  // "sizeof(int)" and "p->x" are expressions: a command word must stand alone.
  if (it == commands().end() || (sp == std::string_view::npos && word != line)) {
    print_expression(line);
    return;
  }
  CommandContext ctx{program_, *evaluator_, out_, json_, builtins_};
  it->second.run(ctx, arg);
}

void CommandInterpreter::print_expression(std::string_view expr) {
  Value v = evaluator_->evaluate(expr);
  if (json_ && v.is_object()) {
    nlohmann::json j;
    j["expression"] = std::string(expr);
    j["type"] = type_name(v.object().type());
    j["text"] = format_value(v);
    out_ << j.dump() << "\n";
    return;
  }
  out_ << format_value(v) << "\n";
}

}  // namespace kdive
