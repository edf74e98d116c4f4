// KallsymsTable on hand-built kallsyms tables in a fake kernel memory: every address
// encoding, 1- and 2-byte name lengths, the _stext check, and garbage tables.
#include "debuginfo/kallsyms_table.h"

#include <gtest/gtest.h>

#include <map>

#include "kdive/error.h"

namespace kdive {
namespace {

// Fake kernel memory: a few regions at virtual addresses; reads outside fault.
struct FakeMemory {
  std::map<uint64_t, std::vector<uint8_t>> regions;
  void read(uint64_t a, std::span<uint8_t> out) const {
    auto it = regions.upper_bound(a);
    if (it == regions.begin()) throw FaultError(a, "not in fake memory");
    --it;
    if (a - it->first + out.size() > it->second.size()) throw FaultError(a, "not in fake memory");
    std::copy_n(it->second.begin() + static_cast<long>(a - it->first), out.size(), out.begin());
  }
};

void put_le(std::vector<uint8_t>& v, uint64_t x, int n) {
  for (int i = 0; i < n; i++) v.push_back(static_cast<uint8_t>(x >> (8 * i)));
}

// Token i is the single character i, except token 1, "_s" (a two-character token).
struct Builder {
  std::vector<std::pair<std::string, uint64_t>> syms;  // "Tname" (type letter first), value
  KallsymsLocations loc;
  FakeMemory mem;

  void build(bool offsets, bool percpu, bool listed_base, uint64_t base) {
    std::vector<uint8_t> table, index;
    for (int i = 0; i < 256; i++) {
      put_le(index, table.size(), 2);
      if (i == 1) {
        table.push_back('_');
        table.push_back('s');
      } else {
        table.push_back(static_cast<uint8_t>(i ? i : 'x'));
      }
      table.push_back(0);
    }
    std::vector<uint8_t> names;
    for (auto& [n, v] : syms) {
      std::vector<uint8_t> enc;
      for (size_t k = 0; k < n.size(); k++) {
        if (n.compare(k, 2, "_s") == 0) {
          enc.push_back(1);  // token "_s"
          k++;
        } else {
          enc.push_back(static_cast<uint8_t>(n[k]));
        }
      }
      if (enc.size() < 0x80) {
        names.push_back(static_cast<uint8_t>(enc.size()));
      } else {  // the 2-byte length of Linux 6.1+
        names.push_back(static_cast<uint8_t>((enc.size() & 0x7f) | 0x80));
        names.push_back(static_cast<uint8_t>(enc.size() >> 7));
      }
      names.insert(names.end(), enc.begin(), enc.end());
    }
    std::vector<uint8_t> count, addrs, b;
    put_le(count, syms.size(), 4);
    for (auto& [n, v] : syms) {
      if (!offsets) put_le(addrs, v, 8);
      else if (!percpu) put_le(addrs, v - base, 4);
      else if (n[0] == 'A') put_le(addrs, v, 4);  // absolute per-CPU offset: stored as is
      else put_le(addrs, static_cast<uint32_t>(-static_cast<int64_t>(v - base) - 1), 4);
    }
    put_le(b, base, 8);
    loc = {};
    mem.regions = {{0x1000, count}, {0x2000, names}, {0x100000, table}, {0x200000, index},
                   {0x300000, addrs}, {0x400000, b}};
    loc.num_syms = 0x1000;
    loc.names = 0x2000;
    loc.token_table = 0x100000;
    loc.token_index = 0x200000;
    (offsets ? loc.offsets : loc.addresses) = 0x300000;
    if (offsets && listed_base) loc.relative_base = 0x400000;
  }
  KallsymsTable read() const {
    return KallsymsTable::read(loc, [this](uint64_t a, std::span<uint8_t> o) { mem.read(a, o); });
  }
};

constexpr uint64_t kText = 0xffffffff81000000;

std::vector<std::pair<std::string, uint64_t>> text_symbols() {
  return {{"T_stext", kText}, {"Tschedule", kText + 0x100}, {"t_stuff", kText + 0x40},
          {"Dinit_task", kText + 0x200000}, {"T" + std::string(200, 'q'), kText + 0x300}};
}

void expect_text_symbols(const KallsymsTable& t) {
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t.symbols()[0].name, "_stext");
  EXPECT_EQ(t.symbols()[1].name, "_stuff");  // sorted by address; "_s" token expanded
  EXPECT_EQ(t.symbols()[1].type, 't');
  auto it = t.lookup("init_task");
  ASSERT_EQ(it.size(), 1u);
  EXPECT_EQ(it[0]->address, kText + 0x200000);
  EXPECT_EQ(it[0]->type, 'D');
  EXPECT_EQ(t.lookup(std::string(200, 'q')).at(0)->address, kText + 0x300);  // 2-byte length
  auto s = t.symbolize(kText + 0x123);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->first->name, "schedule");
  EXPECT_EQ(s->second, kText + 0x300);
  EXPECT_FALSE(t.symbolize(kText - 1));
}

