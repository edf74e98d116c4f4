#include "target/live_process_memory.h"

#include <gtest/gtest.h>

#include <cstring>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kdive/error.h"

namespace kdive {
namespace {

TEST(LiveProcessMemory, ReadsAChildsBuffer) {
  static char buffer[64] = "parent's copy";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child changes its copy (copy-on-write), then waits to be read.
    std::strcpy(buffer, "written by the child 0x1234abcd");
    char c = 'r';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  {
    LiveProcessMemory mem(child);
    char got[64] = {};
    mem.read(reinterpret_cast<uint64_t>(buffer), got, sizeof got);
    EXPECT_STREQ(got, "written by the child 0x1234abcd");
    EXPECT_STREQ(buffer, "parent's copy");
    try {
      mem.read(0x10, got, 8);
      ADD_FAILURE() << "no fault";
    } catch (const FaultError& e) {
      EXPECT_EQ(std::string(e.what()), "not mapped in process: 0x10");
    }
  }
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  try {
    LiveProcessMemory gone(child);
    ADD_FAILURE() << "opened a reaped process";
  } catch (const OsError& e) {
    EXPECT_EQ(e.path(), "/proc/" + std::to_string(child) + "/mem");
  }
}

}  // namespace
}  // namespace kdive
