// ProgressLine: one self-erasing status line on stderr for a step that can take seconds
// (cold DWARF indexing, walking every slab, every stack of a big machine). Nothing is
// drawn unless progress was enabled (the CLI does so for a terminal without -q) and the
// step has run longer than the delay; then it is redrawn at most every 100 ms and erased
// when the step ends, so output on stdout is never interleaved with it.
//
//   ProgressLine progress("indexing DWARF of vmlinux", units.size(), "units");
//   for (...) { ...; progress.advance(); }      // from any thread
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace kdive {

class ProgressLine {
 public:
  // Process-wide: whether lines are drawn, on which descriptor, and after how long a
  // step shows one. Off until enabled. $KDIVE_PROGRESS_DELAY_MS overrides the delay
  // (tests use 0 to see lines on steps that are fast on their machine).
  static void enable(int fd, std::chrono::milliseconds delay = std::chrono::milliseconds(1000));
  // Whether stdout is the same terminal: steps that print as they go (bt --all,
  // slabinfo -x) show no line then, since their output is the progress.
  static void set_stdout_is_terminal(bool yes);
  static void disable();
  static bool enabled();

  // `total` 0: unknown (a count is shown without a percentage). `unit` names what is
  // counted ("units", "tasks", "slab caches"). `prints_to_stdout`: the step writes its
  // results while it runs.
  ProgressLine(std::string what, uint64_t total = 0, std::string unit = {}, bool prints_to_stdout = false);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Thread-safe; cheap when nothing is to be drawn (an atomic add and a clock read every
  // 64 calls).
  void advance(uint64_t n = 1);
  uint64_t done() const { return done_.load(std::memory_order_relaxed); }

 private:
  void draw(uint64_t done);

  std::string what_, unit_;
  uint64_t total_;
  bool silent_;  // a printing step on a terminal stdout
  std::atomic<uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex draw_mutex_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace kdive
