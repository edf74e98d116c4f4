// DwarfExpression: evaluates DWARF location expressions (DWARF 5 §2.5, §2.6) against a
// frame's registers and target memory: where a variable lives (memory, a register, an
// implicit value, or pieces of these), or a CFI rule's address. Hand-written because
// libdw only decodes operations; evaluating them needs our registers and memory.
//
//   ExpressionContext ctx{&regs, &memory};  ctx.frame_base = fb;
//   std::optional<DwarfLocation> loc = evaluate_location(ops, nops, ctx);
//   if (!loc) ... optimized out / unavailable (ctx.why says why)
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <elfutils/libdw.h>

#include "kdive/memory_reader.h"
#include "unwind/register_state.h"

namespace kdive {

struct LocationPiece {
  enum class Kind : uint8_t { Memory, Register, Value, Implicit, Absent };
  Kind kind = Kind::Absent;
  uint64_t address = 0;        // Memory
  int reg = -1;                // Register (DWARF number)
  uint64_t value = 0;          // Value (DW_OP_stack_value): the value's bytes, little-endian
  std::vector<uint8_t> bytes;  // Implicit (DW_OP_implicit_value)
  uint64_t size_bits = 0;      // DW_OP_piece/bit_piece size; 0 = the whole object
};

struct DwarfLocation {
  std::vector<LocationPiece> pieces;  // one piece without size for simple locations
};

struct ExpressionContext {
  const RegisterState* regs = nullptr;
  const MemoryReader* memory = nullptr;
  std::optional<uint64_t> frame_base;  // DW_AT_frame_base, for DW_OP_fbreg
  std::optional<uint64_t> cfa;         // DW_OP_call_frame_cfa
  uint64_t address_bias = 0;           // added to DW_OP_addr operands (load bias)
  // DW_OP_entry_value: the value of a register at function entry, when known.
  std::function<std::optional<uint64_t>(int reg)> entry_register;
  // The attribute the operations came from: DW_OP_implicit_value and
  // DW_OP_entry_value blocks are read through it (libdw does not decode them).
  Dwarf_Attribute* attr = nullptr;
  // Set when evaluation fails: why (an unknown register, an unsupported operation).
  mutable std::string why;
};

// Evaluates a location description. nullopt when the value is unavailable (ctx.why
// says why); FaultError propagates from memory reads the expression itself makes.
std::optional<DwarfLocation> evaluate_location(const Dwarf_Op* ops, size_t count,
                                               const ExpressionContext& ctx,
                                               std::vector<uint64_t> initial_stack = {});

// Evaluates a DWARF expression whose result is the value on top of the stack
// (DW_AT_frame_base of DW_OP_call_frame_cfa, CFI CFA expressions). A register
// location (DW_OP_regN) yields that register's value.
std::optional<uint64_t> evaluate_value(const Dwarf_Op* ops, size_t count, const ExpressionContext& ctx,
                                       std::vector<uint64_t> initial_stack = {});

}  // namespace kdive
