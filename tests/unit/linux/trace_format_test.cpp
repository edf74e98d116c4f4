// Unit tests of the trace decoding pieces on bytes built here: vbin_printf-packed
// arguments (trace_printf.h), print_fmt evaluation (trace_print_fmt.h) and the ring
// buffer page decoder (trace_ring_buffer.h).
#include <gtest/gtest.h>

#include <cstring>

#include "kdive/error.h"
#include "linux/trace_event_format.h"
#include "linux/trace_print_fmt.h"
#include "linux/trace_printf.h"
#include "linux/trace_ring_buffer.h"

namespace kdive {
namespace {

void put(std::vector<uint8_t>& b, uint64_t v, size_t size) {
  for (size_t i = 0; i < size; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void align(std::vector<uint8_t>& b, size_t a) {
  while (b.size() % a) b.push_back(0xcc);
}

std::string lookup(uint64_t a, bool off) {
  if (a < 0x1000 || a >= 0x1100) return {};
  return off ? "func+0x" + std::string(1, "0123456789abcdef"[a - 0x1000]) + "/0x100" : "func";
}

TEST(TracePrintf, UnpacksAsVbinPrintfPacked) {
  std::vector<uint8_t> b;
  b.push_back('x');              // %c: one byte
  align(b, 2);
  put(b, 0xfffe, 2);             // %hd: short at 2
  align(b, 4);
  put(b, 7, 4);                  // %u
  put(b, 0xab00000300003333, 8); // %llx: 8 bytes at a 4-byte boundary
  for (char c : std::string("alpha")) b.push_back(static_cast<uint8_t>(c));
  b.push_back(0);                // %s inline
  align(b, 4);
  put(b, 0x1005, 8);             // %pS
  put(b, 0x1005, 8);             // %ps
  EXPECT_EQ(format_binary_printf("%c %hd %u %llx %s %pS %ps\n", b, lookup),
            "x -2 7 ab00000300003333 alpha func+0x5/0x100 func\n");
}

TEST(TracePrintf, ReworkedVsprintfSavesSmallIntegersAsInts) {
  // Since the 6.14 vsprintf rework: %hd and %hhu as 4-byte ints, %c still one byte.
  std::vector<uint8_t> b;
  put(b, 0xfffffff9, 4);  // %hd -7
  put(b, 0x1ff, 4);       // %hhu 255 (truncated to its size when printed)
  b.push_back('k');       // %c
  align(b, 4);
  put(b, 0x1005, 8);      // %ps
  EXPECT_EQ(format_binary_printf("%hd %hhu %c %ps", b, lookup, BinaryPrintfLayout{true}), "-7 255 k func");
}

TEST(TracePrintf, WidthPrecisionAndErrors) {
  EXPECT_EQ(format_printf("[%5d|%-4s|%03x|%.2s]", {PrintfArg::integer(42), PrintfArg::string("ab"), PrintfArg::integer(10),
                                                   PrintfArg::string("xyz")}, nullptr),
            "[   42|ab  |00a|xy]");
  EXPECT_THROW(format_printf("%d %d", {PrintfArg::integer(1)}, nullptr), BadDataError);
  std::vector<uint8_t> short_buf = {1, 2};
  EXPECT_THROW(format_binary_printf("%llx", short_buf, nullptr), BadDataError);
  EXPECT_EQ(format_printf("%pS", {PrintfArg::integer(0x2000)}, nullptr), "0x2000");
}

TEST(TracePrintFmt, FlagsSymbolicStringsAndTernary) {
  // A record: 8 bytes of trace_entry, char comm[8] at 8, int state at 16, __data_loc at 20.
  std::vector<uint8_t> rec(8, 0);
  for (char c : std::string("sh\0\0\0\0\0\0", 8)) rec.push_back(static_cast<uint8_t>(c));
  put(rec, 0x3, 4);
  put(rec, (uint64_t(4) << 16) | 24, 4);
  for (char c : std::string("abc")) rec.push_back(static_cast<uint8_t>(c));
  rec.push_back(0);
  std::vector<TraceEventField> f = {{"comm", "char[8]", 8, 8, true},
                                    {"state", "int", 16, 4, true},
                                    {"name", "__data_loc char[]", 20, 4, false}};
  EXPECT_EQ(evaluate_print_fmt(R"("comm=%s state=%s%s name=%s sym=%s", REC->comm, REC->state ? __print_flags(REC->state, "|", { 0x01, "S" }, { 0x02, "D" }) : "R", REC->state & 0x100 ? "+" : "", __get_str(name), __print_symbolic(REC->state, { 1, "one" }, { 3, "three" }))",
                               rec, f, nullptr),
            "comm=sh state=S|D name=abc sym=three");
  EXPECT_THROW(evaluate_print_fmt(R"("%d", __unknown_helper(REC->state))", rec, f, nullptr), BadDataError);
  EXPECT_THROW(evaluate_print_fmt(R"("%d", REC->nosuch)", rec, f, nullptr), BadDataError);
  EXPECT_EQ(format_field_value(f[2], rec), "abc");
  // Numbers a C lexer would refuse (found by trace_record_fuzz) are errors, not exceptions of std::.
  EXPECT_THROW(evaluate_print_fmt(R"("%d", 99999999999999999999999)", rec, f, nullptr), BadDataError);
  EXPECT_THROW(evaluate_print_fmt(R"("%d", 09)", rec, f, nullptr), BadDataError);
  EXPECT_EQ(evaluate_print_fmt(R"("%d %d %d", 0x10, 010, 10UL)", rec, f, nullptr), "16 8 10");
  EXPECT_EQ(evaluate_print_fmt(R"("%d %u", (int)(REC->state - 4), (unsigned char)258)", rec, f, nullptr), "-1 2");
}

TEST(TraceRingBufferPage, DataExtendsPaddingAndBadLengths) {
  std::vector<uint8_t> page;
  // data event, type_len 2 (8 bytes), delta 5
  put(page, (5u << 5) | 2, 4);
  put(page, 0x1111, 4);
  put(page, 0x2222, 4);
  // time extend of 1 << 27 + 3
  put(page, (3u << 5) | 30, 4);
  put(page, 1, 4);
  // data event with its length in array[0] (type_len 0): 4 + 4 payload bytes
  put(page, (7u << 5) | 0, 4);
  put(page, 8, 4);
  put(page, 0x3333, 4);
  std::vector<RawTraceEvent> out;
  EXPECT_EQ(decode_trace_page(page.data(), page.size(), 0, 1000, 1, 0x5000, out), "");
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].ts, 1005u);
  EXPECT_EQ(out[0].data.size(), 8u);
  EXPECT_EQ(out[1].ts, 1005u + (uint64_t(1) << 27) + 3 + 7);
  EXPECT_EQ(out[1].data.size(), 4u);
  EXPECT_EQ(out[1].address, 0x5000u + 28);
  // Skipping what a consuming reader read keeps the time stamps.
  out.clear();
  EXPECT_EQ(decode_trace_page(page.data(), page.size(), 12, 1000, 1, 0x5000, out), "");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].ts, 1005u + (uint64_t(1) << 27) + 3 + 7);
  // A length that runs past commit stops the page with a reason.
  std::vector<uint8_t> bad;
  put(bad, 0, 4);
  put(bad, 4000, 4);
  out.clear();
  EXPECT_NE(decode_trace_page(bad.data(), bad.size(), 0, 0, 0, 0, out).find("bad event length"), std::string::npos);
  EXPECT_TRUE(out.empty());
}

