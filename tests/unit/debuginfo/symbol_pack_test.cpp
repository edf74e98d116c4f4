// Symbol packs' small parts on hand-made inputs: the .kdive.pack text (versions, bad
// numbers, the exact error texts), nm's letter rules, and the kallsyms order that
// KallsymsTable::from_symbols gives symbols sharing an address.
#include "debuginfo/symbol_pack.h"

#include <gtest/gtest.h>

#include <string_view>

#include "kdive/error.h"

namespace kdive {
namespace {

std::span<const uint8_t> bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

std::string parse_error(std::string_view text) {
  try {
    parse_symbol_pack_info(bytes(text), "p.kdsym");
  } catch (const BadDataError& e) {
    return e.what();
  }
  return "no error";
}

TEST(SymbolPackInfo, ParsesKnownKeysAndIgnoresOthers) {
  SymbolPackInfo i = parse_symbol_pack_info(
      bytes("kdive-symbol-pack 1\nmade_from /boot/vmlinux\nmade_from_bytes 628394144\nfuture thing\nsymbols 3\n"),
      "p.kdsym");
  EXPECT_EQ(i.version, 1u);
  EXPECT_EQ(i.made_from, "/boot/vmlinux");
  EXPECT_EQ(i.made_from_bytes, 628394144u);
}

TEST(SymbolPackInfo, BadTextIsReportedExactly) {
  EXPECT_EQ(parse_error(""), "p.kdsym: .kdive.pack: no 'kdive-symbol-pack VERSION' line");
  EXPECT_EQ(parse_error("kdive-symbol-pack 2\n"),
            "p.kdsym: .kdive.pack: format version 2 (this kdive reads up to 1: made by a newer kdive?)");
  EXPECT_EQ(parse_error("kdive-symbol-pack 0\n"),
            "p.kdsym: .kdive.pack: format version 0 (this kdive reads up to 1: made by a newer kdive?)");
  EXPECT_EQ(parse_error("kdive-symbol-pack 1\nmade_from_bytes 12x\n"),
            "p.kdsym: .kdive.pack: made_from_bytes is not a number: '12x'");
  EXPECT_EQ(parse_error("kdive-symbol-pack\n"), "p.kdsym: .kdive.pack: kdive-symbol-pack is not a number: ''");
}

GElf_Sym sym(unsigned bind, unsigned type, uint16_t shndx) {
  GElf_Sym s{};
  s.st_info = static_cast<unsigned char>(GELF_ST_INFO(bind, type));
  s.st_shndx = shndx;
  return s;
}

GElf_Shdr section(uint32_t type, uint64_t flags) {
  GElf_Shdr h{};
  h.sh_type = type;
  h.sh_flags = flags;
  return h;
}

TEST(SymbolPackLetters, FollowNm) {
  GElf_Shdr text = section(SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR);
  GElf_Shdr data = section(SHT_PROGBITS, SHF_ALLOC | SHF_WRITE);
  GElf_Shdr bss = section(SHT_NOBITS, SHF_ALLOC | SHF_WRITE);
  GElf_Shdr rodata = section(SHT_PROGBITS, SHF_ALLOC);
  GElf_Shdr debug = section(SHT_PROGBITS, 0);
  EXPECT_EQ(nm_symbol_letter(sym(STB_GLOBAL, STT_FUNC, 1), &text), 'T');
  EXPECT_EQ(nm_symbol_letter(sym(STB_LOCAL, STT_FUNC, 1), &text), 't');
  EXPECT_EQ(nm_symbol_letter(sym(STB_GLOBAL, STT_OBJECT, 2), &data), 'D');
  EXPECT_EQ(nm_symbol_letter(sym(STB_LOCAL, STT_OBJECT, 3), &bss), 'b');
  EXPECT_EQ(nm_symbol_letter(sym(STB_GLOBAL, STT_OBJECT, 4), &rodata), 'R');
  EXPECT_EQ(nm_symbol_letter(sym(STB_LOCAL, STT_NOTYPE, 5), &debug), 'n');
  EXPECT_EQ(nm_symbol_letter(sym(STB_GLOBAL, STT_NOTYPE, SHN_ABS), nullptr), 'A');
  EXPECT_EQ(nm_symbol_letter(sym(STB_WEAK, STT_FUNC, 1), &text), 'W');
  EXPECT_EQ(nm_symbol_letter(sym(STB_WEAK, STT_OBJECT, 2), &data), 'V');
  EXPECT_EQ(nm_symbol_letter(sym(STB_GLOBAL, STT_NOTYPE, SHN_UNDEF), nullptr), 'U');
  EXPECT_EQ(nm_symbol_letter(sym(STB_LOCAL, STT_FILE, SHN_ABS), nullptr), '?');
  EXPECT_EQ(nm_symbol_letter(sym(STB_LOCAL, STT_SECTION, 1), &text), '?');
}

TEST(SymbolPackLetters, FromSymbolsOrdersAliasesAsKallsyms) {
  // At one address: a weak name, a double-underscore name and a plain one, given in
  // that order; the kernel's kallsyms lists the plain one first.
  KallsymsTable t = KallsymsTable::from_symbols(
      {{"later", 0x2000, 'T'}, {"weak_one", 0x1000, 'W'}, {"__under", 0x1000, 'T'}, {"plain", 0x1000, 't'}},
      "symbol pack p.kdsym");
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t.symbols()[0].name, "plain");
  EXPECT_EQ(t.symbols()[1].name, "__under");
  EXPECT_EQ(t.symbols()[2].name, "weak_one");
  EXPECT_EQ(t.symbols()[3].name, "later");
  EXPECT_EQ(t.source(), "symbol pack p.kdsym");
  EXPECT_EQ(t.encoding(), KallsymsTable::Encoding::SymbolFile);
  auto r = t.symbolize(0x1800);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->second, 0x2000u);
}

}  // namespace
}  // namespace kdive
