// ProgressLine: drawing. A line is "kdive: WHAT: DONE/TOTAL UNIT (PCT%)", written with a
// carriage return and erased with "\r\033[K" (clear to end of line), which every terminal
// kdive runs on understands; nothing is written when progress is off.
#include "base/progress_line.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

namespace kdive {
namespace {

std::atomic<int> g_fd{-1};
std::atomic<int64_t> g_delay_ms{1000};
std::atomic<bool> g_stdout_is_terminal{false};

void write_all(int fd, const std::string& s) {
  const char* p = s.data();
  size_t left = s.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) return;  // a closed or broken terminal: progress is best effort
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

void ProgressLine::enable(int fd, std::chrono::milliseconds delay) {
  int64_t ms = delay.count();
  if (const char* env = std::getenv("KDIVE_PROGRESS_DELAY_MS"); env && *env) {
    char* end = nullptr;
    long long v = std::strtoll(env, &end, 10);
    if (end && *end == '\0' && v >= 0) ms = v;
  }
  g_delay_ms.store(ms, std::memory_order_relaxed);
  g_fd.store(fd, std::memory_order_relaxed);
}

void ProgressLine::set_stdout_is_terminal(bool yes) { g_stdout_is_terminal.store(yes, std::memory_order_relaxed); }

void ProgressLine::disable() { g_fd.store(-1, std::memory_order_relaxed); }

bool ProgressLine::enabled() { return g_fd.load(std::memory_order_relaxed) >= 0; }

ProgressLine::ProgressLine(std::string what, uint64_t total, std::string unit, bool prints_to_stdout)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      silent_(prints_to_stdout && g_stdout_is_terminal.load(std::memory_order_relaxed)),
      start_(std::chrono::steady_clock::now()) {
  if (enabled() && g_delay_ms.load(std::memory_order_relaxed) == 0) draw(0);
}

ProgressLine::~ProgressLine() {
  std::lock_guard lock(draw_mutex_);
  int fd = g_fd.load(std::memory_order_relaxed);
  if (drawn_ && fd >= 0) write_all(fd, "\r\033[K");
}

void ProgressLine::advance(uint64_t n) {
  uint64_t before = done_.fetch_add(n, std::memory_order_relaxed);
  if (!enabled()) return;
  // The clock is read on the calls that cross a multiple of 64, and on every call of
  // steps counted in big strides.
  if (n < 64 && (before >> 6) == ((before + n) >> 6)) return;
  draw(before + n);
}

void ProgressLine::draw(uint64_t done) {
  using namespace std::chrono;
  if (silent_) return;
  auto now = steady_clock::now();
  if (now - start_ < milliseconds(g_delay_ms.load(std::memory_order_relaxed))) return;
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is drawing
  if (drawn_ && now - last_draw_ < milliseconds(100)) return;
  int fd = g_fd.load(std::memory_order_relaxed);
  if (fd < 0) return;
  std::string line = fmt::format("\rkdive: {}: {}", what_, done);
  if (total_) line += fmt::format("/{}", total_);
  if (!unit_.empty()) line += " " + unit_;
  if (total_) line += fmt::format(" ({}%)", std::min<uint64_t>(100, done * 100 / total_));
  line += "\033[K";
  write_all(fd, line);
  drawn_ = true;
  last_draw_ = now;
}

}  // namespace kdive
