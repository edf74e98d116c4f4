// DebuginfodClient over libdebuginfod (elfutils). libdebuginfod does the HTTP, the
// server fan-out and the cache; this file adds what kdive needs on top: a bounded wait
// (the progress callback cancels a fetch that makes no progress), one client per worker
// thread, a progress line shared by the parallel fetches, a check of every file before
// it is used, and error messages that say which server, which file and why.
#include "debuginfo/debuginfod_client.h"

#include <elfutils/debuginfod.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "debuginfo/debug_file_probe.h"

namespace kdive {

namespace {

using Clock = std::chrono::steady_clock;

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\n") - b + 1);
}

// libdebuginfod's own choice of cache directory (debuginfod-client.c): the variable,
// else a legacy ~/.debuginfod_client_cache when it exists, else the XDG cache.
std::string default_cache_path() {
  if (std::string p = env_or_empty("DEBUGINFOD_CACHE_PATH"); !p.empty()) return p;
  std::string home = env_or_empty("HOME");
  if (home.empty()) home = "/";
  struct stat st;
  if (std::string legacy = home + "/.debuginfod_client_cache"; ::stat(legacy.c_str(), &st) == 0) return legacy;
  std::string xdg = env_or_empty("XDG_CACHE_HOME");
  return (xdg.empty() ? home + "/.cache" : xdg) + "/debuginfod_client";
}

bool is_hex_build_id(const std::string& id) {
  if (id.empty() || id.size() % 2 != 0 || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string mib(long bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20)); }

// "http://host:port" of a query URL ("http://host:port/buildid/<id>/debuginfo").
std::string server_of(const char* url) {
  if (!url) return "";
  std::string u = url;
  if (size_t p = u.find("/buildid/"); p != std::string::npos) u.resize(p);
  return u;
}

// The progress line shared by the parallel fetches of one fetch_debuginfo() call. Only
// drawn on a terminal: "\r" redraws would litter a log file or a pipe.
class ProgressLine {
 public:
  ProgressLine(bool show, int fd, size_t slots) : shown_(show && ::isatty(fd) == 1), fd_(fd), slots_(slots) {}
  ~ProgressLine() {
    if (drawn_) put("\r\033[K");
  }

  void start(size_t slot, std::string description) {
    if (!shown_) return;
    std::lock_guard lock(mu_);
    slots_[slot] = Slot{std::move(description), 0, 0, true, false};
  }
  void update(size_t slot, long bytes, long total, const char* url) {
    if (!shown_) return;
    std::lock_guard lock(mu_);
    Slot& s = slots_[slot];
    s.bytes = bytes;
    s.total = total;
    if (total >= DebuginfodClient::kLargeDownload && !s.announced) {
      s.announced = true;
      put(fmt::format("\r\033[Kdebuginfod: downloading {}: {} from {}\n", s.description, mib(total), server_of(url)));
      drawn_ = false;
    }
    Clock::time_point now = Clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    draw();
  }
  void finish(size_t slot) {
    if (!shown_) return;
    std::lock_guard lock(mu_);
    slots_[slot].active = false;
    if (drawn_) draw();  // a cache hit draws nothing, so it has nothing to erase
  }

 private:
  struct Slot {
    std::string description;
    long bytes = 0;
    long total = 0;
    bool active = false;
    bool announced = false;
  };

  void draw() {
    std::string line = "\r\033[Kdebuginfod:";
    int shown = 0, more = 0;
    for (const Slot& s : slots_) {
      if (!s.active) continue;
      if (shown == 2) { ++more; continue; }
      line += shown++ ? ", " : " ";
      line += s.description;
      if (s.total > 0) line += fmt::format(" {:.1f}/{}", static_cast<double>(s.bytes) / (1 << 20), mib(s.total));
      else if (s.bytes > 0) line += " " + mib(s.bytes);
    }
    if (more) line += fmt::format(" (+{} more)", more);
    if (shown == 0) line = "\r\033[K";
    put(line);
    drawn_ = shown != 0;
  }
  void put(const std::string& s) {
    // Best effort: a progress line that cannot be written is not worth an error.
    ssize_t ignored = ::write(fd_, s.data(), s.size());
    (void)ignored;
  }

