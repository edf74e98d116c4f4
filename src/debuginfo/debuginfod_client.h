// DebuginfodClient: fetches debug files (DWARF) by GNU build ID from the servers of
// $DEBUGINFOD_URLS through elfutils' libdebuginfod, several at once, into libdebuginfod's
// cache; checks each file before handing it out (an ELF file with the build ID asked for).
//
//   DebuginfodClient dfd = DebuginfodClient::from_environment(/*show_progress=*/true);
//   if (dfd.enabled())
//     for (const DebuginfodResult& r : dfd.fetch_debuginfo({id1, id2}, {"vmlinux", "ext4"}))
//       r.path.empty() ? warn(r.error) : use(r.path);
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace kdive {

struct DebuginfodResult {
  std::string build_id;
  std::string path;        // the checked file in the cache; "" on failure
  std::string error;       // when path is "": what went wrong, ready for a user (see below)
  bool from_cache = false; // answered from the cache, without asking a server
};

class DebuginfodClient {
 public:
  // Configured from the environment, as libdebuginfod itself is (it reads these at each
  // query; there is no API to pass them):
  //   DEBUGINFOD_URLS        space-separated server URLs; unset or blank: enabled() false
  //   DEBUGINFOD_CACHE_PATH  the cache (default ~/.cache/debuginfod_client)
  //   DEBUGINFOD_TIMEOUT     seconds without progress after which a fetch is given up
  //                          (default here kDefaultTimeout, not libdebuginfod's 90 s, so an
  //                          unreachable server cannot hold kdive up for minutes)
  // With `show_progress` and `progress_fd` a terminal, a download shows a progress line
  // there, and one over kLargeDownload announces its size first ("debuginfod: downloading
  // vmlinux: 562.6 MiB from http://..."); on anything but a TTY nothing is printed.
  static DebuginfodClient from_environment(bool show_progress, int progress_fd = 2);

  bool enabled() const { return !urls_.empty(); }
  const std::string& urls() const { return urls_; }
  const std::string& cache_path() const { return cache_path_; }
  std::chrono::seconds timeout() const { return timeout_; }

  // Fetches the debuginfo file of each build ID (hex), `descriptions[i]`
  // naming it in messages ("vmlinux", "module ext4"); up to kMaxParallel at once, each
  // on its own libdebuginfod client (a client is not thread-safe). Results are in the
  // order of `build_ids`. Never throws for a failed fetch; errors read
  //   "vmlinux (build ID 7c1d…): debuginfod: <reason>"
  // where <reason> is one of
  //   "cannot connect to <urls>: Connection refused (is the server up?)"
  //   "not found on <urls>"
  //   "not found (libdebuginfod remembers a miss for 10 minutes: see
  //    <cache>/cache_miss_s)"
  //   "no answer from <urls> within <n> s (DEBUGINFOD_TIMEOUT)"
  //   "<url> sent a file that is not an ELF file; removed it from the cache"
  //   "<url> sent a file with build ID <other>, not <id>; removed it from the cache"
  //   "<url> sent a file without DWARF debug info (.debug_info)"
  //   "the cache held a file that is ..." (the same checks, for a file some other
  //     program left in the cache)
  //   "<urls>: <strerror>" for anything else.
  // Without enabled(), every result is an error saying DEBUGINFOD_URLS is not set.
  std::vector<DebuginfodResult> fetch_debuginfo(const std::vector<std::string>& build_ids,
                                                const std::vector<std::string>& descriptions) const;

  static constexpr std::chrono::seconds kDefaultTimeout{30};
  static constexpr unsigned kMaxParallel = 4;
  static constexpr long kLargeDownload = 8L << 20;

 private:
  DebuginfodClient() = default;

  std::string urls_;
  std::string cache_path_;
  std::chrono::seconds timeout_ = kDefaultTimeout;
  bool show_progress_ = false;
  int progress_fd_ = 2;
};

}  // namespace kdive
