// The kernel's printf as ftrace output uses it, over data read from a dump:
//   - format_binary_printf(): a trace_printk() record (bprint) holds its arguments as
//     lib/vsprintf.c vbin_printf() packed them — each integer aligned to its own size
//     (8-byte values to 4; since 6.14 anything up to an int as an int), %c as one byte, %s strings copied inline NUL-terminated,
//     %pS/%ps/%px/%pK/%pe and plain %p as a pointer, every other %p<ext> rendered to
//     a string at trace time — and bstr_printf() unpacks them the same way;
//   - format_printf(): a tracepoint's print_fmt applied to already evaluated arguments.
// Conversions follow C (flags, width, precision, * from the arguments, length
// modifiers); %pS/%pB/%pF print "symbol+0xoff/0xsize [module]", %ps/%pf the name,
// through a lookup the caller gives (none: the address in hex). An argument list that
// runs out or a malformed conversion is an error (BadDataError naming the format),
// never garbage.
//
//   std::string s = format_binary_printf("id=%u %s\n", payload, symbolize);
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kdive {

// Address → "sym+0x1c/0x90 [module]" (with_offset) or "sym"; nullopt-like empty string
// when unknown.
using TraceSymbolLookup = std::function<std::string(uint64_t address, bool with_offset)>;

struct PrintfArg {
  bool is_string = false;
  uint64_t value = 0;  // integer value (sign-extended when the source was signed)
  std::string text;
  static PrintfArg integer(uint64_t v) { return PrintfArg{false, v, {}}; }
  static PrintfArg string(std::string s) { return PrintfArg{true, 0, std::move(s)}; }
};

// How the dumped kernel's vbin_printf() packs integers. Before the vsprintf rework of
// 6.14 (enum format_type), %hhd/%hd are stored as 1/2 bytes at their own alignment;
// since (enum format_state: format_decode() keeps only the size, and every conversion of
// int size or less is saved as an int), as 4 bytes. Callers detect it from the debug
// info by the presence of the FORMAT_STATE_NUM enumerator.
struct BinaryPrintfLayout {
  bool small_ints_as_int = false;
};

// Renders `fmt` with the arguments unpacked from `packed` as vbin_printf() stored them.
std::string format_binary_printf(std::string_view fmt, std::span<const uint8_t> packed, const TraceSymbolLookup& symbols,
                                 BinaryPrintfLayout layout = {});

// Renders `fmt` with `args` (integers for integer and pointer conversions, strings for %s).
std::string format_printf(std::string_view fmt, const std::vector<PrintfArg>& args, const TraceSymbolLookup& symbols);

// "%pS"-style symbol text for `address`, or "0x..." when `symbols` does not know it.
std::string format_symbol(uint64_t address, bool with_offset, const TraceSymbolLookup& symbols);

}  // namespace kdive
