// `sys`: the dumped system at a glance, as crash's `sys` shows it — release, version,
// machine, node name, CPUs, memory, uptime, load average, tasks, panic message and
// taint flags. Sources, each by presence:
//   uptime:   the timekeeper (tk_core.timekeeper: tkr_mono.base + offs_boot), else
//             jiffies is reported alone;
//   date:     tk_core.timekeeper.xtime_sec (CLOCK_REALTIME at the last tick);
//   load:     avenrun[3], fixed point with FSHIFT = 11 (a macro; /proc/loadavg's
//             rounding of FIXED_1/200 is applied as the kernel does);
//   memory:   _totalram_pages (5.0+) or totalram_pages, times PAGESIZE;
//   taint:    tainted_mask, printed with the kernel's own taint_flags[] letters as
//             print_tainted() does ("G           O      "); names for the bits come
//             from include/linux/panic.h (TAINT_* are macros, not in DWARF).
//
//   SystemInfo s = system_info(program);
//   fmt::print("{}\n", format_system_info(s));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdive {

class Program;

struct SystemInfo {
  std::string release, version, machine, nodename;
  uint64_t cpus_online = 0, cpus_possible = 0, cpus_present = 0;  // after a panic only
                                                                   // the panicking CPU is online
  uint64_t page_size = 4096;
  uint64_t total_ram_pages = 0;
  std::optional<uint64_t> uptime_ns;
  std::optional<int64_t> date;  // seconds since the epoch
  std::optional<uint64_t> jiffies;
  std::optional<std::string> load_average;  // "0.00, 0.01, 0.05"
  uint64_t tasks = 0;                        // threads, idle tasks excluded
  std::optional<std::string> panic_message;
  uint64_t tainted_mask = 0;
  std::string taint_string;               // "Not tainted" or "Tainted: G  ..."
  std::vector<std::string> taint_names;   // names of the set bits
};

SystemInfo system_info(Program& program);
// crash's `sys` layout ("      KERNEL: ...").
std::string format_system_info(const SystemInfo& info, Program& program);
// "00:01:23" or "2 days, 01:02:03".
std::string format_uptime(uint64_t ns);
// The name of taint bit `bit` (TAINT_PROPRIETARY_MODULE = 0 ...), "" when unknown.
std::string taint_name(unsigned bit);

}  // namespace kdive
