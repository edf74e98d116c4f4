// triage_dump (see triage_report.h): each section is a function that fills its part of
// the report; triage_dump runs them in order and turns any exception into a problem
// line, so a dump whose slab caches are damaged still reports its crash and stacks.
#include "triage/triage_report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/interrupt.h"
#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "linux/kernel_modules.h"
#include "linux/lock_wait.h"
#include "linux/printk.h"
#include "linux/slab.h"
#include "linux/system_info.h"
#include "linux/tasks.h"
#include "object/object_formatter.h"
#include "oops/frame_symbolizer.h"
#include "oops/fault_explanation.h"
#include "oops/report_decoder.h"
#include "oops/report_parser.h"
#include "program/program.h"
#include "program/stack_trace.h"
#include "unwind/frame_variables.h"

namespace kdive {

namespace {

// The crash report among the log's reports: the one the kernel panicked on (the last
// such, when a warning escalated), else the last report that is not suppressed.
std::optional<size_t> crash_report_index(const std::vector<OopsReport>& reports) {
  std::optional<size_t> last;
  for (size_t i = 0; i < reports.size(); ++i) {
    if (reports[i].panicked) return i;
    if (!reports[i].suppressed) last = i;
  }
  return last;
}

TriageFrame triage_frame(const StackFrame& f) {
  TriageFrame t;
  t.function = f.name();
  t.pc = f.pc();
  t.inlined = f.inlined();
  if (f.symbol()) {
    t.symbol = format_frame_symbol(f);
    if (!f.symbol()->module.empty()) t.symbol += " [" + f.symbol()->module + "]";
    if (t.function.empty()) t.function = f.symbol()->name;
  }
  if (f.position().known) t.source = fmt::format("{}:{}:{}", f.position().file, f.position().line, f.position().column);
  return t;
}

std::vector<TriageFrame> triage_frames(const StackTrace& trace, size_t limit) {
  std::vector<TriageFrame> out;
  for (const StackFrame& f : trace.frames()) {
    if (out.size() == limit) break;
    out.push_back(triage_frame(f));
  }
  return out;
}

TriageThread thread_header(const ThreadRef& t, Tasks* tasks) {
  TriageThread out;
  out.pid = t.pid;
  out.comm = t.comm;
  out.cpu = t.cpu;
  if (t.task) {
    out.task = t.task->address();
    if (tasks) out.state = tasks->state(out.task).letter;
  }
  return out;
}

std::string cut(std::string s, size_t limit) {
  if (s.size() > limit) s = s.substr(0, limit) + "...";
  return s;
}

class TriageBuilder {
 public:
  TriageBuilder(Program& program, const TriageOptions& options) : program_(program), options_(options) {}

  TriageReport build() {
    section("kernel", [&] { kernel(); });
    section("log", [&] { log(); });
    section("fault explanation", [&] { explain(); });
    section("signature", [&] { signature(); });
    section("tasks", [&] { tasks_.emplace(program_); });
    if (options_.stacks) section("stacks", [&] { engine_ = std::make_unique<StackTraceEngine>(program_); });
    if (engine_) {
      section("crashed thread", [&] { crashed(); });
      section("running tasks", [&] { running(); });
      if (tasks_) section("blocked tasks", [&] { blocked(); });
    }
    section("memory", [&] { memory(); });
    section("modules", [&] { modules(); });
    return std::move(r_);
  }

 private:
  template <typename F>
  void section(const char* name, F&& fill) {
    try {
      fill();
    } catch (const InterruptedError&) {
      throw;
    } catch (const std::exception& e) {
      r_.problems.emplace_back(name, e.what());
    }
  }

  void kernel() {
    if (program_.debug_info().dump_debug_info()) {
      r_.debug_info = "the dump alone: kallsyms and BTF (no source lines, inline frames or variables)";
    } else {
      for (const auto& m : program_.debug_info().modules())
        if (m->kind() == DebugModule::Kind::Kernel) r_.debug_info = m->elf().path() + (m->has_dwarf() ? " (DWARF)" : " (symbols only)");
    }
    if (const Vmcoreinfo* vi = program_.vmcoreinfo()) r_.build_id = vi->build_id();
    r_.release = program_.kernel_release();
    system_ = system_info(program_);
    const SystemInfo& s = *system_;
    r_.release = s.release.empty() ? r_.release : s.release;
    r_.version = s.version;
    r_.machine = s.machine;
    r_.nodename = s.nodename;
    r_.uptime_ns = s.uptime_ns;
    r_.cpus = s.cpus_present ? s.cpus_present : s.cpus_possible;
    r_.taint = s.taint_string;
    r_.panic_message = s.panic_message;
  }

