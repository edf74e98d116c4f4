// Unit tests of what a trace.dat is made of, on inputs built here: the tracefs texts
// of trace_format_files.h, byte for byte, and read_trace_pages() over a ring buffer
// laid out in test memory (a reader page partly consumed, a page cut by a bad entry).
#include <gtest/gtest.h>

#include "unit/linux/byte_buffer_memory.h"
#include "linux/trace_format_files.h"
#include "linux/trace_ring_buffer.h"

namespace kdive {
namespace {

TraceLayout small_layout() {
  TraceLayout lay;
  lay.tb_buffers = 0;  // trace_buffer.buffers at +0
  lay.cpu_nr_pages = 0, lay.cpu_head_page = 8, lay.cpu_commit_page = 16, lay.cpu_reader_page = 24;
  lay.cpu_entries = 32, lay.cpu_overrun = 40, lay.cpu_commit_overrun = 48, lay.cpu_lost_events = 56;
  lay.bp_list = 0, lay.bp_next = 0, lay.bp_read = 16, lay.bp_page = 24;
  lay.dp_time_stamp = 0, lay.dp_commit = 8, lay.dp_data = 16;
  lay.page_size = 4096;
  lay.nr_cpu_ids = 1;
  return lay;
}

TEST(TraceFormatFiles, HeaderPageAndHeaderEvent) {
  TraceLayout lay = small_layout();
  EXPECT_EQ(trace_header_page_text(lay, 8, 4096),
            "\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n"
            "\tfield: local_t commit;\toffset:8;\tsize:8;\tsigned:1;\n"
            "\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n"
            "\tfield: char data;\toffset:16;\tsize:4080;\tsigned:1;\n");
  // An 8 KiB sub-buffer (buffer_subbuf_size_kb=8 on 6.8+).
  EXPECT_NE(trace_header_page_text(lay, 8, 8192).find("\tfield: char data;\toffset:16;\tsize:8176;\tsigned:1;\n"),
            std::string::npos);
  EXPECT_EQ(trace_header_event_text(),
            "# compressed entry header\n\ttype_len    :    5 bits\n\ttime_delta  :   27 bits\n"
            "\tarray       :   32 bits\n\n\tpadding     : type == 29\n\ttime_extend : type == 30\n"
            "\ttime_stamp : type == 31\n\tdata max type_len  == 28\n");
}

TEST(TraceFormatFiles, EventFormatAsFShowPrintsIt) {
  TraceEventType t;
  t.id = 316;
  t.system = "sched";
  t.name = "sched_kdive";
  t.print_fmt = "\"comm=%s pid=%d\", REC->comm, REC->pid";
  t.fields = {{"common_type", "unsigned short", 0, 2, false},
              {"common_pid", "int", 4, 4, true},
              {"comm", "char[16]", 8, 16, false},
              {"pid", "pid_t", 24, 4, true},
              {"name", "__data_loc char[]", 28, 4, false}};
  EXPECT_EQ(trace_event_format_text(t),
            "name: sched_kdive\nID: 316\nformat:\n"
            "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
            "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
            "\n"
            "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
            "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
            "\tfield:__data_loc char[] name;\toffset:28;\tsize:4;\tsigned:0;\n"
            "\n"
            "print fmt: \"comm=%s pid=%d\", REC->comm, REC->pid\n");
  // An event without fields of its own still has both blank lines.
  t.fields.resize(2);
  t.print_fmt = "\"\"";
  EXPECT_TRUE(trace_event_format_text(t).ends_with("signed:1;\n\n\nprint fmt: \"\"\n"));
}

TEST(TraceFormatFiles, PrintkFormatsAndCmdlines) {
  std::map<uint64_t, std::string> f{{0xffffffffc0201000, "a \"b\" c\\d\te\n"}, {0xffff888004756c20, "plain"}};
  EXPECT_EQ(trace_printk_formats_text(f),
            "0xffff888004756c20 : \"plain\"\n"
            "0xffffffffc0201000 : \"a \\\"b\\\" c\\\\d\\te\\n\"\n");
  EXPECT_EQ(trace_saved_cmdlines_text({{1, "init"}, {102, "kworker/0:1"}}), "1 init\n102 kworker/0:1\n");
}

void put(std::vector<uint8_t>& b, uint64_t v, size_t size) {
  for (size_t i = 0; i < size; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

TEST(TraceRingBufferPages, ReaderPageRebasedAndBadEntryCut) {
  TraceLayout lay = small_layout();
  testing::ByteBufferMemory mem;
  const uint64_t tb = 0x1000, ptrs = 0x1100, cpu = 0x2000, reader = 0x3000, head = 0x3100;
  const uint64_t reader_data = 0x10000, head_data = 0x11000;
  mem.map(tb, 0x200);
  mem.map(cpu, 0x100);
  mem.map(reader, 0x200);
  mem.map(reader_data, 4096);
  mem.map(head_data, 4096);
  mem.put64(tb + lay.tb_buffers, ptrs);
  mem.put64(ptrs, cpu);
  mem.put64(cpu + lay.cpu_nr_pages, 1);
  mem.put64(cpu + lay.cpu_head_page, head);
  mem.put64(cpu + lay.cpu_commit_page, head);
  mem.put64(cpu + lay.cpu_reader_page, reader);
  // Reader page: read up to offset 12 (its first event); then a time extend and an event.
  mem.put64(reader + lay.bp_next, head + lay.bp_list);
  mem.put64(reader + lay.bp_read, 12);
  mem.put64(reader + lay.bp_page, reader_data);
  std::vector<uint8_t> r;
  put(r, (5u << 5) | 2, 4);  // data, 8 bytes, delta 5
  put(r, 0x1111, 4);
  put(r, 0x2222, 4);
  put(r, (3u << 5) | 30, 4);  // time extend: (1 << 27) + 3
  put(r, 1, 4);
  put(r, (7u << 5) | 0, 4);  // data with array[0] = 8: 4 payload bytes, delta 7
  put(r, 8, 4);
  put(r, 0x3333, 4);
  mem.put64(reader_data + lay.dp_time_stamp, 1000);
  mem.put64(reader_data + lay.dp_commit, r.size());
  mem.write(reader_data + lay.dp_data, r.data(), r.size());
  // Head (= commit) page: one event, then an entry whose length runs past commit.
  mem.put64(head + lay.bp_next, (head + lay.bp_list) | 1);  // RB_PAGE_HEAD flag
  mem.put64(head + lay.bp_page, head_data);
  std::vector<uint8_t> h;
  put(h, (9u << 5) | 2, 4);
  put(h, 0x4444, 8);
  put(h, 0, 4);
  put(h, 4000, 4);
  mem.put64(head_data + lay.dp_time_stamp, 0x10000000);
  mem.put64(head_data + lay.dp_commit, h.size() | (uint64_t(1) << 31));  // RB_MISSED_EVENTS masked
  mem.write(head_data + lay.dp_data, h.data(), h.size());

  std::vector<TraceCpuPages> cpus = read_trace_pages(mem, lay, tb, /*with_events=*/true);
  ASSERT_EQ(cpus.size(), 1u);
  const TraceCpuPages& c = cpus[0];
  ASSERT_EQ(c.pages.size(), 2u);
  EXPECT_EQ(c.pages[0].buffer_page, reader);
  EXPECT_EQ(c.pages[0].subbuf_size, 4096u);
  EXPECT_EQ(c.pages[0].time_stamp, 1005u);  // the stamp in force at offset 12
  EXPECT_EQ(c.pages[0].data, std::vector<uint8_t>(r.begin() + 12, r.end()));
  EXPECT_EQ(c.pages[1].buffer_page, head);
  EXPECT_EQ(c.pages[1].time_stamp, 0x10000000u);
  EXPECT_EQ(c.pages[1].data, std::vector<uint8_t>(h.begin(), h.begin() + 12));
  ASSERT_EQ(c.info.problems.size(), 1u);
  EXPECT_EQ(c.info.problems[0], "buffer_page 0x3100: bad event length at offset 0xc; rest of the page skipped");
  // The pages decode, from their start, to the events the walk returned.
  ASSERT_EQ(c.events.size(), 2u);
  EXPECT_EQ(c.events[0].ts, 1005u + (uint64_t(1) << 27) + 3 + 7);
  EXPECT_EQ(c.events[1].ts, 0x10000009u);
  std::vector<RawTraceEvent> again;
  for (const TraceDataPage& p : c.pages)
    EXPECT_EQ(decode_trace_page(p.data.data(), p.data.size(), 0, p.time_stamp, 0, 0, again), "");
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(again[0].ts, c.events[0].ts);
  EXPECT_EQ(again[0].data, c.events[0].data);
  EXPECT_EQ(again[1].ts, c.events[1].ts);
  EXPECT_EQ(again[1].data, c.events[1].data);
  // read_trace_buffer() walks the same pages to the same events.
  TraceBuffer b = read_trace_buffer(mem, lay, tb);
  ASSERT_EQ(b.events.size(), 2u);
  EXPECT_EQ(b.events[0].ts, c.events[0].ts);
  EXPECT_EQ(b.events[1].ts, 0x10000009u);
}

}  // namespace
}  // namespace kdive
