// Report finding and field extraction on the seeds' real reports (001: a NULL
// dereference in dmesg with timestamps; 002: a KASAN general protection fault without
// timestamps), on reports built here (KASAN use-after-free, KASAN null-ptr-deref
// GPF, interleaved callers), and on malformed input.
#include "oops/report_parser.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "oops/console_line.h"
#include "oops/report_json.h"

namespace kdive {
namespace {

namespace fs = std::filesystem;

fs::path shared_dir() {
  if (const char* shared = std::getenv("KDIVE_SHARED_DIR")) return shared;
  if (const char* src = std::getenv("KDIVE_SOURCE_DIR")) return fs::path(src) / "../shared";
  return fs::path(__FILE__).parent_path() / "../../../../shared";
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path seed(const char* prefix) {
  for (const auto& e : fs::directory_iterator(shared_dir() / "seeds")) {
    if (e.path().filename().string().rfind(prefix, 0) == 0) return e.path();
  }
  return {};
}

// Seed 001 is stored as one line (its whitespace collapsed); cut out the dmesg and
// break it before every "[ NN.NNNNNN]" timestamp again.
std::string seed001_dmesg() {
  std::string all = read_file(seed("001_"));
  size_t b = all.find("[ 18.051123] BUG:");
  size_t e = all.find("[ 18.069097] CR2: 00000000000006fc");
  EXPECT_NE(b, std::string::npos);
  EXPECT_NE(e, std::string::npos);
  std::string excerpt = all.substr(b, e + 34 - b);
  static const std::regex kStamp(R"( (\[ [0-9]+\.[0-9]{6}\]))");
  return std::regex_replace(excerpt, kStamp, "\n$1") + "\n";
}

TEST(ReportParser, Seed001NullDereference) {
  std::string log = seed001_dmesg();
  std::vector<OopsReport> reports = find_reports(log);
  ASSERT_EQ(reports.size(), 1u);
  const OopsReport& r = reports[0];
  EXPECT_EQ(r.title.title, "BUG: unable to handle kernel NULL pointer dereference in try_to_wake_up");
  EXPECT_EQ(r.title.type, "NULL-POINTER-DEREFERENCE");
  EXPECT_EQ(r.title.frame, "try_to_wake_up");
  EXPECT_FALSE(r.title.corrupted) << r.title.corrupted_reason;
  EXPECT_EQ(r.kind, ReportKind::NullDereference);
  EXPECT_EQ(r.first_line, "BUG: kernel NULL pointer dereference, address: 00000000000006fc");
  EXPECT_EQ(r.timestamp, "18.051123");
  ASSERT_TRUE(r.rip);
  EXPECT_EQ(r.rip->function, "_raw_spin_lock_irqsave");
  EXPECT_EQ(r.rip->offset, 0x36u);
  EXPECT_EQ(r.rip->size, 0x70u);
  EXPECT_FALSE(r.rip->address);
  EXPECT_EQ(r.registers.at("RDI"), 0x6fcu);
  EXPECT_EQ(r.registers.at("R14"), 0x6fcu);
  EXPECT_EQ(r.registers.at("RSP"), 0xffffc900011abcd0u);  // the kernel dump, not the user one
  EXPECT_EQ(r.registers.at("EFLAGS"), 0x10046u);
  EXPECT_EQ(r.registers.at("GS"), 0xffff888005a00000u);
  ASSERT_TRUE(r.cr2);
  EXPECT_EQ(*r.cr2, 0x6fcu);
  EXPECT_EQ(r.access.type, MemoryAccess::Type::Write);
  ASSERT_TRUE(r.access.address);
  EXPECT_EQ(*r.access.address, 0x6fcu);
  ASSERT_TRUE(r.access.error_code);
  EXPECT_EQ(*r.access.error_code, 2u);
  EXPECT_EQ(r.access.detail, "not-present page");
  EXPECT_EQ(r.cpu, 0);
  EXPECT_EQ(r.pid, 906);
  EXPECT_EQ(r.comm, "fio");
  EXPECT_EQ(r.kernel_release, "6.11.0");
  EXPECT_FALSE(r.tainted);
  EXPECT_EQ(r.hardware, "QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.3-3.fc41 04/01/2014");
  // The kernel Code: line (the page shows it without its trap marker) is preferred
  // over the later user-mode one.
  ASSERT_TRUE(r.code);
  EXPECT_FALSE(r.code->user);
  ASSERT_EQ(r.code->bytes.size(), 63u);
  EXPECT_EQ(r.code->bytes[0], 0x04);
  EXPECT_EQ(r.code->bytes[62], 0x17);
  EXPECT_FALSE(r.code->trap_offset);
  ASSERT_EQ(r.frames.size(), 23u);
  EXPECT_EQ(r.frames[0].location.function, "__die_body");
  EXPECT_FALSE(r.frames[0].reliable);
  EXPECT_EQ(r.frames[5].location.function, "_raw_spin_lock_irqsave");
  EXPECT_FALSE(r.frames[5].reliable);
  EXPECT_EQ(r.frames[6].location.function, "try_to_wake_up");
  EXPECT_TRUE(r.frames[6].reliable);
  EXPECT_EQ(r.frames[6].location.offset, 0x3eu);
  EXPECT_EQ(r.frames[6].location.size, 0x400u);
  EXPECT_EQ(r.frames[22].location.function, "asm_common_interrupt");
  for (const auto& f : r.frames) EXPECT_EQ(f.section, StackSection::Task);
}

// The report as the page shows it (lines 8-47 of the seed: from the header to "RSP <...>").
std::string seed002_report() {
  std::istringstream in(read_file(seed("002_")));
  std::string line, out;
  for (int n = 1; std::getline(in, line) && n <= 47; ++n) {
    if (n >= 8) out += line + "\n";
  }
  return out;
}

TEST(ReportParser, Seed002KasanGeneralProtectionFault) {
  std::vector<OopsReport> reports = find_reports(seed002_report());
  ASSERT_EQ(reports.size(), 1u);
  const OopsReport& r = reports[0];
  // syzkaller never blames a frame whose name contains "dev_info" (dev_info() is a
  // printk wrapper), so the title names the first caller instead.
  EXPECT_EQ(r.title.title, "general protection fault in __filemap_fdatawrite_range");
  EXPECT_EQ(r.title.type, "DoS");
  EXPECT_EQ(r.title.frame, "__filemap_fdatawrite_range");
  EXPECT_FALSE(r.title.corrupted) << r.title.corrupted_reason;
  EXPECT_EQ(r.kind, ReportKind::GeneralProtection);
  EXPECT_EQ(r.first_line, "general protection fault: 0000 [#1] PREEMPT SMP KASAN");
  ASSERT_TRUE(r.rip);
  EXPECT_EQ(r.rip->function, "blk_get_backing_dev_info");
  EXPECT_EQ(r.rip->address, 0xffffffff81f04b7au);
  EXPECT_EQ(r.rip->offset, 0x4au);
  EXPECT_EQ(r.rip->size, 0x70u);
  EXPECT_EQ(r.registers.at("RAX"), 0xdffffc0000000000u);
  EXPECT_EQ(r.registers.at("RDX"), 0x97u);
  EXPECT_EQ(r.registers.at("RDI"), 0x4b8u);
  EXPECT_EQ(r.registers.at("DR7"), 0x600u);
  EXPECT_EQ(r.cr2, 0x200047c8u);
  EXPECT_EQ(r.cpu, 0);
  EXPECT_EQ(r.pid, 11941);
  EXPECT_EQ(r.comm, "syz-executor");
  EXPECT_EQ(r.kernel_release, "4.8.0-rc2+");
  ASSERT_TRUE(r.code);
  ASSERT_TRUE(r.code->trap_offset);
  EXPECT_EQ(*r.code->trap_offset, 43u);
  EXPECT_EQ(r.code->bytes[43], 0x80);
  EXPECT_EQ(r.code->bytes.size(), 64u);
  ASSERT_EQ(r.frames.size(), 15u);
  EXPECT_EQ(r.frames[0].location.function, "__filemap_fdatawrite_range");
  EXPECT_EQ(r.frames[0].location.address, 0xffffffff81508daau);
  EXPECT_TRUE(r.frames[0].reliable);
  EXPECT_EQ(r.frames[1].location.function, "filemap_check_errors");
  EXPECT_FALSE(r.frames[1].reliable);
  EXPECT_EQ(r.frames[14].location.function, "entry_SYSCALL64_slow_path");
}

TEST(ReportParser, Seed002WholePageHasTwoReports) {
  std::vector<OopsReport> reports = find_reports(read_file(seed("002_")));
  ASSERT_EQ(reports.size(), 2u);
  // The prose after the first report ("... in the backtrace:") is a stack-trace header
  // with no frames after it: as for syzkaller, that marks the report corrupted.
  EXPECT_TRUE(reports[0].title.corrupted);
  EXPECT_EQ(reports[0].title.corrupted_reason, "no frames in a stack trace");
  EXPECT_EQ(reports[1].title.title, "general protection fault in wbc_attach_and_unlock_inode");
  EXPECT_EQ(reports[1].pid, 1333);
  EXPECT_EQ(reports[1].rip->address, 0xffffffff8170654du);
}

const char* kKasanUaf =
    "[   40.100000][ T5021] ==================================================================\n"
    "[   40.100001][ T5021] BUG: KASAN: slab-use-after-free in ext4_find_extent+0x9a1/0xa20 fs/ext4/extents.c:921\n"
    "[   40.100002][ T5021] Read of size 4 at addr ffff88807c1c6d0c by task syz-executor.2/5021\n"
    "[   40.100003][   T77] some other task's line\n"
    "[   40.100004][ T5021] \n"
    "[   40.100005][ T5021] CPU: 1 PID: 5021 Comm: syz-executor.2 Tainted: G        W          6.5.0-syzkaller #0\n"
    "[   40.100006][ T5021] Call Trace:\n"
    "[   40.100007][ T5021]  <TASK>\n"
    "[   40.100008][ T5021]  __dump_stack lib/dump_stack.c:88 [inline]\n"
    "[   40.100009][ T5021]  dump_stack_lvl+0x125/0x1b0 lib/dump_stack.c:106\n"
    "[   40.100010][ T5021]  print_report+0xc4/0x620 mm/kasan/report.c:475\n"
    "[   40.100011][ T5021]  kasan_report+0xda/0x110 mm/kasan/report.c:588\n"
    "[   40.100012][ T5021]  ? ext4_find_extent+0x9a1/0xa20\n"
    "[   40.100013][ T5021]  ext4_find_extent+0x9a1/0xa20 fs/ext4/extents.c:921\n"
    "[   40.100014][ T5021]  ext4_ext_map_blocks+0x1a2/0x5b0 [ext4]\n"
    "[   40.100015][ T5021]  </TASK>\n"
    "[   40.100016][ T5021] \n"
    "[   40.100017][ T5021] Allocated by task 5020:\n"
    "[   40.100018][ T5021]  kasan_save_stack+0x33/0x50 mm/kasan/common.c:45\n"
    "[   40.100019][ T5021]  ext4_alloc_inode+0x28/0x650 fs/ext4/super.c:1321\n"
    "[   40.100020][ T5021] \n"
    "[   40.100021][ T5021] Freed by task 15:\n"
    "[   40.100022][ T5021]  kasan_save_stack+0x33/0x50 mm/kasan/common.c:45\n"
    "[   40.100023][ T5021]  i_callback+0x43/0x70 fs/inode.c:250\n"
    "[   40.100024][ T5021] \n"
    "[   40.100025][ T5021] The buggy address belongs to the object at ffff88807c1c6c80\n";

TEST(ReportParser, KasanUseAfterFreeWithCallerContext) {
  std::vector<OopsReport> reports = find_reports(kKasanUaf);
  ASSERT_EQ(reports.size(), 1u);
  const OopsReport& r = reports[0];
  EXPECT_EQ(r.title.title, "KASAN: slab-use-after-free Read in ext4_find_extent");
  EXPECT_EQ(r.title.type, "KASAN-USE-AFTER-FREE-READ");
  EXPECT_FALSE(r.title.corrupted) << r.title.corrupted_reason;
  EXPECT_EQ(r.kind, ReportKind::Kasan);
  EXPECT_EQ(r.access.type, MemoryAccess::Type::Read);
  EXPECT_EQ(r.access.size, 4u);
  EXPECT_EQ(r.access.address, 0xffff88807c1c6d0cu);
  EXPECT_EQ(r.access.detail, "slab-use-after-free");
  EXPECT_EQ(r.comm, "syz-executor.2");
  EXPECT_TRUE(r.tainted);
  EXPECT_EQ(r.taint, "G        W");
  EXPECT_EQ(r.kernel_release, "6.5.0-syzkaller");
  // The other task's line is not part of the report text.
  EXPECT_EQ(r.text.find("other task"), std::string::npos);
  ASSERT_EQ(r.frames.size(), 11u);
  EXPECT_EQ(r.frames[0].location.function, "__dump_stack");
  EXPECT_TRUE(r.frames[0].inlined);
  EXPECT_EQ(r.frames[0].source, "lib/dump_stack.c:88");
  EXPECT_EQ(r.frames[1].source, "lib/dump_stack.c:106");
  EXPECT_FALSE(r.frames[4].reliable);
  EXPECT_EQ(r.frames[6].location.module, "ext4");
  EXPECT_EQ(r.frames[6].section, StackSection::Task);
  EXPECT_EQ(r.frames[7].section, StackSection::Allocated);
  EXPECT_EQ(r.frames[7].trace, 1u);
  EXPECT_EQ(r.frames[8].location.function, "ext4_alloc_inode");
  EXPECT_EQ(r.frames[10].location.function, "i_callback");
  EXPECT_EQ(r.frames[10].section, StackSection::Freed);
  EXPECT_EQ(r.frames[10].trace, 2u);
}

TEST(ReportParser, KasanNullPtrDerefRangeAndIrqSection) {
  const char* log =
      "general protection fault, probably for non-canonical address 0xdffffc0000000002: 0000 [#1] PREEMPT SMP KASAN\n"
      "KASAN: null-ptr-deref in range [0x0000000000000010-0x0000000000000017]\n"
      "CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0 #1\n"
      "RIP: 0010:dev_map_hash_update_elem+0x6f/0x250 [bpf_mod]\n"
      "Code: 48 89 fa 48 c1 ea 03 <80> 3c 02 00\n"
      "RAX: dffffc0000000000 RBX: 0000000000000000 RCX: 0000000000000000\n"
      "Call Trace:\n"
      " <IRQ>\n"
      " handle_irq+0x10/0x20\n"
      " </IRQ>\n"
      " <TASK>\n"
      " bpf_map_update_value+0x2a/0x40\n"
      " </TASK>\n"
      "Modules linked in: bpf_mod(OE) loop\n"
      "Kernel Offset: 0x1a000000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n";
  std::vector<OopsReport> reports = find_reports(log);
  ASSERT_EQ(reports.size(), 1u);
  const OopsReport& r = reports[0];
  EXPECT_EQ(r.title.title, "general protection fault in dev_map_hash_update_elem");
  EXPECT_EQ(r.access.detail, "null-ptr-deref");
  EXPECT_EQ(r.access.range_start, 0x10u);
  EXPECT_EQ(r.access.range_end, 0x17u);
  EXPECT_EQ(r.access.address, 0x10u);
  EXPECT_EQ(r.rip->module, "bpf_mod");
  ASSERT_TRUE(r.code);
  EXPECT_EQ(r.code->trap_offset, 7u);
  ASSERT_EQ(r.frames.size(), 2u);
  EXPECT_EQ(r.frames[0].section, StackSection::Irq);
  EXPECT_EQ(r.frames[1].section, StackSection::Task);
  EXPECT_EQ(r.modules, (std::vector<std::string>{"bpf_mod", "loop"}));
  EXPECT_EQ(r.kernel_offset, 0x1a000000u);
  EXPECT_FALSE(r.kaslr_disabled);
}

TEST(ReportParser, NoReportGivesEmptyListAndJson) {
  EXPECT_TRUE(find_reports("").empty());
  EXPECT_TRUE(find_reports("hello\nworld\n[    1.0] booting\n").empty());
  EXPECT_FALSE(contains_report("nothing to see"));
  EXPECT_EQ(format_report_json({}, -1), "[]");
}

TEST(ReportParser, WarningThenPanicIsOneReport) {
  const char* log =
      "WARNING: CPU: 0 PID: 1 at net/core/dev.c:123 dev_close+0x10/0x20\n"
      "Modules linked in:\n"
      "RIP: 0010:dev_close+0x10/0x20\n"
      "Call Trace:\n"
      " foo_bar+0x1/0x2\n"
      " baz+0x3/0x4\n"
      "Kernel panic - not syncing: panic_on_warn set ...\n";
  std::vector<OopsReport> reports = find_reports(log);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].title.title, "WARNING in dev_close");
  EXPECT_EQ(reports[0].title.type, "WARNING");
  EXPECT_TRUE(reports[0].panicked);
  nlohmann::json j = nlohmann::json::parse(format_report_json(reports));
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["title"], "WARNING in dev_close");
  EXPECT_EQ(j[0]["frame"], "dev_close");
  EXPECT_EQ(j[0]["corrupted"], false);
  EXPECT_EQ(j[0]["rip"]["function"], "dev_close");
  EXPECT_EQ(j[0]["frames"].size(), 2u);
  EXPECT_EQ(j[0]["frames"][1]["function"], "baz");
}