  void log() {
    PrintkLog log = read_printk_log(program_);
    if (!r_.panic_message) r_.panic_message = panic_message(log.records);
    // The log as the console printed it (format_dmesg's text), each record's line kept
    // to tell which came before the crash report.
    std::vector<std::string> lines;
    std::string text;
    for (const PrintkRecord& rec : log.records) {
      lines.push_back(format_dmesg_record(rec, DmesgOptions{}));
      text += lines.back() + "\n";
    }
    reports_ = find_reports(text);
    crash_index_ = crash_report_index(reports_);
    size_t crash_start = text.size();
    for (size_t i = 0; i < reports_.size(); ++i) {
      const OopsReport& rep = reports_[i];
      if (crash_index_ && i == *crash_index_) crash_start = rep.start;
      else r_.crash.other_reports.push_back(rep.title.title);
    }
    // Warnings: records at KERN_WARNING or above logged before the crash report began.
    size_t offset = 0;
    std::vector<std::string> warnings;
    for (size_t i = 0; i < log.records.size() && offset < crash_start; ++i) {
      offset += lines[i].size() + 1;
      const PrintkRecord& rec = log.records[i];
      if (rec.level <= 4 && rec.facility == 0) warnings.push_back(std::move(lines[i]));
    }
    size_t keep = std::min(warnings.size(), options_.max_warnings);
    r_.warnings.assign(warnings.end() - static_cast<std::ptrdiff_t>(keep), warnings.end());
    if (!crash_index_) return;
    const OopsReport& rep = reports_[*crash_index_];
    TriageCrash& c = r_.crash;
    c.found = true;
    c.title = rep.title.title;
    c.type = rep.title.type;
    c.kind = report_kind_name(rep.kind);
    c.first_line = rep.first_line;
    c.timestamp = rep.timestamp;
    c.panicked = rep.panicked;
    c.cpu = rep.cpu;
    c.pid = rep.pid;
    c.comm = rep.comm;
    if (rep.rip) c.rip = format_code_location(*rep.rip);
  }

  // The faulting access explained (needs DWARF at RIP, or the report's Code: bytes).
  void explain() {
    if (!crash_index_) return;
    const OopsReport& rep = reports_[*crash_index_];
    if (!rep.rip || (rep.code && rep.code->user)) return;
    bool dwarf = false;
    for (const auto& m : program_.debug_info().modules()) dwarf = dwarf || m->has_dwarf();
    if (!dwarf) return;
    FrameSymbolizer sym(program_.debug_info());
    sym.set_kaslr_offset(0);  // the dump's vmlinux is already relocated
    sym.use_report(rep);
    if (std::optional<FaultExplanation> e = explain_fault(rep, sym)) {
      r_.crash.explanation = e->sentence;
      r_.crash.explanation_kind = e->kind;
    }
  }

  void signature() {
    if (crash_index_) {
      r_.signature = crash_signature(reports_[*crash_index_]);
      return;
    }
    // No report in the log (a dump taken from a hung or live system, or a log that
    // lost the report): the panic message stands for the title, the crashed thread's
    // frames are filled in by crashed().
    signature_from_stack_ = true;
    r_.signature = crash_signature(
        r_.panic_message ? normalize_title("Kernel panic: " + *r_.panic_message) : "no crash report", {});
  }

