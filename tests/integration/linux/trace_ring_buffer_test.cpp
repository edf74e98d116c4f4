// The ftrace ring buffers of every kernel of the fixture matrix, against two ground
// truths written at fixture time:
//   - the kernel's own text of its trace buffer, which /init printed to the console
//     before the crash ("kdive init: ftrace: <line of /sys/kernel/tracing/trace>", and
//     "kdive init: ftrace[NAME]: " for instance NAME): each such line must be one of
//     kdive's records — same PID, CPU, time (µs) and text. The kernel prints %p hashed,
//     so a 16-hex-digit word on both sides matches any such word;
//   - truth.json's trace_printk lines (trace.N, thread.N.trace), which must appear in
//     that order with the CPU the console saw.
// Damaged dumps (a page ring that loops, a commit past its page, garbage pointers) must
// end in a recorded problem, not a crash or a hang.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_fixture.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "linux/trace_event_format.h"
#include "linux/trace_query.h"
#include "linux/trace_ring_buffer.h"

namespace kdive {
namespace {

struct KernelLine {
  std::string instance;  // "top" or the instance name
  std::string comm, text;
  int32_t pid = 0;
  uint32_t cpu = 0;
  uint64_t usecs = 0;
};

std::vector<KernelLine> console_trace_lines(const std::string& console_log) {
  std::vector<KernelLine> out;
  std::ifstream in(console_log);
  // "   insmod-100     [001] .....     4.327806: kdive_markers: KDIVE_TRACE constant line"
  static const std::regex line_re(R"(^kdive init: ftrace(?:\[([^\]]+)\])?: +(.+)-(\d+) +\[(\d+)\] +\S+ +(\d+)\.(\d{6}): (.*)$)");
  for (std::string l; std::getline(in, l);) {
    while (!l.empty() && (l.back() == '\r' || l.back() == '\n')) l.pop_back();
    std::smatch m;
    if (!std::regex_match(l, m, line_re)) continue;
    KernelLine k;
    k.instance = m[1].matched ? m[1].str() : "top";
    k.comm = m[2];
    k.pid = std::stoi(m[3]);
    k.cpu = static_cast<uint32_t>(std::stoul(m[4]));
    k.usecs = std::stoull(m[5]) * 1000000 + std::stoull(m[6]);
    k.text = m[7];
    out.push_back(std::move(k));
  }
  return out;
}

// The kernel's "trace" text of a record: the event name is not printed for the
// ftrace-internal records (bprint, print, ...), whose text starts with the call site.
// The function tracer's "callee <-caller" is "callee <-- caller" in trace-cmd's plugin.
std::string kernel_text(const TraceRecord& r) {
  if (r.system != "ftrace") return r.name + ": " + r.info;
  if (r.name != "function") return r.info;
  std::string s = r.info;
  if (size_t at = s.find(" <-- "); at != std::string::npos) s.replace(at, 5, " <-");
  return s;
}

bool is_hex16(const std::string& w) {
  if (w.size() != 16) return false;
  for (char c : w)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// Word-by-word equality where a kernel-hashed %p (16 hex digits) matches any 16-hex word.
bool same_text(const std::string& kernel, const std::string& ours) {
  std::istringstream a(kernel), b(ours);
  std::string x, y;
  while (true) {
    bool ha = static_cast<bool>(a >> x), hb = static_cast<bool>(b >> y);
    if (!ha || !hb) return ha == hb;
    if (x == y) continue;
    // "struct (____ptrval____):" vs "struct ffff888003a1b2c0:": the same punctuation after.
    while (!x.empty() && !y.empty() && x.back() == y.back() && (x.back() == ':' || x.back() == ',')) {
      x.pop_back();
      y.pop_back();
    }
    // "struct=0000000012345678" vs "struct=ffff888003a1b2c0"
    size_t ex = x.rfind('='), ey = y.rfind('=');
    std::string px = ex == std::string::npos ? "" : x.substr(0, ex + 1);
    std::string py = ey == std::string::npos ? "" : y.substr(0, ey + 1);
    // Before the kernel's pointer-hash key is ready, %p prints "(____ptrval____)".
    std::string kx = x.substr(px.size());
    if (px == py && (is_hex16(kx) || kx == "(____ptrval____)") && is_hex16(y.substr(py.size()))) continue;
    return false;
  }
}

class TraceFixture : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(TraceFixture, KernelTraceLinesAndTruthInOrder) {
  const nlohmann::json& d = GetParam();
  Program& program = testing::cached_program(d);
  nlohmann::json truth = testing::load_json_file(d["truth"]);
  std::vector<KernelLine> kernel = console_trace_lines(d["console_log"]);
  ASSERT_FALSE(kernel.empty()) << "no 'kdive init: ftrace:' lines in " << d["console_log"];

  std::vector<TraceInstanceResult> results = read_trace(program, TraceQuery{});
  ASSERT_FALSE(results.empty());
  EXPECT_EQ(trace_instance_label(results[0].instance), "top");
  std::map<std::string, const TraceInstanceResult*> by_name;
  for (const TraceInstanceResult& r : results) {
    by_name[trace_instance_label(r.instance)] = &r;
    EXPECT_TRUE(r.problem.empty()) << r.problem;
    for (const TraceCpuBuffer& c : r.cpus) EXPECT_TRUE(c.problems.empty()) << "CPU " << c.cpu << ": " << c.problems[0];
    // Every record is a known event whose text is printable: formatted, or raw fields.
    for (const TraceRecord& rec : r.records) {
      EXPECT_NE(rec.event, nullptr) << format_trace_line(rec);
      bool printable = true;
      for (char c : rec.info) printable &= std::isprint(static_cast<unsigned char>(c)) || c == '\n' || c == '\t';
      EXPECT_TRUE(printable) << format_trace_line(rec);
      // Fields stay readable after read_trace() returned (the records own their event).
      if (rec.event && rec.system != "ftrace") {
        EXPECT_FALSE(trace_record_fields(rec).empty()) << format_trace_line(rec);
      }
    }
  }

  // Every line the kernel printed is one of our records.
  for (const KernelLine& k : kernel) {
    ASSERT_TRUE(by_name.count(k.instance)) << "no instance " << k.instance;
    bool found = false;
    for (const TraceRecord& r : by_name[k.instance]->records) {
      if (r.pid != k.pid || r.cpu != k.cpu || (r.ts + 500) / 1000 != k.usecs) continue;
      if (same_text(k.text, kernel_text(r))) {
        found = true;
        EXPECT_EQ(r.comm, k.comm) << k.text;
        EXPECT_FALSE(r.raw) << k.text;
        break;
      }
    }
    EXPECT_TRUE(found) << k.instance << ": " << k.comm << "-" << k.pid << " [" << k.cpu << "] " << k.usecs << ": "
                       << k.text;
  }

  // truth.json's trace_printk lines, in order, each on the CPU the kernel showed it on.
  std::vector<std::string> expected;
  for (const auto& t : truth["trace"]) expected.push_back(t.get<std::string>());
  for (const auto& th : truth["thread"])
    if (th.contains("trace")) expected.push_back(th["trace"].get<std::string>());
  // /proc/kdive_trace's lines: one per CPU from a bound kthread, then the work item's.
  // trace_cpu holds "0", "1", ... and "count" (so it stays an object in truth.json).
  std::vector<nlohmann::json> trace_cpu;
  if (truth.contains("trace_cpu"))
    for (const auto& [k, v] : truth["trace_cpu"].items())
      if (v.is_object()) trace_cpu.push_back(v);
  std::sort(trace_cpu.begin(), trace_cpu.end(),
            [](const nlohmann::json& a, const nlohmann::json& b) { return a["cpu"] < b["cpu"]; });
  for (const auto& tc : trace_cpu) expected.push_back(tc["text"].get<std::string>());
  if (truth.contains("ftrace") && truth["ftrace"].contains("work_text"))
    expected.push_back(truth["ftrace"]["work_text"].get<std::string>());
  ASSERT_GE(expected.size(), 5u);
  const auto& top = by_name["top"]->records;
  size_t at = 0;
  for (const std::string& text : expected) {
    const KernelLine* k = nullptr;
    for (const KernelLine& l : kernel)
      if (l.instance == "top" && l.text.ends_with(": " + text)) k = &l;
    ASSERT_NE(k, nullptr) << "the console does not show " << text;
    bool found = false;
    for (; at < top.size(); ++at) {
      // trace_printk of a constant string is stored as bputs, with arguments as bprint.
      if ((top[at].name == "bprint" || top[at].name == "bputs") && top[at].info.ends_with(": " + text)) {
        EXPECT_EQ(top[at].cpu, k->cpu) << text;
        found = true;
        ++at;
        break;
      }
    }
    EXPECT_TRUE(found) << "not found in order: " << text;
  }
  // Each per-CPU line on its CPU, written by its kthread.
  if (!trace_cpu.empty()) {
    EXPECT_EQ(trace_cpu.size(), truth["trace_cpu"]["count"].get<size_t>());
    for (const auto& tc : trace_cpu) {
      const std::string text = tc["text"];
      size_t n = 0;
      for (const TraceRecord& r : top)
        if (r.name == "bprint" && r.info.ends_with(": " + text)) {
          ++n;
          EXPECT_EQ(r.cpu, tc["cpu"].get<uint32_t>()) << text;
          EXPECT_EQ(r.pid, tc["pid"].get<int32_t>()) << text;
          EXPECT_EQ(r.comm, tc["comm"].get<std::string>()) << text;
        }
      EXPECT_EQ(n, 1u) << text;
    }
  }
  // The function tracer's calls of the filtered functions: kdive_traced_mid from each
  // per-CPU kthread, kdive_traced_leaf from kdive_traced_mid, nothing else traced.
  if (truth.contains("ftrace") && truth["ftrace"].contains("tracer") && !trace_cpu.empty()) {
    EXPECT_EQ(truth["ftrace"]["tracer"], "function");
    size_t calls = trace_cpu.size();
    std::map<std::string, size_t> seen;
    for (const TraceRecord& r : top)
      if (r.name == "function") ++seen[r.info];
    std::map<std::string, size_t> want = {{"kdive_traced_mid <-- kdive_trace_cpu_fn", calls},
                                          {"kdive_traced_leaf <-- kdive_traced_mid", calls}};
    EXPECT_EQ(seen, want);
  }

  // The second instance and the trace_marker writes, when the fixture made them.
  if (truth.contains("ftrace") && truth["ftrace"].contains("instance")) {
    std::string name = truth["ftrace"]["instance"];
    ASSERT_TRUE(by_name.count(name)) << name;
    std::string marker = truth["ftrace"]["instance_marker"];
    bool found = false;
    for (const TraceRecord& r : by_name[name]->records) found |= r.name == "print" && r.info.ends_with(": " + marker);
    EXPECT_TRUE(found) << marker;
    // Sub-buffers of several pages (6.8+ kernels, buffer_subbuf_size_kb written by /init).
    if (truth["ftrace"].contains("instance_subbuf_kb")) {
      const nlohmann::json& v = truth["ftrace"]["instance_subbuf_kb"];
      uint64_t kb = v.is_number() ? v.get<uint64_t>() : std::stoull(v.get<std::string>());
      for (const TraceCpuBuffer& c : by_name[name]->cpus)
        if (c.pages_read) {
          EXPECT_EQ(c.subbuf_size, kb * 1024) << "CPU " << c.cpu;
        }
    }
    // The work item queued and run, as the workqueue tracepoints print its function.
    if (truth["ftrace"].contains("work_fn")) {
      std::string fn = truth["ftrace"]["work_fn"];
      size_t queued = 0, ran = 0;
      for (const TraceRecord& r : by_name[name]->records) {
        if (r.name == "workqueue_queue_work" && r.info.find("function=" + fn + " ") != std::string::npos) ++queued;
        if (r.name == "workqueue_execute_start" && r.info.ends_with("function " + fn)) ++ran;
      }
      EXPECT_EQ(queued, 1u) << fn;
      EXPECT_EQ(ran, 1u) << fn;
    }
    // --plugins: sched_switch as trace-cmd's plugin_sched_switch prints it.
    TraceQuery pq;
    pq.instance = name;
    pq.event_glob = "sched:sched_switch";
    pq.trace_cmd_plugins = true;
    std::vector<TraceInstanceResult> plugged = read_trace(program, pq);
    ASSERT_EQ(plugged.size(), 1u);
    EXPECT_FALSE(plugged[0].records.empty());
    static const std::regex switch_re(R"(^\S+:\d+ \[\d+\] [SDTtZXxWR|]+ ==> \S+:\d+ \[\d+\]$)");
    for (const TraceRecord& r : plugged[0].records) EXPECT_TRUE(std::regex_match(r.info, switch_re)) << r.info;
    std::string top_marker = truth["ftrace"]["top_marker"];
    found = false;
    for (const TraceRecord& r : top) found |= r.name == "print" && r.info.ends_with(": " + top_marker);
    EXPECT_TRUE(found) << top_marker;
  }
}

TEST_P(TraceFixture, FiltersSelectWhatTheyName) {
  Program& program = testing::cached_program(GetParam());
  std::vector<KernelLine> kernel = console_trace_lines(GetParam()["console_log"]);
  ASSERT_FALSE(kernel.empty());
  const KernelLine& k = kernel.front();
  TraceQuery q;
  q.instance = k.instance;
  q.pid = k.pid;
  q.cpu = k.cpu;
  std::vector<TraceInstanceResult> res = read_trace(program, q);
  ASSERT_EQ(res.size(), 1u);
  ASSERT_FALSE(res[0].records.empty());
  for (const TraceRecord& r : res[0].records) {
    EXPECT_EQ(r.pid, k.pid);
    EXPECT_EQ(r.cpu, k.cpu);
  }
  q = TraceQuery{};
  q.event_glob = "ftrace:bp*";
  q.grep = "KDIVE_TRACE constant line";
  res = read_trace(program, q);
  size_t n = 0;
  for (const TraceInstanceResult& r : res) n += r.records.size();
  EXPECT_EQ(n, 1u);
  q = TraceQuery{};
  q.where = "common_pid==" + std::to_string(k.pid);
  q.instance = k.instance;
  res = read_trace(program, q);
  ASSERT_EQ(res.size(), 1u);
  EXPECT_FALSE(res[0].records.empty());
  for (const TraceRecord& r : res[0].records) EXPECT_EQ(r.pid, k.pid);
  q.since = static_cast<double>(k.usecs) / 1e6 + 1000.0;
  res = read_trace(program, q);
  EXPECT_TRUE(res[0].records.empty());
  TraceQuery missing;
  missing.instance = "no-such-instance";
  EXPECT_THROW(read_trace(program, missing), UsageError);
}

// A copy of the dump whose top-instance CPU buffer has been damaged.
TEST_P(TraceFixture, DamagedBuffersEndInAProblem) {
  Program& program = testing::cached_program(GetParam());
  TraceLayout lay = TraceLayout::of(program);
  WalkStatus st;
  std::vector<TraceInstanceRef> refs = list_trace_instances(program, lay, &st);
  ASSERT_FALSE(refs.empty());
  const MemoryReader& mem = program.memory();
  KernelLayout layout(program);
  uint64_t buffers = read_u64(mem, refs[0].buffer + lay.tb_buffers);
  // The CPU with the most pages between head and commit.
  TraceBuffer clean = read_trace_buffer(mem, lay, refs[0].buffer);
  ASSERT_FALSE(clean.cpus.empty());
  uint32_t cpu = clean.cpus[0].cpu;
  for (const TraceCpuBuffer& c : clean.cpus)
    if (c.pages_read > clean.cpus[0].pages_read) cpu = c.cpu;
  uint64_t cpu_buffer = read_u64(mem, buffers + 8 * cpu);
  uint64_t head = read_u64(mem, cpu_buffer + lay.cpu_head_page);
  uint64_t commit = read_u64(mem, cpu_buffer + lay.cpu_commit_page);

  // 1. A commit page that is not on the ring (the ring then never ends at it), once
  //    with the real ring and once with the head page's list.next pointing at itself.
  for (bool self_loop : {false, true}) {
    testing::PatchedMemory loop(mem);
    loop.patch(cpu_buffer + lay.cpu_commit_page, 0xffff800000000040);
    if (self_loop) loop.patch(head + lay.bp_next, head + lay.bp_list);
    TraceBuffer b = read_trace_buffer(loop, lay, refs[0].buffer, cpu);
    ASSERT_EQ(b.cpus.size(), 1u);
    ASSERT_FALSE(b.cpus[0].problems.empty());
    EXPECT_NE(b.cpus[0].problems.back().find("did not reach commit page"), std::string::npos) << b.cpus[0].problems.back();
    EXPECT_LE(b.cpus[0].pages_read, b.cpus[0].nr_pages + 2);
  }
  // 2. The commit page's data page claims more bytes than a sub-buffer holds.
  {
    testing::PatchedMemory big(mem);
    uint64_t data_page = read_u64(mem, commit + lay.bp_page);
    big.patch(data_page + lay.dp_commit, 0x100000);
    TraceBuffer b = read_trace_buffer(big, lay, refs[0].buffer, cpu);
    ASSERT_EQ(b.cpus.size(), 1u);
    bool seen = false;
    for (const std::string& p : b.cpus[0].problems) seen |= p.find("exceeds the sub-buffer") != std::string::npos;
    EXPECT_TRUE(seen);
  }
  // 3. A garbage head page pointer.
  {
    testing::PatchedMemory bad(mem);
    bad.patch(cpu_buffer + lay.cpu_head_page, 0xdead000000000000);
    bad.patch(cpu_buffer + lay.cpu_reader_page, 0xdead000000000000);
    TraceBuffer b = read_trace_buffer(bad, lay, refs[0].buffer, cpu);
    ASSERT_EQ(b.cpus.size(), 1u);
    EXPECT_FALSE(b.cpus[0].problems.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(SysrqDumps, TraceFixture, ::testing::ValuesIn(testing::sysrq_dump_per_kernel()),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
