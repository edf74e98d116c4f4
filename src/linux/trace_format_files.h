// The tracefs text files a trace.dat carries, rebuilt from a dump that has no tracefs:
// events/header_page and header_event, each event's "format" file, /proc/kallsyms,
// printk_formats, saved_cmdlines and trace_clock, in the kernel's own wording.
//
// Each follows the kernel function that prints it (kernel/trace/ring_buffer.c
// ring_buffer_print_page_header / ring_buffer_print_entry_header, trace_events.c
// f_show, trace_printk.c t_show, trace.c saved_cmdlines_show / tracing_clock_show,
// kallsyms.c s_show), with sizes and offsets from the dump's DWARF, so that
// libtraceevent parses them as it parses the live files.
//
//   std::string f = trace_event_format_text(*catalog.find(id));
//   // "name: sched_switch\nID: 316\nformat:\n\tfield:unsigned short common_type;\t..."
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "linux/trace_event_format.h"
#include "linux/trace_ring_buffer.h"

namespace kdive {

class Program;

// events/header_page: struct buffer_data_page's time_stamp, commit (`commit_size`
// bytes: local_t), the "overwrite" flag bit in commit, and data, whose size is the
// sub-buffer's data bytes (`subbuf_size` minus the header).
std::string trace_header_page_text(const TraceLayout& layout, uint64_t commit_size, uint64_t subbuf_size);

// events/header_event: the compressed entry header (struct ring_buffer_event), the same
// text on every kernel since 2.6.3x.
std::string trace_header_event_text();

// events/SYSTEM/NAME/format: name, ID, the common fields, a blank line, the event's own
// fields ("\tfield:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;", an array's size after its
// name), a blank line and "print fmt: ...".
std::string trace_event_format_text(const TraceEventType& event);

// /proc/kallsyms: "ADDR T NAME" and "ADDR t NAME\t[MODULE]" for every symbol kdive can
// name an address after (vmlinux and each module's debug file, or the dump's own
// kallsyms when it was opened without them), sorted by address. For an address that
// several symbols share, the one kdive's symbolizer prefers comes first.
std::string trace_kallsyms_text(Program& program);

// printk_formats: `0xADDR : "FORMAT"` per string, escaped as t_show() escapes them.
std::string trace_printk_formats_text(const std::map<uint64_t, std::string>& formats);

// saved_cmdlines: "PID COMM" lines.
std::string trace_saved_cmdlines_text(const std::vector<std::pair<int32_t, std::string>>& cmdlines);

// trace_clock: the clock names of the kernel's trace_clocks[], the instance's in
// brackets ("[local] global counter ..."); "[CLOCK]" alone when the table is unreadable.
std::string trace_clock_text(Program& program, const TraceInstanceRef& instance);

}  // namespace kdive
