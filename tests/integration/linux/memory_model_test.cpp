// The memory model and page decoding on every kernel fixture dump: pfn/page/phys/virt
// round trips on the test module's slab objects (truth.json), a vmalloc'ed task stack
// translated through the page tables and read back through its struct page's direct
// map, the page-array walk bounded by max_pfn (filtered dumps: unreadable struct
// pages counted, not fatal), and the flags/zone/compound decoding of a slab page.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/kernel_layout.h"
#include "linux/memory_model.h"
#include "linux/page.h"
#include "linux/target_words.h"
#include "integration/linux/kernel_fixture.h"

namespace kdive {
namespace {

using nlohmann::json;
using testing::hex_value;

class MemoryModelFixture : public ::testing::TestWithParam<json> {};

TEST(MemoryModelFixtures, ManifestHasKernelDumps) { ASSERT_FALSE(testing::fixture_dumps("kernel").empty()); }

TEST_P(MemoryModelFixture, ConversionsRoundTrip) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  MemoryModel mm(p);
  EXPECT_EQ(mm.page_size(), 4096u);
  EXPECT_EQ(mm.struct_page_size(), KernelLayout(p).size_of("struct page"));
  EXPECT_EQ(mm.max_pfn(), p.find_object("max_pfn")->read().as_unsigned());
  for (const json& ob : o.truth["obj"]) {
    uint64_t addr = hex_value(ob["addr"]);
    ASSERT_TRUE(mm.is_direct_map(addr));
    uint64_t page = mm.virt_to_page(addr);
    EXPECT_TRUE(mm.is_page_address(page));
    uint64_t pfn = mm.page_to_pfn(page);
    EXPECT_EQ(mm.pfn_to_page(pfn), page);
    EXPECT_EQ(mm.page_to_virt(page), addr & ~uint64_t{4095});
    EXPECT_EQ(mm.pfn_to_virt(pfn), addr & ~uint64_t{4095});
    EXPECT_EQ(mm.virt_to_phys(addr), (pfn << 12) | (addr & 4095));
    EXPECT_EQ(mm.phys_to_virt(mm.virt_to_phys(addr)), addr);
    EXPECT_EQ(mm.page_to_phys(page), pfn << 12);
  }
  EXPECT_THROW(mm.page_to_pfn(mm.vmemmap() + 1), BadDataError);
}

TEST_P(MemoryModelFixture, VmallocStackThroughPageTablesAndDirectMap) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  MemoryModel mm(p);
  uint64_t entry = hex_value(o.truth["waiter"]["entry_addr"]);
  ASSERT_FALSE(mm.is_direct_map(entry));
  uint64_t page = mm.virt_to_page(entry);
  uint64_t alias = mm.page_to_virt(page) + (entry & 4095);
  // The same bytes through both mappings: the waiter's cookie lives in the entry.
  std::array<uint8_t, 64> a{}, b{};
  p.memory().read(entry, a.data(), a.size());
  p.memory().read(alias, b.data(), b.size());
  EXPECT_EQ(a, b);
  EXPECT_THROW(mm.virt_to_phys(0xffffc00000000000 - 0x1000 * 7), FaultError);
}

