// Stack traces on the real fixtures (scripts/fixtures/): on every kernel dump format
// the crashed thread is found (truth.json "crash": pid and the call chain) and its
// trace holds, in order, the reliable entries of the kernel's own oops "Call Trace:"
// (console.log); every sleeping task's frame list equals drgn 0.0.22's stacks.txt
// where drgn opens the dump and equals the elf-paging dump's where it does not; on a
// kernel drgn opens in no format (6.4+: DESIGN §4) every such trace ends where a kernel
// stack starts and equals the same task's trace in the scenario's elf-paging dump; and
// the test module's sleeping threads' arguments and locals equal truth.json. drgn is
// wrong for tasks that run on a CPU of a QEMU dump (it takes PRSTATUS pid = CPU+1 for
// a PID: DESIGN §4), so those are checked against the truth instead. User cores: each thread's frames in the
// fixture program equal gdb's (function names; lines), -O0 locals equal gdb's values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kdive/error.h"
#include "object/object_formatter.h"
#include "program/program.h"
#include "integration/fixture_manifest.h"
#include "program/stack_trace.h"
#include "types/type_layout.h"
#include "unwind/frame_variables.h"

namespace kdive {
namespace {

using json = nlohmann::json;

uint64_t hex(const json& v) { return std::stoull(v.get<std::string>(), nullptr, 16); }

std::unique_ptr<Program> open_kernel(const json& d) {
  ProgramOptions o;
  o.debug_paths.push_back(d["vmlinux"].get<std::string>());
  for (const json& m : d["modules"]) o.debug_paths.push_back(m.get<std::string>());
  return Program::open(d["path"].get<std::string>(), o);
}

// drgn's stacks.txt: "PID: N COMM: x" then frame lines, blank-line separated.
std::map<int64_t, std::vector<std::string>> read_drgn_stacks(const std::string& path) {
  std::map<int64_t, std::vector<std::string>> out;
  std::ifstream in(path);
  std::string line;
  int64_t pid = -1;
  while (std::getline(in, line)) {
    if (line.rfind("PID: ", 0) == 0) {
      pid = std::stoll(line.substr(5));
      out[pid];
    } else if (!line.empty() && pid >= 0) {
      out[pid].push_back(line);
    }
  }
  return out;
}

std::vector<std::string> lines_of(const StackTrace& t) {
  std::vector<std::string> out;
  for (const StackFrame& f : t.frames()) out.push_back(format_trace_line(f));
  return out;
}

std::vector<std::string> names_of(const StackTrace& t) {
  std::vector<std::string> out;
  for (const StackFrame& f : t.frames()) out.push_back(f.name());
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep)) out.push_back(item);
  return out;
}

// True when `needle` occurs in `hay` as a contiguous run.
std::string fmt_ptr(const std::string& type, uint64_t v) {
  char buf[64];
  snprintf(buf, sizeof buf, "0x%lx", static_cast<unsigned long>(v));
  return "(" + type + ")" + buf;
}

bool contains_run(const std::vector<std::string>& hay, const std::vector<std::string>& needle) {
  return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}

// The function names of the last "Call Trace:" block of a console log (the kernel's
// own unwinder on the crashing CPU), without the unreliable "? " entries and without
// GCC's clone suffixes (".cold", ".constprop.0"), innermost first.
std::vector<std::string> console_call_trace(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> out;
  bool in_trace = false;
  while (std::getline(in, line)) {
    size_t body = line.find("] ");
    std::string text = body == std::string::npos ? line : line.substr(body + 2);
    if (text.rfind("Call Trace:", 0) == 0) {
      out.clear();
      in_trace = true;
      continue;
    }
    if (!in_trace) continue;
    if (text.rfind(" <TASK>", 0) == 0 || text.rfind(" ? ", 0) == 0) continue;
    size_t plus = text.find('+');
    if (text.size() < 2 || text[0] != ' ' || plus == std::string::npos || text.find("/0x") == std::string::npos) {
      in_trace = false;
      continue;
    }
    std::string name = text.substr(1, plus - 1);
    out.push_back(name.substr(0, name.find('.')));
  }
  return out;
}

// True when `needle` occurs in `hay` in order (not necessarily contiguous). The kernel
// names a PC by the nearest symbol, labels included (entry_SYSCALL_64_after_hwframe);
// kdive and drgn by the sized symbol that contains it (entry_SYSCALL_64).
bool contains_in_order(const std::vector<std::string>& hay, const std::vector<std::string>& needle) {
  size_t i = 0;
  for (const std::string& h : hay)
    if (i < needle.size() && (h == needle[i] || (!h.empty() && needle[i].rfind(h + "_", 0) == 0))) ++i;
  return i == needle.size();
}

