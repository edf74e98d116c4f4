// KallsymsTable on hand-built kallsyms tables in a fake kernel memory: every address
// encoding (absolute, base-relative, absolute per-CPU, place-relative), 1- and 2-byte
// name lengths, the _stext and VMCOREINFO-symbol checks, and garbage tables.
#include "debuginfo/kallsyms_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string_view>

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
  // Where kallsyms_offsets lies, and whether its entries are place-relative (7.0+):
  // then it must be within +-2 GiB of the symbols, as in the kernel image.
  uint64_t offsets_at = 0x300000;
  bool place_relative = false;

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
      const uint64_t place = offsets_at + addrs.size();  // this entry's own address
      if (!offsets) put_le(addrs, v, 8);
      else if (place_relative) put_le(addrs, static_cast<uint32_t>(static_cast<int32_t>(v - place)), 4);
      else if (!percpu) put_le(addrs, v - base, 4);
      else if (n[0] == 'A') put_le(addrs, v, 4);  // absolute per-CPU offset: stored as is
      else put_le(addrs, static_cast<uint32_t>(-static_cast<int64_t>(v - base) - 1), 4);
    }
    put_le(b, base, 8);
    loc = {};
    mem.regions = {{0x1000, count}, {0x2000, names}, {0x100000, table}, {0x200000, index},
                   {offsets_at, addrs}, {0x400000, b}};
    loc.num_syms = 0x1000;
    loc.names = 0x2000;
    loc.token_table = 0x100000;
    loc.token_index = 0x200000;
    (offsets ? loc.offsets : loc.addresses) = offsets_at;
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

TEST(KallsymsTable, BaseRelativeOffsetsWithoutTheirBaseAreNotGuessed) {
  // Offsets from a base, but VMCOREINFO lists no kallsyms_relative_base: only the
  // place-relative reading is possible, it misplaces _stext, and no base is inferred
  // from _stext (that would fit _stext by construction).
  Builder b;
  b.syms = text_symbols();
  b.build(true, false, false, kText - 0x1000);
  b.loc.stext = kText;
  try {
    b.read();
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_NE(std::string(e.what()).find("decoded: place-relative offsets: 0x"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("offsets from a base"), std::string::npos) << e.what();
  }
}

// Linux 7.0's tables (commit a081b5789255d), written out field by field as
// scripts/kallsyms lays them out in .rodata: kallsyms_num_syms, kallsyms_names,
// kallsyms_markers, kallsyms_token_table, kallsyms_token_index, kallsyms_offsets (no
// kallsyms_relative_base). Token i is the one-character string i.
TEST(KallsymsTable, PlaceRelativeOffsetsBlob) {
  constexpr uint64_t kRodata = kText + 0x1400000;
  std::vector<uint8_t> m;
  const uint64_t num_syms = kRodata + m.size();
  put_le(m, 3, 4);  // kallsyms_num_syms = 3
  const uint64_t names = kRodata + m.size();
  // kallsyms_names: per symbol a token count, then the tokens (type letter first).
  for (std::string_view n : {"Tbefore", "T_stext", "Dinit_uts_ns"}) {
    m.push_back(static_cast<uint8_t>(n.size()));  // 1-byte length (< 0x80)
    m.insert(m.end(), n.begin(), n.end());        // token i = character i
  }
  while (m.size() % 4) m.push_back(0);
  put_le(m, 0, 4);  // kallsyms_markers[0] = 0 (not read: names are decoded in order)
  const uint64_t token_table = kRodata + m.size();
  for (int i = 0; i < 256; i++) {  // kallsyms_token_table: "\0", "\1\0", ..., "\xff\0"
    if (i) m.push_back(static_cast<uint8_t>(i));
    m.push_back(0);
  }
  while (m.size() % 4) m.push_back(0);
  const uint64_t token_index = kRodata + m.size();
  for (int i = 0; i < 256; i++) put_le(m, i ? 2 * i - 1 : 0, 2);  // kallsyms_token_index
  const uint64_t offsets = kRodata + m.size();
  // kallsyms_offsets: `.long _text - . + offset`, each the signed distance from the
  // entry's own address to its symbol.
  auto place_rel = [&](uint64_t target) {
    put_le(m, static_cast<uint32_t>(static_cast<int32_t>(target - (kRodata + m.size()))), 4);
  };
  place_rel(kText - 0x40);      // before: ahead of _text, a negative offset from _text
  place_rel(kText);             // _stext
  place_rel(kText + 0x2503f80); // init_uts_ns, past the table (a positive distance)

  Builder b;
  b.mem.regions = {{kRodata, m}};
  b.loc.num_syms = num_syms;
  b.loc.names = names;
  b.loc.token_table = token_table;
  b.loc.token_index = token_index;
  b.loc.offsets = offsets;
  b.loc.stext = kText;
  b.loc.known = {{"init_uts_ns", kText + 0x2503f80}};
  auto t = b.read();
  EXPECT_EQ(t.encoding(), KallsymsTable::Encoding::PlaceRelative);
  EXPECT_EQ(t.base(), offsets);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.symbols()[0].name, "before");
  EXPECT_EQ(t.symbols()[0].address, kText - 0x40);
  EXPECT_EQ(t.symbols()[1].name, "_stext");
  EXPECT_EQ(t.symbols()[1].address, kText);
  EXPECT_EQ(t.lookup("init_uts_ns").at(0)->address, kText + 0x2503f80);
  EXPECT_EQ(t.lookup("init_uts_ns").at(0)->type, 'D');

  // The same tables, but VMCOREINFO places init_uts_ns elsewhere: refused, naming it.
  b.loc.known = {{"init_uts_ns", kText + 0x2503f88}};
  try {
    b.read();
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_NE(std::string(e.what()).find("place-relative offsets: 0xffffffff81000000; (init_uts_ns at "
                                         "0xffffffff83503f80, VMCOREINFO 0xffffffff83503f88)"),
              std::string::npos)
        << e.what();
  }
}

TEST(KallsymsTable, PlaceRelativeOffsets) {
  // The builder's tables with place-relative offsets, a listed (stale) relative base
  // beside them: the place-relative reading is the one that fits.
  Builder b;
  b.syms = text_symbols();
  b.offsets_at = kText + 0x1800000;
  b.place_relative = true;
  b.build(true, false, true, kText - 0x1000);
  b.loc.stext = kText;
  b.loc.known = {{"init_task", kText + 0x200000}};
  auto t = b.read();
  EXPECT_EQ(t.encoding(), KallsymsTable::Encoding::PlaceRelative);
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

TEST(KallsymsTable, MisplacedVmcoreinfoSymbolIsRefused) {
  // _stext fits, init_task does not: no encoding is accepted on _stext alone.
  Builder b;
  b.syms = text_symbols();
  b.build(false, false, false, 0);
  b.loc.stext = kText;
  b.loc.known = {{"init_task", kText + 0x200008}};
  try {
    b.read();
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_NE(std::string(e.what()).find("absolute addresses: 0xffffffff81000000; (init_task at 0xffffffff81200000, "
                                         "VMCOREINFO 0xffffffff81200008)"),
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
