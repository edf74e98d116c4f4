#include "target/page_cache.h"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>

namespace kdive {
namespace {

TEST(PageCache, EvictsLeastRecentlyUsed) {
  PageCache c(16, 2);
  int fills = 0;
  auto fill_with = [&](uint8_t v) {
    return [&fills, v](uint8_t* p) { ++fills; std::memset(p, v, 16); };
  };
  uint8_t b = 0;
  c.read(1, 0, &b, 1, fill_with(1));
  c.read(2, 0, &b, 1, fill_with(2));
  c.read(1, 3, &b, 1, fill_with(9));  // hit: 1 becomes most recent
  EXPECT_EQ(b, 1);
  c.read(3, 0, &b, 1, fill_with(3));  // evicts 2
  c.read(1, 0, &b, 1, fill_with(9));  // still cached
  EXPECT_EQ(b, 1);
  c.read(2, 0, &b, 1, fill_with(4));  // refilled
  EXPECT_EQ(b, 4);
  EXPECT_EQ(fills, 4);
  EXPECT_EQ(c.hits(), 2u);
  EXPECT_EQ(c.misses(), 4u);
}

TEST(PageCache, FailedFillCachesNothing) {
  PageCache c(8, 1);
  uint8_t b = 0;
  c.read(1, 0, &b, 1, [](uint8_t* p) { std::memset(p, 7, 8); });
  EXPECT_THROW(c.read(2, 0, &b, 1, [](uint8_t*) { throw std::runtime_error("bad"); }),
               std::runtime_error);
  int fills = 0;
  c.read(2, 0, &b, 1, [&](uint8_t* p) { ++fills; std::memset(p, 5, 8); });
  EXPECT_EQ(b, 5);
  EXPECT_EQ(fills, 1);
}

}  // namespace
}  // namespace kdive
