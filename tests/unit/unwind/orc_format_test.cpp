// ORC entry formats on made-up bytes: the same flags word decoded as v1 (type:2 end:1),
// v2 (6.3's signal bit), v3 (6.4's type:3 signal:1) and v4 (v3 with renumbered
// registers); detection from DWARF struct orc_entry members, the .orc_header hash and
// orc_fp_entry, and the errors when the evidence is missing or contradicts itself.
#include "unwind/orc_format.h"
#include "unwind/orc_table.h"

#include <gtest/gtest.h>

#include <cstring>

namespace kdive {
namespace {

constexpr uint16_t flags(unsigned sp_reg, unsigned bp_reg, unsigned type_at_8, unsigned extra = 0) {
  return static_cast<uint16_t>(sp_reg | (bp_reg << 4) | (type_at_8 << 8) | extra);
}

std::vector<uint8_t> hash_bytes(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

const std::string kV3Hash = "fe5d32bf581bd63b2ca9a5c65ba5a625eab3fe24";
const std::string kV4Hash = "137c36ad7627c4dd55932176bb0ecdbd5041fc82";

// DWARF struct orc_entry as each kernel declares it.
std::vector<OrcEntryMember> members(bool three_bit_type, bool signal, bool end) {
  std::vector<OrcEntryMember> m{{"sp_offset", 0, 16}, {"bp_offset", 16, 16}, {"sp_reg", 32, 4}, {"bp_reg", 36, 4}};
  m.push_back({"type", 40, three_bit_type ? 3u : 2u});
  uint64_t next = three_bit_type ? 43 : 42;
  if (signal) m.push_back({"signal", next++, 1});
  if (end) m.push_back({"end", next++, 1});
  return m;
}

std::array<uint8_t, 6> entry_bytes(int16_t sp, int16_t bp, uint16_t f) {
  std::array<uint8_t, 6> b{};
  std::memcpy(&b[0], &sp, 2);
  std::memcpy(&b[2], &bp, 2);
  std::memcpy(&b[4], &f, 2);
  return b;
}

TEST(OrcFormat, SameWordDecodesByFormat) {
  // sp_reg 5, bp_reg 1, 2 in the type bits.
  uint16_t w = flags(5, 1, 2);
  OrcEntry v1 = OrcFormat::v1().decode(8, -16, w);
  EXPECT_EQ(v1.sp_reg, OrcReg::Sp);
  EXPECT_EQ(v1.bp_reg, OrcReg::PrevSp);
  EXPECT_EQ(v1.type, OrcType::RegsPartial);  // v1: CALL=0 REGS=1 REGS_PARTIAL=2
  EXPECT_TRUE(v1.signal);                    // REGS frames: PC taken as is
  EXPECT_FALSE(v1.end);
  OrcEntry v3 = OrcFormat::v3().decode(8, -16, w);
  EXPECT_EQ(v3.type, OrcType::Call);  // v3: UNDEFINED=0 END_OF_STACK=1 CALL=2
  EXPECT_EQ(v3.sp_reg, OrcReg::Sp);
  EXPECT_FALSE(v3.signal);
  OrcEntry v4 = OrcFormat::v4().decode(8, -16, w);
  EXPECT_EQ(v4.type, OrcType::Call);
  EXPECT_EQ(v4.sp_reg, OrcReg::Di);  // renumbered: 5 = DI
  EXPECT_EQ(v4.bp_reg, OrcReg::Ax);
  EXPECT_EQ(v4.sp_offset, 8);
  EXPECT_EQ(v4.bp_offset, -16);
}

TEST(OrcFormat, RenumberedRegisters) {
  OrcFormat f = OrcFormat::v4();
  // The common CALL entry of v4: sp = SP+8, bp = *(PREV_SP-16).
  OrcEntry e = f.decode(8, -16, flags(3, 8, 2));
  EXPECT_EQ(e.sp_reg, OrcReg::Sp);
  EXPECT_EQ(e.bp_reg, OrcReg::PrevSp);
  EXPECT_EQ(e.type, OrcType::Call);
  EXPECT_EQ(f.decode(16, 0, flags(4, 0, 2)).sp_reg, OrcReg::Bp);
  EXPECT_EQ(f.decode(0, 0, flags(6, 0, 2)).sp_reg, OrcReg::R10);
  EXPECT_EQ(f.decode(0, 0, flags(7, 0, 2)).sp_reg, OrcReg::R13);
  EXPECT_EQ(f.decode(16, 0, flags(9, 0, 2)).sp_reg, OrcReg::SpIndirect);
  EXPECT_EQ(f.decode(-40, 0, flags(10, 0, 2)).sp_reg, OrcReg::BpIndirect);
  EXPECT_EQ(f.decode(8, 0, flags(2, 0, 4, 1u << 11)).sp_reg, OrcReg::Dx);
  EXPECT_EQ(f.decode(0, 0, flags(11, 0, 2)).sp_reg, OrcReg::Unknown);
  // The same numbers in the classic numbering.
  OrcFormat c = OrcFormat::v3();
  EXPECT_EQ(c.decode(0, 0, flags(3, 0, 2)).sp_reg, OrcReg::Di);
  EXPECT_EQ(c.decode(0, 0, flags(8, 0, 2)).sp_reg, OrcReg::BpIndirect);
  EXPECT_EQ(c.decode(0, 0, flags(10, 0, 2)).sp_reg, OrcReg::Unknown);
}

TEST(OrcFormat, EndAndSignalPerFormat) {
  // v1: the end bit (bit 10) with an undefined sp_reg.
  OrcEntry v1 = OrcFormat::v1().decode(0, 0, flags(0, 0, 0, 1u << 10));
  EXPECT_TRUE(v1.end);
  EXPECT_EQ(v1.type, OrcType::Call);
  // v2 (6.3): signal is bit 10, end bit 11; a REGS entry without signal is not literal.
  OrcFormat v2 = OrcFormat::v2();
  OrcEntry regs = v2.decode(0, 0, flags(5, 0, 1));
  EXPECT_EQ(regs.type, OrcType::Regs);
  EXPECT_FALSE(regs.signal);
  EXPECT_TRUE(v2.decode(0, 0, flags(5, 0, 1, 1u << 10)).signal);
  EXPECT_TRUE(v2.decode(0, 0, flags(0, 0, 0, 1u << 11)).end);
  EXPECT_FALSE(v2.decode(0, 0, flags(0, 0, 0, 1u << 10)).end);
  // v3: END_OF_STACK is type 1, UNDEFINED type 0; signal is bit 11.
  OrcFormat v3 = OrcFormat::v3();
  OrcEntry end = v3.decode(0, 0, flags(0, 0, 1));
  EXPECT_EQ(end.type, OrcType::EndOfStack);
  EXPECT_TRUE(end.end);
  EXPECT_EQ(v3.decode(0, 0, flags(0, 0, 0)).type, OrcType::Undefined);
  EXPECT_FALSE(v3.decode(0, 0, flags(0, 0, 0)).end);
  OrcEntry partial = v3.decode(8, 0, flags(5, 0, 4, 1u << 11));
  EXPECT_EQ(partial.type, OrcType::RegsPartial);
  EXPECT_TRUE(partial.signal);
  EXPECT_EQ(v3.decode(0, 0, flags(5, 0, 3)).type, OrcType::Regs);
  EXPECT_EQ(v3.decode(0, 0, flags(5, 0, 5)).type, OrcType::Unknown);
}

TEST(OrcFormat, DetectsPreHeaderLayoutsFromDwarf) {
  OrcFormatEvidence ev;
  ev.kernel_release = "6.1.0-test";
  ev.entry_members = members(false, false, true);
  ev.fp_entry = entry_bytes(16, -16, flags(4, 1, 0));
  OrcFormatResult r = detect_orc_format(ev);
  ASSERT_TRUE(r.format) << r.error;
  EXPECT_EQ(r.format->version, 1);
  EXPECT_EQ(describe_orc_format(r),
            "ORC: v1 (pre-6.3 layout: type:2 end:1; registers SP=5 BP=4 PREV_SP=1), no .orc_header, from DWARF "
            "struct orc_entry + orc_fp_entry");
  ev.entry_members = members(false, true, true);
  ev.fp_entry.reset();
  r = detect_orc_format(ev);
  ASSERT_TRUE(r.format) << r.error;
  EXPECT_EQ(r.format->version, 2);
  EXPECT_TRUE(r.format->decode(0, 0, flags(0, 0, 0, 1u << 11)).end);
}

TEST(OrcFormat, DetectsHeaderFormats) {
  OrcFormatEvidence ev;
  ev.kernel_release = "6.12.0-test";
  ev.entry_members = members(true, true, false);
  ev.orc_header = hash_bytes(kV3Hash);
  ev.fp_entry = entry_bytes(16, -16, flags(4, 1, 2));
  OrcFormatResult r = detect_orc_format(ev);
  ASSERT_TRUE(r.format) << r.error;
  EXPECT_EQ(r.format->version, 3);
  EXPECT_EQ(describe_orc_format(*r.format),
            "ORC: v3 (6.4+ layout: type:3 signal:1; registers SP=5 BP=4 PREV_SP=1), .orc_header " + kV3Hash +
                ", from DWARF struct orc_entry + .orc_header + orc_fp_entry");

  ev.kernel_release = "7.2.13-test";
  ev.orc_header = hash_bytes(kV4Hash);
  ev.fp_entry = entry_bytes(16, -16, flags(4, 8, 2));
  r = detect_orc_format(ev);
  ASSERT_TRUE(r.format) << r.error;
  EXPECT_EQ(r.format->version, 4);
  EXPECT_NE(describe_orc_format(*r.format).find("registers SP=3 BP=4 PREV_SP=8"), std::string::npos);

  // The header alone (no DWARF for struct orc_entry) is enough.
  ev.entry_members.reset();
  r = detect_orc_format(ev);
  ASSERT_TRUE(r.format) << r.error;
  EXPECT_EQ(r.format->version, 4);
  EXPECT_EQ(r.format->evidence, ".orc_header + orc_fp_entry");
}

TEST(OrcFormat, FailsWithReleaseAndWhatIsMissing) {
  OrcFormatEvidence ev;
  ev.kernel_release = "7.9.0-test";
  ev.entry_members = members(true, true, false);
  ev.orc_header = hash_bytes("00112233445566778899aabbccddeeff00112233");
  OrcFormatResult r = detect_orc_format(ev);
  EXPECT_FALSE(r.format);
  EXPECT_NE(r.error.find("kernel 7.9.0-test"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("00112233445566778899aabbccddeeff00112233"), std::string::npos) << r.error;
  EXPECT_NE(r.error.find("register numbering unknown"), std::string::npos) << r.error;
  EXPECT_EQ(describe_orc_format(r).rfind("ORC: unusable: kernel 7.9.0-test", 0), 0u);

  // A 3-bit type without .orc_header: the numbering cannot be told.
  ev.orc_header.reset();
  r = detect_orc_format(ev);
  EXPECT_FALSE(r.format);
  EXPECT_NE(r.error.find("no .orc_header"), std::string::npos) << r.error;

  // Nothing at all.
  ev.entry_members.reset();
  r = detect_orc_format(ev);
  EXPECT_FALSE(r.format);
  EXPECT_NE(r.error.find("no DWARF for struct orc_entry"), std::string::npos) << r.error;

  // DWARF says v1, the header says v3.
  ev.entry_members = members(false, false, true);
  ev.orc_header = hash_bytes(kV3Hash);
  r = detect_orc_format(ev);
  EXPECT_FALSE(r.format);
  EXPECT_NE(r.error.find("contradicts"), std::string::npos) << r.error;

  // The header says v3 (PREV_SP = 1), the kernel's own orc_fp_entry uses 8.
  ev.entry_members = members(true, true, false);
  ev.fp_entry = entry_bytes(16, -16, flags(4, 8, 2));
  r = detect_orc_format(ev);
  EXPECT_FALSE(r.format);
  EXPECT_NE(r.error.find("orc_fp_entry"), std::string::npos) << r.error;

  // A member outside the flags word.
  ev.fp_entry.reset();
  ev.entry_members = members(true, true, false);
  (*ev.entry_members)[4].bit_offset = 46;
  r = detect_orc_format(ev);
  EXPECT_FALSE(r.format);
  EXPECT_NE(r.error.find("outside the flags word"), std::string::npos) << r.error;
}

TEST(OrcFormat, TableDecodesInItsFormat) {
  // One v4 CALL entry at 0x1000 and an END_OF_STACK entry at 0x1010.
  const uint64_t ip_section = 0x5000;
  std::vector<uint8_t> ips, orcs;
  auto add = [&](uint64_t ip, int16_t sp, int16_t bp, uint16_t f) {
    int32_t rel = static_cast<int32_t>(ip - (ip_section + ips.size()));
    uint8_t b[4];
    std::memcpy(b, &rel, 4);
    ips.insert(ips.end(), b, b + 4);
    auto e = entry_bytes(sp, bp, f);
    orcs.insert(orcs.end(), e.begin(), e.end());
  };
  add(0x1000, 8, -16, flags(3, 8, 2));
  add(0x1010, 0, 0, flags(0, 0, 1));
  OrcTable t(ips, ip_section, orcs, "test", OrcFormat::v4());
  ASSERT_NE(t.find(0x1004), nullptr);
  EXPECT_EQ(t.find(0x1004)->sp_reg, OrcReg::Sp);
  EXPECT_EQ(t.find(0x1004)->bp_reg, OrcReg::PrevSp);
  EXPECT_EQ(t.find(0x1004)->type, OrcType::Call);
  EXPECT_TRUE(t.find(0x1010)->end);
  EXPECT_EQ(t.format().version, 4);
}

}  // namespace
}  // namespace kdive
