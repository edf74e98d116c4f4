// LockWaitFinder on every kernel fixture dump: the module's mutex and rw_semaphore
// waiters (state D) lead to their lock and to the holder thread, as truth.json says;
// the stack method alone agrees wherever the locks are not rt_mutex based, and tasks
// blocked in no lock function (the module's custom waiter, the sleepers) wait on none.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "integration/linux/kernel_fixture.h"
#include "linux/lock_wait.h"
#include "linux/tasks.h"
#include "program/stack_trace.h"

namespace kdive {
namespace {

using nlohmann::json;

std::vector<json> lock_dumps() {
  std::vector<json> out;
  for (const json& d : testing::fixture_dumps("kernel"))
    if (d.value("format", "") == "elf-paging") out.push_back(d);
  return out;
}

class LockWaitFixture : public ::testing::TestWithParam<json> {};

TEST(LockWaitFixtures, ManifestHasDumps) { ASSERT_FALSE(lock_dumps().empty()); }

TEST_P(LockWaitFixture, WaitersLeadToTheirLockAndOwner) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  const json& truth = o.truth;
  Tasks tasks(*o.program);
  StackTraceEngine engine(*o.program);
  LockWaitFinder finder(tasks);
  auto functions = [&](uint64_t task) {
    std::vector<std::string> names;
    StackTrace trace = engine.stack_trace(engine.thread_of_task(tasks.task_pointer(task)));
    for (const StackFrame& f : trace.frames()) names.push_back(f.name());
    return names;
  };
  for (const char* which : {"mutex", "rwsem"}) {
    SCOPED_TRACE(which);
    const json& want = truth["lock"][which];
    std::optional<uint64_t> task = tasks.find_task(want["waiter"]["pid"].get<uint64_t>());
    ASSERT_TRUE(task);
    EXPECT_EQ(tasks.state(*task).letter, 'D');
    std::vector<std::string> names = functions(*task);
    std::optional<LockWait> w = finder.find(*task, names);
    ASSERT_TRUE(w) << ::testing::PrintToString(names);
    EXPECT_EQ(w->kind, std::string(which) == "mutex" ? "mutex" : "rw_semaphore");
    EXPECT_EQ(w->lock, testing::hex_value(want["addr"]));
    EXPECT_EQ(w->symbol, std::string("kdive_") + which);
    EXPECT_EQ(w->owner, testing::hex_value(truth["lock"]["owner"]["task"]));
    EXPECT_FALSE(w->reader_owned);
    std::string type = std::string(which) == "mutex" ? "struct mutex" : "struct rw_semaphore";
    bool queued_on_stack = tasks.layout().has_member(type, "wait_list") || tasks.layout().has_member(type, "first_waiter");
    std::optional<LockWait> s = finder.find_on_stack(*task, names);
    if (!queued_on_stack) {
      EXPECT_FALSE(s) << "an rt_mutex based " << which << " has no waiter of that kind";
      continue;
    }
    ASSERT_TRUE(s) << "the stack method alone";
    EXPECT_EQ(s->source, "stack");
    EXPECT_EQ(s->lock, w->lock);
    EXPECT_EQ(s->owner, w->owner);
    EXPECT_EQ(s->kind, w->kind);
  }
  // Blocked, but on no lock: the custom wait queue and the sleepers' wait_event.
  std::vector<uint64_t> others{truth["waiter"]["pid"].get<uint64_t>()};
  for (const json& t : truth["thread"]) others.push_back(t["pid"].get<uint64_t>());
  for (uint64_t pid : others) {
    std::optional<uint64_t> task = tasks.find_task(pid);
    ASSERT_TRUE(task);
    EXPECT_FALSE(finder.find(*task, functions(*task))) << "pid " << pid;
  }
}

INSTANTIATE_TEST_SUITE_P(ElfDumps, LockWaitFixture, ::testing::ValuesIn(lock_dumps()), testing::fixture_test_name);

}  // namespace
}  // namespace kdive