TEST(KallsymsTable, AbsoluteAddresses) {
  Builder b;
  b.syms = text_symbols();
  b.build(false, false, false, 0);
  b.loc.stext = kText;
  auto t = b.read();
  EXPECT_EQ(t.encoding(), KallsymsTable::Encoding::Absolute);
  expect_text_symbols(t);
}

TEST(KallsymsTable, OffsetsFromAListedBase) {
  Builder b;
  b.syms = text_symbols();
  b.build(true, false, true, kText - 0x1000);
  b.loc.stext = kText;
  auto t = b.read();
  EXPECT_EQ(t.encoding(), KallsymsTable::Encoding::Relative);
  EXPECT_EQ(t.base(), kText - 0x1000);
  expect_text_symbols(t);
}

TEST(KallsymsTable, OffsetsWithoutBaseTakeItFromStext) {
  Builder b;
  b.syms = text_symbols();
  b.build(true, false, false, kText - 0x1000);
  b.loc.stext = kText;
  auto t = b.read();
  EXPECT_EQ(t.base(), kText - 0x1000);
  expect_text_symbols(t);
}

TEST(KallsymsTable, AbsolutePercpuEncoding) {
  Builder b;
  b.syms = text_symbols();
  b.syms.push_back({"Arunqueues", 0x2c000});
  b.build(true, true, true, kText);
  b.loc.stext = kText;
  auto t = b.read();
  EXPECT_EQ(t.encoding(), KallsymsTable::Encoding::AbsolutePercpu);
  EXPECT_EQ(t.lookup("runqueues").at(0)->address, 0x2c000u);
  EXPECT_EQ(t.lookup("schedule").at(0)->address, kText + 0x100);
}

TEST(KallsymsTable, WrongStextIsAClearError) {
  Builder b;
  b.syms = text_symbols();
  b.build(false, false, false, 0);
  b.loc.stext = kText + 8;
  try {
    b.read();
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_NE(std::string(e.what()).find("no address encoding puts _stext at 0xffffffff81000008"),
              std::string::npos)
        << e.what();
  }
}

TEST(KallsymsTable, MissingTablesSayWhat) {
  KallsymsLocations loc;
  EXPECT_THROW(KallsymsTable::read(loc, [](uint64_t, std::span<uint8_t>) {}),
               MissingDebugInfoError);
}

TEST(KallsymsTable, GarbageCountIsRefused) {
  Builder b;
  b.syms = text_symbols();
  b.build(false, false, false, 0);
  b.loc.stext = kText;
  b.mem.regions[0x1000] = {0xff, 0xff, 0xff, 0xff};
  EXPECT_THROW(b.read(), BadDataError);
}

TEST(KallsymsTable, NamesRunningOffMemoryFault) {
  Builder b;
  b.syms = text_symbols();
  b.build(false, false, false, 0);
  b.loc.stext = kText;
  b.mem.regions[0x1000] = {0x00, 0x10, 0x00, 0x00};  // 4096 symbols, names for 5
  EXPECT_THROW(b.read(), FaultError);
}

}  // namespace
}  // namespace kdive
