// identify_address on every kernel fixture dump against truth.json: allocated and freed
// slab objects of the test module's cache, the seed-001 scenario (a wait-queue entry on
// the waiter's vmalloc'ed stack: live, and the same stack 0x40 bytes below the saved
// stack pointer: dead), the sleeper threads' locals, and function/object symbols of
// vmlinux and of the module.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "linux/identify_address.h"
#include "linux/kernel_layout.h"
#include "linux/target_words.h"
#include "integration/linux/kernel_fixture.h"

namespace kdive {
namespace {

using nlohmann::json;
using testing::hex_value;

class IdentifyFixture : public ::testing::TestWithParam<json> {};

TEST(IdentifyFixtures, ManifestHasKernelDumps) { ASSERT_FALSE(testing::fixture_dumps("kernel").empty()); }

TEST_P(IdentifyFixture, SlabObjects) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  AddressIdentifier id(*o.program);
  std::string cache = o.truth["slab"]["cache_name"];
  for (const json& ob : o.truth["obj"]) {
    uint64_t addr = hex_value(ob["addr"]);
    std::string free = ob["freed"].get<int>() ? "free " : "";
    for (uint64_t off : {uint64_t{0}, uint64_t{0x10}}) {
      std::optional<std::string> s = id.identify(addr + off);
      ASSERT_TRUE(s);
      // Where makedumpfile dropped the page of a per-CPU sheaf, an object on no
      // readable free list may be free or not, and identify must say so and why.
      std::string unknown = fmt::format("slab object: {}+{:#x} (allocated or free: unknown, ", cache, off);
      if (s->starts_with(unknown))
        EXPECT_TRUE(testing::filtered_by_makedumpfile(GetParam(), *s)) << *s;
      else
        EXPECT_EQ(*s, fmt::format("{}slab object: {}+{:#x}", free, cache, off));
    }
  }
}

TEST_P(IdentifyFixture, StackAddressesLiveAndDead) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  AddressIdentifier id(p);
  const json& w = o.truth["waiter"];
  uint64_t entry = hex_value(w["entry_addr"]);
  std::optional<std::string> s = id.identify(entry);
  ASSERT_TRUE(s);
  std::string prefix = fmt::format("vmap stack: {} ({}) +{}", w["pid"].get<int>(), w["comm"].get<std::string>(),
                                   w["stack_offset"].get<std::string>());
  EXPECT_EQ(s->substr(0, prefix.size()), prefix) << *s;
  uint64_t task = hex_value(w["task"]);
  uint64_t sp = read_u64(p.memory(), task + KernelLayout(p).offset("struct task_struct", "thread.sp"));
  ASSERT_LT(sp, entry);
  EXPECT_EQ(*s, fmt::format("{} (live: {:#x} bytes above the saved stack pointer)", prefix, entry - sp));
  uint64_t stack = hex_value(w["stack"]);
  EXPECT_EQ(id.identify(sp - 0x40), fmt::format("vmap stack: {} ({}) +{:#x} (dead: 0x40 bytes below the saved stack "
                                                "pointer)", w["pid"].get<int>(), w["comm"].get<std::string>(),
                                                sp - 0x40 - stack));
  EXPECT_EQ(id.identify(sp), fmt::format("vmap stack: {} ({}) +{:#x} (live: 0x0 bytes above the saved stack pointer)",
                                         w["pid"].get<int>(), w["comm"].get<std::string>(), sp - stack));
  for (const json& t : o.truth["thread"]) {
    uint64_t local = hex_value(t["level3"]["local_magic_addr"]);
    std::optional<std::string> ls = id.identify(local);
    ASSERT_TRUE(ls);
    EXPECT_EQ(ls->substr(0, ls->rfind(" (live: ")), fmt::format("vmap stack: {} ({}) +{:#x}", t["pid"].get<int>(),
                                                                 t["comm"].get<std::string>(), local - hex_value(t["stack"])));
  }
  EXPECT_EQ(id.thread_size(), 16384u);
}

TEST_P(IdentifyFixture, Symbols) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& p = *o.program;
  AddressIdentifier id(p);
  uint64_t fnptr = hex_value(o.truth["expr"]["kdive_g_fnptr"]);
  EXPECT_EQ(id.identify(fnptr), "function symbol: kdive_callback+0x0");
  EXPECT_EQ(id.identify(fnptr + 3), "function symbol: kdive_callback+0x3");
  EXPECT_EQ(id.identify(hex_value(o.truth["expr"]["&kdive_g_u64"])), "object symbol: kdive_g_u64+0x0");
  EXPECT_EQ(id.identify(hex_value(o.truth["expr"]["&kdive_g_config"]) + 0x10), "object symbol: kdive_g_config+0x10");
  EXPECT_EQ(id.identify(p.find_object("init_task")->address() + 8), "object symbol: init_task+0x8");
  EXPECT_EQ(id.identify(0x10), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(AllKernelDumps, IdentifyFixture, ::testing::ValuesIn(testing::fixture_dumps("kernel")),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
