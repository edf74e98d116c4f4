// Turning raw ftrace events (trace_ring_buffer.h) into the lines `trace-cmd report`
// prints: which event a record is (its trace_entry.type, looked up among the
// trace_event_call entries of `ftrace_events`), who wrote it (trace_entry.pid, and the
// command name from the kernel's saved cmdlines `savedcmd`, "<idle>" for PID 0 and
// "<...>" when not saved), and its text:
//   - bprint (trace_printk with arguments): the format string read from the dump at
//     bprint_entry.fmt, the arguments unpacked from bprint_entry.buf as vbin_printf
//     packed them (trace_printf.h), after "%ps: " of the call site;
//   - bputs (trace_printk of a constant): the string at bputs_entry.str;
//   - print (trace_marker, trace_printk without format): print_entry.buf;
//   - function: "func <-- parent" as trace-cmd's function plugin prints it;
//   - kernel_stack (trace_dump_stack, stacktrace option): "<stack trace>" and one
//     " => symbol" line per caller, as the kernel's trace_stack_print() does;
//   - every other event (tracepoints, function_graph, ...) through its print_fmt and
//     field list read from the dump (trace_print_fmt.h); when that fails, its raw
//     fields "name=value ...", never garbage.
// Record layouts (trace_entry, bprint_entry, ...) and the trace_type numbers come from
// DWARF; the event catalog is read lazily, an event's fields and print_fmt on first use.
// %pS prints "symbol+0xoff/0xsize [module]" with the kernel's kallsyms size (to the
// next symbol), so the text equals what the kernel's own "trace" file showed.
//
//   TraceDecoder dec(program);
//   TraceRecord r = dec.decode(raw);
//   std::cout << format_trace_line(r) << "\n";
//   // "          insmod-100   [001]     4.327806: bprint:               kdive_markers: KDIVE_TRACE constant line"
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "linux/trace_print_fmt.h"
#include "linux/trace_ring_buffer.h"

namespace kdive {

class Program;
class KernelLayout;

struct TraceEventType {
  uint32_t id = 0;
  uint64_t call = 0;  // struct trace_event_call *
  std::string system, name, print_fmt;
  std::vector<TraceEventField> fields;  // common_* fields first, then the event's own
};

// id → event, from the `ftrace_events` list.
class TraceEventCatalog {
 public:
  explicit TraceEventCatalog(Program& program);
  ~TraceEventCatalog();
  // The event with this trace_entry.type, its details read on first use; null when
  // no registered event has the id. Shared, so records outlive the catalog.
  std::shared_ptr<const TraceEventType> find(uint32_t id);
  const WalkStatus& status() const { return status_; }

 private:
  void load_ids();
  Program& program_;
  std::unique_ptr<KernelLayout> layout_;
  bool ids_loaded_ = false;
  std::map<uint32_t, uint64_t> calls_;  // id → trace_event_call
  std::map<uint32_t, std::shared_ptr<const TraceEventType>> types_;
  std::vector<TraceEventField> common_;
  bool common_loaded_ = false;
  WalkStatus status_;
};

// savedcmd: PID → command name as trace output shows it.
class SavedCmdlines {
 public:
  explicit SavedCmdlines(Program& program);
  std::string comm(int32_t pid);
  // Every saved (PID, name) pair in the kernel's slot order, as the "saved_cmdlines"
  // file lists them (a slot whose map entry no longer points back is left out).
  std::vector<std::pair<int32_t, std::string>> entries();

 private:
  Program& program_;
  uint64_t base_ = 0, map_pid_ = 0, pid_max_ = 0, cmdline_num_ = 0, to_pid_ = 0, names_ = 0, comm_len_ = 16;
  std::map<int32_t, std::string> cache_;
};

struct TraceRecord {
  uint32_t cpu = 0;
  uint64_t ts = 0;  // ns, or clock ticks when !ts_in_ns
  bool ts_in_ns = true;
  int32_t pid = 0;
  uint32_t type = 0;
  uint8_t flags = 0, preempt_count = 0;
  std::string comm, system, name;  // name: "bprint", "sched_switch"; "" when the id is unknown
  std::string info;                // the event's text, without a trailing newline
  bool raw = false;                // info is raw fields (print_fmt could not be applied)
  std::string raw_fields;          // "name=value ..." of the event's own fields
  std::shared_ptr<const TraceEventType> event;
  std::vector<uint8_t> data;       // the record (trace_entry first)
};

class TraceDecoder {
 public:
  explicit TraceDecoder(Program& program);
  ~TraceDecoder();
  TraceRecord decode(const RawTraceEvent& raw);
  // The value of field `name` of a decoded record, as text (common_pid, prev_comm, ...).
  std::optional<std::string> field_text(const TraceRecord& r, std::string_view name) const;
  TraceEventCatalog& catalog() { return catalog_; }

 private:
  // "name", "name+0xoff/0xsize"; with_module appends " [module]" for a module's
  // address, as the kernel's %pS/%ps do (the call-site prefix of bprint/print and the
  // function tracer's names go without, as the kernel's seq_print_ip_sym()).
  std::string symbol(uint64_t address, bool with_offset, bool with_module) const;
  // The size %pS prints: kallsyms' (to the next symbol), not the ELF st_size.
  uint64_t kallsyms_size(uint64_t address, uint64_t start, uint64_t elf_size) const;
  const std::vector<uint64_t>* module_symbols(const std::string& name, uint64_t address) const;
  std::string info(TraceRecord& r);

  Program& program_;
  TraceEventCatalog catalog_;
  SavedCmdlines cmdlines_;
  // trace_entry and the ftrace-internal entries, from DWARF.
  uint64_t off_type_ = 0, off_flags_ = 1, off_preempt_ = 3, off_pid_ = 4;
  uint32_t t_fn_ = 1, t_print_ = 5, t_bprint_ = 6, t_bputs_ = 14;
  uint64_t bprint_ip_ = 0, bprint_fmt_ = 0, bprint_buf_ = 0, bputs_ip_ = 0, bputs_str_ = 0, print_ip_ = 0,
           print_buf_ = 0, fn_ip_ = 0, fn_parent_ = 0, stack_caller_ = 0;
  std::map<uint64_t, std::string> strings_;  // format strings by address
  BinaryPrintfLayout printf_layout_;
  // Per module: its kallsyms addresses and its text end (get_ksymbol()'s nextval
  // bound), sorted; empty when unreadable.
  mutable std::map<std::string, std::vector<uint64_t>> module_symbols_;
};

// The text trace-cmd's libtraceevent plugins print instead of a print_fmt, for the
// events they handle (plugin_sched_switch.c: sched_switch "prev_comm:prev_pid [prio] S
// ==> next_comm:next_pid [prio]", sched_wakeup/_new/sched_waking "comm:pid [prio]
// success=N CPU:NNN"); nullopt for other events. `trace-cmd report` loads them unless
// given -N; kdive's default is the kernel's print_fmt text, which -N prints.
std::optional<std::string> trace_cmd_plugin_text(const TraceRecord& r);

// The event's own fields (common_* left out) as name → printed value; a field that
// cannot be decoded is left out.
std::vector<std::pair<std::string, std::string>> trace_record_fields(const TraceRecord& r);

// One line as `trace-cmd report` (3.x, without -l) prints it:
// "%16s-%-5d [%03d] %5llu.%06llu: %s: <pad to 20> info", time rounded to µs; a clock
// that does not count nanoseconds prints its raw count ("%12llu"), as trace-cmd does.
std::string format_trace_line(const TraceRecord& r);

}  // namespace kdive
