// The expression built-ins for stack traces: `$bt` (the crashed thread's trace),
// `$bt(PID)` or `$bt(task)` (another thread's), and their postfix forms — `[N]` a
// frame, `.NAME` a variable of that frame: `$bt[4].hctx->nr_ctx`, `$bt(909)[7].l`.
// Traces are ExtensionValues sharing one StackSession per interpreter (the engine and
// the trace the CLI's `bt` showed last, for `frame N` / `locals N`).
//
//   register_stack_builtins(registry, program);
//   evaluator.evaluate("$bt[4].kcq - $bt[4].khd->kcqs");
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lang/builtin_registry.h"
#include "lang/value.h"
#include "program/program.h"
#include "program/stack_trace.h"

namespace kdive {

struct StackSession {
  explicit StackSession(Program& p) : engine(p) {}
  StackTraceEngine engine;
  std::shared_ptr<const StackTrace> current;  // the last trace `bt` printed
  ThreadRef current_thread;
};

// A stack trace as an expression value: `[N]` gives a StackFrameValue.
class StackTraceValue : public ExtensionValue {
 public:
  StackTraceValue(std::shared_ptr<StackSession> session, std::shared_ptr<const StackTrace> trace, ThreadRef thread)
      : session_(std::move(session)), trace_(std::move(trace)), thread_(std::move(thread)) {}
  std::string kind_name() const override { return "stack trace"; }
  Value subscript(int64_t index) const override;
  std::string format() const override;
  const std::shared_ptr<StackSession>& session() const { return session_; }
  const std::shared_ptr<const StackTrace>& trace() const { return trace_; }
  const ThreadRef& thread() const { return thread_; }

 private:
  std::shared_ptr<StackSession> session_;
  std::shared_ptr<const StackTrace> trace_;
  ThreadRef thread_;
};

// One frame: `.NAME` is a parameter or local variable.
class StackFrameValue : public ExtensionValue {
 public:
  StackFrameValue(std::shared_ptr<const StackTrace> trace, size_t index)
      : trace_(std::move(trace)), index_(index) {}
  std::string kind_name() const override { return "stack frame"; }
  Value member(std::string_view name) const override;
  std::vector<std::string> member_names() const override;
  std::string format() const override;

 private:
  std::shared_ptr<const StackTrace> trace_;
  size_t index_;
};

void register_stack_builtins(BuiltinRegistry& registry, Program& program);

// The session behind the registry's `$bt` (for the CLI's commands); nullptr when
// register_stack_builtins was not called on it.
std::shared_ptr<StackSession> stack_session(const BuiltinRegistry& registry, Program& program);

}  // namespace kdive