// The outermost frame of a task's kernel stack: where a kernel thread or a system call
// entered the kernel, or the user-space PC the entry's pt_regs hold.
bool ends_at_stack_start(const StackTrace& t) {
  if (t.frames().empty()) return false;
  const StackFrame& f = t.frames().back();
  if (f.pc() < 0xffff800000000000ull) return true;
  std::string name = !f.name().empty() ? f.name() : f.symbol() ? f.symbol()->name : "";
  for (const char* entry : {"ret_from_fork_asm", "ret_from_fork", "entry_SYSCALL_64_after_hwframe", "entry_SYSCALL_64"})
    if (name == entry) return true;
  return false;
}

// The dump whose traces stand in for drgn's on a kernel drgn cannot open: the same
// kernel and scenario, elf-paging when there is one, else a complete (unfiltered) one,
// else `d` itself (kdump: both captures are filtered; then only the structural checks).
json anchor_dump(const json& d) {
  json complete;
  for (const json& o : testing::fixture_dumps("kernel")) {
    if (o["kernel_name"] != d["kernel_name"] || o["scenario"] != d["scenario"]) continue;
    if (o["format"] == "elf-paging") return o;
    bool filtered = o.contains("dump_level") && o["dump_level"].is_number() && o["dump_level"].get<int>() != 0;
    if (complete.is_null() && !filtered) complete = o;
  }
  return complete.is_null() ? d : complete;
}

// Debian's makedumpfile does not know every kernel's slab page flags: on some (7.2) it
// filters slab pages out of -d 31 dumps as if they were free, so task_structs and the
// module's section list are gone (the elf-paging dump of the same guest has them) and
// neither the task list nor the module's debug info placement can be read. Returns why
// when that is so (after checking that the failure is that filtering), else "" with
// the task list in `threads`.
std::string slab_pages_filtered(StackTraceEngine& eng, const json& d, std::vector<ThreadRef>* threads) {
  try {
    *threads = eng.threads();
    return "";
  } catch (const FaultError& e) {
    EXPECT_EQ(e.reason(), "page filtered out by makedumpfile") << e.what();
    EXPECT_EQ(d["dump_level"], 31) << e.what();
    return std::string("task list in slab pages makedumpfile filtered out: ") + e.what();
  }
}

TEST(StackFixtures, ManifestHasKernelAndUserDumps) {
  ASSERT_TRUE(testing::fixture_manifest().is_object()) << "no " << testing::fixtures_dir() << "/manifest.json";
  EXPECT_FALSE(testing::fixture_dumps("kernel").empty());
  EXPECT_FALSE(testing::fixture_dumps("user").empty());
}

class KernelStacks : public ::testing::TestWithParam<json> {};

