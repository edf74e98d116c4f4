// The `trace` command: the dump's ftrace ring buffers as `trace-cmd report` prints
// them, a thin call into src/linux/trace_query.h.
//   trace [--instance NAME] [--cpu N] [--pid N] [--comm NAME] [--event GLOB]
//         [--since SECS] [--until SECS] [--grep TEXT] [--where 'FIELD==VALUE'] [--plugins] [--json]
// Event text is the kernel's (print_fmt, as `trace-cmd report -N`); --plugins prints
// sched_switch/sched_wakeup as trace-cmd's default plugins do.
// Each instance starts with a header: its name, the CPU count, and per CPU the
// kernel's counters (entries, overrun, commit_overrun, dropped, lost) and anything
// that made kdive skip part of that CPU's buffer. --json prints one object per
// instance header and one per event.
//   trace -o FILE.dat [--instance NAME]
// writes the buffers as a trace-cmd file (trace_dat_writer.h) instead: every instance
// (global_trace as the main buffer, the others as trace-cmd buffer instances), or the
// one named. The event filters do not apply to a file and are refused with -o.
#include <cstdlib>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "linux/trace_dat_writer.h"
#include "linux/trace_query.h"

namespace kdive {

namespace {

// Words with '...' and "..." quoting, so --grep and --where take spaces.
std::vector<std::string> quoted_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i >= s.size()) break;
    std::string w;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) {
      char c = s[i++];
      if (c == '\'' || c == '"') {
        size_t end = s.find(c, i);
        if (end == std::string_view::npos) throw UsageError("trace: unterminated quote");
        w += s.substr(i, end - i);
        i = end + 1;
      } else {
        w += c;
      }
    }
    out.push_back(std::move(w));
  }
  return out;
}

int64_t parse_int(const std::string& opt, const std::string& v) {
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 0);
  if (v.empty() || !end || *end) throw UsageError(fmt::format("trace: {} expects a number, not '{}'", opt, v));
  return n;
}

double parse_seconds(const std::string& opt, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || !end || *end) throw UsageError(fmt::format("trace: {} expects seconds, not '{}'", opt, v));
  return d;
}

