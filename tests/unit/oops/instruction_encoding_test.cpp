// InstructionEncoding: the fields of hand-assembled x86-64 instructions, byte by byte
// (Intel SDM vol. 2, ch. 2: prefixes, REX, opcode, ModRM, SIB, displacement, immediate).
#include <gtest/gtest.h>

#include <vector>

#include "oops/instruction_encoding.h"

namespace kdive {
namespace {

InstructionEncoding decode(std::vector<uint8_t> bytes) {
  std::optional<InstructionEncoding> e = decode_encoding(bytes);
  EXPECT_TRUE(e.has_value());
  return e.value_or(InstructionEncoding{});
}

TEST(InstructionEncodingTest, FiveByteNopHasModrmAndSib) {
  // 0f 1f: NOP Ev; 44: mod=01 reg=000 rm=100 (SIB follows); 00: scale=1 index=rax base=rax; 00: disp8.
  InstructionEncoding e = decode({0x0f, 0x1f, 0x44, 0x00, 0x00});
  EXPECT_EQ(e.length, 5u);
  EXPECT_EQ(e.opcode, (std::vector<uint8_t>{0x0f, 0x1f}));
  ASSERT_TRUE(e.modrm && e.sib);
  EXPECT_EQ(e.mod(), 1u);
  EXPECT_EQ(e.reg(), 0u);
  EXPECT_EQ(e.rm(), 4u);
  EXPECT_EQ(e.scale(), 1u);
  EXPECT_EQ(e.index(), 0u);
  EXPECT_EQ(e.base(), 0u);
  EXPECT_EQ(e.displacement_size, 1u);
  EXPECT_EQ(e.modrm_text(), "44 (mod=1 reg=0 rm=4)");
  EXPECT_EQ(e.sib_text(), "00 (scale=1 index=0 base=0)");
}

TEST(InstructionEncodingTest, OneByteOpcodesHaveNoModrm) {
  InstructionEncoding pushfq = decode({0x9c});  // the seed's pushfq
  EXPECT_EQ(pushfq.length, 1u);
  EXPECT_EQ(pushfq.opcode_hex(), "9c");
  EXPECT_FALSE(pushfq.modrm);
  EXPECT_EQ(pushfq.modrm_text(), "-");
  InstructionEncoding call = decode({0xe8, 0x8b, 0x75, 0xfd, 0xff});  // call rel32
  EXPECT_EQ(call.opcode_hex(), "e8");
  EXPECT_FALSE(call.modrm);
  EXPECT_EQ(call.immediate_size + call.displacement_size, 4u);
}

TEST(InstructionEncodingTest, PrefixesRexAndRegisterForm) {
  // f3 0f 1e fa: endbr64 (F3 prefix, opcode 0f 1e, ModRM fa: mod=3 reg=7 rm=2).
  InstructionEncoding endbr = decode({0xf3, 0x0f, 0x1e, 0xfa});
  EXPECT_EQ(endbr.length, 4u);
  EXPECT_EQ(endbr.prefixes, (std::vector<uint8_t>{0xf3}));
  // 48 89 fb: mov %rdi,%rbx — REX.W, opcode 89, ModRM fb: mod=3 reg=7 (rdi) rm=3 (rbx), no SIB.
  InstructionEncoding mov = decode({0x48, 0x89, 0xfb});
  EXPECT_EQ(mov.rex, 0x48);
  EXPECT_EQ(mov.opcode_hex(), "89");
  ASSERT_TRUE(mov.modrm);
  EXPECT_EQ(mov.mod(), 3u);
  EXPECT_EQ(mov.reg(), 7u);
  EXPECT_EQ(mov.rm(), 3u);
  EXPECT_FALSE(mov.sib);
  // ff 15 disp32: call *disp32(%rip) — mod=0 rm=5 is RIP-relative, no SIB.
  InstructionEncoding pv = decode({0xff, 0x15, 0xba, 0x55, 0xdd, 0x01});
  ASSERT_TRUE(pv.modrm);
  EXPECT_EQ(pv.reg(), 2u);
  EXPECT_EQ(pv.rm(), 5u);
  EXPECT_FALSE(pv.sib);
  EXPECT_EQ(pv.displacement_size, 4u);
}

TEST(InstructionEncodingTest, GarbageDoesNotDecode) {
  EXPECT_FALSE(decode_encoding(std::vector<uint8_t>{}).has_value());
  EXPECT_FALSE(decode_encoding(std::vector<uint8_t>{0x0f}).has_value());  // a lone escape byte
}

}  // namespace
}  // namespace kdive
