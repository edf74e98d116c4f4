// REPL over libedit's readline-compatible interface (Debian's libedit-dev ships
// <editline/readline.h>). Completion candidates come from the command table and the
// program's name index; members are completed from the type of the expression before
// the last `.`/`->`.
#include "cli/repl.h"

#include <editline/readline.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "base/interrupt.h"
#include "kdive/error.h"
#include "lang/value.h"

namespace kdive {

namespace {
CommandInterpreter* g_interpreter = nullptr;  // libedit's completion callback has no context pointer
Program* g_program = nullptr;
std::vector<std::string> g_matches;

std::vector<std::string> member_names(QualifiedType t) {
  std::vector<std::string> out;
  t = underlying_type(t);
  if (t.type && t.type->kind() == TypeKind::Pointer) t = underlying_type(t.type->target());
  if (!t.type || !t.type->is_compound()) return out;
  for (const TypeMember& m : t.type->members()) {
    if (!m.name.empty()) {
      out.push_back(m.name);
    } else {
      for (auto& n : member_names(m.type.get())) out.push_back(n);
    }
  }
  return out;
}

char* completion_generator(const char* text, int state) {
  if (state == 0) {
    g_matches.clear();
    std::string prefix = text;
    std::string line(rl_line_buffer, rl_point);
    size_t start = line.size() - prefix.size();
    std::string before = line.substr(0, start);
    if (before.ends_with(".") || before.ends_with("->")) {
      std::string base = before.substr(0, before.size() - (before.ends_with(".") ? 1 : 2));
      size_t b = base.find_last_of(" \t(,=");
      base = b == std::string::npos ? base : base.substr(b + 1);
      try {
        Value v = g_interpreter->evaluator().evaluate(base);
        for (auto& n : member_names(v.object().type()))
          if (n.rfind(prefix, 0) == 0) g_matches.push_back(n);
      } catch (const Error&) {
      }
    } else {
      if (start == 0)
        for (const auto& [n, c] : CommandInterpreter::commands())
          if (n.rfind(prefix, 0) == 0) g_matches.push_back(n);
      if (prefix.size() >= 2) {
        for (const auto& m : g_program->debug_info().modules()) {
          if (!m->has_dwarf()) continue;
          m->index().for_each([&](std::string_view name, const IndexEntry&) {
            if (g_matches.size() < 500 && name.substr(0, prefix.size()) == prefix) g_matches.emplace_back(name);
          });
        }
        std::sort(g_matches.begin(), g_matches.end());
        g_matches.erase(std::unique(g_matches.begin(), g_matches.end()), g_matches.end());
      }
    }
  }
  if (static_cast<size_t>(state) >= g_matches.size()) return nullptr;
  return strdup(g_matches[state].c_str());
}

char** complete(const char* text, int start, int end) {
  rl_attempted_completion_over = 1;
  return rl_completion_matches(text, completion_generator);
}
}  // namespace

void run_repl(CommandInterpreter& interpreter, Program& program) {
  g_interpreter = &interpreter;
  g_program = &program;
  std::string history = std::string(std::getenv("HOME") ? std::getenv("HOME") : ".") + "/.kdive_history";
  using_history();
  read_history(history.c_str());
  rl_attempted_completion_function = complete;
  rl_basic_word_break_characters = const_cast<char*>(" \t\n\"\\'`@$><=;|&{(,.-");
  for (;;) {
    char* raw = readline("kdive> ");
    if (!raw) break;
    std::string line = raw;
    std::free(raw);
    if (line == "quit" || line == "exit" || line == "q") break;
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    add_history(line.c_str());
    try {
      InterruptScope interruptible;  // Ctrl-C stops this command, not the session
      interpreter.run_line(line);
    } catch (const InterruptedError&) {
      std::cout << "interrupted" << std::endl;
    } catch (const Error& e) {
      std::cout << error_kind_name(e.kind()) << ": " << e.what() << std::endl;
    } catch (const std::exception& e) {
      std::cout << "error: " << e.what() << std::endl;
    }
    std::cout.flush();
  }
  write_history(history.c_str());
  g_interpreter = nullptr;
  g_program = nullptr;
}

}  // namespace kdive
