// Integration tests of the target layer on the real fixtures (scripts/fixtures/): every
// dump in $KDIVE_FIXTURES/manifest.json opens; all formats of one boot agree on
// physical pages and VMCOREINFO; page-table translation agrees with QEMU's -p segments
// and reaches the module globals recorded in truth.json; the -d 31 dump faults with
// the filtered reason; user cores read through NT_FILE to their executables. A missing
// manifest is a failure, not a skip.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kdive/error.h"
#include "integration/fixture_manifest.h"
#include "target/core_dump.h"
#include "target/elf_core_file.h"
#include "target/file_source.h"
#include "target/kdump_file.h"
#include "target/kernel_paging.h"
#include "target/kernel_virtual_memory.h"
#include "target/vmcoreinfo_scanner.h"

namespace kdive {
namespace {

using json = nlohmann::json;

uint64_t hex(const json& v) { return std::stoull(v.get<std::string>(), nullptr, 16); }

TEST(TargetFixtures, ManifestListsKernelAndUserDumps) {
  ASSERT_TRUE(testing::fixture_manifest().is_object()) << "no readable " << testing::fixtures_dir()
                                      << "/manifest.json: run scripts/fixtures/build-all.sh";
  EXPECT_FALSE(testing::fixture_dumps("kernel").empty());
  EXPECT_FALSE(testing::fixture_dumps("user").empty());
}

// Everything the tests need from one opened kernel dump.
struct KernelDump {
  json entry;
  std::unique_ptr<CoreDump> core;
  std::optional<Vmcoreinfo> vmcoreinfo;
  KernelPaging paging;
  std::unique_ptr<KernelVirtualMemory> memory;
};

KernelDump open_kernel(const json& d) {
  KernelDump k;
  k.entry = d;
  k.core = open_core(d["path"].get<std::string>());
  k.vmcoreinfo = find_vmcoreinfo(*k.core);
  if (!k.vmcoreinfo) throw LookupError("no VMCOREINFO in " + d["path"].get<std::string>());
  k.paging = kernel_paging(*k.vmcoreinfo, *k.core);
  const MemoryReader& phys = *k.core->physical_memory();
  k.memory = std::make_unique<KernelVirtualMemory>(phys, PageTableWalker(phys, k.paging.root, k.paging.levels));
  return k;
}

TEST(TargetFixtures, EveryKernelDumpOpensWithItsFormat) {
  auto list = testing::fixture_dumps("kernel");
  ASSERT_FALSE(list.empty());
  for (const json& d : list) {
    SCOPED_TRACE(d["name"].get<std::string>());
    auto t0 = std::chrono::steady_clock::now();
    KernelDump k = open_kernel(d);
    auto t1 = std::chrono::steady_clock::now();
    const std::string format = d["format"];
    const json truth = testing::load_json_file(d["truth"]);
    std::printf("  %-32s %-8.2f ms  %s\n", d["name"].get<std::string>().c_str(),
                std::chrono::duration<double, std::milli>(t1 - t0).count(),
                k.core->description().c_str());
    const bool by_qemu = d["producer"].get<std::string>().rfind("qemu", 0) == 0;
    if (format.find("elf-") != std::string::npos) {
      // QEMU's ELF dumps, and makedumpfile -E output of a real kdump's /proc/vmcore.
      ASSERT_EQ(k.core->format(), CoreFormat::ElfKernel);
      const auto& elf = dynamic_cast<const ElfCoreFile&>(*k.core);
      EXPECT_EQ(elf.has_virtual_segments(), format != "elf-phys");
      const bool qemu_notes = format == "elf-paging" || format == "elf-phys";
      EXPECT_EQ(elf.from_qemu(), qemu_notes);
      EXPECT_EQ(elf.notes().qemu_cpus.size(), qemu_notes ? truth["guest"]["cpus"].get<size_t>() : 0);
    } else {
      ASSERT_TRUE(k.core->format() == CoreFormat::Kdump || k.core->format() == CoreFormat::KdumpFlattened);
      EXPECT_EQ(k.core->format() == CoreFormat::KdumpFlattened, format == "kdump-flat-zlib");
      const auto& kd = dynamic_cast<const KdumpFile&>(*k.core);
      std::string comp = format.substr(format.rfind('-') + 1);
      if (comp != "d31") {
        EXPECT_EQ(kd.compression(), comp);
      }
      // QEMU's -z writes dump level 1 (zero pages excluded: its DUMP_LEVEL) whatever the
      // manifest's null says; makedumpfile's outputs carry the -d given.
      EXPECT_EQ(kd.dump_level(), by_qemu ? 1 : d["dump_level"].get<int>());
    }
    EXPECT_EQ(k.core->notes().prstatus.size(), truth["guest"]["cpus"].get<size_t>());
    EXPECT_FALSE(k.vmcoreinfo->found_by_scan);
    EXPECT_EQ(k.vmcoreinfo->osrelease(), truth["kernel"]["release"].get<std::string>());
    EXPECT_EQ(k.vmcoreinfo->kernel_offset().value_or(1),
              truth["kaslr"].get<bool>() ? hex(truth["kaslr_offset"]) : 0);
    EXPECT_EQ(k.paging.levels, 4);
    EXPECT_TRUE(k.core->warnings().empty()) << k.core->warnings()[0];

    // Through the page tables: init_uts_ns (kernel image) holds the release, and the
    // module's global (vmalloc space) holds the value the module printed.
    uint64_t uts = k.vmcoreinfo->symbol("init_uts_ns").value();
    char release[65] = {};
    k.memory->read(uts + 4 + 65 * 2, release, 64);  // struct uts_namespace: kref, name
    std::string rel(release);
    if (rel != truth["kernel"]["release"]) {          // kernels without the kref
      k.memory->read(uts + 65 * 2, release, 64);
      rel = release;
    }
    EXPECT_EQ(rel, truth["kernel"]["release"].get<std::string>());
    uint64_t u64 = 0;
    k.memory->read(hex(truth["expr"]["&kdive_g_u64"]), &u64, 8);
    EXPECT_EQ(u64, truth["expr"]["kdive_g_u64"].get<uint64_t>());
  }
}

// Physical pages present in every format of a scenario read identically; VMCOREINFO
// texts are identical; -d 31 faults with the filtered reason.
TEST(TargetFixtures, FormatsOfOneBootAgree) {
  std::map<std::string, std::vector<json>> by_scenario;
  // One boot = one kernel of the matrix and one scenario.
  for (const json& d : testing::fixture_dumps("kernel"))
    by_scenario[d.value("kernel_name", "") + " " + d["scenario"].get<std::string>()].push_back(d);
  ASSERT_FALSE(by_scenario.empty());
  for (auto& [scenario, list] : by_scenario) {
    SCOPED_TRACE(scenario);
    std::vector<KernelDump> ks;
    for (const json& d : list) ks.push_back(open_kernel(d));
    // The reference: QEMU's physical ELF dump, else (real kdump) the ELF one.
    const KernelDump* phys_elf = nullptr;
    for (const auto& k : ks) {
      if (k.entry["format"] == "elf-phys") phys_elf = &k;
    }
    for (const auto& k : ks) {
      if (!phys_elf && k.core->format() == CoreFormat::ElfKernel) phys_elf = &k;
    }
    ASSERT_NE(phys_elf, nullptr);
    const CoreNotes& ref = phys_elf->core->notes();
    for (const auto& k : ks) {
      EXPECT_EQ(k.vmcoreinfo->text(), phys_elf->vmcoreinfo->text()) << k.entry["name"];
      // Registers: every format carries the same per-CPU notes.
      const CoreNotes& n = k.core->notes();
      ASSERT_EQ(n.prstatus.size(), ref.prstatus.size()) << k.entry["name"];
      ASSERT_EQ(n.qemu_cpus.size(), ref.qemu_cpus.size()) << k.entry["name"];
      for (size_t c = 0; c < ref.prstatus.size(); ++c) {
        EXPECT_EQ(n.prstatus[c].pid, ref.prstatus[c].pid);
        EXPECT_EQ(n.prstatus[c].regs.dwarf(), ref.prstatus[c].regs.dwarf()) << k.entry["name"];
      }
      for (size_t c = 0; c < ref.qemu_cpus.size(); ++c) {
        EXPECT_EQ(n.qemu_cpus[c].cr, ref.qemu_cpus[c].cr) << k.entry["name"];
        EXPECT_EQ(n.qemu_cpus[c].rip, ref.prstatus[c].regs.rip);  // QEMU writes both
      }
    }
    // Sample pages spread over the ELF dump's RAM (more when it is filtered, so that
    // about 400 are actually compared).
    std::vector<uint64_t> pages;
    uint64_t total = 0;
    auto ranges = phys_elf->core->physical_ranges();
    for (const auto& r : ranges) total += r.size / 4096;
    const uint64_t wanted = phys_elf->entry.value("dump_level", json()).is_number() ? 4000 : 400;
    uint64_t step = std::max<uint64_t>(1, total / wanted), i = 0;
    for (const auto& r : ranges) {
      for (uint64_t a = r.start; a + 4096 <= r.start + r.size; a += 4096, ++i) {
        if (i % step == 0) pages.push_back(a);
      }
    }
    size_t compared = 0, filtered_seen = 0;
    std::vector<uint8_t> want(4096), got(4096);
    for (uint64_t a : pages) {
      try {
        phys_elf->core->physical_memory()->read(a, want.data(), 4096, AddressSpace::Physical);
      } catch (const FaultError& e) {
        EXPECT_EQ(e.reason(), "page filtered out by makedumpfile");  // makedumpfile -E -d 31
        ++filtered_seen;
        continue;
      }
      for (const auto& k : ks) {
        if (&k == phys_elf) continue;
        if (auto* kd = dynamic_cast<const KdumpFile*>(k.core.get())) {
          if (!kd->page_dumped(a / 4096)) {
            if (kd->page_in_ram(a / 4096)) {
              try {
                kd->physical_memory()->read(a + 8, got.data(), 8, AddressSpace::Physical);
                ADD_FAILURE() << "no fault at " << a;
              } catch (const FaultError& e) {
                EXPECT_EQ(e.reason(), "page filtered out by makedumpfile");
                EXPECT_EQ(e.address(), a + 8);
                ++filtered_seen;
              }
            }
            continue;
          }
        }
        k.core->physical_memory()->read(a, got.data(), 4096, AddressSpace::Physical);
        EXPECT_TRUE(want == got) << k.entry["name"] << " differs at physical " << a;
        ++compared;
      }
    }
    std::printf("  %s: %zu page comparisons, %zu filtered pages faulted\n", scenario.c_str(),
                compared, filtered_seen);
    EXPECT_GT(compared, 100u * (ks.size() - 1));
    // A -d 31 dump drops free and zero pages (where the group has one under test).
    if (std::any_of(list.begin(), list.end(), [](const json& d) { return d["dump_level"].is_number() && d["dump_level"].get<int>() > 0; })) {
      EXPECT_GT(filtered_seen, 0u);
    }
  }
}

// QEMU's -p segments are its own page-table walk at dump time, and a real kdump's
// /proc/vmcore segments are the kernel's own (direct map and kernel text): our walk
// must agree with both, including on which pages makedumpfile filtered out.
TEST(TargetFixtures, PageTablesAgreeWithVirtualSegments) {
  size_t checked = 0, user_mappings = 0, filtered = 0;
  for (const json& d : testing::fixture_dumps("kernel")) {
    if (d["format"] == "elf-phys" || d["format"].get<std::string>().find("elf") == std::string::npos) continue;
    SCOPED_TRACE(d["name"].get<std::string>());
    KernelDump k = open_kernel(d);
    const json truth = testing::load_json_file(d["truth"]);
    const SegmentedMemory& virt = *k.core->virtual_segments();
    std::vector<uint64_t> addrs;
    for (const char* sym : {"init_task", "init_uts_ns", "swapper_pg_dir", "_stext", "node_online_map",
                            "mem_section", "vmcoreinfo_data", "prb"}) {
      if (auto a = k.vmcoreinfo->symbol(sym)) addrs.push_back(*a);
    }
    addrs.push_back(hex(truth["expr"]["&kdive_g_u64"]));
    for (const char* key : {"crash", "crasher", "waiter"}) {
      if (truth.contains(key) && truth[key].contains("task")) addrs.push_back(hex(truth[key]["task"]));
    }
    if (truth.contains("waiter")) addrs.push_back(hex(truth["waiter"]["entry_addr"]));  // vmap'ed stack
    if (truth.contains("obj")) {
      for (const json& o : truth["obj"]) addrs.push_back(hex(o["addr"]));
    }
    // Plus a sample of the segments' own addresses.
    for (const ElfLoadSegment& s : dynamic_cast<const ElfCoreFile&>(*k.core).load_segments()) {
      if (s.vaddr != 0 && s.filesz >= 4096) addrs.push_back(s.vaddr + (s.filesz / 2 & ~uint64_t{7}));
    }
    for (uint64_t a : addrs) {
      // /proc/vmcore describes the direct map and kernel text only, not vmalloc space.
      if (!virt.contains(a, 8)) continue;
      uint64_t via_tables = 0, via_segments = 0;
      std::string segments_fault, tables_fault;
      try {
        virt.read(a, &via_segments, 8);
      } catch (const FaultError& e) {
        segments_fault = e.what();
      }
      // QEMU 7.2 walks every CPU's CR3 and lists the user mappings it finds with the
      // upper 16 bits set (0xffff7ffd11de6000 for 0x7ffd11de6000): not canonical, so
      // we walk the address it stands for in the CPUs' own tables.
      uint64_t top = a >> 47;
      if (top == 0 || top == 0x1ffff) {
        try {
          k.memory->read(a, &via_tables, 8);
        } catch (const FaultError& e) {
          tables_fault = e.what();
        }
      } else {
        // QEMU lists what every CPU's tables map; two CPUs that last ran different
        // processes map the same user address to different pages, and which one the
        // segment came from is incidental. The segment must hold what one of them maps.
        bool mapped = false;
        std::vector<uint64_t> values;
        for (size_t cpu = 0; cpu < k.core->notes().qemu_cpus.size(); ++cpu) {
          KernelPaging p = kernel_paging_from_cpu(k.core->notes().qemu_cpus[cpu], cpu);
          KernelVirtualMemory user(*k.core->physical_memory(),
                                   PageTableWalker(*k.core->physical_memory(), p.root, p.levels));
          try {
            uint64_t v = 0;
            user.read(a & 0x0000ffffffffffffull, &v, 8);
            values.push_back(v);
            mapped = true;
          } catch (const FaultError&) {
          }
        }
        EXPECT_TRUE(mapped) << std::hex << a;
        via_tables = values.empty() ? 0 : values.front();
        for (uint64_t v : values)
          if (v == via_segments) via_tables = v;
        ++user_mappings;
      }
      EXPECT_EQ(tables_fault, segments_fault) << std::hex << a;
      EXPECT_EQ(via_tables, via_segments) << std::hex << a;
      if (!segments_fault.empty()) ++filtered;
      ++checked;
    }
  }
  std::printf("  %zu addresses translated consistently (%zu user mappings via the CPUs' CR3, "
              "%zu filtered in both)\n", checked, user_mappings, filtered);
  EXPECT_GT(checked, 20u);
}

// The ELF dumps carry the VMCOREINFO note, but the scan must find the same text in
// memory (that is how QEMU dumps without -device vmcoreinfo are handled).
TEST(TargetFixtures, VmcoreinfoScanFindsTheNoteText) {
  size_t found = 0;
  for (const json& d : testing::fixture_dumps("kernel")) {
    if (d["format"] != "elf-phys") continue;
    auto core = open_core(d["path"].get<std::string>());
    auto t0 = std::chrono::steady_clock::now();
    auto scanned = scan_for_vmcoreinfo(*core->physical_memory(), core->physical_ranges());
    auto t1 = std::chrono::steady_clock::now();
    ASSERT_TRUE(scanned) << d["name"];
    std::printf("  %s: found at %#lx in %.1f ms\n", d["name"].get<std::string>().c_str(),
                static_cast<unsigned long>(scanned->scan_address),
                std::chrono::duration<double, std::milli>(t1 - t0).count());
    EXPECT_TRUE(scanned->found_by_scan);
    Vmcoreinfo note = Vmcoreinfo::parse(*core->notes().vmcoreinfo);
    EXPECT_EQ(scanned->osrelease(), note.osrelease());
    EXPECT_EQ(scanned->symbol("init_task"), note.symbol("init_task"));
    EXPECT_EQ(scanned->kernel_offset(), note.kernel_offset());
    ++found;
  }
  EXPECT_GT(found, 0u);
}

TEST(TargetFixtures, UserCoresReadThroughToTheExecutable) {
  auto list = testing::fixture_dumps("user");
  ASSERT_FALSE(list.empty());
  for (const json& d : list) {
    SCOPED_TRACE(d["name"].get<std::string>());
    auto core = open_core(d["path"].get<std::string>());
    ASSERT_EQ(core->format(), CoreFormat::ElfUser);
    const json truth = testing::load_json_file(d["truth"]);
    std::set<int> tids, want;
    for (const PrStatus& p : core->notes().prstatus) tids.insert(p.pid);
    for (const json& t : truth["threads"]) want.insert(t["tid"].get<int>());
    EXPECT_EQ(tids, want);
    EXPECT_EQ(core->notes().prstatus[0].pid, d["crashed_tid"].get<int>());
    const std::string exe = d["executable"];
    FileSource exe_file(exe);
    // Every mapping of the executable reads as the file at the mapped offset, whether
    // the core holds the page (first page: ELF header) or we read through NT_FILE.
    std::vector<uint8_t> got(4096), want_bytes(4096);
    size_t pages = 0;
    const std::string exe_name = exe.substr(exe.rfind('/') + 1);
    for (const FileMapping& m : core->notes().files) {
      if (m.path.substr(m.path.rfind('/') + 1) != exe_name) continue;
      for (uint64_t a = m.start; a < m.end; a += 4096) {
        uint64_t off = m.file_offset + (a - m.start);
        if (off + 4096 > exe_file.size()) break;
        exe_file.read_at(off, want_bytes.data(), 4096);
        core->virtual_segments()->read(a, got.data(), 4096);
        // Pages the core holds may differ from the file (relocated RELRO, data); the
        // ones it does not hold come from the file and must match it exactly.
        bool in_core = false;
        for (const ElfLoadSegment& s : dynamic_cast<const ElfCoreFile&>(*core).load_segments()) {
          if (a >= s.vaddr && a < s.vaddr + s.filesz) in_core = true;
        }
        if (!in_core) {
          EXPECT_TRUE(got == want_bytes) << std::hex << a;
          ++pages;
        }
      }
    }
    EXPECT_GT(pages, 1u);
  }
}

}  // namespace
}  // namespace kdive