TEST_P(KernelStacks, CrashedThreadAndEveryTask) {
  const json& d = GetParam();
  json truth = testing::load_json_file(d["truth"].get<std::string>());
  auto prog = open_kernel(d);
  StackTraceEngine eng(*prog);
  // Every fixture kernel's ORC format is one kdive knows.
  std::string orc = eng.orc_format_description();
  EXPECT_EQ(orc.rfind("ORC: v", 0), 0u) << orc;
  RecordProperty("orc_format", orc);

  // The crashed thread (oops scenario: the module's NULL dereference).
  ThreadRef crashed = eng.crashed_thread();
  ASSERT_TRUE(truth.contains("crash"));
  EXPECT_EQ(crashed.pid, truth["crash"]["pid"].get<int64_t>());
  EXPECT_EQ(crashed.cpu, truth["crash"]["cpu"].get<int>());
  StackTrace crash_trace = eng.stack_trace(crashed);
  EXPECT_EQ(crash_trace.end_reason(), "");
  std::vector<ThreadRef> threads;
  if (std::string why = slab_pages_filtered(eng, d, &threads); !why.empty()) GTEST_SKIP() << why;
  if (truth["crash"].contains("functions")) {
    std::vector<std::string> chain = split(truth["crash"]["functions"].get<std::string>(), ',');
    EXPECT_TRUE(contains_run(names_of(crash_trace), chain)) << crash_trace.format();
  } else {
    // sysrq: the shell that wrote 'c' to /proc/sysrq-trigger.
    std::vector<std::string> chain{"panic", "sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger"};
    EXPECT_TRUE(contains_run(names_of(crash_trace), chain)) << crash_trace.format();
  }
  // The kernel's own unwinder printed the crashing stack: its reliable entries, from the
  // first our trace reaches (the CPU went on from dump_stack into panic's delay loop),
  // appear in ours in the same order.
  // (Some consoles lost it: the 6.1-rt kdump capture kexecs before printk flushed.)
  std::vector<std::string> kernel_trace = console_call_trace(d["console_log"].get<std::string>());
  if (!kernel_trace.empty()) {
    std::vector<std::string> crash_names = names_of(crash_trace);
    for (const StackFrame& f : crash_trace.frames())
      if (f.name().empty() && f.symbol()) crash_names[f.index()] = f.symbol()->name;
    while (!kernel_trace.empty() &&
           std::find(crash_names.begin(), crash_names.end(), kernel_trace.front()) == crash_names.end())
      kernel_trace.erase(kernel_trace.begin());
    EXPECT_GE(kernel_trace.size(), 4u) << "console Call Trace not found in\n" << crash_trace.format();
    EXPECT_TRUE(contains_in_order(crash_names, kernel_trace)) << crash_trace.format();
  }

  // Every task against drgn's references (or the elf-paging dump's answers).
  std::string ref_dir = d["drgn_dir"].is_string() ? d["drgn_dir"].get<std::string>() : "";
  if (ref_dir.empty()) {
    std::string p = d["path"].get<std::string>();
    ref_dir = p.substr(0, p.rfind('/')) + "/drgn/elf-paging";
  }
  auto ref = read_drgn_stacks(ref_dir + "/stacks.txt");
  // No drgn reference for this kernel: kdive's traces of the anchor dump (the same
  // guest state in another file format), each checked to end where a stack starts.
  bool drgn_reference = !ref.empty();
  if (!drgn_reference) {
    json anchor = anchor_dump(d);
    ASSERT_FALSE(anchor.is_null());
    std::unique_ptr<Program> anchor_prog = anchor["path"] == d["path"] ? nullptr : open_kernel(anchor);
    StackTraceEngine anchor_eng(anchor_prog ? *anchor_prog : *prog);
    for (const ThreadRef& th : anchor_eng.threads()) {
      if (th.cpu >= 0) continue;
      StackTrace t = anchor_eng.stack_trace(th);
      EXPECT_TRUE(ends_at_stack_start(t)) << "PID " << th.pid << " in " << anchor["name"] << ":\n" << t.format();
      ref[th.pid] = lines_of(t);
    }
  }
  // drgn gives the registers of PRSTATUS note "pid" N to the task with PID N; QEMU
  // writes CPU+1 there, so PIDs 1..ncpus get another CPU's stack from drgn (its
  // PID 1 trace is CPU 0's stop_this_cpu). Those and the tasks really running on a
  // CPU are checked against the truth above, not against drgn.
  std::set<int64_t> drgn_wrong;
  for (const PrStatus& p : prog->core().notes().prstatus) drgn_wrong.insert(p.pid);
  size_t compared = 0, equal = 0, filtered = 0;
  for (const ThreadRef& th : threads) {
    if (th.cpu >= 0 || drgn_wrong.count(th.pid)) continue;
    auto it = ref.find(th.pid);
    if (it == ref.end()) continue;
    std::optional<StackTrace> traced;
    try {
      traced = eng.stack_trace(th);
    } catch (const FaultError& e) {
      // The task's own pages filtered out (see slab_pages_filtered).
      EXPECT_EQ(e.reason(), "page filtered out by makedumpfile") << "PID " << th.pid << ": " << e.what();
      EXPECT_EQ(d["dump_level"], 31) << e.what();
      ++filtered;
      continue;
    }
    ++compared;
    const StackTrace& t = *traced;
    std::vector<std::string> ours = lines_of(t);
    if (ours != it->second) {
      // drgn 0.0.22 does not undo kretprobes' return-address swaps: in the trace of a
      // task inside a kretprobed function (the fixture's kdive_kret_wait) it prints the
      // trampoline as a bare "#N  0xffff..." frame and wanders on from there
      // (KNOWN_DIFFERENCES.md). Up to that frame the traces must agree; from there kdive
      // names the real caller.
      static const std::regex bare_kernel_frame(R"(^#\d+\s+0xffff[0-9a-f]{12}$)");
      const std::vector<std::string>& drgn = it->second;
      size_t n = 0;
      while (n < drgn.size() && !std::regex_match(drgn[n], bare_kernel_frame)) ++n;
      if (n < drgn.size() && ours.size() > n && std::equal(drgn.begin(), drgn.begin() + n, ours.begin()) &&
          !std::regex_match(ours[n], bare_kernel_frame))
        ours = drgn;
    }
    if (ours == it->second) ++equal;
    else ADD_FAILURE() << "PID " << th.pid << " differs from " << (drgn_reference ? "drgn" : "the anchor dump") << ":\n"
                       << t.format();
    EXPECT_EQ(t.end_reason(), "") << "PID " << th.pid;
  }
  EXPECT_GT(compared, 40u) << filtered << " tasks in filtered pages";
  RecordProperty("frames_compared_with_drgn", static_cast<int>(compared));
  EXPECT_EQ(equal, compared);

  // The module's sleeping threads: arguments and locals against the truth.
  for (const json& th : truth["thread"]) {
    ThreadRef ref_thread = eng.thread(th["pid"].get<int64_t>());
    StackTrace t = eng.stack_trace(ref_thread);
    std::map<std::string, size_t> by_name;
    for (const StackFrame& f : t.frames()) by_name.emplace(f.name(), f.index());
    auto var = [&](const char* fn, const char* name) {
      EXPECT_TRUE(by_name.count(fn)) << fn << " not in\n" << t.format();
      return frame_variable(t, by_name.at(fn), name);
    };
    EXPECT_EQ(var("kdive_level1", "a").as_unsigned(), hex(th["level1"]["a"]));
    EXPECT_EQ(var("kdive_level1", "p").as_unsigned(), hex(th["level1"]["p"]));
    EXPECT_EQ(var("kdive_level2", "b").as_signed(), th["level2"]["b"].get<int64_t>());
    EXPECT_EQ(var("kdive_level2", "obj").as_unsigned(), hex(th["level2"]["obj"]));
    // c arrives in rdi. gcc 12+ keeps it there only until the first call: at the
    // sleeping PC DWARF says DW_OP_entry_value(rdi), and the caller's call site does
    // not record what it passed in rdi: unavailable (gdb: <optimized out>). 5.10's
    // gcc 10 keeps it in a callee-saved register: then it is the truth's value.
    Object c = var("kdive_level3", "c");
    if (c.is_absent()) EXPECT_EQ(c.absent_reason(), "entry value of rdi unknown");
    else EXPECT_EQ(c.as_unsigned(), hex(th["level3"]["c"]));
    EXPECT_EQ(var("kdive_level3", "local_small").as_unsigned(), hex(th["level3"]["local_small"]));
    EXPECT_EQ(var("kdive_level3", "local_magic").address(), hex(th["level3"]["local_magic_addr"]));
    EXPECT_EQ(var("kdive_level2", "local_sum").as_unsigned(), hex(th["level2"]["local_sum"]));
    EXPECT_EQ(var("kdive_level3", "local_magic").as_unsigned(), hex(th["level3"]["local_magic"]));
    EXPECT_EQ(var("kdive_level3", "tag").read_c_string(64), th["level3"]["tag"].get<std::string>());
  }
}

