// Program::open_live_process on a real running process: a program compiled in the test
// sets its globals, says so on a pipe and waits; kdive reads them through /proc/PID/mem.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kdive/error.h"
#include "object/object_formatter.h"
#include "program/program.h"
#include "unit/debuginfo/compiled_program.h"

namespace kdive {
namespace {

const char* kSource = R"(
#include <unistd.h>
int g_live = 4242;
const char *g_msg = "live and well";
struct pt { int x, y; } g_pt = {3, -4};
int main(void) {
  g_live++;
  g_pt.y = -5;
  write(1, "r", 1);
  for (;;) pause();
}
)";

TEST(LiveProcess, GlobalsOfARunningProcess) {
  testing::CompiledProgram prog(kSource, "-g -O0");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    dup2(fds[1], 1);
    execl(prog.path().c_str(), prog.path().c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  char ready = 0;
  ASSERT_EQ(read(fds[0], &ready, 1), 1);
  close(fds[0]);
  {
    auto live = Program::open_live_process(pid, ProgramOptions{});  // debug info from /proc/PID/exe
    EXPECT_FALSE(live->has_core());
    EXPECT_EQ(live->find_object("g_live")->as_signed(), 4243);
    EXPECT_EQ(format_object(*live->find_object("g_pt")), "(struct pt){\n\t.x = (int)3,\n\t.y = (int)-5,\n}");
    std::string msg = format_object(*live->find_object("g_msg"));
    EXPECT_NE(msg.find("= \"live and well\""), std::string::npos) << msg;
    EXPECT_THROW(live->core(), UsageError);
    EXPECT_THROW(live->memory().read(8, &ready, 1), FaultError);  // page 0 is not mapped
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_THROW(Program::open_live_process(pid, ProgramOptions{}), Error);  // gone now
}

}  // namespace
}  // namespace kdive
