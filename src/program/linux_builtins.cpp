// Linux built-ins (linux_builtins.h): thin wrappers over src/linux/. One Tasks object
// and one KernelLayout per registry (shared by the lambdas) keep resolved offsets
// between calls.
#include "program/linux_builtins.h"

#include <memory>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/idr.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "linux/maple_tree.h"
#include "linux/printk.h"
#include "linux/rbtree.h"
#include "linux/target_words.h"
#include "linux/tasks.h"
#include "linux/xarray.h"

namespace kdive {

namespace {

struct LinuxState {
  explicit LinuxState(Program& p) : program(p), layout(p) {}
  Program& program;
  KernelLayout layout;
  std::unique_ptr<Tasks> tasks_;
  Tasks& tasks() {
    if (!tasks_) tasks_ = std::make_unique<Tasks>(program);
    return *tasks_;
  }
};

// A pointer's value, an integer, or the address of a referenced struct / array.
uint64_t address_arg(const BuiltinContext& ctx, std::span<const Value> args, size_t i) {
  const Object& o = builtin_object_arg(ctx, args, i);
  QualifiedType u = o.underlying();
  if (u.type && (u.type->is_compound() || u.type->kind() == TypeKind::Array) && o.is_reference()) return o.address();
  return builtin_address_arg(ctx, args, i);
}

Object pointer_to(Program& p, std::string_view type, uint64_t value) {
  return Object::unsigned_value(p.object_env(), p.find_type(type), value);
}

}  // namespace

void register_linux_builtins(BuiltinRegistry& registry, Program& program) {
  if (!program.is_kernel()) return;
  auto st = std::make_shared<LinuxState>(program);

  registry.add({"find_task", 1, 2, "find_task(pid[, ns])", "the task_struct of a PID (init_pid_ns or ns)",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t pid = builtin_integer_arg(ctx, args, 0);
                  uint64_t ns = args.size() > 1 ? address_arg(ctx, args, 1) : 0;
                  std::optional<uint64_t> t = st->tasks().find_task_in_ns(ns, pid);
                  return st->tasks().task_pointer(t.value_or(0));
                }});
  registry.add({"task_state", 1, 1, "task_state(task)", "the task's state letter (R, S, D, T, t, X, Z, P, I)",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  TaskState s = st->tasks().state(address_arg(ctx, args, 0));
                  const ObjectEnv& env = st->program.object_env();
                  QualifiedType arr{env.types->array_of({env.prim.char_type}, 2)};
                  uint8_t bytes[2] = {static_cast<uint8_t>(s.letter), 0};
                  return Object::from_bytes(env, arr, bytes, 2);
                }});
  registry.add({"task_cpu", 1, 1, "task_cpu(task)", "the CPU a task last ran on",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  const ObjectEnv& env = st->program.object_env();
                  return Object::unsigned_value(env, {env.prim.unsigned_int_type}, st->tasks().cpu(address_arg(ctx, args, 0)));
                }});
  registry.add({"cpu_curr", 1, 1, "cpu_curr(cpu)", "the task running on a CPU (runqueues.curr)",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  return st->tasks().task_pointer(st->tasks().cpu_curr(builtin_integer_arg(ctx, args, 0)));
                }});
  registry.add({"idle_task", 1, 1, "idle_task(cpu)", "the idle task of a CPU",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  return st->tasks().task_pointer(st->tasks().idle_task(builtin_integer_arg(ctx, args, 0)));
                }});
  registry.add({"panic_task", 0, 0, "panic_task()", "the task that was running on panic_cpu",
                [st](BuiltinContext&, std::span<const Value>) -> Value {
                  std::optional<Object> pc = st->program.find_object("panic_cpu");
                  if (!pc) throw LookupError("could not find 'panic_cpu'");
                  Object v = pc->underlying().type->is_compound() ? pc->member("counter") : *pc;
                  int64_t cpu = v.as_signed();
                  if (cpu < 0) throw LookupError("the kernel did not panic (panic_cpu is -1)");
                  return st->tasks().task_pointer(st->tasks().cpu_curr(static_cast<uint64_t>(cpu)));
                }});
  registry.add({"xa_load", 2, 2, "xa_load(xa, index)", "the entry at an index of an xarray or radix tree",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t xa = address_arg(ctx, args, 0);
                  uint64_t index = builtin_integer_arg(ctx, args, 1);
                  uint64_t e = xa_load(st->program.memory(), XArrayLayout::of(st->layout), xa, index);
                  return pointer_to(st->program, "void *", e);
                }});
  registry.add({"mt_load", 2, 2, "mt_load(mt, index)", "the entry covering an index of a maple tree",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t mt = address_arg(ctx, args, 0);
                  uint64_t e = mt_load(st->program.memory(), MapleLayout::of(st->layout), mt,
                                       builtin_integer_arg(ctx, args, 1));
                  return pointer_to(st->program, "void *", e);
                }});
  registry.add({"idr_find", 2, 2, "idr_find(idr, id)", "the pointer an IDR stores for an id",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t idr = address_arg(ctx, args, 0);
                  uint64_t e = idr_find(st->program.memory(), IdrLayout::of(st->layout), idr, builtin_integer_arg(ctx, args, 1));
                  return pointer_to(st->program, "void *", e);
                }});
  using RbFn = uint64_t (*)(const MemoryReader&, const RbLayout&, uint64_t);
  const std::pair<const char*, RbFn> rb[] = {{"rb_first", rb_first}, {"rb_last", rb_last},
                                             {"rb_next", rb_next}, {"rb_prev", rb_prev}};
  for (const auto& [name, fn] : rb) {
    bool of_root = std::string_view(name) == "rb_first" || std::string_view(name) == "rb_last";
    RbFn f = fn;
    registry.add({name, 1, 1, fmt::format("{}({})", name, of_root ? "root" : "node"),
                  of_root ? "the leftmost / rightmost node of an rb_root" : "the in-order neighbour of an rb_node",
                  [st, f](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                    uint64_t n = f(st->program.memory(), RbLayout::of(st->layout), address_arg(ctx, args, 0));
                    return pointer_to(st->program, "struct rb_node *", n);
                  }});
  }
  registry.add({"list_count", 1, 1, "list_count(head)", "the number of entries of a list_head list",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  WalkStatus s = walk_list(st->program.memory(), ListLayout::of(st->layout), address_arg(ctx, args, 0),
                                           [](uint64_t) { return true; });
                  s.throw_if_problem();
                  const ObjectEnv& env = st->program.object_env();
                  return Object::unsigned_value(env, {env.prim.size_t_type}, s.visited);
                }});
  registry.add({"list_nth", 2, 2, "list_nth(head, n)", "the n-th (0-based) entry of a list_head list",
                [st](BuiltinContext& ctx, std::span<const Value> args) -> Value {
                  uint64_t n = builtin_integer_arg(ctx, args, 1);
                  uint64_t found = 0, i = 0;
                  WalkStatus s = walk_list(st->program.memory(), ListLayout::of(st->layout), address_arg(ctx, args, 0),
                                           [&](uint64_t node) {
                                             if (i++ == n) found = node;
                                             return found == 0;
                                           });
                  s.throw_if_problem();
                  if (!found) throw LookupError(fmt::format("list_nth(): the list has only {} entries", i));
                  return pointer_to(st->program, "struct list_head *", found);
                }});
}

}  // namespace kdive
