// The linux/ helpers on every kernel fixture dump (every format of both scenarios):
// tasks, states, find_task and per-CPU current against truth.json and drgn's task
// list; the test module's list, rbtree and xarray against truth.json; dmesg against
// the serial console byte for byte; the panic message, sys and mod; and a corrupted
// copy of the dump's memory (a cycle and a garbage pointer patched into the module's
// list) that must stop the walk with a message. A missing manifest is a failure.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "integration/fixture_manifest.h"
#include "integration/linux/kernel_fixture.h"
#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/kernel_modules.h"
#include "linux/list_walk.h"
#include "linux/maple_tree.h"
#include "linux/printk.h"
#include "linux/process_status.h"
#include "linux/rbtree.h"
#include "linux/system_info.h"
#include "linux/tasks.h"
#include "linux/target_words.h"
#include "linux/xarray.h"
#include "linux/vma_walk.h"
#include "program/program.h"

namespace kdive {
namespace {

using json = nlohmann::json;

using testing::fixtures_dir;

// The kernel dumps of the kernels under test ($KDIVE_TEST_KERNELS).
std::vector<json> kernel_dumps() { return testing::fixture_dumps("kernel"); }

uint64_t hex(const json& v) { return std::stoull(v.get<std::string>(), nullptr, 16); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The drgn reference directory of a dump's kernel and scenario (any format drgn
// opened: all formats of one scenario are the same memory); "" when drgn opened none
// (drgn 0.0.22 cannot open the 7.x dumps), and then only truth.json checks.
std::string drgn_dir_of(const json& dump) {
  for (const json& d : kernel_dumps())
    if (d.value("kernel_name", "") == dump.value("kernel_name", "") &&
        d.value("scenario", "") == dump.value("scenario", "") && d["drgn_dir"].is_string())
      return d["drgn_dir"];
  return "";
}

struct Opened {
  json entry, truth;
  std::unique_ptr<Program> program;
};

Opened open_dump(const json& d) {
  Opened o;
  o.entry = d;
  o.truth = testing::load_json_file(d["truth"]);
  ProgramOptions opts;
  opts.debug_paths.push_back(d["vmlinux"]);
  for (const json& m : d["modules"]) opts.debug_paths.push_back(m);
  o.program = Program::open(d["path"], opts);
  return o;
}

class LinuxFixture : public ::testing::TestWithParam<json> {};

TEST(LinuxFixtures, ManifestHasKernelDumps) {
  ASSERT_FALSE(kernel_dumps().empty()) << "no kernel dumps in " << fixtures_dir()
                                       << "/manifest.json: run scripts/fixtures/build-all.sh";
}

TEST_P(LinuxFixture, TasksAgreeWithTruthAndDrgn) {
  Opened o = open_dump(GetParam());
  Tasks tasks(*o.program);
  std::map<int64_t, std::pair<std::string, uint64_t>> seen;
  WalkStatus st = tasks.for_each_task([&](uint64_t t) {
    seen[tasks.pid(t)] = {tasks.comm(t), t};
    return true;
  });
  if (!st.ok()) {
    std::string why = testing::makedumpfile_dropped(GetParam(), st.message());
    ASSERT_FALSE(why.empty()) << st.message();
    GTEST_SKIP() << why;
  }
  // drgn's for_each_task() (the PID IDR walk): the same tasks, names and addresses.
  std::string dir = drgn_dir_of(o.entry);
  std::istringstream drgn(dir.empty() ? std::string() : read_file(dir + "/tasks.txt"));
  size_t drgn_count = 0;
  for (std::string line; std::getline(drgn, line);) {
    std::istringstream ls(line);
    int64_t pid;
    std::string comm, addr;
    ls >> pid >> comm >> addr;
    ++drgn_count;
    ASSERT_TRUE(seen.count(pid)) << "PID " << pid << " missing";
    EXPECT_EQ(seen[pid].first, comm) << pid;
    EXPECT_EQ(seen[pid].second, std::stoull(addr, nullptr, 16)) << pid;
  }
  if (!dir.empty()) {
    EXPECT_EQ(seen.size(), drgn_count);
  }
  // The IDR walk gives the same set.
  std::set<uint64_t> by_idr;
  ASSERT_TRUE(tasks.for_each_task_in_ns(0, [&](uint64_t t) { by_idr.insert(t); return true; }).ok());
  EXPECT_EQ(by_idr.size(), seen.size());

  // Truth: the module's threads with PIDs, names, addresses and states.
  std::vector<json> known = {o.truth["waiter"], o.truth["crasher"]};
  for (const json& t : o.truth["thread"]) known.push_back(t);
  for (const json& t : known) {
    int64_t pid = t["pid"];
    std::optional<uint64_t> found = tasks.find_task(static_cast<uint64_t>(pid));
    ASSERT_TRUE(found) << pid;
    EXPECT_EQ(*found, hex(t["task"]));
    EXPECT_EQ(tasks.comm(*found), t["comm"].get<std::string>());
    EXPECT_EQ(tasks.pid(*found), pid);
    if (t.contains("state")) {
      EXPECT_EQ(std::string(1, tasks.state(*found).letter), t["state"].get<std::string>()) << pid;
    }
  }
  EXPECT_EQ(tasks.state(*tasks.find_task(o.truth["waiter"]["pid"])).name, "disk sleep");
  EXPECT_EQ(tasks.find_task(0), tasks.init_task());
  EXPECT_EQ(tasks.find_task(99999), std::nullopt);
  EXPECT_EQ(tasks.ppid(*tasks.find_task(1)), 0);
  EXPECT_EQ(tasks.comm(tasks.idle_task(0)), "swapper/0");
  EXPECT_EQ(tasks.comm(tasks.idle_task(1)), "swapper/1");
  // The task on the crashing CPU is the crashing task.
  uint64_t crash_cpu = o.truth["crash"]["cpu"];
  EXPECT_EQ(tasks.pid(tasks.cpu_curr(crash_cpu)), o.truth["crash"]["pid"].get<int64_t>());
}

TEST_P(LinuxFixture, PsRowsAndFilters) {
  Opened o = open_dump(GetParam());
  Tasks tasks(*o.program);
  WalkStatus st;
  std::vector<PsRow> rows = process_status(tasks, {}, &st);
  if (!st.ok()) {
    std::string why = testing::makedumpfile_dropped(GetParam(), st.message());
    ASSERT_FALSE(why.empty()) << st.message();
    GTEST_SKIP() << why;
  }
  uint64_t cpus = o.truth["guest"]["cpus"];
  ASSERT_GT(rows.size(), cpus);
  for (uint64_t c = 0; c < cpus; ++c) {
    EXPECT_EQ(rows[c].pid, 0);
    EXPECT_EQ(rows[c].comm, "swapper/" + std::to_string(c));
  }
  int active = 0;
  for (const PsRow& r : rows) {
    active += r.active;
    if (r.pid == o.truth["crash"]["pid"].get<int64_t>()) {
      EXPECT_TRUE(r.active);
    }
    if (r.pid == 1) {
      EXPECT_FALSE(r.kernel_thread);
      EXPECT_GT(r.rss_kib, 0u);
      EXPECT_GE(r.vsz_kib, r.rss_kib);
    }
  }
  EXPECT_EQ(active, static_cast<int>(cpus));
  PsOptions d;
  d.states = "D";
  std::vector<PsRow> dr = process_status(tasks, d);
  EXPECT_TRUE(std::any_of(dr.begin(), dr.end(), [&](const PsRow& r) { return r.pid == o.truth["waiter"]["pid"]; }));
  for (const PsRow& r : dr) EXPECT_EQ(r.state.letter, 'D');
  PsOptions g;
  g.comm_pattern = "kdive_sleep_*";
  EXPECT_EQ(process_status(tasks, g).size(), 2u);
  PsOptions u;
  u.user_only = true;
  for (const PsRow& r : process_status(tasks, u)) EXPECT_FALSE(r.kernel_thread);
  PsOptions k;
  k.kernel_only = true;
  std::vector<PsRow> kr = process_status(tasks, k);
  EXPECT_TRUE(std::any_of(kr.begin(), kr.end(), [](const PsRow& r) { return r.comm == "kthreadd"; }));
}

// The module's objects that are still allocated, by id (truth "obj" entries).
std::vector<json> live_objects(const json& truth) {
  std::vector<json> out;
  for (const json& ob : truth["obj"])
    if (ob["freed"].get<int>() == 0) out.push_back(ob);
  return out;
}

TEST_P(LinuxFixture, FirstOfRenamedMembers) {
  Opened o = open_dump(GetParam());
  KernelLayout layout(*o.program);
  // The first name the kernel has wins; none of them is a LookupError naming the kernel.
  EXPECT_EQ(layout.first_member("struct page", {"no_such_member", "flags"}), "flags");
  EXPECT_EQ(layout.first_offset("struct page", {"flags", "no_such_member"}), layout.offset("struct page", "flags"));
  try {
    layout.first_offset("struct page", {"no_such", "nor_this"});
    ADD_FAILURE() << "no LookupError";
  } catch (const LookupError& e) {
    EXPECT_EQ(std::string(e.what()),
              "kernel " + o.program->kernel_release() + ": 'struct page' has no member 'no_such' or 'nor_this'");
  }
}

TEST_P(LinuxFixture, ModuleListTreeAndXarray) {
  Opened o = open_dump(GetParam());
  Program& p = *o.program;
  KernelLayout layout(p);
  const json& truth = o.truth;
  uint64_t node_off = truth["slab"]["offsetof_node"], rb_off = truth["slab"]["offsetof_rb"];
  std::vector<json> live = live_objects(truth);
  ASSERT_EQ(live.size(), truth["slab"]["live_count"].get<size_t>());
  std::vector<uint64_t> expect;
  for (const json& ob : live) expect.push_back(hex(ob["addr"]));

  std::vector<uint64_t> got;
  WalkStatus st = walk_list(p.memory(), ListLayout::of(layout), p.find_object("kdive_obj_list")->address(),
                            [&](uint64_t n) { got.push_back(n - node_off); return true; });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(got, expect);  // list_add_tail in id order
  got.clear();
  st = walk_list(p.memory(), ListLayout::of(layout), p.find_object("kdive_obj_list")->address(),
                 [&](uint64_t n) { got.push_back(n - node_off); return true; }, {}, /*reverse=*/true);
  EXPECT_EQ(got, std::vector<uint64_t>(expect.rbegin(), expect.rend()));

  // The rbtree is keyed by id: in-order is id order.
  RbLayout rb = RbLayout::of(layout);
  uint64_t root = p.find_object("kdive_obj_tree")->address();
  got.clear();
  st = walk_rbtree(p.memory(), rb, root, [&](uint64_t n) { got.push_back(n - rb_off); return true; });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(got, expect);
  EXPECT_EQ(rb_first(p.memory(), rb, root) - rb_off, expect.front());
  EXPECT_EQ(rb_last(p.memory(), rb, root) - rb_off, expect.back());
  EXPECT_EQ(rb_next(p.memory(), rb, expect[0] + rb_off) - rb_off, expect[1]);
  EXPECT_EQ(rb_prev(p.memory(), rb, expect[1] + rb_off) - rb_off, expect[0]);

  XArrayLayout xl = XArrayLayout::of(layout);
  uint64_t xa = p.find_object("kdive_obj_xa")->address();
  std::vector<std::pair<uint64_t, uint64_t>> entries;
  st = walk_xarray(p.memory(), xl, xa, [&](const XArrayEntry& e) {
    entries.emplace_back(e.index, e.entry);
    EXPECT_EQ(e.span, 1u);
    return true;
  });
  ASSERT_TRUE(st.ok()) << st.message();
  std::vector<std::pair<uint64_t, uint64_t>> want;
  for (const json& ob : live) want.emplace_back(ob["xa_index"].get<uint64_t>(), hex(ob["addr"]));
  EXPECT_EQ(entries, want);
  for (const json& ob : truth["obj"]) {
    uint64_t e = xa_load(p.memory(), xl, xa, ob["xa_index"].get<uint64_t>());
    EXPECT_EQ(e, ob["freed"].get<int>() ? 0 : hex(ob["addr"])) << ob["tag"];
  }
  EXPECT_EQ(xa_load(p.memory(), xl, xa, 8), 0u);
}

// The VMAs of init (PID 1) in its mm's maple tree: every entry's range is exactly
// [vm_start, vm_end - 1] of the vm_area_struct it holds, and there are map_count.
void vmas_of_init_in_order(const json& param);

// A read the dump cannot answer skips by the shared makedumpfile rule.
TEST_P(LinuxFixture, VmasOfInitInOrder) {
  try {
    vmas_of_init_in_order(GetParam());
  } catch (const FaultError& e) {
    std::string why = testing::makedumpfile_dropped(GetParam(), e.what());
    ASSERT_FALSE(why.empty()) << e.what();
    GTEST_SKIP() << why;
  }
}

void vmas_of_init_in_order(const json& param) {
  Opened o = open_dump(param);
  Program& p = *o.program;
  Tasks tasks(p);
  KernelLayout& layout = tasks.layout();
  uint64_t mm = tasks.mm(*tasks.find_task(1));
  ASSERT_NE(mm, 0u);
  uint64_t map_count = read_u32(p.memory(), mm + layout.offset("struct mm_struct", "map_count"));
  // walk_vmas, whichever store the kernel has (maple tree 6.1+, vm_next list before).
  uint64_t count = 0, prev_end = 0;
  WalkStatus vs = walk_vmas(p.memory(), layout, mm, [&](const Vma& v) {
    EXPECT_GE(v.start, prev_end);
    EXPECT_LT(v.start, v.end);
    prev_end = v.end;
    ++count;
    return true;
  });
  ASSERT_TRUE(vs.ok()) << vs.message();
  EXPECT_EQ(count, map_count);
  EXPECT_GT(count, 3u);
  if (!layout.has_member("struct mm_struct", "mm_mt")) return;  // no maple tree before 6.1
  // The maple tree itself: each entry's range is its VMA's.
  MapleLayout ml = MapleLayout::of(layout);
  uint64_t start_off = layout.offset("struct vm_area_struct", "vm_start");
  uint64_t end_off = layout.offset("struct vm_area_struct", "vm_end");
  uint64_t entries = 0;
  WalkStatus st = walk_maple_tree(p.memory(), ml, mm + layout.offset("struct mm_struct", "mm_mt"),
                                  [&](const MapleEntry& e) {
                                    EXPECT_EQ(e.first, read_u64(p.memory(), e.entry + start_off));
                                    EXPECT_EQ(e.last, read_u64(p.memory(), e.entry + end_off) - 1);
                                    ++entries;
                                    return true;
                                  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(entries, map_count);
}

// A view of the dump's memory with some words replaced: the "copied dump" that the
// corruption tests damage without touching the fixture file.
class PatchedMemory : public MemoryReader {
 public:
  explicit PatchedMemory(const MemoryReader& base) : base_(base) {}
  void patch(uint64_t address, uint64_t value) { words_[address] = value; }
  void read(uint64_t address, void* buf, size_t size, AddressSpace space) const override {
    base_.read(address, buf, size, space);
    for (const auto& [a, v] : words_) {
      for (size_t i = 0; i < 8; ++i) {
        uint64_t at = a + i;
        if (at >= address && at < address + size) static_cast<uint8_t*>(buf)[at - address] = static_cast<uint8_t>(v >> (8 * i));
      }
    }
  }

 private:
  const MemoryReader& base_;
  std::map<uint64_t, uint64_t> words_;
};

TEST_P(LinuxFixture, CorruptedCopyStopsWithMessage) {
  Opened o = open_dump(GetParam());
  Program& p = *o.program;
  KernelLayout layout(p);
  ListLayout ll = ListLayout::of(layout);
  RbLayout rb = RbLayout::of(layout);
  uint64_t node_off = o.truth["slab"]["offsetof_node"], rb_off = o.truth["slab"]["offsetof_rb"];
  std::vector<json> live = live_objects(o.truth);
  uint64_t head = p.find_object("kdive_obj_list")->address();
  uint64_t n0 = hex(live[0]["addr"]) + node_off, n5 = hex(live[5]["addr"]) + node_off;

  PatchedMemory cyclic(p.memory());
  cyclic.patch(n5 + ll.next, n0);  // entry 5 -> entry 0: a cycle that misses the head
  uint64_t count = 0;
  WalkStatus st = walk_list(cyclic, ll, head, [&](uint64_t) { ++count; return true; });
  EXPECT_EQ(count, 6u);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.problem_address, n0);
  EXPECT_NE(st.message().find("corrupt or cyclic"), std::string::npos) << st.message();

  PatchedMemory garbage(p.memory());
  garbage.patch(n5 + ll.next, 0x00dead0000000000);
  count = 0;
  st = walk_list(garbage, ll, head, [&](uint64_t) { ++count; return true; });
  EXPECT_EQ(count, 6u);
  EXPECT_NE(st.message().find("could not read 0xdead0000000008"), std::string::npos) << st.message();

  // The tree: the last node's right child made the root.
  uint64_t root = p.find_object("kdive_obj_tree")->address();
  uint64_t last = rb_last(p.memory(), rb, root);
  PatchedMemory tree(p.memory());
  tree.patch(last + rb.right, read_u64(p.memory(), root + rb.root_node));
  count = 0;
  st = walk_rbtree(tree, rb, root, [&](uint64_t) { ++count; return true; });
  EXPECT_EQ(count, live.size());
  EXPECT_NE(st.message().find("corrupt or cyclic"), std::string::npos) << st.message();
  (void)rb_off;
}

// Console lines that are the dumped kernel's printk records: every line starting with
// "[" (the guest's init also writes "kdive init: ..." lines to the console; those are
// not kernel records), up to the capture kernel's boot banner in the kdump scenario
// (after a real kdump the console goes on with the second kernel's log, which is not
// in the dump). CRs of the serial line are dropped.
std::vector<std::string> console_kernel_lines(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with("[    0.000000] Linux version") && !out.empty()) break;
    // User-space output without a newline ("kdive init: no crash happened", written
    // while the kdump scenario's crash is still on its way) can run into the next
    // kernel line on the console: the kernel line starts at its "[ seconds.micros]".
    if (!line.empty() && line[0] != '[') {
      static const std::regex stamp(R"(\[ *\d+\.\d{6}\] )");
      std::smatch m;
      if (std::regex_search(line, m, stamp)) line = line.substr(static_cast<size_t>(m.position(0)));
    }
    if (!line.empty() && line[0] == '[') out.push_back(line);
  }
  return out;
}

// truth.json says "none" when the kernel did not call panic() (kdump: crash_kexec()
// ran straight from the oops).
void expect_panic_message(const std::optional<std::string>& got, const json& truth) {
  std::string want = truth["panic_message"];
  if (want == "none") {
    EXPECT_EQ(got, std::nullopt);
  } else {
    EXPECT_EQ(got, want);
  }
}

TEST_P(LinuxFixture, DmesgIsByteIdenticalToTheConsole) {
  Opened o = open_dump(GetParam());
  PrintkLog log = read_printk_log(*o.program);
  EXPECT_EQ(log.source, "printk ring buffer");
  ASSERT_FALSE(log.records.empty());
  for (size_t i = 1; i < log.records.size(); ++i) EXPECT_EQ(log.records[i].seq, log.records[i - 1].seq + 1);
  // The console printed records below console_loglevel (loglevel=7: all but debug).
  DmesgOptions opt;
  std::optional<int> level = console_loglevel(*o.program);
  ASSERT_EQ(level, 7);
  opt.max_level = *level;
  std::vector<std::string> ours;
  std::istringstream text(format_dmesg(log.records, opt));
  for (std::string line; std::getline(text, line);) ours.push_back(line);
  std::vector<std::string> console = console_kernel_lines(o.entry["console_log"]);
  if (console.size() < ours.size()) {
    // Where printing is deferred to a thread (PREEMPT_RT), the last records may never
    // reach the console: kdump starts the capture kernel straight from the oops, or
    // the panic stops the CPU the printing thread ran on (the fixture builder then
    // takes the guest once the panic has begun). The console is then a prefix of the
    // log, and the rest is what makedumpfile --dump-dmesg reads from the same dump.
    std::string console_path = o.entry["console_log"];
    std::string mdf = read_file(console_path.substr(0, console_path.rfind('/')) + "/makedumpfile-dmesg.txt");
    ASSERT_FALSE(mdf.empty()) << "no makedumpfile-dmesg.txt beside " << console_path;
    for (size_t i = console.size(); i < ours.size(); ++i)
      EXPECT_NE(mdf.find(ours[i] + "\n"), std::string::npos) << "line " << i + 1 << ": " << ours[i];
    ours.resize(console.size());
  }
  ASSERT_EQ(ours.size(), console.size());
  for (size_t i = 0; i < ours.size(); ++i) ASSERT_EQ(ours[i], console[i]) << "line " << i + 1;

  // Every record unfiltered, one line each, agrees with drgn's get_dmesg() (which
  // prefixes only the first line of a multi-line record).
  std::string drgn_style;
  for (const PrintkRecord& r : log.records) {
    PrintkRecord first_line_only = r;
    first_line_only.text.clear();
    drgn_style += format_dmesg_record(first_line_only, {}) + r.text + "\n";
  }
  if (std::string dir = drgn_dir_of(o.entry); !dir.empty()) {
    EXPECT_EQ(drgn_style, read_file(dir + "/dmesg.txt"));
  }

  // The markers, their levels, and the panic message.
  for (const json& m : o.truth["marker"]) {
    std::string want = m;
    EXPECT_TRUE(std::any_of(log.records.begin(), log.records.end(), [&](const PrintkRecord& r) { return r.text == want; }))
        << want;
  }
  auto level_of = [&](std::string_view text) {
    for (const PrintkRecord& r : log.records)
      if (r.text == text) return static_cast<int>(r.level);
    return -1;
  };
  EXPECT_EQ(level_of("KDIVE_MARKER notice level line"), 5);
  EXPECT_EQ(level_of("KDIVE_MARKER warning level line"), 4);
  EXPECT_EQ(level_of("KDIVE_MARKER error level line with value 0xfeedbeef"), 3);
  expect_panic_message(panic_message(log.records), o.truth);
}

TEST_P(LinuxFixture, SysAndModules) {
  Opened o = open_dump(GetParam());
  SystemInfo s = system_info(*o.program);
  EXPECT_EQ(s.release, o.truth["kernel"]["release"].get<std::string>());
  EXPECT_EQ(s.machine, "x86_64");
  EXPECT_EQ(s.cpus_present, o.truth["guest"]["cpus"].get<uint64_t>());
  EXPECT_GE(s.cpus_online, 1u);  // the others were stopped by the panic
  expect_panic_message(s.panic_message, o.truth);
  // Total RAM is less than the guest's memory ("256M"): the kernel's own image and,
  // with kdump loaded, the crashkernel reservation are not counted.
  std::string mem = o.truth["guest"]["memory"];
  ASSERT_TRUE(mem.ends_with("M"));
  uint64_t guest = std::stoull(mem) << 20;
  EXPECT_GT(s.total_ram_pages * s.page_size, guest / 2);
  EXPECT_LE(s.total_ram_pages * s.page_size, guest);
  // Uptime is the timekeeper's time at its last update: after init started (it ticked
  // while init worked) and not past the last printk record. How far it lags that record
  // is not a property of the kernel: the oops and panic print with ticks stopped, and
  // under TCG the printk clock (TSC) and the timekeeper's clocksource drift apart with
  // the host's load (0.14-0.68 s measured on an idle host, more on a busy one).
  PrintkLog log = read_printk_log(*o.program);
  ASSERT_TRUE(s.uptime_ns);
  auto init = std::find_if(log.records.begin(), log.records.end(),
                           [](const PrintkRecord& r) { return r.text == "Run /init as init process"; });
  ASSERT_NE(init, log.records.end());
  EXPECT_GE(*s.uptime_ns, init->ts_nsec);
  EXPECT_LE(*s.uptime_ns, log.records.back().ts_nsec + 2000000000);
  // The console's "Tainted: G           OE" line was printed before the crash added
  // more flags: the O (out-of-tree) and E (unsigned) positions must agree.
  ASSERT_TRUE(s.taint_string.starts_with("Tainted: G")) << s.taint_string;
  EXPECT_EQ(s.taint_string.substr(9 + 12, 2), "OE") << s.taint_string;
  EXPECT_NE(std::find(s.taint_names.begin(), s.taint_names.end(), "OOT_MODULE"), s.taint_names.end());

  WalkStatus st;
  std::vector<KernelModuleInfo> mods = kernel_modules(*o.program, &st);
  ASSERT_TRUE(st.ok()) << st.message();
  auto it = std::find_if(mods.begin(), mods.end(), [&](const KernelModuleInfo& m) { return m.name == "kdive_fixture"; });
  ASSERT_NE(it, mods.end());
  EXPECT_EQ(it->base, hex(o.truth["module"]["core_base"]));
  EXPECT_EQ(it->size, o.truth["module"]["core_size"].get<uint64_t>());
  EXPECT_TRUE(it->has_debug_info);
}

INSTANTIATE_TEST_SUITE_P(AllKernelDumps, LinuxFixture, ::testing::ValuesIn(kernel_dumps()),
                         [](const ::testing::TestParamInfo<json>& info) {
                           std::string n = info.param["name"];
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

}  // namespace
}  // namespace kdive
