// `trace -o FILE.dat` against trace-cmd itself: for every fixture kernel (the sysrq dump
// and the oops dump), each trace instance is written as a trace.dat, `trace-cmd report
// -N` (/usr/bin/trace-cmd, 3.1.6; -N: no plugins, the events' own print fmt, which is
// kdive's default text) reads it without a word on stderr, and its events are kdive's
// format_trace_line() records: same count, same order, same comm, PID, CPU, time and
// text. A file with every instance (the others as BUFFER options) must give each
// instance's events too, prefixed with its name as trace-cmd prints buffer instances.
//
// The text is compared after these normalisations, each a difference between the
// kernel's vsprintf (which kdive follows) and libtraceevent 1.7.1's printing:
//   - leading blanks of the event text: the function event's print fmt is
//     " %ps <-- %ps", which -N prints as is; the kernel's own output has no blank;
//   - "0x" before a 16-digit hex word: libtraceevent prints %p as "0x%llx";
//   - "/0xSIZE" after "+0xOFF" and " [module]" after a module's symbol: the kernel's
//     %pS/%ps print them, libtraceevent's print_function() does not;
//   - with trace-cmd's default plugins (against kdive's --plugins), the function event
//     is plugin_function.c's: the callee alone, indented by call depth;
//   - kernel_stack: only the callers' names are compared (see compare());
//   - a bprint whose format has a %c: libtraceevent 1.7.1 cannot unpack its arguments
//     (it prints ">c<" and then garbage or "[FAILED TO PARSE]"), so only the line head
//     and the text up to the format's first conversion are compared.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "linux/trace_dat_writer.h"
#include "linux/trace_event_format.h"
#include "linux/trace_query.h"