TEST(ConsoleLine, Prefixes) {
  ConsoleLine a = ConsoleLine::parse("[   12.345678][  T123]  ? foo+0x1/0x2");
  EXPECT_EQ(a.context, "[  T123]");
  EXPECT_EQ(a.timestamp, "12.345678");
  EXPECT_EQ(a.text, " foo+0x1/0x2");
  EXPECT_TRUE(a.questionable);
  EXPECT_TRUE(a.is_task_context());
  ConsoleLine b = ConsoleLine::parse("<4>[    1.5] hello");
  EXPECT_EQ(b.context, kConsoleContext);
  EXPECT_EQ(b.text, "hello");
  ConsoleLine c = ConsoleLine::parse("syzkaller login: [   2.0][   C1] x");
  EXPECT_EQ(c.context, "[   C1]");
  EXPECT_TRUE(c.is_cpu_context());
  ConsoleLine d = ConsoleLine::parse("plain ? text");
  EXPECT_EQ(d.context, "");
  EXPECT_EQ(d.text, "plain ? text");
  EXPECT_FALSE(d.questionable);
}

// Malformed input: a clear (possibly empty or corrupted) result, never a crash or hang.
TEST(ReportParser, TruncatedMidLine) {
  std::string log = seed001_dmesg();
  // Cut inside the timestamp: no header yet.
  EXPECT_TRUE(find_reports(std::string_view(log).substr(0, 10)).empty());
  // Cut inside the header: no title format matches, so the header text is the title.
  std::vector<OopsReport> head = find_reports(std::string_view(log).substr(0, 30));
  ASSERT_EQ(head.size(), 1u);
  EXPECT_EQ(head[0].title.title, "BUG: kernel NULL");
  // Cut before the call trace: the frame cannot be extracted.
  std::vector<OopsReport> half = find_reports(std::string_view(log).substr(0, 700));
  ASSERT_EQ(half.size(), 1u);
  EXPECT_TRUE(half[0].title.corrupted);
  EXPECT_EQ(half[0].title.title, "BUG: unable to handle kernel NULL pointer dereference in corrupted");
  // Cut in the middle of a frame line.
  std::vector<OopsReport> late = find_reports(std::string_view(log).substr(0, log.find("wbt_done") + 4));
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].title.title, "BUG: unable to handle kernel NULL pointer dereference in try_to_wake_up");
  EXPECT_EQ(late[0].frames.back().location.function, "__wake_up_common_lock");
}

