// Unwinding through a kretprobe's return trampoline, on every fixture kernel: the
// module's kthread kdive_kret_wait sleeps inside kdive_kretprobed_sleep, which a
// kretprobe probes, so the return address on its stack is the trampoline's
// (arch_rethook_trampoline, or kretprobe_trampoline up to 5.10). The trace must reach
// its caller through the task's kretprobe record, as the kernel's unwinder does;
// without the recovery it cannot (that is what makes the test able to fail).
#include <gtest/gtest.h>

#include <algorithm>

#include "debuginfo/debug_info.h"
#include "integration/linux/kernel_fixture.h"
#include "program/stack_trace.h"

namespace kdive {
namespace {

using nlohmann::json;

std::vector<json> kret_dumps() {
  std::vector<json> out;
  for (const json& d : testing::fixture_dumps("kernel"))
    if (d.value("format", "") == "elf-paging") out.push_back(d);
  return out;
}

std::vector<std::string> names_of(const StackTrace& t) {
  std::vector<std::string> out;
  for (const StackFrame& f : t.frames()) out.push_back(f.name());
  return out;
}

class ReturnTrampolineFixture : public ::testing::TestWithParam<json> {};

TEST(ReturnTrampolineFixtures, ManifestHasDumps) { ASSERT_FALSE(kret_dumps().empty()); }

TEST_P(ReturnTrampolineFixture, SleeperInsideAKretprobedFunctionReachesItsCaller) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  if (!o.truth.contains("kret_wait")) GTEST_SKIP() << "fixture without the kretprobed sleeper";
  const json& want = o.truth["kret_wait"];
  StackTraceEngine engine(*o.program);
  ThreadRef th = engine.thread(want["pid"].get<int64_t>());
  ASSERT_EQ(th.comm, want["comm"]);
  ASSERT_LT(th.cpu, 0) << "the sleeper is not asleep";

  StackTrace t = engine.stack_trace(th);
  std::vector<std::string> names = names_of(t);
  auto sleep = std::find(names.begin(), names.end(), "kdive_kretprobed_sleep");
  ASSERT_NE(sleep, names.end()) << t.format();
  ASSERT_NE(sleep + 1, names.end()) << t.format();
  EXPECT_EQ(*(sleep + 1), "kdive_kret_thread_fn") << t.format();
  // The end of a kthread's stack: ret_from_fork or (6.6+) ret_from_fork_asm, assembly
  // named by its ELF symbol.
  ASSERT_TRUE(t.frames().back().symbol().has_value()) << t.format();
  EXPECT_TRUE(t.frames().back().symbol()->name.starts_with("ret_from_fork")) << t.format();
  EXPECT_EQ(t.end_reason(), "") << t.format();

  // The recovered frame's PC is the return address into kdive_kret_thread_fn, not the
  // trampoline: no frame is at the kretprobe trampoline.
  std::vector<uint64_t> trampolines;
  for (const char* name : {"arch_rethook_trampoline", "__kretprobe_trampoline", "kretprobe_trampoline"})
    for (const std::unique_ptr<DebugModule>& m : o.program->debug_info().modules())
      for (const Symbol& s : m->symbols().lookup(name)) trampolines.push_back(s.address);
  ASSERT_FALSE(trampolines.empty());
  for (const StackFrame& f : t.frames())
    EXPECT_EQ(std::count(trampolines.begin(), trampolines.end(), f.pc()), 0) << t.format();

  // Without the task's records the trace stops at (or wanders from) the trampoline.
  StackTrace raw = build_stack_trace(engine.context(), engine.initial_registers(th), true, /*exact_pc=*/false);
  std::vector<std::string> raw_names = names_of(raw);
  EXPECT_EQ(std::count(raw_names.begin(), raw_names.end(), "kdive_kret_thread_fn"), 0) << raw.format();
  bool at_trampoline = false;
  for (const StackFrame& f : raw.frames())
    at_trampoline |= std::count(trampolines.begin(), trampolines.end(), f.pc()) > 0;
  EXPECT_TRUE(at_trampoline) << raw.format();
}

INSTANTIATE_TEST_SUITE_P(ElfDumps, ReturnTrampolineFixture, ::testing::ValuesIn(kret_dumps()),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
