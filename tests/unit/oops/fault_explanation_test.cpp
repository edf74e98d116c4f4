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