// Seed 001's walk on our own crash: the frame where the NULL pointer was passed in and
// its locals, member_at_offset of the fault address, and the stack of the task whose
// stack holds the struct a global points to.
TEST_P(KernelStacks, Seed001Walk) {
  const json& d = GetParam();
  json truth = testing::load_json_file(d["truth"].get<std::string>());
  if (!truth["crash"].contains("outer")) GTEST_SKIP() << "not the oops scenario";
  auto prog = open_kernel(d);
  StackTraceEngine eng(*prog);
  StackTrace t = eng.crashed_stack_trace();
  EXPECT_EQ(t.end_reason(), "");
  std::vector<ThreadRef> threads;
  if (std::string why = slab_pages_filtered(eng, d, &threads); !why.empty()) GTEST_SKIP() << why;
  size_t deref = t.frames().size();
  for (size_t i = 0; i < t.frames().size(); ++i)
    if (t.frames()[i].name() == "kdive_crash_deref") deref = i;
  ASSERT_LT(deref, t.frames().size()) << t.format();
  EXPECT_EQ(frame_locals(t.frames()[deref]), std::vector<std::string>{"a"});
  Object a = frame_variable(t, deref, "a");
  FormatOptions value_only;
  value_only.dereference = false;
  value_only.symbolize = false;
  EXPECT_EQ(format_object(a, value_only), fmt_ptr("struct kdive_outer *", hex(truth["crash"]["outer"])));
  EXPECT_EQ(a.member_dereference("b").as_unsigned(), 0u);
  QualifiedType inner = prog->find_type("struct kdive_inner");
  EXPECT_EQ(member_at_offset(inner, hex(truth["crash"]["fault_address"])), "c");
  // The caller: depth comes from the call site (DW_OP_entry_value(rsi), and
  // kdive_crash_entry's call site says rsi = 2); `a` is the entry value of rdi, which
  // kdive_crash_entry passed on from its own entry, which kdive_crasher_fn's call
  // site does not describe: unavailable, as gdb would say.
  bool middle = false;
  for (size_t i = deref + 1; i < t.frames().size(); ++i) {
    if (t.frames()[i].name() != "kdive_crash_middle") continue;
    middle = true;
    EXPECT_EQ(frame_variable(t, i, "depth").as_signed(), 2);
    Object ma = frame_variable(t, i, "a");
    EXPECT_TRUE(ma.is_absent());
    EXPECT_EQ(ma.absent_reason(), "entry value of rdi unknown");
  }
  EXPECT_TRUE(middle) << t.format();
  // kdive_waitq.last points into the stack of the waiter task: its trace holds the
  // frame whose local `w` is that struct.
  uint64_t entry = prog->find_object("kdive_waitq")->member("last").as_unsigned();
  EXPECT_EQ(entry, hex(truth["waiter"]["entry_addr"]));
  int64_t owner = -1;
  for (const ThreadRef& th : threads) {
    uint64_t stack = th.task->member("stack").as_unsigned();
    if (entry >= stack && entry < stack + 0x4000) owner = th.pid;
  }
  ASSERT_EQ(owner, truth["waiter"]["pid"].get<int64_t>());
  StackTrace w = eng.stack_trace_of_pid(owner);
  bool found = false;
  for (size_t i = 0; i < w.frames().size(); ++i) {
    if (w.frames()[i].name() != "kdive_wait_on_stack") continue;
    Object local = frame_variable(w, i, "w");
    ASSERT_TRUE(local.is_reference());
    EXPECT_EQ(local.address(), entry);
    EXPECT_EQ(local.member("cookie").as_unsigned(), hex(truth["waiter"]["cookie"]));
    found = true;
  }
  EXPECT_TRUE(found) << w.format();
}

