#include "target/kdump_file.h"

#include <gtest/gtest.h>

#include "kdive/error.h"
#include "target/core_dump.h"
#include "target/flattened_source.h"
#include "unit/target/core_builder.h"

namespace kdive {
namespace {

using testing::KdumpPage;

const char kVmcoreinfo[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=16777216\n";

// pfn 0: not RAM; 1: raw; 2: zlib; 3: lzo; 4: snappy; 5: zstd; 6: filtered;
// 7: unknown compression; 8..9: not RAM; 10: zlib.
std::vector<KdumpPage> sample_pages() {
  std::vector<KdumpPage> p;
  auto pg = [](uint64_t pfn) { return testing::pattern(4096, pfn << 32); };
  p.push_back({KdumpPage::NotRam, {}});
  p.push_back({KdumpPage::Raw, pg(1)});
  p.push_back({KdumpPage::Zlib, pg(2)});
  p.push_back({KdumpPage::Lzo, pg(3)});
  p.push_back({KdumpPage::Snappy, pg(4)});
  p.push_back({KdumpPage::Zstd, pg(5)});
  p.push_back({KdumpPage::Filtered, {}});
  p.push_back({KdumpPage::BadFlags, pg(7)});
  p.push_back({KdumpPage::NotRam, {}});
  p.push_back({KdumpPage::NotRam, {}});
  p.push_back({KdumpPage::Zlib, pg(10)});
  return p;
}

std::vector<std::vector<uint8_t>> sample_notes() {
  return {testing::note("CORE", 1, testing::prstatus(101, 0xffffffff81001000, 0xffffc90000000100)),
          testing::note("CORE", 1, testing::prstatus(102, 0xffffffff81002000, 0xffffc90000000200))};
}

std::string fault_of(const MemoryReader& m, uint64_t addr, size_t n) {
  std::vector<uint8_t> buf(n);
  try {
    m.read(addr, buf.data(), n, AddressSpace::Physical);
  } catch (const FaultError& e) {
    return e.what();
  }
  return "no fault";
}

uint64_t word(const MemoryReader& m, uint64_t addr) {
  uint64_t w = 0;
  m.read(addr, &w, 8, AddressSpace::Physical);
  return w;
}

void check_sample(const KdumpFile& k) {
  const MemoryReader& m = *k.physical_memory();
  for (uint64_t pfn : {1, 2, 3, 4, 5, 10}) {
    EXPECT_EQ(word(m, pfn * 4096), pfn << 32) << pfn;
    EXPECT_EQ(word(m, pfn * 4096 + 8 * 511), (pfn << 32) + 511) << pfn;
  }
  // A read spanning the raw page 1 and the zlib page 2.
  uint8_t buf[16];
  m.read(2 * 4096 - 8, buf, 16, AddressSpace::Physical);
  uint64_t a, b;
  std::memcpy(&a, buf, 8);
  std::memcpy(&b, buf + 8, 8);
  EXPECT_EQ(a, (uint64_t{1} << 32) + 511);
  EXPECT_EQ(b, uint64_t{2} << 32);
  EXPECT_EQ(fault_of(m, 0x10, 8), "address not in dump: 0x10");
  EXPECT_EQ(fault_of(m, 6 * 4096 + 0x20, 8), "page filtered out by makedumpfile: 0x6020");
  EXPECT_EQ(fault_of(m, 7 * 4096, 8), "unknown page compression flags 0x40: 0x7000");
  EXPECT_EQ(fault_of(m, 8 * 4096, 8), "address not in dump: 0x8000");
  EXPECT_EQ(fault_of(m, 11 * 4096, 8), "address not in dump: 0xb000");
  EXPECT_EQ(fault_of(m, 0x1ff8, 16), "no fault");
  EXPECT_EQ(fault_of(m, 0x5ff8, 16), "page filtered out by makedumpfile: 0x6000");

  EXPECT_TRUE(k.page_in_ram(6));
  EXPECT_FALSE(k.page_dumped(6));
  EXPECT_EQ(k.max_mapnr(), 11u);
  EXPECT_EQ(k.header_version(), 6);
  EXPECT_EQ(k.dump_level(), 31);
  EXPECT_EQ(k.header_phys_base().value_or(0), 0x1000000u);
  EXPECT_EQ(k.header_release().value_or(""), "6.1.0-test");
  ASSERT_TRUE(k.notes().vmcoreinfo);
  EXPECT_EQ(*k.notes().vmcoreinfo, kVmcoreinfo);
  ASSERT_EQ(k.notes().prstatus.size(), 2u);
  EXPECT_EQ(k.notes().prstatus[1].pid, 102);
  EXPECT_EQ(k.notes().prstatus[1].regs.rip, 0xffffffff81002000u);
  auto ranges = k.physical_ranges();  // dumped pages: 1..5, 7, 10
  ASSERT_EQ(ranges.size(), 3u);
  EXPECT_EQ(ranges[0].start, 0x1000u);
  EXPECT_EQ(ranges[0].size, 0x5000u);
  EXPECT_EQ(ranges[1].start, 0x7000u);
  EXPECT_EQ(ranges[2].start, 0xa000u);
}

TEST(KdumpFile, ReadsEveryCompressionAndDistinguishesMissingPages) {
  auto bytes = testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes());
  KdumpFile k(std::make_shared<MemorySource>(bytes, "dump"), false, KdumpFile::Options());
  check_sample(k);
  EXPECT_EQ(k.format(), CoreFormat::Kdump);
  EXPECT_EQ(k.compression(), "zlib");
  EXPECT_EQ(k.description(), "kdump-compressed (makedumpfile, version 6, dump level 31, zlib), 2 CPUs");
}

TEST(KdumpFile, CachesDecompressedPages) {
  auto bytes = testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes());
  KdumpFile::Options o;
  o.cache_pages = 2;
  KdumpFile k(std::make_shared<MemorySource>(bytes, "dump"), false, o);
  const MemoryReader& m = *k.physical_memory();
  word(m, 0x2000);
  word(m, 0x2008);
  word(m, 0x3000);
  word(m, 0x1000);  // raw pages bypass the cache
  EXPECT_EQ(k.cache().misses(), 2u);
  EXPECT_EQ(k.cache().hits(), 1u);
  word(m, 0x4000);  // evicts pfn 2
  word(m, 0x2000);
  EXPECT_EQ(k.cache().misses(), 4u);
}

TEST(KdumpFile, FlattenedFormatReadsTheSame) {
  auto bytes = testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes());
  testing::TempDir dir;
  std::string path = dir.write("flat", testing::flatten(bytes, 1000));
  auto core = open_core(path);
  ASSERT_EQ(core->format(), CoreFormat::KdumpFlattened);
  const auto& k = dynamic_cast<const KdumpFile&>(*core);
  check_sample(k);
  auto src = std::make_shared<FlattenedSource>(std::make_shared<MemorySource>(testing::flatten(bytes, 1000)));
  EXPECT_EQ(src->size(), bytes.size());
  EXPECT_FALSE(src->truncated());
  std::vector<uint8_t> back(bytes.size());
  ASSERT_EQ(src->read_at(0, back.data(), back.size()), bytes.size());
  EXPECT_EQ(back, bytes);
}

