// Crash signatures: frame-name normalisation, the generic-frame filter, and that one
// crash printed twice — another KASLR slide, other module addresses, other offsets
// from a rebuild, other timestamps and PIDs — gets one key while another crash does
// not.
#include "triage/crash_signature.h"

#include <gtest/gtest.h>

#include <string>

#include "oops/report_parser.h"

namespace kdive {
namespace {

TEST(CrashSignature, FrameNamesLoseOffsetsModulesAndCloneSuffixes) {
  EXPECT_EQ(normalize_frame_name("kdive_crash_deref+0x1a/0x30 [kdive_fixture]"), "kdive_crash_deref");
  EXPECT_EQ(normalize_frame_name(" ? blk_mq_run_hw_queue.isra.0+0x2f/0x80"), "blk_mq_run_hw_queue");
  EXPECT_EQ(normalize_frame_name("ext4_fill_super.constprop.0.cold"), "ext4_fill_super");
  EXPECT_EQ(normalize_frame_name("__schedule"), "__schedule");
  EXPECT_EQ(normalize_frame_name(""), "");
}

TEST(CrashSignature, GenericFramesRepeatsAndDepth) {
  CrashSignature s = crash_signature(
      "WARNING in foo", {"dump_stack_lvl", "panic", "_raw_spin_lock_irqsave", "foo", "foo.part.0", "bar", "baz",
                         "kmalloc_trace", "qux", "quux"});
  EXPECT_EQ(s.frames, (std::vector<std::string>{"foo", "bar", "baz", "qux"}));
  EXPECT_EQ(s.text, "WARNING in foo\nfoo\nbar\nbaz\nqux");
  ASSERT_EQ(s.key.size(), 7u + 16u);
  EXPECT_EQ(s.key.rfind("kdive1-", 0), 0u);
  // FNV-1a 64 of the text: the key is the same on every machine and run.
  EXPECT_EQ(crash_signature("", {}).key, "kdive1-cbf29ce484222325");
  EXPECT_EQ(crash_signature("WARNING in foo", {"foo", "bar", "baz", "qux", "other"}).key, s.key);
  EXPECT_NE(crash_signature("WARNING in foo", {"foo", "bar", "baz"}).key, s.key);
  EXPECT_NE(crash_signature("WARNING in bar", {"foo", "bar", "baz", "qux"}).key, s.key);
}

// A NULL dereference in a module as the kernel prints it; the parameters are what
// differs between two boots (and builds) of the same bug.
std::string oops(const std::string& ts, const std::string& base, const std::string& off, int pid,
                 const std::string& victim) {
  return "[" + ts + "] BUG: kernel NULL pointer dereference, address: 00000000000001a8\n"
         "[" + ts + "] #PF: supervisor read access in kernel mode\n"
         "[" + ts + "] #PF: error_code(0x0000) - not-present page\n"
         "[" + ts + "] PGD 0 P4D 0 \n"
         "[" + ts + "] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
         "[" + ts + "] CPU: 1 PID: " + std::to_string(pid) + " Comm: insmod Tainted: G           OE      6.1.0-57-cloud-amd64 #1  Debian 6.1.192-3\n"
         "[" + ts + "] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
         "[" + ts + "] RIP: 0010:" + victim + "+0x" + off + "/0x30 [kdive_fixture]\n"
         "[" + ts + "] Code: 48 8b 47 08 <8b> 80 a8 01 00 00 c3 cc cc cc cc 0f 1f 44 00 00 0f 1f 44 00 00 48 8b 47 08 48\n"
         "[" + ts + "] RSP: 0018:ffffc90000387c88 EFLAGS: 00010246\n"
         "[" + ts + "] RAX: 0000000000000000 RBX: ffff" + base + "2400 RCX: 0000000000000000\n"
         "[" + ts + "] Call Trace:\n"
         "[" + ts + "]  <TASK>\n"
         "[" + ts + "]  kdive_crash_middle+0x" + off + "/0x40 [kdive_fixture]\n"
         "[" + ts + "]  ? _raw_spin_lock_irqsave+0x17/0x40\n"
         "[" + ts + "]  kdive_crash_entry.isra.0+0x15/0x20 [kdive_fixture]\n"
         "[" + ts + "]  kdive_crasher_fn+0x3c/0x50 [kdive_fixture]\n"
         "[" + ts + "]  kthread+0xe8/0x110\n"
         "[" + ts + "]  ret_from_fork+0x22/0x30\n"
         "[" + ts + "]  </TASK>\n"
         "[" + ts + "] Modules linked in: kdive_fixture(OE) ext4\n"
         "[" + ts + "] CR2: 00000000000001a8\n"
         "[" + ts + "] ---[ end trace 0000000000000000 ]---\n"
         "[" + ts + "] Kernel panic - not syncing: Fatal exception\n"
         "[" + ts + "] Kernel Offset: 0x" + base + "000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff)\n";
}

CrashSignature signature_of(const std::string& text) {
  std::vector<OopsReport> reports = find_reports(text);
  EXPECT_EQ(reports.size(), 1u);
  return reports.empty() ? CrashSignature{} : crash_signature(reports[0]);
}

TEST(CrashSignature, OneCrashOneKeyAcrossBootsAndBuilds) {
  CrashSignature a = signature_of(oops("   12.345678", "88800412", "1a", 104, "kdive_crash_deref"));
  CrashSignature b = signature_of(oops("  301.000001", "9a3fc3a0", "2c", 2211, "kdive_crash_deref"));
  EXPECT_EQ(a.frames, (std::vector<std::string>{"kdive_crash_deref", "kdive_crash_middle", "kdive_crash_entry",
                                                "kdive_crasher_fn"}));
  EXPECT_EQ(a.key, b.key);
  EXPECT_NE(a.title.find("kdive_crash_deref"), std::string::npos) << a.title;
  CrashSignature other = signature_of(oops("   12.345678", "88800412", "1a", 104, "kdive_crash_other"));
  EXPECT_NE(other.key, a.key);
}

}  // namespace
}  // namespace kdive
