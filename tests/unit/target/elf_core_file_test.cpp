#include "target/elf_core_file.h"

#include <gtest/gtest.h>

#include "kdive/error.h"
#include "target/core_dump.h"
#include "unit/target/core_builder.h"

namespace kdive {
namespace {

using testing::ElfSegment;

std::string fault_of(const MemoryReader& m, uint64_t addr, size_t n) {
  std::vector<uint8_t> buf(n);
  try {
    m.read(addr, buf.data(), n, AddressSpace::Physical);
  } catch (const FaultError& e) {
    return e.what();
  }
  return "no fault";
}

std::string open_error(std::vector<uint8_t> bytes) {
  try {
    ElfCoreFile f(std::make_shared<MemorySource>(std::move(bytes), "core"));
  } catch (const BadDataError& e) {
    return e.what();
  }
  return "no error";
}

const char kVmcoreinfo[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nSYMBOL(swapper_pg_dir)=ffffffff8260a000\n";

std::vector<std::vector<uint8_t>> kernel_notes() {
  std::string vi = kVmcoreinfo;
  return {testing::note("CORE", 1, testing::prstatus(1, 0xffffffff81000010, 0xffffc90000003f00)),
          testing::note("QEMU", 0, testing::qemu_cpu_state(0xffffffff81000010, 0x260a000, 0x3506f0)),
          testing::note("CORE", 1, testing::prstatus(2, 0xffffffff81000020, 0xffffc90000013f00)),
          testing::note("QEMU", 0, testing::qemu_cpu_state(0xffffffff81000020, 0x4a0b001, 0x1000)),
          testing::note("VMCOREINFO", 0, std::vector<uint8_t>(vi.begin(), vi.end()))};
}

TEST(ElfCoreFile, QemuDumpWithoutPagingIsPhysicalOnly) {
  auto page = testing::pattern(0x2000, 0x100);
  auto core = testing::elf_core(kernel_notes(), {ElfSegment{0, 0x100000, page, 0x2000}});
  ElfCoreFile f(std::make_shared<MemorySource>(core, "qemu.elf"));
  EXPECT_EQ(f.format(), CoreFormat::ElfKernel);
  EXPECT_FALSE(f.has_virtual_segments());
  EXPECT_EQ(f.virtual_segments(), nullptr);
  EXPECT_TRUE(f.from_qemu());
  uint64_t w = 0;
  f.physical_memory()->read(0x100000 + 8 * 5, &w, 8);
  EXPECT_EQ(w, 0x105u);
  EXPECT_EQ(fault_of(*f.physical_memory(), 0x102000, 1), "address not in dump: 0x102000");
  EXPECT_EQ(f.description(), "ELF vmcore (QEMU), without virtual segments, 2 CPUs");

  const CoreNotes& n = f.notes();
  ASSERT_EQ(n.prstatus.size(), 2u);
  EXPECT_EQ(n.prstatus[0].pid, 1);
  EXPECT_EQ(n.prstatus[1].pid, 2);
  EXPECT_EQ(n.prstatus[1].regs.rip, 0xffffffff81000020u);
  EXPECT_EQ(n.prstatus[0].regs.rsp, 0xffffc90000003f00u);
  EXPECT_EQ(n.prstatus[0].regs.r15, 0x1000u);  // first of user_regs_struct
  EXPECT_EQ(n.prstatus[0].regs.rax, 0x100au);  // 11th
  auto dw = n.prstatus[0].regs.dwarf();
  EXPECT_EQ(dw[0], 0x100au);   // DWARF 0 = rax
  EXPECT_EQ(dw[7], 0xffffc90000003f00u);  // DWARF 7 = rsp
  EXPECT_EQ(dw[15], 0x1000u);  // DWARF 15 = r15
  EXPECT_EQ(dw[16], 0xffffffff81000010u);  // return address column = rip
  ASSERT_EQ(n.qemu_cpus.size(), 2u);
  EXPECT_EQ(n.qemu_cpus[0].cr[3], 0x260a000u);
  EXPECT_EQ(n.qemu_cpus[1].cr[3], 0x4a0b001u);
  EXPECT_EQ(n.qemu_cpus[0].cr[4], 0x3506f0u);
  EXPECT_EQ(n.qemu_cpus[0].rip, 0xffffffff81000010u);
  EXPECT_EQ(n.qemu_cpus[0].rbx, 0x2001u);
  EXPECT_EQ(n.qemu_cpus[0].kernel_gs_base.value_or(0), 0xffff888007a00000u);
  ASSERT_TRUE(n.vmcoreinfo);
  EXPECT_EQ(*n.vmcoreinfo, kVmcoreinfo);
}

TEST(ElfCoreFile, QemuDumpWithPagingHasVirtualSegments) {
  auto page = testing::pattern(0x1000, 0x900);
  auto core = testing::elf_core(kernel_notes(),
                                {ElfSegment{0xffffffff81000000, 0x1000000, page, 0x1000},
                                 ElfSegment{0, 0x2000000, page, 0x1000}});
  ElfCoreFile f(std::make_shared<MemorySource>(core, "qemu-p.elf"));
  EXPECT_TRUE(f.has_virtual_segments());
  ASSERT_NE(f.virtual_segments(), nullptr);
  uint64_t v = 0, p = 0;
  f.virtual_segments()->read(0xffffffff81000010, &v, 8);
  f.physical_memory()->read(0x1000010, &p, 8);
  EXPECT_EQ(v, 0x902u);
  EXPECT_EQ(p, v);
  // The vaddr-0 segment (physical memory no page table maps) is not virtual address 0.
  EXPECT_EQ(fault_of(*f.virtual_segments(), 0x0, 1), "address not in dump: 0x0");
  f.physical_memory()->read(0x2000000, &p, 8);
  EXPECT_EQ(p, 0x900u);
}

TEST(ElfCoreFile, TruncatedDumpOpensAndFaultsPastEof) {
  auto page = testing::pattern(0x3000, 0);
  auto core = testing::elf_core(kernel_notes(), {ElfSegment{0, 0x0, page, 0x3000}});
  core.erase(core.end() - 0x1800, core.end());  // cut the last 1.5 pages
  ElfCoreFile f(std::make_shared<MemorySource>(core, "cut.elf"));
  uint64_t w = 0;
  f.physical_memory()->read(0x1000, &w, 8);
  EXPECT_EQ(w, 0x200u);
  EXPECT_EQ(fault_of(*f.physical_memory(), 0x17f8, 16), "truncated dump: 0x1800");
}

// makedumpfile -E -d N leaves filtered pages out of the file: p_memsz > p_filesz.
TEST(ElfCoreFile, MemszBeyondFileszIsFilteredInKernelDumps) {
  auto core = testing::elf_core(kernel_notes(), {ElfSegment{0xffff888000000000, 0x0, testing::pattern(0x1000, 0), 0x2000}});
  ElfCoreFile f(std::make_shared<MemorySource>(core, "x.elf"));
  EXPECT_EQ(fault_of(*f.physical_memory(), 0x1000, 1), "page filtered out by makedumpfile: 0x1000");
  EXPECT_EQ(fault_of(*f.virtual_segments(), 0xffff888000001ff8, 1),
            "page filtered out by makedumpfile: 0xffff888000001ff8");
}

TEST(ElfCoreFile, HeaderErrorsNameTheProblem) {
  auto good = testing::elf_core(kernel_notes(), {ElfSegment{0, 0, testing::pattern(0x1000, 0), 0x1000}});
  EXPECT_EQ(open_error({'x', 'y'}), "core: not an ELF file (bad magic) at offset 0x0");
  EXPECT_EQ(open_error(std::vector<uint8_t>(good.begin(), good.begin() + 40)),
            "core: ELF header truncated (40 of 64 bytes) at offset 0x0");
  auto c32 = good;
  c32[4] = 1;
  EXPECT_EQ(open_error(c32), "core: ELF class 1 is not ELFCLASS64 at offset 0x4");
  auto be = good;
  be[5] = 2;
  EXPECT_EQ(open_error(be), "core: big-endian ELF cores are not supported at offset 0x5");
  auto exec = good;
  exec[16] = 2;
  EXPECT_EQ(open_error(exec), "core: ELF type 2 is not ET_CORE at offset 0x10");
  auto arm = good;
  arm[18] = 183;
  EXPECT_EQ(open_error(arm), "core: ELF machine 183 is not x86-64 at offset 0x12");
  auto phnum = good;
  phnum[56] = 200;  // e_phnum: headers past EOF
  EXPECT_EQ(open_error(phnum), "core: program headers extend past end of file at offset 0x40");
  auto notes_cut = std::vector<uint8_t>(good.begin(), good.begin() + 64 + 56 * 2 + 10);
  EXPECT_EQ(open_error(notes_cut), "core: note segment extends past end of file at offset 0xb0");
}

TEST(ElfCoreFile, MalformedNoteIsAWarningNotAFailure) {
  std::vector<uint8_t> short_prstatus(100, 0);
  auto core = testing::elf_core({testing::note("CORE", 1, short_prstatus)},
                                {ElfSegment{0, 0, testing::pattern(0x1000, 0), 0x1000}});
  ElfCoreFile f(std::make_shared<MemorySource>(core, "core"));
  EXPECT_TRUE(f.notes().prstatus.empty());
  ASSERT_EQ(f.warnings().size(), 1u);
  EXPECT_EQ(f.warnings()[0],
            "core: NT_PRSTATUS: descriptor is 100 bytes, expected 336 (x86-64 elf_prstatus) at offset 0xb0");
}

std::vector<uint8_t> prpsinfo(const std::string& fname) {
  testing::Blob p;
  p.u8(0);     // pr_state
  p.u8('S');   // pr_sname
  p.u8(0);     // pr_zomb
  p.u8(0);     // pr_nice
  p.zeros(4);  // padding
  p.u64(0x400000);  // pr_flag
  p.u32(1000);  // pr_uid
  p.u32(1000);  // pr_gid
  p.u32(4242);  // pr_pid
  p.u32(1);     // pr_ppid
  p.u32(4242);  // pr_pgrp
  p.u32(4242);  // pr_sid
  p.str(fname, 16);  // pr_fname
  p.str(fname + " --flag", 80);  // pr_psargs
  return p.b;
}

TEST(ElfCoreFile, UserCoreReadsThroughToMappedFiles) {
  testing::TempDir dir;
  auto file_bytes = testing::pattern(0x3000, 0x7000);
  std::string lib = dir.write("libfoo.so", file_bytes);
  testing::Blob auxv;
  auxv.u64(6);      // AT_PAGESZ
  auxv.u64(4096);
  auxv.u64(0);      // AT_NULL
  auxv.u64(0);
  std::vector<ElfSegment> segs = {
      // First page dumped (ELF header page), rest not dumped: read through to the file.
      ElfSegment{0x7f0000000000, 0, testing::pattern(0x1000, 0xdead0000), 0x2000, 5},
      // Anonymous, dumped.
      ElfSegment{0x7ffff000, 0, testing::pattern(0x1000, 0xbeef0000), 0x1000, 6},
      // Mapping of a file that does not exist.
      ElfSegment{0x500000, 0, {}, 0x1000, 4},
      // Anonymous memory the kernel did not dump (e.g. VM_IO, or coredump_filter).
      ElfSegment{0x600000, 0, {}, 0x1000, 6}};
  testing::Blob files;
  files.u64(2);      // count
  files.u64(4096);   // page_size
  files.u64(0x7f0000000000); files.u64(0x7f0000002000); files.u64(1);  // libfoo, pgoff 1
  files.u64(0x500000); files.u64(0x501000); files.u64(0);              // missing
  files.bytes(lib.c_str(), lib.size() + 1);
  std::string missing = dir.path() + "/gone.so";
  files.bytes(missing.c_str(), missing.size() + 1);
  auto core = testing::elf_core({testing::note("CORE", 1, testing::prstatus(4242, 0x401000, 0x7ffff800, 11)),
                                 testing::note("CORE", 3, prpsinfo("crasher")),
                                 testing::note("CORE", 6, auxv.b),
                                 testing::note("CORE", 0x46494c45, files.b)},
                                segs);
  std::string path = dir.write("core", core);
  auto dump = open_core(path);
  EXPECT_EQ(dump->format(), CoreFormat::ElfUser);
  EXPECT_FALSE(dump->is_kernel());
  EXPECT_EQ(dump->physical_memory(), nullptr);
  EXPECT_EQ(dump->description(), "ELF process core (crasher), 1 threads, 2 mapped files");
  const CoreNotes& n = dump->notes();
  ASSERT_TRUE(n.prpsinfo);
  EXPECT_EQ(n.prpsinfo->pid, 4242);
  EXPECT_EQ(n.prpsinfo->psargs, "crasher --flag");
  EXPECT_EQ(n.prpsinfo->state, 'S');
  EXPECT_EQ(n.prstatus[0].signal, 11);
  ASSERT_EQ(n.auxv.size(), 1u);
  EXPECT_EQ(n.auxv[0].type, 6u);
  ASSERT_EQ(n.files.size(), 2u);
  EXPECT_EQ(n.files[0].file_offset, 0x1000u);
  EXPECT_EQ(n.files[0].path, lib);

  const SegmentedMemory& v = *dump->virtual_segments();
  uint64_t w = 0;
  v.read(0x7f0000000008, &w, 8);  // dumped page wins over the file
  EXPECT_EQ(w, 0xdead0001u);
  v.read(0x7f0000001010, &w, 8);  // not dumped: file offset 0x1000 + 0x1010
  EXPECT_EQ(w, 0x7000u + 0x2010 / 8);
  v.read(0x7ffff018, &w, 8);
  EXPECT_EQ(w, 0xbeef0003u);
  try {
    v.read(0x500010, &w, 8);
    FAIL() << "no fault";
  } catch (const FaultError& e) {
    EXPECT_EQ(e.address(), 0x500010u);
    EXPECT_EQ(e.reason(), "mapped file not readable: " + missing + ": No such file or directory");
  }
  EXPECT_EQ(fault_of(v, 0x600010, 8), "page excluded from dump: 0x600010");
}

// /proc/kcore cannot be mapped; open_kcore reads it with pread. Same shape here: RAM
// segments have a physical address, vmalloc/module segments have p_paddr = -1.
TEST(ElfCoreFile, KcoreReadsWithPreadAndSkipsUnphysicalSegments) {
  testing::TempDir dir;
  std::string vi = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  auto core = testing::elf_core(
      {testing::note("CORE", 1, testing::prstatus(0, 0, 0)),
       testing::note("CORE", 4, std::vector<uint8_t>(64, 0)),  // NT_TASKSTRUCT
       testing::note("VMCOREINFO", 0, std::vector<uint8_t>(vi.begin(), vi.end()))},
      {ElfSegment{0xffff888000100000, 0x100000, testing::pattern(0x1000, 0x100), 0x1000},
       ElfSegment{0xffffc90000000000, ~uint64_t{0}, testing::pattern(0x1000, 0xc90), 0x2000}});
  std::string path = dir.write("kcore", core);
  auto k = open_kcore(path);
  EXPECT_EQ(k->format(), CoreFormat::Kcore);
  EXPECT_EQ(k->description(), "/proc/kcore (live kernel)");
  uint64_t w = 0;
  k->virtual_segments()->read(0xffffc90000000010, &w, 8);
  EXPECT_EQ(w, 0xc92u);
  k->physical_memory()->read(0x100008, &w, 8);
  EXPECT_EQ(w, 0x101u);
  EXPECT_EQ(fault_of(*k->virtual_segments(), 0xffffc90000001000, 8), "page excluded from dump: 0xffffc90000001000");
  auto ranges = k->physical_ranges();
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0].start, 0x100000u);
  // Through pread, a cut file faults "truncated dump" at the first missing byte.
  core.erase(core.end() - 0x800, core.end());
  std::string cut = dir.write("kcore-cut", core);
  auto kc = open_kcore(cut);
  EXPECT_EQ(fault_of(*kc->virtual_segments(), 0xffffc900000007f8, 16), "truncated dump: 0xffffc90000000800");
}

TEST(OpenCore, UnknownFormatNamesFirstBytes) {
  testing::TempDir dir;
  std::string p = dir.write("junk", {'G', 'I', 'F', '8', '9', 'a', 0, 1});
  try {
    open_core(p);
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_EQ(std::string(e.what()),
              p + ": unknown dump format (first bytes: 47 49 46 38 39 61 00 01 \"GIF89a..\") at offset 0x0");
  }
  std::string empty = dir.write("empty", {});
  EXPECT_THROW(open_core(empty), BadDataError);
  EXPECT_THROW(open_core(dir.path() + "/nope"), OsError);
}

}  // namespace
}  // namespace kdive
