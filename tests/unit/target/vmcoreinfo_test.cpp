#include "target/vmcoreinfo.h"

#include <gtest/gtest.h>

#include <cstring>

#include "kdive/error.h"
#include "target/kernel_paging.h"
#include "target/segmented_memory.h"
#include "target/vmcoreinfo_scanner.h"

namespace kdive {
namespace {

const char kText[] =
    "OSRELEASE=6.1.0-26-cloud-amd64\n"
    "BUILD-ID=0123456789abcdef0123456789abcdef01234567\n"
    "PAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffffff9c613f60\n"
    "SYMBOL(swapper_pg_dir)=ffffffff9c60a000\n"
    "OFFSET(list_head.next)=0\n"
    "OFFSET(task_struct.tasks)=2360\n"
    "SIZE(list_head)=16\n"
    "LENGTH(free_area)=11\n"
    "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
    "NUMBER(phys_base)=-1073741824\n"
    "NUMBER(pgtable_l5_enabled)=0\n"
    "KERNELOFFSET=1a600000\n"
    "garbage line\n"
    "CRASHTIME=1700000000\n";

TEST(Vmcoreinfo, TypedLookups) {
  Vmcoreinfo vi = Vmcoreinfo::parse(kText);
  EXPECT_EQ(vi.osrelease(), "6.1.0-26-cloud-amd64");
  EXPECT_EQ(vi.build_id(), "0123456789abcdef0123456789abcdef01234567");
  EXPECT_EQ(vi.page_size(), 4096u);
  EXPECT_EQ(vi.symbol("init_uts_ns"), 0xffffffff9c613f60u);
  EXPECT_EQ(vi.offset("task_struct.tasks"), 2360u);
  EXPECT_EQ(vi.offset("list_head.next"), 0u);
  EXPECT_EQ(vi.size("list_head"), 16u);
  EXPECT_EQ(vi.length("free_area"), 11u);
  EXPECT_EQ(vi.number("PAGE_BUDDY_MAPCOUNT_VALUE"), -129);
  EXPECT_EQ(vi.kernel_offset(), 0x1a600000u);
  EXPECT_EQ(vi.crash_time(), 1700000000);
  EXPECT_FALSE(vi.symbol("nope"));
  EXPECT_FALSE(vi.offset("nope.x"));
  ASSERT_EQ(vi.warnings().size(), 1u);
  EXPECT_EQ(vi.warnings()[0], "VMCOREINFO line 14 has no KEY=VALUE");
  EXPECT_EQ(vi.entries().size(), 14u);
}

TEST(Vmcoreinfo, MalformedValuesAreAbsent) {
  Vmcoreinfo vi = Vmcoreinfo::parse("PAGESIZE=4k\nSYMBOL(x)=zz\nOFFSET(a.b)=-1\nKERNELOFFSET=\n");
  EXPECT_FALSE(vi.page_size());
  EXPECT_FALSE(vi.symbol("x"));
  EXPECT_FALSE(vi.offset("a.b"));
  EXPECT_FALSE(vi.kernel_offset());
}

TEST(VmcoreinfoScanner, FindsPageStartingWithOsrelease) {
  std::vector<uint8_t> mem(16 * 4096, 0);
  // A decoy not at a page start, and one at a page start without PAGESIZE.
  std::memcpy(&mem[0x1100], "OSRELEASE=decoy\nPAGESIZE=4096\n", 30);
  std::memcpy(&mem[0x3000], "OSRELEASE=partial\n", 18);
  std::memcpy(&mem[0x7000], kText, sizeof kText - 1);
  SegmentedMemory phys;
  phys.add({.start = 0x100000, .size = mem.size(), .backed_size = mem.size(), .data = mem.data(), .read = {}});
  auto vi = scan_for_vmcoreinfo(phys, phys.ranges());
  ASSERT_TRUE(vi);
  EXPECT_TRUE(vi->found_by_scan);
  EXPECT_EQ(vi->scan_address, 0x107000u);
  EXPECT_EQ(vi->text(), kText);
  EXPECT_FALSE(scan_for_vmcoreinfo(phys, phys.ranges(), 4096, /*max_pages=*/7));
}

class FakeCore : public CoreDump {
 public:
  explicit FakeCore(CoreNotes n) : notes_(std::move(n)) {}
  const std::string& path() const override { return path_; }
  CoreFormat format() const override { return CoreFormat::ElfKernel; }
  std::string description() const override { return "fake"; }
  const MemoryReader* physical_memory() const override { return nullptr; }
  std::vector<AddressRange> physical_ranges() const override { return {}; }
  const SegmentedMemory* virtual_segments() const override { return nullptr; }
  const CoreNotes& notes() const override { return notes_; }
  const std::vector<std::string>& warnings() const override { return warnings_; }

 private:
  std::string path_ = "fake";
  CoreNotes notes_;
  std::vector<std::string> warnings_;
};

TEST(KernelPaging, RootFromVmcoreinfo) {
  FakeCore core{CoreNotes{}};
  // phys_base is negative here on purpose: the arithmetic wraps like the kernel's.
  KernelPaging p = kernel_paging(Vmcoreinfo::parse(kText), core);
  EXPECT_EQ(p.root, 0xffffffff9c60a000ull - 0xffffffff80000000ull - 0x40000000ull);
  EXPECT_EQ(p.levels, 4);
  EXPECT_EQ(p.source, "VMCOREINFO SYMBOL(swapper_pg_dir)");
  KernelPaging q = kernel_paging(
      Vmcoreinfo::parse("SYMBOL(swapper_pg_dir)=ffffffff8260a000\nNUMBER(phys_base)=16777216\n"
                        "NUMBER(pgtable_l5_enabled)=1\n"),
      core);
  EXPECT_EQ(q.root, 0x360a000u);
  EXPECT_EQ(q.levels, 5);
}

TEST(KernelPaging, FallsBackToQemuCr3AndFailsClearly) {
  CoreNotes n;
  QemuCpuState cpu{};
  cpu.cr[3] = 0x260a000 | 0x801;
  cpu.cr[4] = 1 << 12;
  n.qemu_cpus.push_back(cpu);
  FakeCore qemu(n);
  KernelPaging p = kernel_paging(Vmcoreinfo::parse("OSRELEASE=x\n"), qemu);
  EXPECT_EQ(p.root, 0x260a000u);
  EXPECT_EQ(p.levels, 5);
  EXPECT_EQ(p.source, "CR3 of CPU 0 (QEMU note)");
  FakeCore bare{CoreNotes{}};
  try {
    kernel_paging(Vmcoreinfo::parse("OSRELEASE=x\n"), bare);
    FAIL();
  } catch (const LookupError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cannot find the kernel page tables: VMCOREINFO has no SYMBOL(swapper_pg_dir)");
  }
}

}  // namespace
}  // namespace kdive
