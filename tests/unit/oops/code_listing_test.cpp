// Code: line parsing and decodecode's layout, on byte strings written in the test
// (objdump's decoding of the same bytes given in the comments).
#include <gtest/gtest.h>

#include "oops/code_listing.h"
#include "oops/instruction_decoder.h"

namespace kdive {
namespace {

TEST(CodeListing, ParsesCodeLineWithAngleMarker) {
  auto code = parse_code_line("[    3.2] Code: 48 8b 47 08 <8b> 80 a8 01 00 00 e9\n");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->bytes, (std::vector<uint8_t>{0x48, 0x8b, 0x47, 0x08, 0x8b, 0x80, 0xa8, 0x01, 0x00, 0x00, 0xe9}));
  ASSERT_TRUE(code->trap_offset);
  EXPECT_EQ(*code->trap_offset, 4u);
}

TEST(CodeListing, ParsesParenthesisMarkerAndWideWords) {
  // ARM prints 32-bit words, most significant byte first.
  auto code = parse_code_line("Code: e1a00000 (e5932000) e12fff1e");
  ASSERT_TRUE(code);
  ASSERT_EQ(code->bytes.size(), 12u);
  EXPECT_EQ(code->bytes[4], 0x00);
  EXPECT_EQ(code->bytes[7], 0xe5);
  EXPECT_EQ(*code->trap_offset, 4u);
}

TEST(CodeListing, NoBytesIsNullopt) {
  EXPECT_FALSE(parse_code_line("Code: Unable to access opcode bytes at 0xffffffffc0366fff."));
  EXPECT_FALSE(parse_code_line("no code here"));
}

TEST(CodeListing, DecodecodeLayout) {
  auto code = parse_code_line("Code: 48 8b 47 08 <8b> 80 a8 01 00 00");
  ASSERT_TRUE(code);
  std::string s = format_decodecode(*code, ListingOptions{}, "Code: 48 8b 47 08 <8b> 80 a8 01 00 00");
  EXPECT_EQ(s,
            "Code: 48 8b 47 08 <8b> 80 a8 01 00 00\n"
            "All code\n"
            "========\n"
            "   0:\t48 8b 47 08          \tmov    0x8(%rdi),%rax\n"
            "   4:*\t8b 80 a8 01 00 00    \tmov    0x1a8(%rax),%eax\t\t<-- trapping instruction\n"
            "\n"
            "Code starting with the faulting instruction\n"
            "===========================================\n"
            "   0:\t8b 80 a8 01 00 00    \tmov    0x1a8(%rax),%eax\n");
}

TEST(CodeListing, IntelSyntax) {
  auto code = parse_code_line("Code: <8b> 80 a8 01 00 00");
  ASSERT_TRUE(code);
  EXPECT_EQ(*code->trap_offset, 0u);
  ListingOptions o;
  o.syntax = AsmSyntax::Intel;
  std::string s = format_decodecode(*code, o);
  EXPECT_NE(s.find("mov    eax, dword ptr [rax + 0x1a8]\t\t<-- trapping instruction"), std::string::npos) << s;
}

TEST(CodeListing, ResynchronisesOnTheTrappingByte) {
  // The first byte is the tail of an earlier instruction (0xb8 would start a 5-byte
  // `mov $imm32,%eax` eating the trapping byte); decoding from byte 1 lands on it.
  auto code = parse_code_line("Code: b8 48 89 c7 <8b> 07");  // mov %rax,%rdi; mov (%rdi),%eax
  ASSERT_TRUE(code);
  DecodedCode d = decode_code_bytes(*code, AsmSyntax::Att);
  ASSERT_TRUE(d.trap_index);
  EXPECT_EQ(d.start, 1u);
  EXPECT_EQ(d.all[*d.trap_index].text(), "mov (%rdi),%eax");
  EXPECT_EQ(d.all[0].text(), "mov %rax,%rdi");
}

TEST(CodeListing, LongInstructionContinuesOnNextLine) {
  // movabs $0xab00000000000000,%r12: 10 bytes, objdump puts 7 then 3.
  InstructionDecoder dec;
  std::vector<uint8_t> b{0x49, 0xbc, 0, 0, 0, 0, 0, 0, 0, 0xab};
  auto insns = dec.decode(b, 0x25);
  ASSERT_EQ(insns.size(), 1u);
  EXPECT_EQ(format_objdump_line(insns[0], ListingOptions{}),
            "  25:\t49 bc 00 00 00 00 00 \tmovabs $0xab00000000000000,%r12\n  2c:\t00 00 ab ");
}

TEST(InstructionDecoder, MemoryOperands) {
  InstructionDecoder dec;
  std::vector<uint8_t> load{0x8b, 0x80, 0xa8, 0x01, 0x00, 0x00};  // mov 0x1a8(%rax),%eax
  auto i = dec.decode(load, 0).at(0);
  ASSERT_TRUE(i.memory);
  EXPECT_EQ(i.memory->base, "rax");
  EXPECT_EQ(i.memory->displacement, 0x1a8);
  EXPECT_TRUE(i.memory->read);
  EXPECT_FALSE(i.memory->write);
  EXPECT_EQ(i.destination, "rax");  // %eax is part of %rax
  EXPECT_TRUE(i.is_load);

  std::vector<uint8_t> store{0x48, 0x89, 0x44, 0x8f, 0xf8};  // mov %rax,-0x8(%rdi,%rcx,4)
  auto s = dec.decode(store, 0).at(0);
  EXPECT_EQ(s.text(), "mov %rax,-0x8(%rdi,%rcx,4)");
  ASSERT_TRUE(s.memory);
  EXPECT_EQ(s.memory->index, "rcx");
  EXPECT_EQ(s.memory->scale, 4);
  EXPECT_EQ(s.memory->displacement, -8);
  EXPECT_TRUE(s.memory->write);
  EXPECT_EQ(s.destination, "");

  std::vector<uint8_t> copy{0x48, 0x89, 0xc7};  // mov %rax,%rdi
  auto c = dec.decode(copy, 0).at(0);
  EXPECT_EQ(c.destination, "rdi");
  EXPECT_EQ(c.source_register, "rax");
  EXPECT_FALSE(c.memory);
}

TEST(InstructionDecoder, BadBytesBecomeOneByteInstructions) {
  InstructionDecoder dec;
  std::vector<uint8_t> b{0x06, 0xc3};  // 0x06 (push %es) is invalid in 64-bit mode
  auto v = dec.decode(b, 0);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_TRUE(v[0].invalid);
  EXPECT_EQ(v[0].mnemonic, "(bad)");
  EXPECT_EQ(v[1].text(), "ret");
  EXPECT_TRUE(v[1].is_return);
}

TEST(InstructionDecoder, RegisterNames) {
  EXPECT_EQ(full_register_name("eax"), "rax");
  EXPECT_EQ(full_register_name("r9d"), "r9");
  EXPECT_EQ(full_register_name("sil"), "rsi");
  EXPECT_EQ(full_register_name("xmm0"), "xmm0");
  EXPECT_TRUE(caller_saved_register("r11"));
  EXPECT_FALSE(caller_saved_register("rbx"));
}

}  // namespace
}  // namespace kdive
