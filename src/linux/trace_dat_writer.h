// `trace -o FILE.dat`: a dump's ftrace buffers written as a trace-cmd file (format
// version 6, Documentation/trace-cmd/trace-cmd.dat.v6.5.txt) that `trace-cmd report`
// reads as if `trace-cmd extract` had made it on the crashed machine.
//
// Layout (all numbers little-endian):
//   "\x17\x08\x44tracing" "6\0", endianness 0, long size 8, page size (u32)
//   "header_page\0"  u64 size, text      "header_event\0" u64 size, text
//   u32 count, then u64 size + text of each ftrace event format in the buffers
//   u32 systems; per system: "name\0", u32 count, u64 size + text of each format
//   u32 size + kallsyms text; u32 size + printk_formats text; u64 size + saved_cmdlines
//   u32 CPUs; "options  \0"; options (u16 id, u32 size, data): TRACECLOCK, UNAME,
//     CPUSTAT per CPU (the kernel's counters), BUFFER (u64 offset, "name\0") per
//     further instance; u16 0
//   "flyrecord\0", per CPU u64 offset + u64 size; pages from a page-aligned offset
//   per further instance at its BUFFER offset: "flyrecord\0", per CPU offset + size,
//     pages
// Each page is a buffer_data_page (time_stamp, commit, entries) as the kernel keeps it,
// in reading order (reader page, then head to commit; trace_ring_buffer.h), so
// trace-cmd decodes the deltas itself. The header's page size is the largest sub-buffer
// written (6.8+ kernels can have sub-buffers of several pages); a smaller sub-buffer is
// padded to it. trace-cmd 3.1.6's v6 reader takes any such size: it steps through the
// CPU data by that size and reads `commit` bytes from each step.
//
//   TraceDatSummary s = write_trace_dat(program, "/tmp/crash.dat", std::nullopt);
//   // trace-cmd report /tmp/crash.dat
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdive {

class Program;

struct TraceDatInstance {
  std::string label;  // "top" or the instance name ("" in the file for the main buffer)
  uint64_t events = 0, pages = 0;
  uint64_t subbuf_size = 0;
  std::vector<std::string> problems;  // pages kdive skipped, per CPU
};

struct TraceDatSummary {
  std::string path;
  uint64_t bytes = 0, page_size = 0, cpus = 0;
  uint64_t event_formats = 0, kallsyms = 0, printk_formats = 0, cmdlines = 0;
  std::vector<TraceDatInstance> instances;  // the first is the file's main buffer
};

// Writes the instance named `instance` ("" or "top": global_trace) as the file's only
// buffer, or, without a name, global_trace plus every other instance as BUFFER options.
// The file is written beside `path` and renamed onto it when complete. OsError (with
// the path) when it cannot be written; UsageError for an unknown instance; LookupError
// when the kernel has no ftrace.
TraceDatSummary write_trace_dat(Program& program, const std::string& path, const std::optional<std::string>& instance);

}  // namespace kdive