namespace kdive {
namespace {

struct ReportLine {
  std::string comm, time, name, info;
  int32_t pid = 0;
  uint32_t cpu = 0;
};

struct Report {
  std::vector<std::string> lines;
  std::string err;
  int status = -1;
};

Report run_trace_cmd(const std::string& dat, const std::string& dir, bool plugins = false) {
  Report r;
  std::string err_path = dir + "/stderr.txt";
  std::string cmd = std::string("/usr/bin/trace-cmd report ") + (plugins ? "" : "-N ") + "'" + dat + "' 2>'" + err_path + "'";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::string out;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  r.status = ::pclose(p);
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) r.lines.push_back(l);
  std::ifstream e(err_path);
  r.err.assign(std::istreambuf_iterator<char>(e), std::istreambuf_iterator<char>());
  return r;
}

// "  comm-pid   [cpu]  secs.usecs: name:   info", as both trace-cmd and format_trace_line()
// print it; a line that is no event head continues the previous event's text.
std::vector<ReportLine> parse_events(const std::vector<std::string>& lines) {
  static const std::regex head(R"(^\s*(.*)-(\d+)\s+\[(\d{3})\]\s+(\d+\.\d{6}|\d+): ([^:\s]+):(.*)$)");
  std::vector<ReportLine> out;
  for (const std::string& l : lines) {
    std::smatch m;
    if (std::regex_match(l, m, head)) {
      ReportLine r;
      r.comm = m[1];
      r.pid = std::stoi(m[2]);
      r.cpu = static_cast<uint32_t>(std::stoul(m[3]));
      r.time = m[4];
      r.name = m[5];
      r.info = m[6];
      out.push_back(std::move(r));
    } else if (!out.empty() && !l.starts_with("cpus=")) {
      out.back().info += "\n" + l;
    }
  }
  return out;
}

std::string normalize(std::string s, const std::vector<std::string>& modules) {
  size_t b = s.find_first_not_of(' ');
  s.erase(0, b == std::string::npos ? s.size() : b);
  static const std::regex ptr(R"(0x([0-9a-f]{16})\b)"), size(R"((\+0x[0-9a-f]+)/0x[0-9a-f]+)");
  s = std::regex_replace(s, ptr, "$1");
  s = std::regex_replace(s, size, "$1");
  for (const std::string& m : modules)
    for (size_t at; (at = s.find(" [" + m + "]")) != std::string::npos;) s.erase(at, m.size() + 3);
  return s;
}

struct Compared {
  size_t events = 0, partial = 0;  // partial: bprint lines with a %c (see the header)
};

// kdive's records of one instance against trace-cmd's lines for it.
Compared compare(Program& program, const std::vector<TraceRecord>& records, const std::vector<ReportLine>& report,
                 const std::string& what, bool plugins = false) {
  Compared c;
  std::vector<std::string> modules;
  for (const LoadedKernelModule& m : program.loaded_modules()) modules.push_back(m.name);
  KernelLayout layout(program);
  const uint64_t bprint_fmt = layout.offset("struct bprint_entry", "fmt");
  EXPECT_EQ(report.size(), records.size()) << what;
  for (size_t i = 0; i < std::min(report.size(), records.size()); ++i) {
    const TraceRecord& r = records[i];
    const ReportLine& t = report[i];
    std::string line = format_trace_line(r);
    std::vector<ReportLine> ours = parse_events({line.substr(0, line.find('\n'))});
    if (ours.size() != 1) {
      ADD_FAILURE() << "not an event line: " << line;
      continue;
    }
    const ReportLine& k = ours[0];
    SCOPED_TRACE(what + " event " + std::to_string(i) + ": " + line);
    EXPECT_EQ(t.comm, k.comm);
    EXPECT_EQ(t.pid, k.pid);
    EXPECT_EQ(t.cpu, k.cpu);
    EXPECT_EQ(t.time, k.time);
    EXPECT_EQ(t.name, k.name);
    std::string ti = normalize(t.info, modules), ki = normalize(r.info, modules);
    std::string fmt;
    if (r.name == "bprint" && r.system == "ftrace" && r.data.size() >= bprint_fmt + 8) {
      uint64_t a = 0;
      for (int b = 0; b < 8; ++b) a |= uint64_t(r.data[bprint_fmt + b]) << (8 * b);
      fmt = read_c_string(program.memory(), a, 4096);
    }
    if (r.system == "ftrace" && r.name == "kernel_stack") {
      // Only the callers' names: kdive prints the kernel's "<stack trace>\n => name"
      // lines; -N prints the print fmt's eight "\t=> %ps" (beyond the stack's end
      // whatever the record holds there), plugin_function.c "=> name (address)".
      static const std::regex caller(R"(=> (\S+))");
      std::vector<std::string> kn, tn;
      for (auto it = std::sregex_iterator(ki.begin(), ki.end(), caller); it != std::sregex_iterator(); ++it)
        kn.push_back((*it)[1]);
      for (auto it = std::sregex_iterator(ti.begin(), ti.end(), caller); it != std::sregex_iterator(); ++it)
        tn.push_back((*it)[1]);
      size_t n = std::min(kn.size(), plugins ? kn.size() : size_t{8});
      EXPECT_GE(tn.size(), n) << ti;
      for (size_t j = 0; j < std::min(n, tn.size()); ++j) EXPECT_EQ(tn[j], kn[j]) << ti;
    } else if (plugins && r.system == "ftrace" && r.name == "function") {
      // plugin_function.c: the callee alone, indented by its call depth.
      EXPECT_EQ(ti, ki.substr(0, ki.find(' ')));
    } else if (fmt.find("%c") != std::string::npos && ti != ki) {
      // Only what precedes the first conversion can be asked of libtraceevent here.
      std::string literal = fmt.substr(0, fmt.find('%'));
      size_t colon = ki.find(": ");
      EXPECT_NE(colon, std::string::npos) << ki;
      if (colon == std::string::npos) colon = 0;
      std::string prefix = ki.substr(0, colon + 2) + literal;
      EXPECT_TRUE(ki.starts_with(prefix)) << ki;
      EXPECT_TRUE(ti.starts_with(prefix) || ti.starts_with("[FAILED TO PARSE]")) << ti;
      ++c.partial;
    } else {
      EXPECT_EQ(ti, ki);
    }
    ++c.events;
  }
  return c;
}

class TraceDatFixture : public ::testing::TestWithParam<nlohmann::json> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/kdive-trace-dat-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_P(TraceDatFixture, TraceCmdReportsTheSameEvents) {
  ASSERT_TRUE(std::filesystem::exists("/usr/bin/trace-cmd")) << "trace-cmd is not installed";
  Program& program = testing::cached_program(GetParam());
  std::vector<TraceInstanceResult> all = read_trace(program, TraceQuery{});
  ASSERT_FALSE(all.empty());
  size_t total = 0;
  for (const TraceInstanceResult& inst : all) {
    std::string label = trace_instance_label(inst.instance);
    std::string path = dir_ + "/" + label + ".dat";
    auto t0 = std::chrono::steady_clock::now();
    TraceDatSummary s = write_trace_dat(program, path, label);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(s.instances.size(), 1u);
    EXPECT_EQ(s.instances[0].events, inst.total_events) << label;
    EXPECT_EQ(s.bytes, std::filesystem::file_size(path));
    EXPECT_EQ(s.bytes % s.page_size, 0u);
    EXPECT_GT(s.kallsyms, 1000u);
    Report rep = run_trace_cmd(path, dir_);
    EXPECT_EQ(rep.status, 0) << rep.err;
    EXPECT_EQ(rep.err, "") << label;
    ASSERT_FALSE(rep.lines.empty());
    EXPECT_EQ(rep.lines[0], "cpus=" + std::to_string(s.cpus));
    Compared c = compare(program, inst.records, parse_events(rep.lines), label);
    total += c.events;
    std::printf("[ trace.dat ] %s %s: %zu events agree (%zu with a %%c bprint compared in part), %llu bytes, page %llu, "
                "written in %.1f ms\n",
                GetParam()["name"].get<std::string>().c_str(), label.c_str(), c.events, c.partial,
                static_cast<unsigned long long>(s.bytes), static_cast<unsigned long long>(s.page_size), ms);
  }
  EXPECT_GT(total, 0u);
}

// `trace-cmd report` with its default plugins against kdive's --plugins text
// (sched_switch/sched_wakeup as plugin_sched_switch.c prints them). The function event
// is printed by plugin_function.c, which kdive does not imitate: its callee is compared.
TEST_P(TraceDatFixture, DefaultPluginsAgreeWithPluginsOption) {
  Program& program = testing::cached_program(GetParam());
  TraceQuery q;
  q.trace_cmd_plugins = true;
  size_t total = 0;
  for (const TraceInstanceResult& inst : read_trace(program, q)) {
    std::string label = trace_instance_label(inst.instance);
    std::string path = dir_ + "/" + label + ".dat";
    write_trace_dat(program, path, label);
    Report rep = run_trace_cmd(path, dir_, /*plugins=*/true);
    EXPECT_EQ(rep.status, 0) << rep.err;
    EXPECT_EQ(rep.err, "") << label;
    total += compare(program, inst.records, parse_events(rep.lines), label + " (plugins)", /*plugins=*/true).events;
  }
  EXPECT_GT(total, 0u);
}

// One file with every instance: trace-cmd prints a further instance's events with
// "NAME: " in front and merges all buffers by time; each instance's own sequence must
// be kdive's.
TEST_P(TraceDatFixture, OneFileWithEveryInstance) {
  Program& program = testing::cached_program(GetParam());
  std::vector<TraceInstanceResult> all = read_trace(program, TraceQuery{});
  std::string path = dir_ + "/all.dat";
  TraceDatSummary s = write_trace_dat(program, path, std::nullopt);
  ASSERT_EQ(s.instances.size(), all.size());
  Report rep = run_trace_cmd(path, dir_);
  EXPECT_EQ(rep.status, 0) << rep.err;
  EXPECT_EQ(rep.err, "");
  std::map<std::string, std::vector<std::string>> by_instance;
  for (const std::string& l : rep.lines) {
    std::string owner = "top", rest = l;
    for (size_t i = 1; i < all.size(); ++i) {
      std::string name = trace_instance_label(all[i].instance);
      if (l.starts_with(name + ": ")) {
        owner = name;
        rest = l.substr(name.size() + 2);
      }
    }
    by_instance[owner].push_back(rest);
  }
  for (const TraceInstanceResult& inst : all) {
    std::string label = trace_instance_label(inst.instance);
    compare(program, inst.records, parse_events(by_instance[label]), "all.dat " + label);
  }
}

// The dump opened from itself alone (kallsyms and BTF, no vmlinux): the file's kallsyms
// come from the dump's own tables and trace-cmd must still print kdive's lines. Kernels
// before 6.0 do not list their kallsyms in VMCOREINFO and cannot be opened so.
TEST_P(TraceDatFixture, FromTheDumpAlone) {
  ProgramOptions alone;
  alone.no_debug_info = true;
  alone.use_debuginfod = false;
  std::unique_ptr<Program> program;
  try {
    program = Program::open(GetParam()["path"], alone);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no kallsyms in VMCOREINFO"), std::string::npos) << e.what();
    std::printf("[ trace.dat ] %s: not opened without debug files (no kallsyms in VMCOREINFO)\n",
                GetParam()["name"].get<std::string>().c_str());
    return;
  }
  size_t total = 0;
  for (const TraceInstanceResult& inst : read_trace(*program, TraceQuery{})) {
    std::string label = trace_instance_label(inst.instance);
    std::string path = dir_ + "/" + label + ".dat";
    TraceDatSummary s = write_trace_dat(*program, path, label);
    EXPECT_GT(s.kallsyms, 1000u);
    Report rep = run_trace_cmd(path, dir_);
    EXPECT_EQ(rep.status, 0) << rep.err;
    EXPECT_EQ(rep.err, "") << label;
    total += compare(*program, inst.records, parse_events(rep.lines), label + " (dump alone)").events;
  }
  EXPECT_GT(total, 0u);
}

TEST_P(TraceDatFixture, UnwritablePathIsAnOsErrorNamingIt) {
  Program& program = testing::cached_program(GetParam());
  std::string path = dir_ + "/no-such-dir/x.dat";
  try {
    write_trace_dat(program, path, std::string("top"));
    FAIL() << "wrote " << path;
  } catch (const OsError& e) {
    EXPECT_EQ(e.path(), path);
    EXPECT_EQ(std::string(e.what()), path + ": No such file or directory");
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/no-such-dir"));
  EXPECT_THROW(write_trace_dat(program, dir_ + "/x.dat", std::string("no-such-instance")), UsageError);
  // Nothing is left behind: no temporary file, no partial output.
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

std::vector<nlohmann::json> sysrq_and_oops_dumps() {
  std::vector<nlohmann::json> out = testing::sysrq_dump_per_kernel();
  for (const nlohmann::json& d : testing::fixture_dumps("kernel"))
    if (d.value("scenario", "") == "oops" && d.value("format", "") == "elf-paging") out.push_back(d);
  return out;
}

INSTANTIATE_TEST_SUITE_P(trace_dat, TraceDatFixture, ::testing::ValuesIn(sysrq_and_oops_dumps()),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