TEST(ReportParser, BinaryGarbageAndNoise) {
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 1 << 20; ++i) {
    x = x * 1103515245 + 12345;
    garbage.push_back(static_cast<char>(x >> 16));
  }
  std::vector<OopsReport> g = find_reports(garbage);
  (void)format_report_json(g);  // must not throw on invalid UTF-8
  // 4 MB of timestamped noise with a report in the middle and garbage around it.
  std::string noise;
  for (int i = 0; noise.size() < (4u << 20); ++i) {
    noise += "[  " + std::to_string(i) + ".000000] eth0: link is up ? maybe [<ffffffff81000000>]\n";
    if (i == 20000) noise += seed001_dmesg() + garbage.substr(0, 300) + "\n";
  }
  std::vector<OopsReport> n = find_reports(noise);
  ASSERT_GE(n.size(), 1u);
  EXPECT_EQ(n[0].title.title, "BUG: unable to handle kernel NULL pointer dereference in try_to_wake_up");
  // Very long lines (no newline for megabytes) are handled in bounded time too.
  std::string long_line(3u << 20, 'A');
  long_line += "BUG: KASAN: use-after-free in foo+0x1/0x2\n";
  std::vector<OopsReport> l = find_reports(long_line);
  ASSERT_EQ(l.size(), 1u);
}

}  // namespace
}  // namespace kdive
