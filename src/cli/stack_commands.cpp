// Stack commands: bt (crashed thread, PID, -a active tasks, --all every task, -v
// variables, --json), frame N and locals N on the trace bt showed last. Thin: the
// traces come from the `$bt` built-in's session (program/stack_builtins.h).
#include <charconv>
#include <ostream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/interrupt.h"
#include "base/progress_line.h"
#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "object/object_formatter.h"
#include "program/stack_builtins.h"
#include "unwind/frame_variables.h"

namespace kdive {

namespace {

std::shared_ptr<StackSession> session_of(CommandContext& ctx) {
  auto s = stack_session(ctx.builtins, ctx.program);
  if (!s) throw LookupError("stack traces are not available in this session");
  return s;
}

struct BtOptions {
  bool active = false, all = false, variables = false;
  std::optional<std::string> target;  // PID or expression
};

BtOptions parse_bt(std::string_view arg) {
  BtOptions o;
  std::string rest;
  size_t i = 0;
  while (i < arg.size()) {
    while (i < arg.size() && arg[i] == ' ') ++i;
    size_t j = arg.find(' ', i);
    std::string_view w = arg.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (w == "-a") o.active = true;
    else if (w == "--all") o.all = true;
    else if (w == "-v") o.variables = true;
    else if (w == "-l") {
    } else if (!w.empty()) {
      o.target = std::string(arg.substr(i));
      break;
    }
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return o;
}

// `compact`: pointers print as values, not dereferenced (one line per variable in bt -v).
std::string variable_text(const StackTrace& t, const StackFrame& f, const std::string& name, bool compact = false) {
  FormatOptions opts;
  opts.dereference = !compact;
  try {
    return format_object(frame_variable(t, f.index(), name), opts);
  } catch (const Error& e) {
    return fmt::format("<error: {}>", e.what());
  }
}

nlohmann::json frame_json(const StackTrace& t, const StackFrame& f, bool variables) {
  nlohmann::json j;
  j["index"] = f.index();
  j["pc"] = fmt::format("{:#x}", f.pc());
  j["function"] = f.name().empty() ? nlohmann::json(nullptr) : nlohmann::json(f.name());
  j["inlined"] = f.inlined();
  j["sp"] = fmt::format("{:#x}", f.registers().sp());
  j["unwound_by"] = f.unwound_by();
  if (f.symbol())
    j["symbol"] = format_frame_symbol(f);
  if (f.symbol() && !f.symbol()->module.empty()) j["module"] = f.symbol()->module;
  if (f.position().known) {
    j["file"] = f.position().file;
    j["line"] = f.position().line;
    j["column"] = f.position().column;
  }
  if (variables) {
    nlohmann::json vars = nlohmann::json::object();
    for (const std::string& n : frame_locals(f)) {
      nlohmann::json v;
      try {
        Object o = frame_variable(t, f.index(), n);
        v["text"] = format_object(o);
        if (o.is_absent()) v["absent_reason"] = o.absent_reason();
      } catch (const Error& e) {
        v["error"] = e.what();
      }
      vars[n] = v;
    }
    j["variables"] = vars;
  }
  return j;
}

void print_trace(CommandContext& ctx, StackSession& s, const ThreadRef& thread, const StackTrace& t,
                 bool header, bool variables) {
  (void)s;
  if (ctx.json) {
    nlohmann::json j;
    j["pid"] = thread.pid;
    j["comm"] = thread.comm;
    if (thread.cpu >= 0) j["cpu"] = thread.cpu;
    nlohmann::json frames = nlohmann::json::array();
    for (const StackFrame& f : t.frames()) frames.push_back(frame_json(t, f, variables));
    j["frames"] = frames;
    j["end_reason"] = t.end_reason();
    ctx.out << j.dump() << "\n";
    return;
  }
  if (header) ctx.out << fmt::format("PID: {} COMM: {}\n", thread.pid, thread.comm);
  for (const StackFrame& f : t.frames()) {
    ctx.out << format_trace_line(f);
    if (f.name().empty() && f.symbol() && !f.symbol()->module.empty()) ctx.out << " [" << f.symbol()->module << "]";
    ctx.out << "\n";
    if (variables) {
      for (const std::string& n : frame_locals(f)) {
        std::string text = variable_text(t, f, n, true);
        // Indent continuation lines of multi-line values under the frame.
        std::string indented;
        for (char c : text) {
          indented += c;
          if (c == '\n') indented += "      ";
        }
        ctx.out << fmt::format("      {} = {}\n", n, indented);
      }
    }
  }
  if (!t.end_reason().empty()) ctx.out << fmt::format("(trace ended: {})\n", t.end_reason());
}

void bt(CommandContext& ctx, std::string_view arg) {
  auto s = session_of(ctx);
  BtOptions o = parse_bt(arg);
  if (o.active || o.all) {
    std::vector<ThreadRef> threads = o.all ? s->engine.threads() : s->engine.active_threads();
    ProgressLine progress("stack traces", threads.size(), "tasks", /*prints_to_stdout=*/true);
    bool first = true;
    for (const ThreadRef& th : threads) {
      check_interrupt();
      progress.advance();
      if (!first && !ctx.json) ctx.out << "\n";
      first = false;
      try {
        StackTrace t = s->engine.stack_trace(th);
        print_trace(ctx, *s, th, t, true, o.variables);
      } catch (const Error& e) {
        ctx.out << fmt::format("PID: {} COMM: {}\n(no stack trace: {})\n", th.pid, th.comm, e.what());
      }
    }
    return;
  }
  ThreadRef thread;
  if (!o.target) {
    thread = s->engine.crashed_thread();
  } else {
    int64_t pid = 0;
    const std::string& t = *o.target;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), pid);
    if (ec == std::errc() && p == t.data() + t.size()) {
      thread = s->engine.thread(pid);
    } else {
      Value v = ctx.evaluator.evaluate(t);
      thread = s->engine.thread_of_task(v.object());
    }
  }
  auto trace = std::make_shared<const StackTrace>(s->engine.stack_trace(thread));
  s->current = trace;
  s->current_thread = thread;
  print_trace(ctx, *s, thread, *trace, false, o.variables);
}

const StackFrame& current_frame(CommandContext& ctx, StackSession& s, std::string_view arg) {
  if (!s.current) {
    s.current_thread = s.engine.crashed_thread();
    s.current = std::make_shared<const StackTrace>(s.engine.stack_trace(s.current_thread));
  }
  (void)ctx;
  int64_t n = 0;
  std::string a(trim_text(arg));
  auto [p, ec] = std::from_chars(a.data(), a.data() + a.size(), n);
  if (a.empty() || ec != std::errc() || p != a.data() + a.size()) throw UsageError("expected a frame number");
  if (n < 0 || static_cast<size_t>(n) >= s.current->frames().size())
    throw LookupError(fmt::format("stack frame index {} out of range (the trace has {} frames)", n,
                                  s.current->frames().size()));
  return s.current->frames()[static_cast<size_t>(n)];
}

}  // namespace