std::string dump_name(const ::testing::TestParamInfo<json>& info) {
  std::string n = info.param["name"].get<std::string>();
  for (char& c : n)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(AllKernelDumps, KernelStacks, ::testing::ValuesIn(testing::fixture_dumps("kernel")), dump_name);

// gdb names glibc's internal aliases ("__GI___poll"); DWARF and the symbol table call
// the function "__poll".
std::string gdb_name(std::string n) {
  if (n.rfind("__GI_", 0) == 0) n = n.substr(5);
  return n;
}

// Aliases at one address differ by leading underscores ("clone3" / "__clone3"); gdb
// qualifies C++ names ("kdive_fixture::Rect::describe"), frames use the DIE's name
// as drgn does ("describe").
std::string short_name(std::string n) {
  n = gdb_name(n);
  // Template arguments go: "descend<short>" / "descend<short int>", "Box<long>::hold".
  std::string plain;
  int depth = 0;
  for (char ch : n) {
    if (ch == '<') ++depth;
    else if (ch == '>' && depth > 0) --depth;
    else if (depth == 0) plain += ch;
  }
  n = plain;
  if (size_t colons = n.rfind("::"); colons != std::string::npos) n = n.substr(colons + 2);
  size_t i = n.find_first_not_of('_');
  return i == std::string::npos ? n : n.substr(i);
}

std::string display_name(const StackFrame& f) {
  if (!f.name().empty()) return f.name();
  return f.symbol() ? f.symbol()->name : "";
}

class UserStacks : public ::testing::TestWithParam<json> {};

TEST_P(UserStacks, EveryThreadMatchesGdb) {
  const json& d = GetParam();
  json truth = testing::load_json_file(d["truth"].get<std::string>());
  json gdb = testing::load_json_file(d["gdb_dir"].get<std::string>() + "/threads.json");
  ASSERT_TRUE(gdb.is_array());
  ProgramOptions o;
  o.debug_paths.push_back(d["executable"].get<std::string>());
  auto prog = Program::open(d["path"].get<std::string>(), o);
  StackTraceEngine eng(*prog);
  if (truth["crash"].contains("tid") && truth["crash"]["tid"].is_number()) {
    EXPECT_EQ(eng.crashed_thread().pid, truth["crash"]["tid"].get<int64_t>());
  }
  // gdb also shows frames it reconstructs for tail calls (from DW_TAG_call_site with
  // DW_AT_call_tail_call; their pc is the jump's call site, not a return address on
  // the stack). Unwinding cannot see those and drgn does not make them either: every
  // frame of ours must match gdb's next frame in order (pc, name, inline mark), and
  // the gdb frames we lack must be such tail-call frames (at most 3 per thread:
  // sem_wait reaches the futex through three tail calls).
  size_t frames = 0, tail_calls = 0;
  for (const json& th : gdb) {
    StackTrace t = eng.stack_trace(eng.thread(th["tid"].get<int64_t>()));
    const json& gf = th["frames"];
    EXPECT_EQ(t.end_reason(), "") << "thread " << th["tid"];
    // gdb stops at main (its "backtrace past-main" is off); we go on to _start.
    size_t ours_n = t.frames().size();
    if (!gf.empty() && gf.back()["function"] == "main") {
      for (size_t i = 0; i < t.frames().size(); ++i)
        if (t.frames()[i].name() == "main") ours_n = i + 1;
    }
    size_t g = 0, skipped = 0;
    for (size_t i = 0; i < ours_n; ++i) {
      const StackFrame& f = t.frames()[i];
      // Names are compared where we have one from DWARF or a symbol table (gdb also
      // names libstdc++'s stripped frames and C++ lambdas from its own demangler).
      auto same = [&](const json& gframe) {
        if (f.pc() != gframe["pc"].get<uint64_t>()) return false;
        std::string ours = display_name(f);
        // C++: gdb spells template and lambda names its own way ("descend<short>",
        // "main()::{lambda()#3}"); there pc and inline marks are compared.
        if (ours.empty() || truth["language"] != "c") return true;
        return short_name(ours) == short_name(gframe["function"].get<std::string>());
      };
      while (g < gf.size() && !same(gf[g])) {
        EXPECT_FALSE(gf[g]["inline"].get<bool>()) << "thread " << th["tid"] << " lacks gdb frame " << g;
        ++g;
        ++skipped;
      }
      ASSERT_LT(g, gf.size()) << "thread " << th["tid"] << " frame " << i << " not in gdb's trace:\n" << t.format();
      EXPECT_EQ(f.inlined(), gf[g]["inline"].get<bool>()) << "thread " << th["tid"] << " frame " << i;
      ++g;
      ++frames;
    }
    EXPECT_EQ(g, gf.size()) << "thread " << th["tid"] << ":\n" << t.format();
    EXPECT_LE(skipped, 3u) << "thread " << th["tid"] << ":\n" << t.format();
    tail_calls += skipped;
  }
  RecordProperty("frames_equal_to_gdb", static_cast<int>(frames));
  RecordProperty("gdb_tail_call_frames", static_cast<int>(tail_calls));
  EXPECT_GT(frames, 30u);

  // -O0: every recorded argument and local of the program's own functions.
  if (truth["opt"] != "O0") return;
  for (const json& th : truth["threads"]) {
    StackTrace t = eng.stack_trace(eng.thread(th["tid"].get<int64_t>()));
    size_t next = 0;
    for (const json& tf : th["frames"]) {
      const std::string fn = tf["function"].get<std::string>();
      while (next < t.frames().size() && short_name(t.frames()[next].name()) != short_name(fn)) ++next;
      ASSERT_LT(next, t.frames().size()) << fn << " not in\n" << t.format();
      const StackFrame& f = t.frames()[next++];
      for (const char* kind : {"args", "locals"}) {
        for (auto& [name, want] : tf[kind].items()) {
          Object v = frame_variable(t, f.index(), name);
          if (want.is_number_integer()) {
            Object r = v.read();
            bool sign = r.encoding() == ValueEncoding::Signed;
            if (sign) EXPECT_EQ(r.as_signed(), want.get<int64_t>()) << fn << "." << name;
            else EXPECT_EQ(r.as_unsigned(), want.get<uint64_t>()) << fn << "." << name;
          } else if (want.is_number_float()) {
            EXPECT_DOUBLE_EQ(v.as_double(), want.get<double>()) << fn << "." << name;
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllUserCores, UserStacks, ::testing::ValuesIn(testing::fixture_dumps("user")), dump_name);

}  // namespace
}  // namespace kdive
