#include "base/byte_cursor.h"

#include <gtest/gtest.h>

#include <vector>

#include "kdive/error.h"

namespace kdive {
namespace {

TEST(ByteCursor, ReadsLittleAndBigEndian) {
  std::vector<uint8_t> b = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  ByteCursor le(b, "blob", "test", true);
  EXPECT_EQ(le.u16(), 0x0201);
  EXPECT_EQ(le.u32(), 0x06050403u);
  ByteCursor be(b, "blob", "test", false);
  EXPECT_EQ(be.u64(), 0x0102030405060708ull);
  EXPECT_TRUE(be.at_end());
}

TEST(ByteCursor, Leb128) {
  // 624485 = 0xe5 0x8e 0x26 (DWARF spec example); -123456 = 0xc0 0xbb 0x78.
  std::vector<uint8_t> b = {0xe5, 0x8e, 0x26, 0xc0, 0xbb, 0x78};
  ByteCursor c(b, "blob", "leb");
  EXPECT_EQ(c.uleb128(), 624485u);
  EXPECT_EQ(c.sleb128(), -123456);
}

TEST(ByteCursor, TruncationNamesSourceAndOffset) {
  std::vector<uint8_t> b = {1, 2, 3};
  ByteCursor c(b, "vmcore", "ELF header", true, 0x40);
  c.u16();
  try {
    c.u32();
    FAIL() << "no error";
  } catch (const BadDataError& e) {
    EXPECT_STREQ(e.what(), "vmcore: ELF header: truncated (need 4 bytes, have 1) at offset 0x42");
  }
}

TEST(ByteCursor, UnterminatedString) {
  std::vector<uint8_t> b = {'a', 'b'};
  ByteCursor c(b, "f", "strtab");
  EXPECT_THROW(c.cstring(), BadDataError);
}

TEST(ByteCursor, SubRejectsOverflow) {
  std::vector<uint8_t> b(16);
  ByteCursor c(b, "f", "whole");
  EXPECT_THROW(c.sub(8, SIZE_MAX, "part"), BadDataError);
  EXPECT_EQ(c.sub(8, 8, "part").size(), 8u);
}

}  // namespace
}  // namespace kdive
