// System summary (system_info.h).
#include "linux/system_info.h"

#include <ctime>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
#include "linux/printk.h"
#include "linux/tasks.h"
#include "program/program.h"

namespace kdive {

namespace {

std::optional<Object> global(Program& p, std::string_view name) {
  try {
    return p.find_object(name);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// Reads `expr` of a global, or nullopt when any part is missing.
template <typename F>
auto try_read(F f) -> std::optional<decltype(f())> {
  try {
    return f();
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

std::string taint_name(unsigned bit) {
  // include/linux/panic.h, TAINT_* in bit order.
  static const char* const kNames[] = {
      "PROPRIETARY_MODULE", "FORCED_MODULE", "CPU_OUT_OF_SPEC", "FORCED_RMMOD", "MACHINE_CHECK",
      "BAD_PAGE", "USER", "DIE", "OVERRIDDEN_ACPI_TABLE", "WARN", "CRAP", "FIRMWARE_WORKAROUND",
      "OOT_MODULE", "UNSIGNED_MODULE", "SOFTLOCKUP", "LIVEPATCH", "AUX", "RANDSTRUCT", "TEST"};
  return bit < std::size(kNames) ? kNames[bit] : "";
}

std::string format_uptime(uint64_t ns) {
  uint64_t s = ns / 1000000000;
  uint64_t days = s / 86400;
  std::string hms = fmt::format("{:02}:{:02}:{:02}", s % 86400 / 3600, s % 3600 / 60, s % 60);
  if (days) return fmt::format("{} day{}, {}", days, days == 1 ? "" : "s", hms);
  return hms;
}

SystemInfo system_info(Program& program) {
  SystemInfo info;
  info.release = program.kernel_release();
  if (auto uts = global(program, "init_uts_ns")) {
    auto field = [&](const char* m) {
      return try_read([&] { return uts->member("name").member(m).read_c_string(65); }).value_or("");
    };
    if (std::string r = field("release"); !r.empty()) info.release = r;
    info.version = field("version");
    info.machine = field("machine");
    info.nodename = field("nodename");
  }
  info.cpus_online = try_read([&] { return online_cpus(program).size(); }).value_or(0);
  info.cpus_possible = try_read([&] { return possible_cpus(program).size(); }).value_or(0);
  info.cpus_present = try_read([&] { return cpu_mask(program, "present").size(); }).value_or(0);
  if (const Vmcoreinfo* vi = program.vmcoreinfo()) info.page_size = vi->page_size().value_or(4096);
  if (auto t = global(program, "_totalram_pages")) {
    info.total_ram_pages = try_read([&] { return t->member("counter").as_unsigned(); }).value_or(0);
  } else if (auto t2 = global(program, "totalram_pages")) {
    info.total_ram_pages = try_read([&] { return t2->as_unsigned(); }).value_or(0);
  }
  // The core timekeeper: tk_core, or timekeeper_data[TIMEKEEPER_CORE = 0] since the
  // auxiliary clocks made it an array of struct tk_data (6.17).
  std::optional<Object> tk = global(program, "tk_core");
  if (!tk) {
    if (auto data = global(program, "timekeeper_data")) tk = try_read([&] { return data->subscript(0); });
  }
  if (tk) {
    info.uptime_ns = try_read([&] {
      Object k = tk->member("timekeeper");
      int64_t mono = k.member("tkr_mono").member("base").as_signed();
      int64_t boot = k.member("offs_boot").as_signed();
      return static_cast<uint64_t>(mono + boot);
    });
    info.date = try_read([&] { return tk->member("timekeeper").member("xtime_sec").as_signed(); });
  }
  if (auto j = global(program, "jiffies_64")) info.jiffies = try_read([&] { return j->as_unsigned(); });
  if (auto av = global(program, "avenrun")) {
    info.load_average = try_read([&] {
      constexpr uint64_t kFshift = 11, kFixed1 = uint64_t(1) << kFshift;
      std::string s;
      for (int i = 0; i < 3; ++i) {
        uint64_t a = av->subscript(i).as_unsigned() + kFixed1 / 200;
        s += fmt::format("{}{}.{:02}", i ? ", " : "", a >> kFshift, ((a & (kFixed1 - 1)) * 100) >> kFshift);
      }
      return s;
    });
  }
  try {
    Tasks tasks(program);
    tasks.for_each_task([&](uint64_t) {
      ++info.tasks;
      return true;
    });
  } catch (const Error&) {
  }
  try {
    info.panic_message = panic_message(read_printk_log(program).records);
  } catch (const Error&) {
  }
  if (auto tm = global(program, "tainted_mask")) {
    info.tainted_mask = try_read([&] { return tm->as_unsigned(); }).value_or(0);
    for (unsigned b = 0; b < 64; ++b)
      if (info.tainted_mask & (uint64_t(1) << b)) {
        std::string n = taint_name(b);
        info.taint_names.push_back(n.empty() ? fmt::format("bit {}", b) : n);
      }
    if (!info.tainted_mask) {
      info.taint_string = "Not tainted";
    } else if (auto flags = global(program, "taint_flags")) {
      info.taint_string = try_read([&] {
        std::string s = "Tainted: ";
        QualifiedType t = flags->underlying();
        uint64_t n = t.type->length().value_or(0);
        for (uint64_t i = 0; i < n && i < 64; ++i) {
          Object f = flags->subscript(static_cast<int64_t>(i));
          // Past TAINT_FLAGS_COUNT (an array sized from kallsyms may include the
          // padding before the next symbol): no flag has a NUL letter.
          if (f.member("c_true").as_unsigned() == 0) break;
          bool set = info.tainted_mask & (uint64_t(1) << i);
          s += static_cast<char>(f.member(set ? "c_true" : "c_false").as_unsigned());
        }
        return s;
      }).value_or("");
    }
  }
  return info;
}

std::string format_system_info(const SystemInfo& s, Program& program) {
  std::string out;
  auto line = [&](const char* key, const std::string& value) { out += fmt::format("{:>12}: {}\n", key, value); };
  for (const auto& m : program.debug_info().modules()) {
    if (m->kind() == DebugModule::Kind::Kernel) line("KERNEL", m->elf().path());
  }
  line("DUMPFILE", program.core().path());
  uint64_t cpus = s.cpus_present ? s.cpus_present : s.cpus_possible;
  line("CPUS", cpus != s.cpus_online ? fmt::format("{} ({} online)", cpus, s.cpus_online)
                                     : fmt::format("{}", cpus));
  if (s.date) {
    std::time_t t = static_cast<std::time_t>(*s.date);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S UTC %Y", &tm);
    line("DATE", buf);
  }
  if (s.uptime_ns) line("UPTIME", format_uptime(*s.uptime_ns));
  if (s.jiffies) line("JIFFIES", fmt::format("{}", *s.jiffies));
  if (s.load_average) line("LOAD AVERAGE", *s.load_average);
  line("TASKS", fmt::format("{}", s.tasks));
  if (!s.nodename.empty()) line("NODENAME", s.nodename);
  line("RELEASE", s.release);
  if (!s.version.empty()) line("VERSION", s.version);
  if (!s.machine.empty()) line("MACHINE", s.machine);
  uint64_t bytes = s.total_ram_pages * s.page_size;
  line("MEMORY", bytes >= (uint64_t(1) << 30) && bytes % (uint64_t(1) << 30) == 0
                     ? fmt::format("{} GB", bytes >> 30)
                     : fmt::format("{:.1f} MB", static_cast<double>(bytes) / (1 << 20)));
  line("PANIC", s.panic_message ? fmt::format("\"Kernel panic - not syncing: {}\"", *s.panic_message) : "");
  std::string taint = s.taint_string;
  if (!s.taint_names.empty()) {
    taint += " (";
    for (size_t i = 0; i < s.taint_names.size(); ++i) taint += (i ? ", " : "") + s.taint_names[i];
    taint += ")";
  }
  line("TAINTED", taint);
  return out;
}

}  // namespace kdive
