#include "base/progress_line.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <regex>
#include <string>

namespace kdive {
namespace {

// What was written to the pipe so far.
std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  return out;
}

class ProgressLineTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(pipe2(fds_, O_NONBLOCK), 0);
    unsetenv("KDIVE_PROGRESS_DELAY_MS");
  }
  void TearDown() override {
    ProgressLine::disable();
    ProgressLine::set_stdout_is_terminal(false);
    close(fds_[0]);
    close(fds_[1]);
  }
  int fds_[2] = {-1, -1};
};

TEST_F(ProgressLineTest, DrawsAfterTheDelayAndErasesItself) {
  ProgressLine::enable(fds_[1], std::chrono::milliseconds(0));
  {
    ProgressLine p("indexing DWARF of vmlinux", 200, "units");
    for (int i = 0; i < 128; ++i) p.advance();
    EXPECT_EQ(p.done(), 128u);
  }
  // The first line at once (no delay); redraws (at most one per 100 ms, so how many
  // depends on the machine's speed) only at multiples of 64; erased at the end.
  std::string out = drain(fds_[0]);
  EXPECT_TRUE(std::regex_match(out, std::regex("\rkdive: indexing DWARF of vmlinux: 0/200 units \\(0%\\)\033\\[K"
                                               "(\rkdive: indexing DWARF of vmlinux: (64/200 units \\(32%\\)|"
                                               "128/200 units \\(64%\\))\033\\[K)*\r\033\\[K")))
      << out;
}

TEST_F(ProgressLineTest, UnknownTotalShowsACount) {
  ProgressLine::enable(fds_[1], std::chrono::milliseconds(0));
  { ProgressLine p("walking", 0, "objects"); }
  EXPECT_EQ(drain(fds_[0]), "\rkdive: walking: 0 objects\033[K\r\033[K");
}

TEST_F(ProgressLineTest, NothingBeforeTheDelayNorWhenDisabled) {
  ProgressLine::enable(fds_[1], std::chrono::hours(1));
  {
    ProgressLine p("slow step", 10);
    p.advance(1000);
  }
  ProgressLine::disable();
  {
    ProgressLine p("slow step", 10);
    p.advance(1000);
  }
  EXPECT_EQ(drain(fds_[0]), "");
}

TEST_F(ProgressLineTest, PrintingStepsAreSilentWhenStdoutIsTheTerminal) {
  ProgressLine::enable(fds_[1], std::chrono::milliseconds(0));
  ProgressLine::set_stdout_is_terminal(true);
  { ProgressLine p("stack traces", 5, "tasks", /*prints_to_stdout=*/true); }
  EXPECT_EQ(drain(fds_[0]), "");
  { ProgressLine p("indexing", 5, "units"); }  // a step that prints nothing still shows
  EXPECT_EQ(drain(fds_[0]), "\rkdive: indexing: 0/5 units (0%)\033[K\r\033[K");
}

TEST_F(ProgressLineTest, EnvironmentOverridesTheDelay) {
  setenv("KDIVE_PROGRESS_DELAY_MS", "0", 1);
  ProgressLine::enable(fds_[1], std::chrono::hours(1));
  { ProgressLine p("step", 2); }
  EXPECT_EQ(drain(fds_[0]), "\rkdive: step: 0/2 (0%)\033[K\r\033[K");
}

}  // namespace
}  // namespace kdive