TEST(KdumpFile, PlainFileThroughOpenCore) {
  testing::TempDir dir;
  std::string path = dir.write("dump", testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes()));
  auto core = open_core(path);
  EXPECT_EQ(core->format(), CoreFormat::Kdump);
  check_sample(dynamic_cast<const KdumpFile&>(*core));
}

std::string open_error(std::vector<uint8_t> bytes) {
  try {
    KdumpFile k(std::make_shared<MemorySource>(std::move(bytes), "dump"), false, KdumpFile::Options());
  } catch (const BadDataError& e) {
    return e.what();
  }
  return "no error";
}

TEST(KdumpFile, HeaderErrors) {
  auto good = testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes());
  EXPECT_EQ(open_error({'K', 'D', 'U', 'M', 'P', ' ', ' ', ' ', 6, 0}),
            "dump: kdump header truncated (10 of 464 bytes) at offset 0x0");
  auto bad = good;
  bad[0] = 'X';
  EXPECT_EQ(open_error(bad), "dump: not a kdump-compressed file (no \"KDUMP   \" signature) at offset 0x0");
  auto disk = good;
  std::memcpy(disk.data(), "DISKDUMP", 8);
  EXPECT_EQ(open_error(disk), "dump: old diskdump format (signature DISKDUMP) is not supported at offset 0x0");
  auto bs = good;
  bs[428] = 0x01;  // block_size 0x1001
  EXPECT_EQ(open_error(bs),
            "dump: kdump header: block size 4097 is not a power of two between 512 and 1 MiB at offset 0x1ac");
  auto cut = std::vector<uint8_t>(good.begin(), good.begin() + 4096 + 50);
  EXPECT_EQ(open_error(cut), "dump: kdump sub header truncated at offset 0x1000");
  auto nobm = std::vector<uint8_t>(good.begin(), good.begin() + 2 * 4096 + 100);
  EXPECT_EQ(open_error(nobm), "dump: kdump bitmaps (2 blocks) extend past end of file at offset 0x2000");
}