void register_stack_commands(CommandTable& t) {
  t["bt"] = Command{"bt", "bt [-v] [-a | --all | PID | TASK]",
                    "stack trace of the crashed thread, a PID or task, the active task of each CPU (-a) or every task (--all); -v adds variables",
                    bt};
  t["frame"] = Command{"frame", "frame N", "frame N of the last bt, with its PC, symbol and source position",
                       [](CommandContext& ctx, std::string_view arg) {
                         auto s = session_of(ctx);
                         const StackFrame& f = current_frame(ctx, *s, arg);
                         if (ctx.json) ctx.out << frame_json(*s->current, f, false).dump() << "\n";
                         else ctx.out << format_frame(f) << "\n";
                       }};
  t["locals"] = Command{"locals", "locals N", "the parameters and local variables of frame N of the last bt",
                        [](CommandContext& ctx, std::string_view arg) {
                          auto s = session_of(ctx);
                          const StackFrame& f = current_frame(ctx, *s, arg);
                          // No DWARF scope for this code (the dump's own kallsyms named it,
                          // or a module's .ko is missing): say so rather than print nothing.
                          if (f.name().empty())
                            throw MissingDebugInfoError(fmt::format(
                                "locals: frame {} ({}) has no DWARF debug info: parameters and local variables "
                                "need the vmlinux or module debug file (-s, or a debuginfod server in DEBUGINFOD_URLS)",
                                f.index(), f.symbol() ? f.symbol()->name : fmt::format("{:#x}", f.pc())));
                          if (ctx.json) {
                            ctx.out << frame_json(*s->current, f, true)["variables"].dump() << "\n";
                            return;
                          }
                          for (const std::string& n : frame_locals(f))
                            ctx.out << fmt::format("{} = {}\n", n, variable_text(*s->current, f, n));
                        }};
}

}  // namespace kdive
