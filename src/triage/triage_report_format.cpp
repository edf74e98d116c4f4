// Text and JSON renderings of a TriageReport (see triage_report_format.h).
#include "triage/triage_report_format.h"

#include <algorithm>

#include <fmt/format.h>

#include "linux/system_info.h"

namespace kdive {

namespace {

// drgn's "#N  function (file:line:col)"; without a source line, the kernel's
// "function+0x1f/0x80 [module]".
std::string frame_line(const TriageFrame& f, size_t index) {
  std::string name = f.function.empty() ? fmt::format("{:#x}", f.pc) : f.function;
  if (f.source.empty() && !f.symbol.empty()) name = f.symbol;
  std::string s = fmt::format("#{:<2} {}", index, name);
  if (!f.source.empty()) s += " (" + f.source + ")";
  if (f.inlined) s += " (inlined)";
  return s;
}

void frames_text(std::string& out, const std::vector<TriageFrame>& frames, const std::string& indent,
                 std::optional<size_t> mark = std::nullopt) {
  for (size_t i = 0; i < frames.size(); ++i)
    out += indent + frame_line(frames[i], i) + (mark && *mark == i ? "   <-- crash site" : "") + "\n";
}

std::string thread_title(const TriageThread& t) {
  std::string s = fmt::format("PID {} \"{}\"", t.pid, t.comm);
  if (t.task) s += fmt::format(" task {:#x}", t.task);
  if (t.cpu >= 0) s += fmt::format(" on CPU {}", t.cpu);
  if (t.state != '?') s += fmt::format(" state {}", t.state);
  return s;
}

std::string bytes_text(uint64_t b) {
  if (b >= (1ull << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(b) / (1ull << 30));
  if (b >= (1ull << 20)) return fmt::format("{:.1f} MiB", static_cast<double>(b) / (1ull << 20));
  return fmt::format("{} KiB", b >> 10);
}

template <typename T>
nlohmann::json optional_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json();
}

nlohmann::json frames_json(const std::vector<TriageFrame>& frames) {
  nlohmann::json a = nlohmann::json::array();
  for (const TriageFrame& f : frames)
    a.push_back({{"function", f.function}, {"symbol", f.symbol}, {"pc", fmt::format("{:#x}", f.pc)},
                 {"source", f.source}, {"inlined", f.inlined}});
  return a;
}

// "    pid 41: waits for mutex kdive_mutex (0xffffffffc0a4e040), owner 40 "kdive_lock_own" (S)",
// one line per distinct lock and owner of a group.
void lock_waits_text(std::string& out, const std::vector<TriageThread>& tasks) {
  std::vector<std::pair<std::string, std::string>> lines;  // what → pids
  for (const TriageThread& t : tasks) {
    if (!t.waits_for) continue;
    const TriageLockWait& w = *t.waits_for;
    std::string what = fmt::format("{} {}({:#x})", w.kind, w.symbol.empty() ? "" : w.symbol + " ", w.lock);
    if (!w.owner) what += ", no owner recorded";
    else
      what += fmt::format(", {} {} \"{}\" ({})", w.reader_owned ? "held for read, last reader" : "owner",
                          w.owner_pid ? std::to_string(*w.owner_pid) : "?", w.owner_comm, w.owner_state);
    auto it = std::find_if(lines.begin(), lines.end(), [&](const auto& l) { return l.first == what; });
    if (it == lines.end()) lines.emplace_back(what, std::to_string(t.pid));
    else it->second += "," + std::to_string(t.pid);
  }
  for (const auto& [what, pids] : lines) out += fmt::format("    pid {}: waits for {}\n", pids, what);
}

nlohmann::json thread_json(const TriageThread& t, bool with_frames) {
  nlohmann::json j{{"pid", t.pid}, {"comm", t.comm}, {"task", fmt::format("{:#x}", t.task)},
                   {"cpu", t.cpu >= 0 ? nlohmann::json(t.cpu) : nlohmann::json()},
                   {"state", std::string(1, t.state)}, {"last_ran_ns_ago", optional_json(t.last_ran_ns_ago)}};
  if (t.waits_for) {
    const TriageLockWait& w = *t.waits_for;
    j["waits_for"] = {{"kind", w.kind},
                      {"lock", fmt::format("{:#x}", w.lock)},
                      {"symbol", w.symbol},
                      {"owner", w.owner ? nlohmann::json(fmt::format("{:#x}", w.owner)) : nlohmann::json()},
                      {"owner_pid", optional_json(w.owner_pid)},
                      {"owner_comm", w.owner_comm},
                      {"owner_state", std::string(1, w.owner_state)},
                      {"reader_owned", w.reader_owned},
                      {"source", w.source}};
  }
  if (with_frames) {
    j["frames"] = frames_json(t.frames);
    j["stack_end"] = t.stack_end;
  }
  if (t.faulting_frame) {
    j["faulting_frame"] = *t.faulting_frame;
    nlohmann::json vars = nlohmann::json::array();
    for (const TriageVariable& v : t.variables) vars.push_back({{"name", v.name}, {"value", v.value}});
    j["variables"] = vars;
  }
  return j;
}


}  // namespace

std::string format_triage_report(const TriageReport& r) {
  std::string out;
  auto line = [&](const char* key, const std::string& value) {
    if (!value.empty()) out += fmt::format("{:>10}: {}\n", key, value);
  };
  line("KERNEL", r.release + (r.version.empty() ? "" : " " + r.version));
  line("BUILD ID", r.build_id);
  line("DEBUG INFO", r.debug_info);
  line("MACHINE", r.machine);
  line("NODE", r.nodename);
  line("CPUS", r.cpus ? std::to_string(r.cpus) : "");
  line("UPTIME", r.uptime_ns ? format_uptime(*r.uptime_ns) : "");
  line("PANIC", r.panic_message.value_or(""));
  line("TAINT", r.taint);
  const TriageCrash& c = r.crash;
  if (c.found) {
    line("CRASH", c.title);
    line("TYPE", c.kind + (c.type.empty() ? "" : " (" + c.type + ")"));
    line("RIP", c.rip);
    if (c.pid) line("TASK", fmt::format("PID {} \"{}\"{}", *c.pid, c.comm, c.cpu ? fmt::format(" on CPU {}", *c.cpu) : ""));
    line("FAULT", c.explanation);
  } else {
    line("CRASH", "no crash report in the kernel log");
  }
  line("SIGNATURE", r.signature.key);
  for (const std::string& f : r.signature.frames) out += fmt::format("{:>10}  {}\n", "", f);

  if (r.crashed) {
    out += "\nCRASHED THREAD: " + thread_title(*r.crashed) + "\n";
    frames_text(out, r.crashed->frames, "  ", r.crashed->faulting_frame);
    if (!r.crashed->stack_end.empty()) out += "  (stack ends: " + r.crashed->stack_end + ")\n";
    if (r.crashed->faulting_frame && !r.crashed->variables.empty()) {
      out += fmt::format("  variables of frame #{}:\n", *r.crashed->faulting_frame);
      for (const TriageVariable& v : r.crashed->variables) {
        std::string value = v.value;
        for (size_t p = value.find('\n'); p != std::string::npos; p = value.find('\n', p + 5)) value.replace(p, 1, "\n    ");
        out += "    " + v.name + " = " + value + "\n";
      }
    }
  }
  if (!r.running.empty()) {
    out += "\nRUNNING ON EACH CPU:\n";
    for (const TriageThread& t : r.running) {
      out += fmt::format("  CPU {}: {}\n", t.cpu, thread_title(t));
      frames_text(out, t.frames, "    ");
    }
  }
  out += fmt::format("\nBLOCKED (D state): {} task{}", r.blocked_tasks, r.blocked_tasks == 1 ? "" : "s");
  out += r.blocked.empty() ? "\n" : fmt::format(", {} distinct stack{}\n", r.blocked.size(), r.blocked.size() == 1 ? "" : "s");
  for (const TriageTaskGroup& g : r.blocked) {
    std::string who;
    for (size_t i = 0; i < g.tasks.size() && i < 8; ++i) {
      const TriageThread& t = g.tasks[i];
      who += fmt::format("{}{} \"{}\"", i ? ", " : "", t.pid, t.comm);
      if (t.last_ran_ns_ago) who += fmt::format(" (last ran {:.3f} s before)", *t.last_ran_ns_ago / 1e9);
    }
    if (g.tasks.size() > 8) who += fmt::format(", ... ({} more)", g.tasks.size() - 8);
    out += fmt::format("  {} task{}: {}\n", g.tasks.size(), g.tasks.size() == 1 ? "" : "s", who);
    lock_waits_text(out, g.tasks);
    frames_text(out, g.frames, "    ");
  }
  if (r.memory) {
    out += fmt::format("\nMEMORY: {} total", bytes_text(r.memory->total_bytes));
    if (r.memory->free_bytes) out += fmt::format(", {} free", bytes_text(*r.memory->free_bytes));
    out += "\n";
    if (!r.memory->top_caches.empty()) {
      out += fmt::format("  {:<24} {:>10} {:>10} {:>10}\n", "SLAB CACHE", "OBJECTS", "ACTIVE", "SIZE");
      for (const TriageSlabCache& s : r.memory->top_caches)
        out += fmt::format("  {:<24} {:>10} {:>10} {:>10}\n", s.name, s.objects, s.active, bytes_text(s.bytes));
    }
  }
  if (!r.warnings.empty() || !c.other_reports.empty()) {
    out += "\nWARNINGS BEFORE THE CRASH:\n";
    for (const std::string& t : c.other_reports) out += "  report: " + t + "\n";
    for (std::string w : r.warnings) {
      for (size_t p = w.find('\n'); p != std::string::npos; p = w.find('\n', p + 3)) w.replace(p, 1, "\n  ");
      out += "  " + w + "\n";
    }
  }
  if (!r.tainting_modules.empty()) {
    out += "\nMODULES THAT TAINT THE KERNEL:\n";
    for (const TriageModule& m : r.tainting_modules) {
      std::string t;
      for (const std::string& n : m.taints) t += (t.empty() ? "" : ", ") + n;
      out += fmt::format("  {}: {}\n", m.name, t);
    }
  }
  if (!r.problems.empty()) {
    out += "\nNOT AVAILABLE:\n";
    for (const auto& [section, why] : r.problems) out += "  " + section + ": " + why + "\n";
  }
  return out;
}

nlohmann::json triage_report_json(const TriageReport& r) {
  nlohmann::json j;
  j["kernel"] = {{"release", r.release}, {"version", r.version},       {"machine", r.machine}, {"debug_info", r.debug_info},
                 {"nodename", r.nodename}, {"build_id", r.build_id},   {"cpus", r.cpus},
                 {"uptime_ns", optional_json(r.uptime_ns)},            {"panic_message", optional_json(r.panic_message)},
                 {"taint", r.taint}};
  const TriageCrash& c = r.crash;
  j["crash"] = {{"found", c.found},         {"title", c.title},       {"type", c.type},
                {"kind", c.kind},           {"first_line", c.first_line}, {"timestamp", c.timestamp},
                {"panicked", c.panicked},   {"cpu", optional_json(c.cpu)}, {"pid", optional_json(c.pid)},
                {"comm", c.comm},           {"rip", c.rip},           {"explanation", c.explanation},
                {"explanation_kind", c.explanation_kind}, {"other_reports", c.other_reports}};
  j["signature"] = {{"key", r.signature.key}, {"title", r.signature.title}, {"frames", r.signature.frames}};
  j["crashed_thread"] = r.crashed ? thread_json(*r.crashed, true) : nlohmann::json();
  j["running"] = nlohmann::json::array();
  for (const TriageThread& t : r.running) j["running"].push_back(thread_json(t, true));
  j["blocked"] = {{"tasks", r.blocked_tasks}, {"groups", nlohmann::json::array()}};
  for (const TriageTaskGroup& g : r.blocked) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const TriageThread& t : g.tasks) tasks.push_back(thread_json(t, false));
    j["blocked"]["groups"].push_back({{"tasks", tasks}, {"frames", frames_json(g.frames)}});
  }
  if (r.memory) {
    nlohmann::json caches = nlohmann::json::array();
    for (const TriageSlabCache& s : r.memory->top_caches)
      caches.push_back({{"name", s.name}, {"objects", s.objects}, {"active", s.active}, {"bytes", s.bytes}});
    j["memory"] = {{"total_bytes", r.memory->total_bytes}, {"free_bytes", optional_json(r.memory->free_bytes)},
                   {"top_slab_caches", caches}};
  } else {
    j["memory"] = nullptr;
  }
  j["warnings"] = r.warnings;
  j["tainting_modules"] = nlohmann::json::array();
  for (const TriageModule& m : r.tainting_modules) j["tainting_modules"].push_back({{"name", m.name}, {"taints", m.taints}});
  j["problems"] = nlohmann::json::array();
  for (const auto& [section, why] : r.problems) j["problems"].push_back({{"section", section}, {"why", why}});
  return j;
}

}  // namespace kdive
