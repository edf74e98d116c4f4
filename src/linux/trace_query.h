// What the `trace` command asks of a dump's ftrace buffers, as a library call: the
// instances to read (all by default, or one by name: "" or "top" is global_trace),
// and the filters applied to decoded records — CPU, PID, command name, event name glob
// (matched against "name" and "system:name"), time window in seconds, a substring of
// the printed line, and a field comparison "field==value" (also !=, <, <=, >, >=;
// numeric when both sides are numbers, else string equality).
//
//   TraceQuery q;
//   q.event_glob = "sched_*";
//   for (const TraceInstanceResult& r : read_trace(program, q))
//     for (const TraceRecord& rec : r.records) std::cout << format_trace_line(rec) << "\n";
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linux/trace_event_format.h"
#include "linux/trace_ring_buffer.h"

namespace kdive {

class Program;

struct TraceQuery {
  std::optional<std::string> instance;
  std::optional<uint32_t> cpu;
  std::optional<int32_t> pid;
  std::optional<std::string> comm, event_glob, grep, where;
  std::optional<double> since, until;  // seconds
  // Format sched_switch/sched_wakeup as trace-cmd's plugins do (trace_cmd_plugin_text).
  bool trace_cmd_plugins = false;
};

struct TraceInstanceResult {
  TraceInstanceRef instance;
  std::vector<TraceCpuBuffer> cpus;
  std::vector<TraceRecord> records;  // filtered, oldest first
  uint64_t total_events = 0;         // before filtering
  std::string problem;               // why the instance list or this buffer is incomplete
};

// UsageError for a malformed --where or an unknown instance name; LookupError when the
// kernel has no ftrace.
std::vector<TraceInstanceResult> read_trace(Program& program, const TraceQuery& query);

// "top" for global_trace, else the instance's directory name.
std::string trace_instance_label(const TraceInstanceRef& ref);

}  // namespace kdive
