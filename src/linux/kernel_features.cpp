// KernelFeatures: each entry asks the debug info the same presence questions the
// subsystem's walker asks (KernelLayout), so `info` reports what the walkers use.
#include "linux/kernel_features.h"

#include <fmt/format.h>

#include <functional>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/mm_counters.h"
#include "linux/slab.h"
#include "linux/trace_ring_buffer.h"
#include "program/program.h"
#include "program/stack_trace.h"
#include "kdive/type.h"

namespace kdive {

namespace {

std::string paging(Program& program) {
  const Vmcoreinfo* vi = program.vmcoreinfo();
  if (!vi) return "unknown (no VMCOREINFO)";
  // The page-table walk's depth comes from the same VMCOREINFO number.
  return vi->number("pgtable_l5_enabled").value_or(0) ? "5-level (VMCOREINFO pgtable_l5_enabled=1)"
                                                      : "4-level (VMCOREINFO pgtable_l5_enabled=0 or absent)";
}

std::string threads(KernelLayout& l) {
  // signal->thread_head through task->thread_node has listed a process's threads since
  // 3.14; the older task->thread_group ring lived beside it until 6.7 removed it
  // (commit 8e1f385104ac), so the list is the one to walk wherever it exists.
  if (l.has_member("struct signal_struct", "thread_head") && l.has_member("struct task_struct", "thread_node"))
    return "signal->thread_head list through task->thread_node";
  if (l.has_member("struct task_struct", "thread_group")) return "task->thread_group ring";
  return "unknown: task_struct has neither thread_node nor thread_group";
}

std::string vmas(KernelLayout& l) {
  if (l.has_member("struct mm_struct", "mm_mt")) return "maple tree mm->mm_mt";
  if (l.has_member("struct mm_struct", "mmap")) return "vm_next list from mm->mmap";
  return "unknown: mm_struct has neither mm_mt nor mmap";
}

std::string modules(KernelLayout& l) {
  if (l.has_member("struct module", "mem")) return "struct module.mem[] (module_memory per kind)";
  if (l.has_member("struct module", "core_layout")) return "struct module.core_layout / init_layout";
  if (l.has_member("struct module", "module_core")) return "struct module.module_core";
  return "unknown: struct module has none of mem, core_layout, module_core";
}

std::string printk(Program& program) {
  if (program.find_object("prb")) return "lockless ring buffer (prb)";
  if (program.find_object("log_buf")) return "log_buf of struct printk_log records";
  return "unknown: neither prb nor log_buf";
}

std::string page_cache(KernelLayout& l) {
  bool folio = l.program().find_type(TypeKind::Struct, "folio").type != nullptr;
  std::string store = l.has_member("struct address_space", "i_pages") ? "address_space.i_pages xarray"
                                                                       : "address_space.page_tree radix tree";
  return store + (folio ? " of folios" : " of pages");
}

}  // namespace

std::vector<KernelFeature> detect_kernel_features(Program& program) {
  KernelLayout layout(program);
  std::vector<KernelFeature> out;
  auto add = [&](const char* name, const std::function<std::string()>& detect) {
    try {
      out.push_back({name, detect()});
    } catch (const Error& e) {
      out.push_back({name, fmt::format("unknown ({})", e.what())});
    }
  };
  add("paging", [&] { return paging(program); });
  add("threads", [&] { return threads(layout); });
  add("mm counters", [&] { return MmCounters(program).layout_description(); });
  add("VMAs", [&] { return vmas(layout); });
  add("modules", [&] { return modules(layout); });
  add("printk", [&] { return printk(program); });
  add("page cache", [&] { return page_cache(layout); });
  add("slab", [&] { return SlubAllocator(program).layout_description(); });
  add("unwinding", [&] { return StackTraceEngine(program).orc_format_description(); });
  add("ftrace", [&] { return TraceLayout::of(program, layout).describe(); });
  return out;
}

}  // namespace kdive