  bool shown_;
  int fd_;
  std::mutex mu_;
  std::vector<Slot> slots_;
  bool drawn_ = false;
  Clock::time_point last_draw_{};
};

// What the progress callback of one fetch sees and records (libdebuginfod's user data).
struct FetchState {
  ProgressLine* progress = nullptr;
  size_t slot = 0;
  std::chrono::seconds timeout{};
  Clock::time_point last_progress{};
  long last_bytes = -1;
  bool asked_server = false;  // the callback ran: the cache did not answer
  bool timed_out = false;
};

// Called about once a second while libdebuginfod waits on the servers (its
// curl_multi_wait has a 1 s limit), and as data arrives. `a` is the byte count once a
// server answers (before, a loop counter); `b` the total when the server sent
// Content-Length or X-Debuginfod-Size, else 0 or -1. Nonzero cancels the fetch.
int on_progress(debuginfod_client* client, long a, long b) {
  auto* st = static_cast<FetchState*>(debuginfod_get_user_data(client));
  if (!st) return 0;
  st->asked_server = true;
  Clock::time_point now = Clock::now();
  const char* url = debuginfod_get_url(client);
  long bytes = url ? a : 0;
  if (bytes > st->last_bytes) {
    st->last_bytes = bytes;
    st->last_progress = now;
  }
  if (now - st->last_progress >= st->timeout) {
    st->timed_out = true;
    return 1;
  }
  if (st->progress) st->progress->update(st->slot, bytes, url ? b : 0, url);
  return 0;
}

struct FetchRequest {
  const std::string* build_id;
  const std::string* description;
};

}  // namespace

DebuginfodClient DebuginfodClient::from_environment(bool show_progress, int progress_fd) {
  DebuginfodClient c;
  c.urls_ = trimmed(env_or_empty("DEBUGINFOD_URLS"));
  c.cache_path_ = default_cache_path();
  if (std::string t = env_or_empty("DEBUGINFOD_TIMEOUT"); !t.empty()) {
    long seconds = std::strtol(t.c_str(), nullptr, 10);
    if (seconds > 0) c.timeout_ = std::chrono::seconds(seconds);
  }
  c.show_progress_ = show_progress;
  c.progress_fd_ = progress_fd;
  return c;
}

