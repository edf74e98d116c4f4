// Console formatting of printk records (as the kernel's record_print_text() prints
// them), panic message extraction, and bitmap bit reading.
#include <gtest/gtest.h>

#include "linux/cpumask.h"
#include "linux/printk.h"
#include "unit/linux/byte_buffer_memory.h"

namespace kdive {
namespace {

PrintkRecord record(uint64_t ts, std::string text, uint8_t level = 6, uint32_t caller = 42) {
  PrintkRecord r;
  r.ts_nsec = ts;
  r.text = std::move(text);
  r.level = level;
  r.caller_id = caller;
  r.has_caller_id = true;
  return r;
}

TEST(PrintkFormat, TimestampLikeTheConsole) {
  EXPECT_EQ(format_dmesg_record(record(2712350123, "hello"), {}), "[    2.712350] hello");
  EXPECT_EQ(format_dmesg_record(record(0, ""), {}), "[    0.000000] ");
  EXPECT_EQ(format_dmesg_record(record(123456789012345678, "x"), {}), "[123456789.012345] x");
}

TEST(PrintkFormat, MultiLineRecordsPrefixEveryLine) {
  EXPECT_EQ(format_dmesg_record(record(3500827000, "a\n  b\nc"), {}),
            "[    3.500827] a\n[    3.500827]   b\n[    3.500827] c");
}

TEST(PrintkFormat, CallerAndRawLevel) {
  DmesgOptions o;
  o.caller = true;
  EXPECT_EQ(format_dmesg_record(record(1000, "t"), o), "[    0.000001][   T42] t");
  EXPECT_EQ(format_dmesg_record(record(1000, "c", 6, 0x80000001u), o), "[    0.000001][    C1] c");
  DmesgOptions raw;
  raw.raw_level = true;
  raw.timestamps = false;
  PrintkRecord r = record(0, "msg", 3);
  r.facility = 0;
  EXPECT_EQ(format_dmesg_record(r, raw), "<3>msg");
}

TEST(PrintkFormat, ConsoleLevelFilter) {
  std::vector<PrintkRecord> rs{record(0, "info", 6), record(0, "debug", 7)};
  DmesgOptions o;
  o.max_level = 7;
  EXPECT_EQ(format_dmesg(rs, o), "[    0.000000] info\n");
  EXPECT_EQ(format_dmesg(rs, {}), "[    0.000000] info\n[    0.000000] debug\n");
}

TEST(PrintkFormat, PanicMessage) {
  std::vector<PrintkRecord> rs{record(0, "Kernel panic - not syncing: first"), record(0, "x"),
                               record(0, "Kernel panic - not syncing: Fatal exception"), record(0, "---[ end")};
  EXPECT_EQ(panic_message(rs), "Fatal exception");
  EXPECT_EQ(panic_message({record(0, "nothing")}), std::nullopt);
}

TEST(Bitmap, SetBits) {
  testing::ByteBufferMemory m;
  m.map(0x1000, 16);
  m.put64(0x1000, 0x8000000000000005);
  m.put64(0x1008, 0x3);
  EXPECT_EQ(bitmap_bits(m, 0x1000, 128), (std::vector<uint64_t>{0, 2, 63, 64, 65}));
  EXPECT_EQ(bitmap_bits(m, 0x1000, 65), (std::vector<uint64_t>{0, 2, 63, 64}));
  EXPECT_EQ(bitmap_bits(m, 0x1000, 3), (std::vector<uint64_t>{0, 2}));
}

}  // namespace
}  // namespace kdive
