// A tracepoint's `print_fmt` (the text of its TP_printk(), as the kernel keeps it in
// trace_event_call.print_fmt and shows in the event's "format" file) evaluated over one
// event's fields, the way libtraceevent does for trace-cmd: a quoted printf format,
// then C expressions over REC->field with the helpers tracepoints use —
// __get_str/__get_dynamic_array(_len), __print_flags, __print_symbolic,
// __print_hex(_str), __print_array is not supported — and the C operators (arithmetic,
// bitwise, comparisons, logical, ?:, casts). What the evaluator does not understand
// throws BadDataError, so a caller can fall back to printing raw fields instead of
// printing something wrong.
//
//   std::string s = evaluate_print_fmt(call.print_fmt, payload, call.fields, symbols);
//   // "prev_comm=sh prev_pid=1 prev_prio=120 prev_state=S ==> next_comm=swapper/0 ..."
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "linux/trace_printf.h"

namespace kdive {

// One field of an event record (struct ftrace_event_field), offsets from the start of
// the record (struct trace_entry included).
struct TraceEventField {
  std::string name, type;  // "prev_comm", "char[16]" / "__data_loc char[]" / "unsigned long"
  uint32_t offset = 0, size = 0;
  bool is_signed = false;
};

// The field's value as printed raw ("name=value"): decimal integers, hex pointers,
// strings for char arrays and __data_loc char[], hex bytes for other arrays.
std::string format_field_value(const TraceEventField& field, std::span<const uint8_t> record);

// Field value as an integer (for --where and expressions); BadDataError for
// strings/arrays or a field past the record's end.
uint64_t field_integer(const TraceEventField& field, std::span<const uint8_t> record);
// Field value as a string: char arrays and __data_loc/__rel_loc strings.
std::string field_string(const TraceEventField& field, std::span<const uint8_t> record);

std::string evaluate_print_fmt(std::string_view print_fmt, std::span<const uint8_t> record,
                               const std::vector<TraceEventField>& fields, const TraceSymbolLookup& symbols);

}  // namespace kdive