std::string dump_json(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

void trace_command(CommandContext& ctx, std::string_view arg) {
  if (!ctx.program.is_kernel()) throw UsageError("trace: needs a kernel dump");
  static const char* kUsage =
      "trace: options are --instance NAME, --cpu N, --pid N, --comm NAME, --event GLOB, --since SECS, "
      "--until SECS, --grep TEXT, --where 'FIELD==VALUE', --plugins, --json; or -o FILE [--instance NAME]";
  TraceQuery q;
  std::optional<std::string> output;
  bool filtered = false;
  std::vector<std::string> w = quoted_words(arg);
  for (size_t i = 0; i < w.size(); ++i) {
    const std::string& o = w[i];
    if (o == "--json") {
      ctx.json = true;
      continue;
    }
    if (o == "--plugins") {
      q.trace_cmd_plugins = true;
      filtered = true;
      continue;
    }
    if (!o.starts_with("-") || i + 1 >= w.size()) throw UsageError(kUsage);
    const std::string& v = w[++i];
    filtered |= o != "--instance" && o != "-o";
    if (o == "-o") output = v;
    else if (o == "--instance") q.instance = v;
    else if (o == "--cpu") q.cpu = static_cast<uint32_t>(parse_int(o, v));
    else if (o == "--pid") q.pid = static_cast<int32_t>(parse_int(o, v));
    else if (o == "--comm") q.comm = v;
    else if (o == "--event") q.event_glob = v;
    else if (o == "--since") q.since = parse_seconds(o, v);
    else if (o == "--until") q.until = parse_seconds(o, v);
    else if (o == "--grep") q.grep = v;
    else if (o == "--where") q.where = v;
    else throw UsageError(kUsage);
  }
  if (output) {
    if (filtered || ctx.json)
      throw UsageError("trace -o: a trace.dat holds whole buffers; only --instance NAME goes with -o");
    TraceDatSummary s = write_trace_dat(ctx.program, *output, q.instance);
    for (const TraceDatInstance& in : s.instances) {
      ctx.out << fmt::format("instance {}: {} events in {} pages (sub-buffer {} bytes)\n", in.label, in.events, in.pages,
                             in.subbuf_size);
      for (const std::string& p : in.problems) ctx.out << fmt::format("instance {}: skipped: {}\n", in.label, p);
    }
    ctx.out << fmt::format("wrote {} ({} bytes, trace-cmd format 6, page size {}, {} CPUs, {} event formats, "
                           "{} kallsyms, {} printk formats, {} cmdlines)\n",
                           s.path, s.bytes, s.page_size, s.cpus, s.event_formats, s.kallsyms, s.printk_formats, s.cmdlines);
    return;
  }
  std::vector<TraceInstanceResult> results = read_trace(ctx.program, q);
  for (const TraceInstanceResult& res : results) {
    std::string label = trace_instance_label(res.instance);
    if (ctx.json) {
      nlohmann::json cpus = nlohmann::json::array();
      for (const TraceCpuBuffer& c : res.cpus)
        cpus.push_back({{"cpu", c.cpu}, {"entries", c.entries}, {"overrun", c.overrun},
                        {"commit_overrun", c.commit_overrun}, {"dropped_events", c.dropped_events},
                        {"lost_events", c.lost_events}, {"pages", c.nr_pages}, {"subbuf_size", c.subbuf_size},
                        {"events_read", c.events_read}, {"problems", c.problems}});
      nlohmann::json h{{"instance", label}, {"trace_array", fmt::format("{:#x}", res.instance.trace_array)},
                       {"clock", res.instance.clock}, {"clock_in_ns", res.instance.clock_in_ns},
                       {"events", res.total_events}, {"shown", res.records.size()}, {"cpus", cpus}};
      if (!res.problem.empty()) h["problem"] = res.problem;
      ctx.out << dump_json(h) << "\n";
      for (const TraceRecord& r : res.records) {
        uint64_t us = (r.ts + 500) / 1000;
        nlohmann::json j{{"instance", label}, {"cpu", r.cpu}, {"ts", r.ts},
                         {"time", r.ts_in_ns ? fmt::format("{}.{:06}", us / 1000000, us % 1000000) : std::to_string(r.ts)},
                         {"comm", r.comm},
                         {"pid", r.pid}, {"system", r.system}, {"event", r.name}, {"info", r.info}, {"raw", r.raw}};
        if (r.event && r.system != "ftrace") {
          nlohmann::json fields = nlohmann::json::object();
          for (const auto& [name, value] : trace_record_fields(r)) fields[name] = value;
          j["fields"] = fields;
        }
        ctx.out << dump_json(j) << "\n";
      }
      continue;
    }
    ctx.out << fmt::format("instance: {}{}\n", label, res.instance.clock.empty() ? "" : " (clock " + res.instance.clock + ")");
    if (!res.problem.empty()) ctx.out << fmt::format("problem: {}\n", res.problem);
    ctx.out << fmt::format("cpus={}\n", res.cpus.size());
    for (const TraceCpuBuffer& c : res.cpus) {
      ctx.out << fmt::format("CPU {}: entries={} overrun={} commit_overrun={} dropped={} lost={} read={}\n", c.cpu,
                             c.entries, c.overrun, c.commit_overrun, c.dropped_events, c.lost_events, c.events_read);
      for (const std::string& p : c.problems) ctx.out << fmt::format("CPU {}: skipped: {}\n", c.cpu, p);
    }
    for (const TraceRecord& r : res.records) ctx.out << format_trace_line(r) << "\n";
  }
}

}  // namespace

void register_trace_commands(CommandTable& t) {
  add_command(t, "trace",
              "trace [--instance NAME] [--cpu N] [--pid N] [--comm NAME] [--event GLOB] [--since S] [--until S] "
              "[--grep TEXT] [--where 'FIELD==VALUE'] [--plugins] [--json] | trace -o FILE.dat [--instance NAME]",
              "the ftrace ring buffers of every trace instance, as trace-cmd report prints them (-o: as a trace.dat "
              "file for trace-cmd)",
              trace_command);
}

}  // namespace kdive
