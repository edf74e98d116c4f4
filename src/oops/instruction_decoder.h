// InstructionDecoder: x86-64 machine code → instructions through capstone, in AT&T
// (objdump's default) or Intel syntax, with what the oops tools need from each one: its
// memory operand (base, index, scale, displacement), the register it writes and whether
// it is a plain load/copy (for following a pointer back to where it came from).
//
//   InstructionDecoder dec(AsmSyntax::Att);
//   for (const Instruction& i : dec.decode(bytes, 0xffffffff81000000)) i.text;  // "mov 0x8(%rdi),%rax"
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace kdive {

enum class AsmSyntax { Att, Intel };

// A memory operand; registers are named by their 64-bit register ("rax", "r8", "rip"),
// so that they match the report's register dump; "" when absent.
struct MemoryOperand {
  std::string base, index, segment;
  int scale = 1;
  int64_t displacement = 0;
  bool read = false, write = false;
  unsigned size = 0;  // bytes accessed, 0 when unknown
};

struct Instruction {
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
  std::string mnemonic;      // "mov", "movl" (AT&T suffixes as capstone prints them)
  std::string operands;      // objdump spacing: "0x8(%rdi),%rax"
  std::string text() const { return operands.empty() ? mnemonic : mnemonic + " " + operands; }
  std::optional<MemoryOperand> memory;
  // The 64-bit register this instruction writes as its destination operand ("" when
  // it writes memory or nothing); calls also clobber the caller-saved registers.
  std::string destination;
  // For "mov REG, REG" (and movzx/movsx/lea of a register): the source register.
  std::string source_register;
  bool is_load = false;      // mov-like from memory into `destination`
  bool is_call = false, is_jump = false, is_return = false;
  bool invalid = false;      // bytes that do not decode ("(bad)")
};

class InstructionDecoder {
 public:
  explicit InstructionDecoder(AsmSyntax syntax = AsmSyntax::Att);
  ~InstructionDecoder();
  InstructionDecoder(const InstructionDecoder&) = delete;
  InstructionDecoder& operator=(const InstructionDecoder&) = delete;

  // Decodes `bytes` as code at `address`, at most `max` instructions. Bytes that do not
  // decode become one-byte `(bad)` instructions, so the whole input is covered.
  std::vector<Instruction> decode(std::span<const uint8_t> bytes, uint64_t address,
                                  size_t max = SIZE_MAX) const;

 private:
  size_t handle_ = 0;  // capstone's csh
  AsmSyntax syntax_;
};

// The 64-bit register containing `name` ("eax" → "rax", "r9d" → "r9"); `name` itself
// when it is not a general-purpose register.
std::string full_register_name(const std::string& name);
// Whether the x86-64 SysV ABI lets a call clobber this (64-bit) register.
bool caller_saved_register(const std::string& reg);

}  // namespace kdive