TEST_P(MemoryModelFixture, EveryPageOnceAndSlabPagesDecoded) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  MemoryModel mm(p);
  PageDecoder pages(p, mm);
  // A slab page is marked by the PG_slab flag, or (6.10+) by the slab page type.
  std::optional<unsigned> pg_slab = pages.flag_bit("PG_slab");
  uint64_t unreadable = 0, visited = 0, slab_pages = 0, expected_pfn = mm.min_pfn();
  bool in_order = true;
  WalkStatus st = mm.for_each_page([&](uint64_t pfn, uint64_t page, uint64_t flags) {
    in_order = in_order && pfn >= expected_pfn && page == mm.pfn_to_page(pfn);
    expected_pfn = pfn + 1;
    ++visited;
    slab_pages += pg_slab ? flags >> *pg_slab & 1 : pages.is_slab(page);
    return true;
  }, &unreadable);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(visited + unreadable, mm.max_pfn() - mm.min_pfn());
  EXPECT_EQ(st.ok(), unreadable == 0) << st.message();
  EXPECT_GT(slab_pages, 100u);

  uint64_t live = hex_value(o.truth["slab"]["live_ptr"]);
  PageInfo info = pages.decode(mm.virt_to_page(live));
  EXPECT_EQ(info.pfn, mm.virt_to_pfn(live));
  if (pg_slab)
    EXPECT_NE(std::find(info.flag_names.begin(), info.flag_names.end(), "PG_slab"), info.flag_names.end());
  else
    EXPECT_EQ(info.type_name, "slab");
  EXPECT_TRUE(info.problem.empty()) << info.problem;
  EXPECT_EQ(info.node, 0);
  EXPECT_FALSE(info.zone_name.empty());
  // The slab's cache, read where the slab descriptor keeps it (on 6.1 the word of
  // page->mapping; 7.x moved slab_cache next to the flags).
  KernelLayout kl(p);
  std::string slab_type = p.find_type(TypeKind::Struct, "slab").type ? "struct slab" : "struct page";
  EXPECT_EQ(read_u64(p.memory(), info.page + kl.offset(slab_type, "slab_cache")), hex_value(o.truth["slab"]["cache"]));
  EXPECT_EQ(info.compound_head, info.page);
  std::string text = format_page_info(info, mm);
  EXPECT_NE(text.find(pg_slab ? "(PG_slab)" : "type: slab"), std::string::npos) << text;
}

TEST_P(MemoryModelFixture, CompoundPagesHaveOneHead) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  MemoryModel mm(p);
  PageDecoder pages(p, mm);
  unsigned head_bit = *pages.flag_bit("PG_head");
  // The first compound page of the array: its tails point back at it and its order
  // covers them.
  std::optional<uint64_t> head;
  mm.for_each_page([&](uint64_t, uint64_t page, uint64_t flags) {
    if (flags >> head_bit & 1) head = page;
    return !head;
  });
  ASSERT_TRUE(head);
  PageInfo h = pages.decode(*head);
  ASSERT_TRUE(h.head);
  ASSERT_GT(h.compound_order, 0u);
  uint64_t n = uint64_t(1) << h.compound_order;
  for (uint64_t i = 1; i < n; ++i) {
    PageInfo t = pages.decode(*head + i * mm.struct_page_size());
    EXPECT_TRUE(t.tail);
    EXPECT_EQ(t.compound_head, *head);
    EXPECT_EQ(t.compound_order, h.compound_order);
    EXPECT_EQ(pages.compound_head(t.page), *head);
  }
}

TEST_P(MemoryModelFixture, FreePagesAreBuddyPagesOfAlignedOrder) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  MemoryModel mm(p);
  PageDecoder pages(p, mm);
  uint64_t max_order = KernelLayout(p).array_length("struct zone", "free_area") - 1;
  uint64_t buddies = 0;
  mm.for_each_page([&](uint64_t pfn, uint64_t page, uint64_t flags) {
    if (pages.flag_names(flags).size() != 0) return true;
    PageInfo info = pages.decode(page);
    if (info.type_name != "buddy") return true;
    EXPECT_LE(info.private_data, max_order) << pfn;
    EXPECT_EQ(pfn % (uint64_t(1) << info.private_data), 0u) << pfn;
    EXPECT_EQ(info.refcount, 0) << pfn;
    EXPECT_NE(format_page_info(info, mm).find(fmt::format("type: buddy (free, order {})", info.private_data)),
              std::string::npos);
    return ++buddies < 20;
  });
  EXPECT_EQ(buddies, 20u);
}

INSTANTIATE_TEST_SUITE_P(AllKernelDumps, MemoryModelFixture, ::testing::ValuesIn(testing::fixture_dumps("kernel")),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