  void crashed() {
    ThreadRef t = engine_->crashed_thread();
    TriageThread out = thread_header(t, tasks_ ? &*tasks_ : nullptr);
    StackTrace trace = engine_->stack_trace(t);
    out.frames = triage_frames(trace, kMaxStackFrames);
    out.stack_end = trace.end_reason();
    if (signature_from_stack_) {
      std::vector<std::string> names;
      for (const TriageFrame& f : out.frames) names.push_back(f.function);
      r_.signature = crash_signature(r_.signature.title, names);
    }
    // The faulting frame: the one at the report's RIP; else (a panic() call, a
    // warning without RIP) the first frame of the function the signature starts with;
    // else the first frame an exception interrupted (an exact PC, not a return address,
    // and not an inline sibling of the frame before it).
    const auto& frames = trace.frames();
    std::optional<CodeLocation> rip;
    if (crash_index_) rip = reports_[*crash_index_].rip;
    auto at_rip = [&](const StackFrame& f) {
      if (rip->address) return f.pc() == *rip->address;
      return rip->has_symbol() && f.symbol() && f.symbol()->name == rip->function &&
             f.pc() - f.symbol()->address == rip->offset;
    };
    for (size_t i = 0; i < frames.size() && rip && !out.faulting_frame; ++i)
      if (at_rip(frames[i])) out.faulting_frame = i;
    for (size_t i = 0; i < frames.size() && !out.faulting_frame && !r_.signature.frames.empty(); ++i)
      if (normalize_frame_name(out.frames[i].function) == r_.signature.frames[0]) out.faulting_frame = i;
    for (size_t i = 1; i < frames.size() && !out.faulting_frame; ++i)
      if (frames[i].exact_pc() && frames[i].pc() != frames[i - 1].pc()) out.faulting_frame = i;
    if (!out.faulting_frame && !frames.empty()) out.faulting_frame = 0;
    if (out.faulting_frame) {
      size_t i = *out.faulting_frame;
      for (const std::string& name : frame_locals(frames[i])) {
        TriageVariable v{name, ""};
        try {
          Object o = frame_variable(trace, i, name);
          v.value = o.is_absent() ? "<absent>" : cut(format_object(o), options_.max_value_chars);
        } catch (const InterruptedError&) {
          throw;
        } catch (const std::exception& e) {
          v.value = fmt::format("<error: {}>", e.what());
        }
        out.variables.push_back(std::move(v));
      }
    }
    r_.crashed = std::move(out);
  }

  void running() {
    for (const ThreadRef& t : engine_->active_threads()) {
      check_interrupt();
      TriageThread out = thread_header(t, tasks_ ? &*tasks_ : nullptr);
      try {
        StackTrace trace = engine_->stack_trace(t);
        out.frames = triage_frames(trace, options_.running_frames);
        out.stack_end = trace.end_reason();
      } catch (const InterruptedError&) {
        throw;
      } catch (const std::exception& e) {
        out.stack_end = e.what();
      }
      r_.running.push_back(std::move(out));
    }
  }

  void blocked() {
    std::vector<uint64_t> found;
    WalkStatus st = tasks_->for_each_task([&](uint64_t t) {
      if (tasks_->state(t).letter == 'D') found.push_back(t);
      return true;
    });
    r_.blocked_tasks = found.size();
    std::map<std::vector<uint64_t>, size_t> group_of;  // PCs of a stack → group index
    for (size_t n = 0; n < found.size() && n < options_.max_blocked_stacks; ++n) {
      check_interrupt();
      ThreadRef ref = engine_->thread_of_task(tasks_->task_pointer(found[n]));
      TriageThread t = thread_header(ref, &*tasks_);
      t.last_ran_ns_ago = last_ran_ago(*ref.task);
      std::vector<uint64_t> pcs;
      std::vector<TriageFrame> frames;
      try {
        StackTrace trace = engine_->stack_trace(ref);
        for (const StackFrame& f : trace.frames()) pcs.push_back(f.pc());
        frames = triage_frames(trace, kMaxStackFrames);
      } catch (const InterruptedError&) {
        throw;
      } catch (const std::exception& e) {
        t.stack_end = e.what();
      }
      lock_wait(t, found[n], frames);
      auto [it, added] = group_of.emplace(pcs, r_.blocked.size());
      if (added) r_.blocked.push_back(TriageTaskGroup{{}, std::move(frames)});
      r_.blocked[it->second].tasks.push_back(std::move(t));
    }
    // Largest groups first; equal sizes keep the task-list order.
    std::stable_sort(r_.blocked.begin(), r_.blocked.end(),
                     [](const TriageTaskGroup& a, const TriageTaskGroup& b) { return a.tasks.size() > b.tasks.size(); });
    if (!st.ok()) r_.problems.emplace_back("blocked tasks", st.message());
  }