TEST(KdumpFile, TruncatedPageDataFaults) {
  auto good = testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes());
  // Keep headers, bitmaps and descriptors, and the first page's data only.
  const size_t data_start = 4 * 4096 + 24 * 7;
  auto cut = std::vector<uint8_t>(good.begin(), good.begin() + data_start + 4096);
  KdumpFile k(std::make_shared<MemorySource>(cut, "dump"), false, KdumpFile::Options());
  EXPECT_EQ(word(*k.physical_memory(), 0x1000), uint64_t{1} << 32);
  EXPECT_EQ(fault_of(*k.physical_memory(), 0x2008, 8), "truncated dump: 0x2008");
}

TEST(KdumpFile, CorruptCompressedPageFaults) {
  auto bytes = testing::kdump_file(sample_pages(), kVmcoreinfo, sample_notes());
  // Corrupt the zstd page's data (pfn 5 is the 5th dumped page: descriptor index 4).
  const size_t desc = 4 * 4096 + 24 * 4;
  uint64_t off;
  std::memcpy(&off, &bytes[desc], 8);
  for (int i = 0; i < 8; ++i) bytes[off + i] ^= 0xff;
  KdumpFile k(std::make_shared<MemorySource>(bytes, "dump"), false, KdumpFile::Options());
  std::string f = fault_of(*k.physical_memory(), 0x5000, 8);
  EXPECT_EQ(f.substr(0, 18), "zstd data corrupt ");
  EXPECT_EQ(f.substr(f.size() - 8), ": 0x5000");
}

TEST(FlattenedSource, RejectsBadRecordsAndNotesTruncation) {
  auto flat = testing::flatten(std::vector<uint8_t>(100, 7), 40);
  flat.resize(flat.size() - 10);  // cut into the end marker
  FlattenedSource src(std::make_shared<MemorySource>(flat, "flat"));
  EXPECT_TRUE(src.truncated());
  EXPECT_EQ(src.size(), 100u);
  testing::Blob bad;
  bad.str("makedumpfile", 16);
  bad.be64(1);
  bad.be64(1);
  bad.pad_to(4096);
  bad.be64(~uint64_t{0} - 5);  // negative offset
  bad.be64(4);
  try {
    FlattenedSource s(std::make_shared<MemorySource>(bad.b, "flat"));
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_EQ(std::string(e.what()), "flat: flattened record with offset -6 size 4 at offset 0x1000");
  }
}

}  // namespace
}  // namespace kdive
