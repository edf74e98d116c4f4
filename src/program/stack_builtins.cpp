// Stack built-ins: `$bt` / `$bt(PID | task)` and the trace and frame values.
#include "program/stack_builtins.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "unwind/frame_variables.h"

namespace kdive {

Value StackTraceValue::subscript(int64_t index) const {
  int64_t n = static_cast<int64_t>(trace_->frames().size());
  if (index < 0 || index >= n)
    throw LookupError(fmt::format("stack frame index {} out of range (the trace has {} frames)", index, n));
  return Value(std::make_shared<StackFrameValue>(trace_, static_cast<size_t>(index)));
}

std::string StackTraceValue::format() const {
  std::string s = trace_->format();
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!trace_->end_reason().empty()) s += fmt::format("\n(trace ended: {})", trace_->end_reason());
  return s;
}

Value StackFrameValue::member(std::string_view name) const {
  return Value(frame_variable(*trace_, index_, name));
}

std::vector<std::string> StackFrameValue::member_names() const {
  return frame_locals(trace_->frames()[index_]);
}

std::string StackFrameValue::format() const { return format_frame(trace_->frames()[index_]); }

namespace {

// Passed to `$bt` by stack_session(): answers with the session instead of a trace. No
// expression can produce this value.
class SessionRequest : public ExtensionValue {
 public:
  std::string kind_name() const override { return "stack session request"; }
  std::string format() const override { return {}; }
};

}  // namespace

std::shared_ptr<StackSession> stack_session(const BuiltinRegistry& registry, Program& program) {
  if (!registry.find("$bt")) return nullptr;
  BuiltinContext ctx{program, "$bt", 0};
  Value arg(std::make_shared<SessionRequest>());
  Value v = registry.call(ctx, std::span<const Value>(&arg, 1));
  if (v.is_object()) return nullptr;
  const auto* tv = dynamic_cast<const StackTraceValue*>(&v.extension());
  return tv ? tv->session() : nullptr;
}

void register_stack_builtins(BuiltinRegistry& registry, Program& program) {
  auto session = std::make_shared<StackSession>(program);
  registry.add({"$bt", 0, 1, "$bt / $bt(pid or task)",
                "a stack trace: the crashed thread's, or a thread's by PID or task_struct; [N] is a frame, .name a variable",
                [session](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  ThreadRef thread;
                  if (!args.empty() && !args[0].is_object() &&
                      dynamic_cast<const SessionRequest*>(&args[0].extension()))
                    return Value(std::make_shared<StackTraceValue>(session, nullptr, ThreadRef{}));
                  if (args.empty()) {
                    thread = session->engine.crashed_thread();
                  } else {
                    const Object& o = builtin_object_arg(ctx, args, 0);
                    QualifiedType u = o.underlying();
                    bool task = u.type && (u.type->kind() == TypeKind::Struct ||
                                           (u.type->kind() == TypeKind::Pointer));
                    if (task && session->engine.program().is_kernel())
                      thread = session->engine.thread_of_task(o);
                    else
                      thread = session->engine.thread(static_cast<int64_t>(builtin_integer_arg(ctx, args, 0)));
                  }
                  auto trace = std::make_shared<const StackTrace>(session->engine.stack_trace(thread));
                  return Value(std::make_shared<StackTraceValue>(session, trace, thread));
                }});
}

}  // namespace kdive