  // The lock a blocked task waits for, and its owner; a lock that cannot be read is a
  // problem of the section, the task stays in its group.
  void lock_wait(TriageThread& t, uint64_t task, const std::vector<TriageFrame>& frames) {
    std::vector<std::string> names;
    for (const TriageFrame& f : frames) names.push_back(f.function.empty() ? f.symbol.substr(0, f.symbol.find('+')) : f.function);
    std::string kind = LockWaitFinder::lock_kind(names);
    if (kind.empty()) return;
    try {
      if (!lock_finder_) lock_finder_.emplace(*tasks_);
      std::optional<LockWait> w = lock_finder_->find(task, names);
      if (!w) {
        r_.problems.emplace_back("blocked tasks",
                                 fmt::format("pid {}: in {} but the lock it waits for was not found", t.pid, kind));
        return;
      }
      TriageLockWait out{w->kind, w->lock, w->symbol, w->owner, {}, {}, '?', w->reader_owned, w->source};
      if (w->owner) {
        out.owner_pid = tasks_->pid(w->owner);
        out.owner_comm = tasks_->comm(w->owner);
        out.owner_state = tasks_->state(w->owner).letter;
      }
      t.waits_for = std::move(out);
    } catch (const InterruptedError&) {
      throw;
    } catch (const std::exception& e) {
      r_.problems.emplace_back("blocked tasks", fmt::format("pid {}: lock not read: {}", t.pid, e.what()));
    }
  }

  std::optional<uint64_t> last_ran_ago(const Object& task) {
    try {
      uint64_t arrival = task.member("sched_info").member("last_arrival").as_unsigned();
      uint64_t rq = tasks_->runqueue(tasks_->cpu(task.address()));
      uint64_t clock = Object::reference(program_.object_env(), program_.find_type("struct rq"), rq)
                           .member("clock")
                           .as_unsigned();
      if (arrival && clock >= arrival) return clock - arrival;
    } catch (const InterruptedError&) {
      throw;
    } catch (const std::exception&) {
      // No CONFIG_SCHED_INFO, or an unreadable run queue: the time is not shown.
    }
    return std::nullopt;
  }

  void memory() {
    TriageMemory m;
    if (!system_) system_ = system_info(program_);
    const SystemInfo& s = *system_;
    m.total_bytes = s.total_ram_pages * s.page_size;
    if (auto stat = program_.find_object("vm_zone_stat")) {
      if (auto nr = program_.find_object("NR_FREE_PAGES")) {
        Object free = stat->subscript(nr->as_signed()).member("counter");
        m.free_bytes = free.as_unsigned() * s.page_size;
      }
    }
    r_.memory = std::move(m);
    if (!options_.slab) return;
    SlubAllocator slub(program_);
    std::vector<TriageSlabCache> caches;
    WalkStatus st = slub.for_each_cache([&](uint64_t cache) {
      check_interrupt();
      const SlabCacheInfo& info = slub.cache_info(cache);
      SlabCacheStats stats = slub.has_node_counters() ? slub.node_statistics(cache) : slub.statistics(cache);
      uint64_t slab_bytes = s.page_size << info.order;
      caches.push_back({info.name, stats.proc_num_objs, stats.proc_active_objs, stats.proc_num_slabs * slab_bytes});
      return true;
    });
    std::stable_sort(caches.begin(), caches.end(),
                     [](const TriageSlabCache& a, const TriageSlabCache& b) { return a.bytes > b.bytes; });
    caches.resize(std::min(caches.size(), options_.top_caches));
    r_.memory->top_caches = std::move(caches);
    if (!st.ok()) r_.problems.emplace_back("memory", st.message());
  }

  void modules() {
    WalkStatus st;
    for (const KernelModuleInfo& m : kernel_modules(program_, &st)) {
      Object mod = Object::reference(program_.object_env(), program_.find_type("struct module"), m.address);
      uint64_t taints = mod.member("taints").as_unsigned();
      if (!taints) continue;
      TriageModule t{m.name, {}};
      for (unsigned bit = 0; bit < 64; ++bit)
        if (taints >> bit & 1) {
          std::string name = taint_name(bit);
          t.taints.push_back(name.empty() ? fmt::format("bit {}", bit) : name);
        }
      r_.tainting_modules.push_back(std::move(t));
    }
    if (!st.ok()) r_.problems.emplace_back("modules", st.message());
  }

  Program& program_;
  const TriageOptions& options_;
  TriageReport r_;
  std::vector<OopsReport> reports_;
  std::optional<size_t> crash_index_;
  bool signature_from_stack_ = false;
  std::optional<SystemInfo> system_;  // read once, by kernel() (or memory() if that failed)
  std::optional<Tasks> tasks_;
  std::optional<LockWaitFinder> lock_finder_;
  std::unique_ptr<StackTraceEngine> engine_;
};

}  // namespace

TriageReport triage_dump(Program& program, const TriageOptions& options) {
  if (!program.is_kernel()) throw UsageError("triage: needs a kernel crash dump");
  return TriageBuilder(program, options).build();
}

}  // namespace kdive