std::vector<DebuginfodResult> DebuginfodClient::fetch_debuginfo(const std::vector<std::string>& build_ids,
                                                                const std::vector<std::string>& descriptions) const {
  const size_t n = build_ids.size();
  std::vector<DebuginfodResult> results(n);
  auto describe = [&](size_t i) {
    std::string what = i < descriptions.size() && !descriptions[i].empty() ? descriptions[i] : "debug file";
    return fmt::format("{} (build ID {})", what, build_ids[i]);
  };
  for (size_t i = 0; i < n; ++i) results[i].build_id = build_ids[i];
  if (!enabled()) {
    for (size_t i = 0; i < n; ++i)
      results[i].error = describe(i) + ": debuginfod: DEBUGINFOD_URLS is not set";
    return results;
  }

  ProgressLine progress(show_progress_, progress_fd_, n);

  // One fetch on a worker's own client; writes only results[i].
  auto fetch_one = [&](debuginfod_client* client, size_t i) {
    DebuginfodResult& r = results[i];
    std::string id = build_ids[i];
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string label = i < descriptions.size() && !descriptions[i].empty() ? descriptions[i] : id;
    auto fail = [&](const std::string& reason) { r.error = describe(i) + ": debuginfod: " + reason; };
    if (!is_hex_build_id(id)) {
      fail("not a build ID (expected an even number of hex digits)");
      return;
    }
    FetchState st;
    st.progress = &progress;
    st.slot = i;
    st.timeout = timeout_;
    st.last_progress = Clock::now();
    debuginfod_set_user_data(client, &st);
    progress.start(i, label);
    char* raw_path = nullptr;
    int fd = debuginfod_find_debuginfo(client, reinterpret_cast<const unsigned char*>(id.c_str()), 0, &raw_path);
    progress.finish(i);
    debuginfod_set_user_data(client, nullptr);
    std::string path = raw_path ? raw_path : "";
    std::free(raw_path);
    std::string url = server_of(debuginfod_get_url(client));
    if (url.empty()) url = urls_;

    if (fd >= 0) {
      DebugFileProbe p = probe_debug_file(fd, path);
      ::close(fd);
      // A bad file is removed: libdebuginfod would otherwise serve it from the cache
      // on every later run. (One already in the cache was put there by another program.)
      std::string sent = st.asked_server ? url + " sent a file" : "the cache held a file";
      if (!p.error.empty()) {
        ::unlink(path.c_str());
        fail(fmt::format("{} that is {}; removed it from the cache", sent,
                         p.error == "not an ELF file" ? p.error : "not a usable ELF file (" + p.error + ")"));
      } else if (p.build_id != id) {
        ::unlink(path.c_str());
        fail(fmt::format("{} with build ID {}, not {}; removed it from the cache", sent,
                         p.build_id.empty() ? "(none)" : p.build_id, id));
      } else if (!p.has_dwarf) {
        fail(fmt::format("{} without DWARF debug info (.debug_info)", sent));
      } else {
        r.path = path;
        r.from_cache = !st.asked_server;
      }
      return;
    }

    if (st.timed_out) {
      // Cancelling leaves libdebuginfod's empty "miss" marker, which would make the next
      // run report "not found" for 10 minutes without asking: a slow server is not a miss.
      std::string marker = cache_path_ + "/" + id + "/debuginfo";
      struct stat sb;
      if (::stat(marker.c_str(), &sb) == 0 && sb.st_size == 0) ::unlink(marker.c_str());
      fail(fmt::format("no answer from {} within {} s (DEBUGINFOD_TIMEOUT)", urls_, timeout_.count()));
      return;
    }
    switch (-fd) {
      case ENOENT:
        if (st.asked_server)
          fail(fmt::format("not found on {}", urls_));
        else
          fail(fmt::format("not found (libdebuginfod remembers a miss for 10 minutes: see {}/cache_miss_s)",
                           cache_path_));
        break;
      case ECONNREFUSED:
        fail(fmt::format("cannot connect to {}: {} (is the server up?)", urls_, std::strerror(ECONNREFUSED)));
        break;
      case EHOSTUNREACH:
        fail(fmt::format("cannot resolve or reach the host of {}", urls_));
        break;
      case ETIME:
        fail(fmt::format("no answer from {} within {} s (DEBUGINFOD_TIMEOUT)", urls_, timeout_.count()));
        break;
      case EFBIG:
        fail(fmt::format("{}: the file is larger than DEBUGINFOD_MAXSIZE", urls_));
        break;
      case ENOSYS:
        fail("DEBUGINFOD_URLS is not set");
        break;
      default:
        fail(fmt::format("{}: {}", urls_, std::strerror(-fd)));
        break;
    }
  };

  // Workers take the next request until none is left; each owns one client.
  std::atomic<size_t> next{0};
  auto worker = [&] {
    debuginfod_client* client = debuginfod_begin();
    if (client) debuginfod_set_progressfn(client, on_progress);
    for (size_t i = next++; i < n; i = next++) {
      if (!client) {
        results[i].error = describe(i) + ": debuginfod: cannot start a libdebuginfod client";
        continue;
      }
      fetch_one(client, i);
    }
    if (client) debuginfod_end(client);
  };
  unsigned threads = static_cast<unsigned>(std::min<size_t>(kMaxParallel, n));
  if (threads <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker);
    for (std::thread& t : pool) t.join();
  }
  return results;
}

}  // namespace kdive
