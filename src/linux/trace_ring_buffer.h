// The ftrace ring buffers of a dumped kernel: every trace instance (`global_trace`, then
// the other entries of `ftrace_trace_arrays`), each instance's per-CPU
// `ring_buffer_per_cpu`, and the raw events in their pages, with each event's time
// stamp rebuilt from its page's `buffer_data_page.time_stamp` plus the deltas before
// it. Decoding an event's payload (trace_entry, bprint, tracepoints) is
// trace_event_format.h's job; this file owns the buffer layout only.
//
// Reading order per CPU (kernel/trace/ring_buffer.c, rb_get_reader_page / rb_buffer_peek):
// the reader page from its `read` offset, then — unless the reader page is also the
// commit page — the ring from `head_page` to `commit_page`, each page up to its
// `commit`. `list.next` pointers carry RB_PAGE_HEAD/RB_PAGE_UPDATE in their two low
// bits and `commit` carries RB_MISSED_EVENTS/RB_MISSED_STORED in bits 31/30; both are
// masked. Every walk is bounded by `nr_pages` and every page by its sub-buffer size, so
// a corrupt list or a page overwritten while the kernel died ends that CPU's walk
// with a problem recorded, never a hang.
//
// Kernel differences are detected from DWARF, in TraceLayout::of() only:
//   - sub-buffer size: PAGE_SIZE << `buffer_page.order` (6.8+, per page) or
//     `trace_buffer.subbuf_order`; a page otherwise;
//   - CPU count: `trace_buffer.cpus` when present (removed in 6.x), else nr_cpu_ids;
//   - `ring_buffer_per_cpu.dropped_events` (5.11+) is reported when present.
//
// read_trace_pages() walks the same pages and hands out their bytes instead (for a
// trace.dat, trace_dat_writer.h).
//
//   TraceLayout lay = TraceLayout::of(program);
//   for (const TraceInstanceRef& ref : list_trace_instances(program, lay, &status))
//     TraceBuffer b = read_trace_buffer(program, lay, ref.buffer);   // b.events by time
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kdive/memory_reader.h"
#include "linux/walk_status.h"

namespace kdive {

class Program;
class KernelLayout;

// Offsets of everything the reader touches, and which kernel variant they describe.
struct TraceLayout {
  // struct trace_array
  uint64_t ta_list = 0, ta_name = 0, ta_buffer = 0;  // ta_buffer: array_buffer.buffer
  std::optional<uint64_t> ta_clock_id;
  // struct trace_buffer
  std::optional<uint64_t> tb_cpus, tb_subbuf_order;
  uint64_t tb_buffers = 0;
  // struct ring_buffer_per_cpu
  uint64_t cpu_cpu = 0, cpu_nr_pages = 0, cpu_head_page = 0, cpu_commit_page = 0, cpu_reader_page = 0;
  uint64_t cpu_entries = 0, cpu_overrun = 0, cpu_commit_overrun = 0, cpu_lost_events = 0;
  std::optional<uint64_t> cpu_dropped_events;
  // struct buffer_page
  uint64_t bp_list = 0, bp_next = 0, bp_read = 0, bp_page = 0;
  std::optional<uint64_t> bp_order;
  // struct buffer_data_page
  uint64_t dp_time_stamp = 0, dp_commit = 0, dp_data = 0;
  uint64_t page_size = 4096;
  uint64_t nr_cpu_ids = 1;

