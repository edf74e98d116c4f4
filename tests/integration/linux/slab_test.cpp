// SLUB on every kernel fixture dump against truth.json: the test module's cache found
// by name with its sizes, every object of the cache with the right allocated/free
// verdict (30 live, 10 freed by the module), object_info() of every truth object and
// of addresses inside them, the cache list and statistics; and a patched copy of the
// dump with a cyclic freelist and a garbage freelist pointer that must stop with a
// message (hardened freelist pointers are encoded as the kernel does).
#include <gtest/gtest.h>

#include <set>

#include "kdive/error.h"
#include "linux/slab.h"
#include "linux/target_words.h"
#include "integration/linux/kernel_fixture.h"

namespace kdive {
namespace {

using nlohmann::json;
using testing::hex_value;

uint64_t swab(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xff);
  return r;
}

class SlabFixture : public ::testing::TestWithParam<json> {};

TEST(SlabFixtures, ManifestHasKernelDumps) { ASSERT_FALSE(testing::fixture_dumps("kernel").empty()); }

TEST_P(SlabFixture, CacheAndObjectsAgreeWithTruth) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  const json& slab = o.truth["slab"];
  SlubAllocator slub(*o.program);
  std::optional<uint64_t> cache = slub.find_cache(slab["cache_name"].get<std::string>());
  ASSERT_TRUE(cache);
  EXPECT_EQ(*cache, hex_value(slab["cache"]));
  EXPECT_FALSE(slub.find_cache("no-such-cache"));
  const SlabCacheInfo& info = slub.cache_info(*cache);
  EXPECT_EQ(info.object_size, slab["object_size"].get<uint64_t>());
  EXPECT_GE(info.size, info.object_size);
  EXPECT_TRUE(info.random.has_value());  // Debian enables CONFIG_SLAB_FREELIST_HARDENED

  std::set<uint64_t> allocated, free;
  WalkStatus st = slub.for_each_object(*cache, [&](const SlabObject& ob) {
    (ob.allocated ? allocated : free).insert(ob.address);
    return true;
  });
  // On a filtered dump a per-CPU cache of free objects may be unreadable; then the
  // verdict of an object on no readable free list must say it is unknown.
  bool complete = st.ok();
  if (!complete) {
    EXPECT_TRUE(testing::filtered_by_makedumpfile(GetParam(), st.message())) << st.message();
  }
  if (complete) {
    EXPECT_EQ(allocated.size(), slab["live_count"].get<size_t>());
  }
  size_t freed = 0;
  for (const json& ob : o.truth["obj"]) {
    uint64_t addr = hex_value(ob["addr"]);
    bool is_freed = ob["freed"].get<int>() != 0;
    freed += is_freed;
    if (complete || !is_freed) {
      EXPECT_EQ(allocated.count(addr), is_freed ? 0u : 1u) << ob["tag"];
      EXPECT_EQ(free.count(addr), is_freed ? 1u : 0u) << ob["tag"];
    }
    for (uint64_t off : {uint64_t{0}, uint64_t{0x10}, info.object_size - 1}) {
      std::optional<SlabObjectInfo> i = slub.object_info(addr + off);
      ASSERT_TRUE(i) << ob["tag"];
      EXPECT_EQ(i->cache, *cache);
      EXPECT_EQ(i->cache_name, slab["cache_name"].get<std::string>());
      EXPECT_EQ(i->address, addr);
      if (i->allocated_unknown.empty()) {
        EXPECT_EQ(i->allocated, !is_freed) << ob["tag"];
      } else {
        EXPECT_FALSE(complete) << i->allocated_unknown;
        EXPECT_TRUE(testing::filtered_by_makedumpfile(GetParam(), i->allocated_unknown)) << i->allocated_unknown;
      }
    }
  }
  EXPECT_EQ(freed, slab["freed_count"].get<size_t>());
  EXPECT_EQ(allocated.size() + free.size(), slub.slabs(*cache).size() * info.objects_per_slab);

  SlabCacheStats s = slub.statistics(*cache);
  EXPECT_EQ(s.allocated, allocated.size());
  EXPECT_EQ(s.free, free.size());
  EXPECT_EQ(s.proc_num_objs, s.objects);
  if (complete) {
    EXPECT_GE(s.proc_active_objs, s.allocated);
  }

  // Not slab memory: a global, a stack, a user-space address.
  EXPECT_FALSE(slub.object_info(o.program->find_object("init_task")->address()));
  EXPECT_FALSE(slub.object_info(hex_value(o.truth["waiter"]["entry_addr"])));
  EXPECT_FALSE(slub.object_info(0x400000));
}

TEST_P(SlabFixture, EveryCacheWalksCleanly) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  SlubAllocator slub(*o.program);
  std::set<std::string> names;
  uint64_t caches = 0, objects = 0;
  WalkStatus list = slub.for_each_cache([&](uint64_t c) {
    ++caches;
    names.insert(slub.cache_info(c).name);
    WalkStatus st = slub.for_each_object(c, [&](const SlabObject&) {
      ++objects;
      return true;
    });
    EXPECT_TRUE(st.ok() || testing::filtered_by_makedumpfile(GetParam(), st.message()))
        << slub.cache_info(c).name << ": " << st.message();
    return true;
  });
  EXPECT_TRUE(list.ok()) << list.message();
  EXPECT_GT(caches, 50u);
  EXPECT_EQ(names.count("task_struct"), 1u);
  EXPECT_EQ(names.count("kmalloc-64"), 1u);
  EXPECT_GT(objects, 10000u);
}

TEST_P(SlabFixture, CorruptFreelistsStopWithMessage) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  SlubAllocator clean(p);
  uint64_t cache = hex_value(o.truth["slab"]["cache"]);
  const SlabCacheInfo& info = clean.cache_info(cache);
  // A free object on a freelist: the one the module freed where per-CPU slabs hold
  // it (on a slab's or a CPU's lockless freelist); with sheaves (7.x) it sits in a
  // sheaf, where no free pointer links it, so take the head of the first non-empty
  // slab freelist of the cache instead.
  uint64_t freed = hex_value(o.truth["slab"]["freed_ptr"]);
  if (info.cpu_sheaves) {
    freed = 0;
    for (const SlabRef& r : clean.slabs(cache))
      if ((freed = read_u64(p.memory(), r.slab + clean.layout().slab_freelist))) break;
  }
  ASSERT_NE(freed, 0u);
  uint64_t at = freed + info.offset;
  auto encode = [&](uint64_t ptr) { return ptr ^ *info.random ^ swab(at); };

  testing::PatchedMemory cyclic(p.memory());
  cyclic.patch(at, encode(freed));  // the free object points at itself
  SlubAllocator a(p, &cyclic);
  WalkStatus st = a.for_each_object(cache, [](const SlabObject&) { return true; });
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("cyclic freelist"), std::string::npos) << st.message();

  testing::PatchedMemory garbage(p.memory());
  garbage.patch(at, encode(0xdead000000000100));
  SlubAllocator b(p, &garbage);
  st = b.for_each_object(cache, [](const SlabObject&) { return true; });
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("freelist entry 0xdead000000000100 is not an object of the slab"), std::string::npos)
      << st.message();
}

INSTANTIATE_TEST_SUITE_P(AllKernelDumps, SlabFixture, ::testing::ValuesIn(testing::fixture_dumps("kernel")),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
