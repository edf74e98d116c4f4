#include "debuginfo/flat_name_index.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "kdive/error.h"

namespace kdive {
namespace {

IndexEntry entry(uint64_t die, IndexTag tag, bool decl = false, bool addr = false, uint64_t parent = 0) {
  IndexEntry e;
  e.die_offset = die;
  e.parent_offset = parent;
  e.tag = tag;
  e.is_declaration = decl;
  e.has_address = addr;
  return e;
}

// An 8-byte aligned copy of an image (the views require alignment, as mmap gives).
struct AlignedImage {
  explicit AlignedImage(const std::vector<uint8_t>& bytes) : words((bytes.size() + 7) / 8), size(bytes.size()) {
    std::memcpy(words.data(), bytes.data(), bytes.size());
  }
  std::span<const uint8_t> span() const { return {reinterpret_cast<const uint8_t*>(words.data()), size}; }
  uint8_t* bytes() { return reinterpret_cast<uint8_t*>(words.data()); }
  std::vector<uint64_t> words;
  size_t size;
};

class FlatNameIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Enough names to fill many slots and force probing.
    names.reserve(3000);
    for (int i = 0; i < 3000; ++i) {
      names.push_back("name_" + std::to_string(i));
      map[names.back()].push_back(entry(0x100 + i, IndexTag::Variable, false, i % 2 == 0));
    }
    map["task_struct"].push_back(entry(0x40, IndexTag::Struct));
    map["task_struct"].push_back(entry(0x80, IndexTag::Typedef, true));
    map["RED"].push_back(entry(0x90, IndexTag::Enumerator, false, false, 0x88));
    image = FlatNameIndex::serialize(map, key, FlatIndexStats{7, 1234});
  }
  std::vector<std::string> names;  // keys of `map` point here
  NameMap map;
  FlatIndexKey key{1000, 500, 42};
  std::vector<uint8_t> image;
};

TEST_F(FlatNameIndexTest, LookupsEqualTheMapItWasMadeFrom) {
  AlignedImage a(image);
  FlatNameIndex flat(a.span(), "test", key);
  EXPECT_EQ(flat.name_count(), map.size());
  EXPECT_EQ(flat.stats().units, 7u);
  EXPECT_EQ(flat.stats().dies_visited, 1234u);
  size_t seen = 0;
  map.for_each([&](std::string_view name, const std::vector<IndexEntry>& want) {
    auto got = flat.find(name);
    ASSERT_EQ(got.size(), want.size()) << name;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[i].die_offset, want[i].die_offset);
      EXPECT_EQ(got[i].parent_offset, want[i].parent_offset);
      EXPECT_EQ(got[i].tag, want[i].tag);
      EXPECT_EQ(got[i].is_declaration, want[i].is_declaration);
      EXPECT_EQ(got[i].has_address, want[i].has_address);
    }
    ++seen;
  });
  EXPECT_EQ(seen, 3002u);
  EXPECT_TRUE(flat.find("name_3000").empty());
  EXPECT_TRUE(flat.find("").empty());
  EXPECT_TRUE(flat.find("task_struc").empty());
  size_t listed = 0;
  flat.for_each([&](std::string_view, std::span<const IndexEntry> e) { listed += e.size(); });
  EXPECT_EQ(listed, 3003u);
}

TEST_F(FlatNameIndexTest, ImagesOfAnotherFileOrFormatAreRefused) {
  AlignedImage a(image);
  EXPECT_THROW(FlatNameIndex(a.span(), "test", FlatIndexKey{1000, 500, 43}), BadDataError);
  EXPECT_THROW(FlatNameIndex(a.span().subspan(0, image.size() - 1), "test", key), BadDataError);
  EXPECT_THROW(FlatNameIndex(a.span().subspan(0, 50), "test", key), BadDataError);
  AlignedImage bad_magic(image);
  bad_magic.bytes()[0] = 'X';
  EXPECT_THROW(FlatNameIndex(bad_magic.span(), "test", key), BadDataError);
  AlignedImage bad_version(image);
  bad_version.bytes()[8] = 99;
  EXPECT_THROW(FlatNameIndex(bad_version.span(), "test", key), BadDataError);
}

TEST_F(FlatNameIndexTest, DamagedRecordsFailTheLookupNotTheProcess) {
  // Every entry's tag byte set to an impossible value: a lookup that reaches an entry
  // must say the image is malformed rather than return an invalid enum.
  AlignedImage a(image);
  FlatNameIndex probe(a.span(), "test", key);
  auto good = probe.find("task_struct");
  ASSERT_EQ(good.size(), 2u);
  size_t entry_off = reinterpret_cast<const uint8_t*>(good.data()) - a.span().data();
  a.bytes()[entry_off + offsetof(IndexEntry, tag)] = 0xee;
  FlatNameIndex flat(a.span(), "test", key);
  EXPECT_THROW(flat.find("task_struct"), BadDataError);
  EXPECT_EQ(flat.find("RED").size(), 1u);  // the rest still works
  // Name records pointing outside the image.
  AlignedImage b(image);
  uint32_t slot_bits;  // header: magic[8], version u32, slot_bits u32
  std::memcpy(&slot_bits, b.bytes() + 12, 4);
  std::memset(b.bytes() + 96 + (size_t{1} << slot_bits) * 8, 0xff, 16 * 3002);  // all name records
  FlatNameIndex broken(b.span(), "test", key);
  EXPECT_THROW(broken.find("task_struct"), BadDataError);
}

}  // namespace
}  // namespace kdive
