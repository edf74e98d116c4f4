// Triage on the fixture dumps: each section of one complete dump per kernel and
// scenario against truth.json (the crashed task and its frames, the faulting frame and
// the explained fault, the blocked waiter and the lock waiters with their owner (also
// from the dump alone), each CPU's running task, the warnings the
// module logged, the tainting module, memory and the slab figures), and the crash
// signature over every dump: the oops and the real-kdump boots crash the same way and
// must share one key across KASLR slides and dump formats; the sysrq crash must not.
#include "triage/triage_report.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <iostream>
#include <set>

#include "integration/fixture_manifest.h"
#include "integration/linux/kernel_fixture.h"
#include "kdive/error.h"
#include "linux/slab.h"
#include "program/program.h"

namespace kdive {
namespace {

using json = nlohmann::json;

// One dump per kernel and scenario, the most complete one the scenario has.
std::vector<json> complete_dumps() {
  std::map<std::string, json> best;
  for (const json& d : testing::fixture_dumps("kernel")) {
    std::string key = d.value("kernel_name", "") + "/" + d.value("scenario", "");
    std::string f = d.value("format", "");
    if (f == "elf-paging" || (f == "kexec-elf-d31" && !best.count(key))) best[key] = d;
  }
  std::vector<json> out;
  for (auto& [k, d] : best) out.push_back(d);
  return out;
}

std::vector<std::string> functions_of(const std::vector<TriageFrame>& frames) {
  std::vector<std::string> out;
  for (const TriageFrame& f : frames) out.push_back(f.function);
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  for (size_t b = 0; b <= s.size();) {
    size_t e = s.find(',', b);
    if (e == std::string::npos) e = s.size();
    out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

// `want` appear in `have` in this order (other frames may sit between them).
bool in_order(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  size_t i = 0;
  for (const std::string& h : have)
    if (i < want.size() && h == want[i]) ++i;
  return i == want.size();
}

const TriageThread* blocked_task(const TriageReport& r, int64_t pid) {
  for (const TriageTaskGroup& g : r.blocked)
    for (const TriageThread& t : g.tasks)
      if (t.pid == pid) return &t;
  return nullptr;
}

// The module's two lock waiters (state D): each queued on its lock, owned by the
// holder thread, which sleeps (state S); the other blocked tasks wait on no lock.
void expect_lock_waits(const TriageReport& r, const json& truth, const std::string& how) {
  SCOPED_TRACE(how);
  for (const char* which : {"mutex", "rwsem"}) {
    const json& want = truth["lock"][which];
    const TriageThread* t = blocked_task(r, want["waiter"]["pid"]);
    ASSERT_TRUE(t) << which << " waiter not among the blocked tasks";
    EXPECT_EQ(t->comm, want["waiter"]["comm"]);
    ASSERT_TRUE(t->waits_for) << which;
    const TriageLockWait& w = *t->waits_for;
    EXPECT_EQ(w.kind, std::string(which) == "mutex" ? "mutex" : "rw_semaphore");
    EXPECT_EQ(fmt::format("{:#x}", w.lock), want["addr"]);
    EXPECT_EQ(w.symbol, std::string("kdive_") + which);
    EXPECT_EQ(fmt::format("{:#x}", w.owner), truth["lock"]["owner"]["task"]);
    EXPECT_EQ(w.owner_pid.value_or(-1), truth["lock"]["owner"]["pid"]);
    EXPECT_EQ(w.owner_comm, "kdive_lock_own");
    EXPECT_EQ(w.owner_state, 'S');
    EXPECT_FALSE(w.reader_owned);
  }
  const TriageThread* waiter = blocked_task(r, truth["waiter"]["pid"]);
  ASSERT_TRUE(waiter);
  EXPECT_FALSE(waiter->waits_for);
}

// The dump opened from itself alone (kallsyms and BTF); null with the reason where the
// kernel does not list its kallsyms in VMCOREINFO (before 6.0).
std::unique_ptr<Program> open_without_debug_files(const json& d, std::string& why) {
  ProgramOptions alone;
  alone.no_debug_info = true;
  alone.use_debuginfod = false;
  try {
    return Program::open(d["path"], alone);
  } catch (const Error& e) {
    why = d["name"].get<std::string>() + " cannot be opened without debug files: " + e.what();
    return nullptr;
  }
}

class TriageFixture : public ::testing::TestWithParam<json> {};

TEST(TriageFixtures, ManifestHasDumps) { ASSERT_FALSE(complete_dumps().empty()); }

TEST_P(TriageFixture, SectionsAgreeWithTruth) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  const json& truth = o.truth;
  TriageReport r = triage_dump(*o.program);
  for (const auto& [section, why] : r.problems) ADD_FAILURE() << section << ": " << why;

  EXPECT_EQ(r.release, truth["kernel"]["release"]);
  EXPECT_EQ(r.build_id.size(), 40u) << r.build_id;
  if (truth["panic_message"] != "none") {
    EXPECT_EQ(r.panic_message.value_or(""), truth["panic_message"]);
  }
  EXPECT_NE(r.taint.find("Tainted:"), std::string::npos) << r.taint;

  // The crash: its report, the crashed task, its frames.
  ASSERT_TRUE(r.crash.found);
  // A kdump kernel starts the capture kernel from the oops, before any panic line.
  EXPECT_EQ(r.crash.panicked, truth["panic_message"] != "none");
  ASSERT_TRUE(r.crashed);
  EXPECT_EQ(r.crashed->pid, truth["crash"]["pid"]);
  EXPECT_EQ(r.crashed->comm, truth["crash"]["comm"]);
  EXPECT_EQ(r.crash.pid.value_or(-1), truth["crash"]["pid"]);
  std::vector<std::string> names = functions_of(r.crashed->frames);
  ASSERT_TRUE(r.crashed->faulting_frame);
  // The crash site is the function the signature starts with (the RIP's, or the
  // caller of panic()).
  ASSERT_FALSE(r.signature.frames.empty());
  EXPECT_EQ(normalize_frame_name(r.crashed->frames.at(*r.crashed->faulting_frame).function), r.signature.frames[0]);
  if (truth["crash"].contains("functions")) {
    // The module's NULL dereference: the frames in order, the faulting one first of
    // them, its variables read, and the member at the fault explained.
    std::vector<std::string> want = split_commas(truth["crash"]["functions"]);
    EXPECT_TRUE(in_order(names, want)) << ::testing::PrintToString(names);
    EXPECT_EQ(r.crashed->frames.at(*r.crashed->faulting_frame).function, want[0]);
    EXPECT_FALSE(r.crashed->variables.empty());
    EXPECT_NE(r.crash.title.find(want[0]), std::string::npos) << r.crash.title;
    EXPECT_EQ(r.signature.frames.at(0), want[0]);
    uint64_t off = std::stoull(truth["crash"]["member_offset"].get<std::string>(), nullptr, 16);
    EXPECT_EQ(r.crash.explanation, fmt::format("NULL pointer dereference: `a->b` is NULL; the read of `struct "
                                               "kdive_inner.c` at offset {:#x} ({}) faulted", off, off));
    EXPECT_EQ(r.crash.explanation_kind, "null-pointer-dereference");
  }

  // Each CPU's running task; the crashing CPU runs the crashed task.
  EXPECT_GE(r.running.size(), 1u);
  int crash_cpu = truth["crash"]["cpu"];
  bool seen = false;
  for (const TriageThread& t : r.running)
    if (t.cpu == crash_cpu) {
      seen = true;
      EXPECT_EQ(t.pid, truth["crash"]["pid"]);
      EXPECT_FALSE(t.frames.empty());
    }
  EXPECT_TRUE(seen) << "no running task on CPU " << crash_cpu;

  // The module's waiter sleeps in D state, in its known functions.
  EXPECT_GE(r.blocked_tasks, 1u);
  bool waiter = false;
  for (const TriageTaskGroup& g : r.blocked)
    for (const TriageThread& t : g.tasks)
      if (t.pid == truth["waiter"]["pid"]) {
        waiter = true;
        EXPECT_EQ(t.state, 'D');
        // It went to sleep during the boot, before the crash.
        ASSERT_TRUE(t.last_ran_ns_ago && r.uptime_ns);
        EXPECT_GT(*t.last_ran_ns_ago, 0u);
        EXPECT_LT(*t.last_ran_ns_ago, *r.uptime_ns);
        EXPECT_TRUE(in_order(functions_of(g.frames), split_commas(truth["waiter"]["functions"])))
            << ::testing::PrintToString(functions_of(g.frames));
      }
  EXPECT_TRUE(waiter);
  expect_lock_waits(r, truth, "with DWARF");

  // Warnings: the module's warning and error markers (not its notice one), in order.
  std::string warn = truth["marker"][2], error = truth["marker"][3], notice = truth["marker"][1];
  auto find = [&](const std::string& text) {
    return std::find_if(r.warnings.begin(), r.warnings.end(), [&](const std::string& w) {
      return w.size() >= text.size() && w.compare(w.size() - text.size(), text.size(), text) == 0;
    });
  };
  EXPECT_NE(find(warn), r.warnings.end()) << warn;
  EXPECT_NE(find(error), r.warnings.end()) << error;
  EXPECT_LT(find(warn), find(error));
  EXPECT_EQ(find(notice), r.warnings.end()) << notice;

  bool fixture_module = false;
  for (const TriageModule& m : r.tainting_modules)
    if (m.name == "kdive_fixture") {
      fixture_module = true;
      EXPECT_NE(std::find(m.taints.begin(), m.taints.end(), "OOT_MODULE"), m.taints.end());
    }
  EXPECT_TRUE(fixture_module);

  // Memory: the top slab caches by size, each as a full walk's /proc/slabinfo figures.
  ASSERT_TRUE(r.memory);
  EXPECT_GT(r.memory->total_bytes, 0u);
  ASSERT_TRUE(r.memory->free_bytes);
  EXPECT_LT(*r.memory->free_bytes, r.memory->total_bytes);
  ASSERT_EQ(r.memory->top_caches.size(), 5u);
  SlubAllocator slub(*o.program);
  for (size_t i = 0; i < r.memory->top_caches.size(); ++i) {
    const TriageSlabCache& c = r.memory->top_caches[i];
    if (i) {
      EXPECT_GE(r.memory->top_caches[i - 1].bytes, c.bytes);
    }
    std::optional<uint64_t> cache = slub.find_cache(c.name);
    ASSERT_TRUE(cache) << c.name;
    SlabCacheStats full = slub.statistics(*cache);
    EXPECT_EQ(c.objects, full.proc_num_objs) << c.name;
    EXPECT_EQ(c.active, full.proc_active_objs) << c.name;
  }
}

// The same lock waits and owners from the dump alone (kallsyms, BTF and ORC): the
// waiter records, the locks and the task fields are all described by BTF.
TEST_P(TriageFixture, LockOwnersFromTheDumpAlone) {
  const json& d = GetParam();
  json truth = testing::load_json_file(d["truth"]);
  std::string why;
  std::unique_ptr<Program> p = open_without_debug_files(d, why);
  if (!p) GTEST_SKIP() << why;
  TriageOptions no_slab;
  no_slab.slab = false;
  TriageReport r = triage_dump(*p, no_slab);
  expect_lock_waits(r, truth, "from the dump alone");
}

INSTANTIATE_TEST_SUITE_P(CompleteDumps, TriageFixture, ::testing::ValuesIn(complete_dumps()),
                         [](const ::testing::TestParamInfo<json>& i) {
                           std::string n = i.param["name"];
                           std::replace_if(n.begin(), n.end(), [](char c) { return !isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

class SignatureFixture : public ::testing::TestWithParam<json> {};

// Every dump of a kernel: one key for the module's crash (oops and kdump boots, every
// format), another for the sysrq crash.
TEST_P(SignatureFixture, OneCrashOneKey) {
  std::map<std::string, std::set<std::string>> keys;  // scenario → keys
  TriageOptions quick;
  quick.slab = false;
  quick.stacks = false;
  for (const json& d : testing::fixture_dumps("kernel")) {
    if (d.value("kernel_name", "") != GetParam()["name"]) continue;
    testing::OpenedKernelDump o = testing::open_kernel_dump(d);
    TriageReport r = triage_dump(*o.program, quick);
    EXPECT_TRUE(r.crash.found) << d["name"];
    keys[d["scenario"]].insert(r.signature.key);
  }
  ASSERT_TRUE(keys.count("oops") && keys.count("sysrq"));
  // From the dump alone (kallsyms and BTF, where the kernel has them in VMCOREINFO):
  // the key is made of the log's text, so it is the same without debug files.
  for (const json& d : testing::fixture_dumps("kernel")) {
    if (d.value("kernel_name", "") != GetParam()["name"] || d["scenario"] != "oops" || d["format"] != "elf-paging")
      continue;
    std::string why;
    std::unique_ptr<Program> p = open_without_debug_files(d, why);
    if (!p) {
      std::cout << why << "\n";
      continue;
    }
    TriageReport r = triage_dump(*p, quick);
    EXPECT_EQ(std::set<std::string>{r.signature.key}, keys["oops"]) << d["name"] << " without debug files";
  }
  EXPECT_EQ(keys["oops"].size(), 1u);
  EXPECT_EQ(keys["sysrq"].size(), 1u);
  if (keys.count("kdump")) {
    EXPECT_EQ(keys["kdump"], keys["oops"]);
  }
  EXPECT_NE(keys["oops"], keys["sysrq"]);
}

INSTANTIATE_TEST_SUITE_P(Kernels, SignatureFixture, ::testing::ValuesIn(testing::fixture_kernels()),
                         [](const ::testing::TestParamInfo<json>& i) {
                           std::string n = i.param["name"];
                           std::replace_if(n.begin(), n.end(), [](char c) { return !isalnum(static_cast<unsigned char>(c)); }, '_');
                           return n;
                         });

}  // namespace
}  // namespace kdive