  // LookupError when the kernel has no ftrace ring buffer (no `struct ring_buffer_per_cpu`).
  static TraceLayout of(Program& program);
  static TraceLayout of(Program& program, KernelLayout& layout);
  // "sub-buffers: buffer_page.order; CPUs: nr_cpu_ids; ..." for `info`.
  std::string describe() const;
};

struct TraceInstanceRef {
  std::string name;  // "" for the top instance (global_trace)
  uint64_t trace_array = 0;
  uint64_t buffer = 0;  // struct trace_buffer *
  // The instance's trace clock (trace_clocks[trace_array.clock_id]): its name and
  // whether it counts nanoseconds ("local", "global", ...) or not ("x86-tsc", "counter").
  std::string clock;
  bool clock_in_ns = true;
};

// The instances in the kernel's order: global_trace first. Problems of the list walk
// go to `status`.
std::vector<TraceInstanceRef> list_trace_instances(Program& program, const TraceLayout& layout, WalkStatus* status);

// One event as stored: the CPU it was written on, its rebuilt time stamp (ns of the
// buffer's clock) and its payload (starting with struct trace_entry).
struct RawTraceEvent {
  uint32_t cpu = 0;
  uint64_t ts = 0;
  uint64_t address = 0;  // of the payload in the dump
  std::vector<uint8_t> data;
};

struct TraceCpuBuffer {
  uint32_t cpu = 0;
  uint64_t address = 0;  // struct ring_buffer_per_cpu *
  uint64_t nr_pages = 0, subbuf_size = 0;
  // The kernel's counters: entries in the buffer, events overwritten (overrun), lost to
  // a full buffer in non-overwrite mode (commit_overrun), dropped (dropped_events, 5.11+).
  uint64_t entries = 0, overrun = 0, commit_overrun = 0, dropped_events = 0, lost_events = 0;
  uint64_t pages_read = 0, events_read = 0;
  std::vector<std::string> problems;  // why (part of) this CPU's buffer was skipped
};

struct TraceBuffer {
  std::vector<TraceCpuBuffer> cpus;
  std::vector<RawTraceEvent> events;  // all CPUs merged, oldest first (ties: lower CPU first)
};

// Reads every per-CPU buffer of the struct trace_buffer at `buffer` (only `only_cpu`
// when given). Throws FaultError/BadDataError only when the trace_buffer itself cannot
// be read; per-CPU trouble is recorded in that CPU's `problems`.
// `mem` is normally program.memory(); tests hand in a damaged view of it.
TraceBuffer read_trace_buffer(const MemoryReader& mem, const TraceLayout& layout, uint64_t buffer,
                              std::optional<uint32_t> only_cpu = std::nullopt);

// One data page as trace-cmd's readers want it (a buffer_data_page): the entries a
// reader has not consumed, re-based at the reader page's `read` offset (time_stamp is
// then the stamp in force there, as the kernel's ring_buffer_read_page() does when it
// copies a partly read page), and cut where kdive's decoding stopped on a bad entry, so
// the page holds exactly the events read_trace_buffer() returns for it.
struct TraceDataPage {
  uint64_t buffer_page = 0;  // struct buffer_page * it came from
  uint64_t subbuf_size = 0;  // PAGE_SIZE << order: the page's size with its header
  uint64_t time_stamp = 0;
  std::vector<uint8_t> data;  // `commit` bytes of entries
};

struct TraceCpuPages {
  TraceCpuBuffer info;  // counters and problems, as read_trace_buffer() gives them
  std::vector<TraceDataPage> pages;  // reading order: reader page, then head → commit
  std::vector<RawTraceEvent> events;  // this CPU's events, when asked for
};

// The per-CPU data pages of the trace_buffer at `buffer` in reading order (what
// `trace-cmd extract` would have copied out), for writing a trace.dat. The same walk
// as read_trace_buffer(); `with_events` also decodes each CPU's events.
std::vector<TraceCpuPages> read_trace_pages(const MemoryReader& mem, const TraceLayout& layout, uint64_t buffer,
                                            bool with_events = false);

// Decodes the events of one data page's bytes (the part after buffer_data_page's header,
// `commit` bytes long) starting at `begin`, whose page time stamp is `page_ts`. Appends
// to `out` and returns the empty string, or why decoding stopped early. Exposed for
// unit tests that build pages byte by byte.
std::string decode_trace_page(const uint8_t* data, uint64_t commit, uint64_t begin, uint64_t page_ts, uint32_t cpu,
                              uint64_t data_address, std::vector<RawTraceEvent>& out);

}  // namespace kdive
