// The expression built-ins with Linux kernel knowledge (src/linux/), registered for
// kernel dumps only:
//   find_task(pid[, ns])     (struct task_struct *) of a PID (init_pid_ns, or `ns`)
//   task_state(task)         (char [2])"S": the ps state letter
//   task_cpu(task)           the CPU the task last ran on
//   cpu_curr(cpu)            (struct task_struct *) running on `cpu` (runqueues.curr)
//   idle_task(cpu)           (struct task_struct *) the idle task of `cpu`
//   panic_task()             the task current on panic_cpu at the time of the dump
//   xa_load(xa, index)       (void *) entry of an xarray / radix tree
//   mt_load(mt, index)       (void *) entry of a maple tree covering an index
//   idr_find(idr, id)        (void *) pointer stored for an id
//   rb_first(root) rb_last(root) rb_next(node) rb_prev(node)   (struct rb_node *)
//   list_count(head)         entries of a list_head list (bounded; error if corrupt)
//   list_nth(head, n)        (struct list_head *) the n-th entry (0-based)
// An argument naming a struct (init_task.tasks) is taken by address, like a pointer.
//
//   BuiltinRegistry reg;  register_linux_builtins(reg, *prog);
//   evaluator.evaluate("find_task(1)->comm");
#pragma once

#include "lang/builtin_registry.h"
#include "program/program.h"

namespace kdive {

void register_linux_builtins(BuiltinRegistry& registry, Program& program);

}  // namespace kdive