// A sched_switch record as the kernel lays it out: trace_entry, prev_comm[16],
// prev_pid, prev_prio, prev_state (long), next_comm[16], next_pid, next_prio.
TraceRecord sched_switch_record(uint64_t prev_state) {
  auto t = std::make_shared<TraceEventType>();
  t->system = "sched";
  t->name = "sched_switch";
  t->fields = {{"common_pid", "int", 4, 4, true},   {"prev_comm", "char[16]", 8, 16, false},
               {"prev_pid", "pid_t", 24, 4, true},  {"prev_prio", "int", 28, 4, true},
               {"prev_state", "long", 32, 8, true}, {"next_comm", "char[16]", 40, 16, false},
               {"next_pid", "pid_t", 56, 4, true},  {"next_prio", "int", 60, 4, true}};
  TraceRecord r;
  r.event = t;
  r.system = t->system;
  r.name = t->name;
  r.data.assign(64, 0);
  std::memcpy(&r.data[8], "sh", 2);
  r.data[24] = 42;
  r.data[28] = 120;
  for (int i = 0; i < 8; ++i) r.data[32 + i] = static_cast<uint8_t>(prev_state >> (8 * i));
  std::memcpy(&r.data[40], "swapper/1", 9);
  r.data[60] = 120;
  return r;
}

TEST(TraceEventFormat, TraceCmdPluginTextFieldsAndLine) {
  TraceRecord r = sched_switch_record(0x3);
  EXPECT_EQ(trace_cmd_plugin_text(r), std::optional<std::string>("sh:42 [120] S|D ==> swapper/1:0 [120]"));
  EXPECT_EQ(trace_cmd_plugin_text(sched_switch_record(0x100)), std::optional<std::string>("sh:42 [120] R ==> swapper/1:0 [120]"));
  std::vector<std::pair<std::string, std::string>> f = trace_record_fields(r);
  ASSERT_EQ(f.size(), 7u);  // common_* left out
  EXPECT_EQ(f[0], std::make_pair(std::string("prev_comm"), std::string("sh")));
  EXPECT_EQ(f[3], std::make_pair(std::string("prev_state"), std::string("3")));
  r.name = "sched_wakeup";
  EXPECT_EQ(trace_cmd_plugin_text(r), std::optional<std::string>("!"));  // no pid field
  r.system = "irq";
  EXPECT_EQ(trace_cmd_plugin_text(r), std::nullopt);

  TraceRecord line;
  line.comm = "insmod";
  line.pid = 100;
  line.cpu = 1;
  line.ts = 4327805500;  // rounds to 4.327806
  line.name = "bprint";
  line.info = "kdive_markers: KDIVE_TRACE constant line";
  EXPECT_EQ(format_trace_line(line),
            "          insmod-100   [001]     4.327806: bprint:               kdive_markers: KDIVE_TRACE constant line");
  line.ts_in_ns = false;
  line.ts = 123456789;
  EXPECT_EQ(format_trace_line(line),
            "          insmod-100   [001]    123456789: bprint:               kdive_markers: KDIVE_TRACE constant line");
}

}  // namespace
}  // namespace kdive
