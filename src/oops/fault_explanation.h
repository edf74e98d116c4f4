// Fault explanation: one sentence saying what a crash's faulting access was, from the
// faulting instruction's memory operand (capstone), the report's registers and fault
// address (CR2, the "address:" of the BUG line, or the range KASAN recovered from its
// shadow arithmetic), and the DWARF at RIP: which variable lived in the base register,
// or which load put the pointer there (followed back through the function), and the
// member at the faulting offset (member_at_offset).
//
//   if (auto e = explain_fault(report, symbolizer)) fmt::print("{}\n", e->sentence);
//   // NULL pointer dereference: `a->b` is NULL; the read of `struct kdive_inner.c` at offset 0x1a8 (424) faulted
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "oops/frame_symbolizer.h"
#include "oops/instruction_decoder.h"
#include "oops/oops_report.h"

namespace kdive {

struct FaultExplanation {
  std::string sentence;
  // "null-pointer-dereference", "near-null-pointer", "non-canonical-address",
  // "bad-pointer", "no-memory-operand"
  std::string kind;
  std::optional<Instruction> instruction;  // the faulting instruction
  std::string instruction_source;          // "Code: line" or the debug file's path
  std::string base_register;               // "rax"
  std::optional<uint64_t> base_value;
  std::string base_expression;             // "a->b"; "" when not known
  std::string base_type;                   // "struct kdive_inner *"
  std::optional<uint64_t> fault_address;
  std::optional<uint64_t> offset;          // of the access from the base pointer
  std::string member;                      // "c" (member_at_offset's spelling)
  std::string struct_type;                 // "struct kdive_inner"
  std::string access;                      // "read", "write"
};

// nullopt when the report has no RIP or its faulting instruction cannot be found (no
// Code: bytes and no debug file for the RIP's module).
std::optional<FaultExplanation> explain_fault(const OopsReport& report, FrameSymbolizer& symbolizer,
                                              AsmSyntax syntax = AsmSyntax::Att);

}  // namespace kdive
