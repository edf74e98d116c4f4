// Fault explanation from the report text alone (no debug file): the faulting
// instruction comes from the Code: line, the base register's value from the register
// dump. Reports are written in the test in the kernel's format.
#include <gtest/gtest.h>

#include "debuginfo/debug_info.h"
#include "oops/fault_explanation.h"
#include "oops/report_parser.h"

namespace kdive {
namespace {

std::string report_text(const std::string& code, const std::string& rax, const std::string& first) {
  return first +
         "#PF: supervisor read access in kernel mode\n"
         "#PF: error_code(0x0000) - not-present page\n"
         "PGD 0 P4D 0 \n"
         "Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
         "CPU: 0 PID: 7 Comm: kworker/0:1 Not tainted 6.1.0 #1\n"
         "RIP: 0010:foo_read+0x9/0x20\n"
         "Code: " + code + "\n"
         "RSP: 0018:ffffc90000013e58 EFLAGS: 00010246\n"
         "RAX: " + rax + " RBX: 0000000000000002 RCX: 0000000000000000\n"
         "RDX: 0000000000000000 RSI: 0000000000000002 RDI: ffff888003a1c000\n"
         "RBP: ffff888003a1c000 R08: 0000000000000000 R09: 0000000000000000\n"
         "R10: 0000000000000000 R11: 0000000000000000 R12: 0000000000000000\n"
         "R13: 0000000000000000 R14: 0000000000000000 R15: 0000000000000000\n"
         "Call Trace:\n"
         " <TASK>\n"
         " bar+0xd/0x20\n"
         " </TASK>\n";
}

TEST(FaultExplanation, NullBaseFromCodeLine) {
  auto reports = find_reports(report_text("48 8b 47 08 <8b> 80 a8 01 00 00", "0000000000000000",
                                          "BUG: kernel NULL pointer dereference, address: 00000000000001a8\n"));
  ASSERT_EQ(reports.size(), 1u);
  TypeArena arena;
  DebugInfo none(arena);
  FrameSymbolizer sym(none);
  auto e = explain_fault(reports[0], sym);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->sentence, "NULL pointer dereference: %rax is NULL; the read at offset 0x1a8 (424) faulted");
  EXPECT_EQ(e->kind, "null-pointer-dereference");
  EXPECT_EQ(e->instruction_source, "Code: line");
  EXPECT_EQ(e->base_register, "rax");
  EXPECT_EQ(*e->offset, 0x1a8u);
}

TEST(FaultExplanation, BadPointerValue) {
  auto reports = find_reports(report_text("48 8b 47 08 <8b> 80 a8 01 00 00", "dead000000000100",
                                          "general protection fault, probably for non-canonical address 0xdead0000000002a8: 0000 [#1] SMP\n"));
  ASSERT_EQ(reports.size(), 1u);
  TypeArena arena;
  DebugInfo none(arena);
  FrameSymbolizer sym(none);
  auto e = explain_fault(reports[0], sym);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, "non-canonical-address");
  EXPECT_EQ(e->sentence,
            "bad pointer: %rax is 0xdead000000000100, a non-canonical address; the read at offset 0x1a8 (424) faulted");
}

TEST(FaultExplanation, KasanShadowCheckLeadsToTheRealAccess) {
  // lea 0x498(%r13),%rdi; movabs $KASAN_SHADOW_OFFSET,%rax; mov %rdi,%rdx; shr $3,%rdx;
  // cmpb $0x0,(%rdx,%rax): the check for a read at %r13 + 0x498 with %r13 NULL.
  std::string text =
      "general protection fault: 0000 [#1] SMP KASAN\n"
      "CPU: 3 PID: 1333 Comm: sync1 Not tainted 4.8.0-rc2+ #1\n"
      "RIP: 0010:[<ffffffff8169b9ed>]  [<ffffffff8169b9ed>] wbc_attach+0x23d/0x760\n"
      "RSP: 0018:ffff880112bf7ca0  EFLAGS: 00010206\n"
      "RAX: dffffc0000000000 RBX: ffff880112bf7d10 RCX: ffff8801141147d0\n"
      "RDX: 0000000000000093 RSI: ffff8801170f8750 RDI: 0000000000000498\n"
      "RBP: ffff880112bf7cd8 R08: 0000000000000000 R09: 0000000000000000\n"
      "R10: ffff8801141147e8 R11: 0000000000000000 R12: ffff8801170f8750\n"
      "R13: 0000000000000000 R14: ffff880112bf7d38 R15: ffff880112bf7d10\n"
      "Call Trace:\n"
      " [<ffffffff8169c1f0>] sync_inodes_sb+0x100/0x200\n"
      "Code: 49 8d bd 98 04 00 00 48 b8 00 00 00 00 00 fc ff df 48 89 fa 48 c1 ea 03 <80> 3c 02 00 0f 85 83 04 00 00\n";
  auto reports = find_reports(text);
  ASSERT_EQ(reports.size(), 1u);
  TypeArena arena;
  DebugInfo none(arena);
  FrameSymbolizer sym(none);
  auto e = explain_fault(reports[0], sym);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->base_register, "r13");
  EXPECT_EQ(*e->fault_address, 0x498u);
  EXPECT_EQ(e->sentence,
            "NULL pointer dereference: %r13 is NULL; the read at offset 0x498 (1176) faulted (found by KASAN's "
            "shadow check)");
}

TEST(FaultExplanation, NoCodeNoDebugInfo) {
  auto reports = find_reports(report_text("Unable to access opcode bytes at 0xffffffffc0366fff.", "0000000000000000",
                                          "BUG: kernel NULL pointer dereference, address: 00000000000001a8\n"));
  ASSERT_EQ(reports.size(), 1u);
  TypeArena arena;
  DebugInfo none(arena);
  FrameSymbolizer sym(none);
  EXPECT_FALSE(explain_fault(reports[0], sym));
}

}  // namespace
}  // namespace kdive
