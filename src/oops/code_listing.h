// Code listings in objdump's line layout ("   4:\t8b 80 a8 01 00 00    \tmov    0x1a8(%rax),%eax"),
// and the `Code:` line of a crash report decoded as the kernel's scripts/decodecode does:
// "All code" with the trapping instruction marked, then "Code starting with the
// faulting instruction".
//
//   std::string s = format_decodecode(*report.code, {.syntax = AsmSyntax::Att});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "oops/instruction_decoder.h"
#include "oops/oops_report.h"

namespace kdive {

struct ListingOptions {
  AsmSyntax syntax = AsmSyntax::Att;
  // Print addresses relative to this (decodecode numbers from 0); absolute otherwise.
  std::optional<uint64_t> origin = 0;
};

// One instruction as objdump prints it: address, up to 7 bytes per line (longer
// instructions continue on the next line), the mnemonic padded to 6 columns. `mark`
// inserts decodecode's "*" after the address and the "<-- trapping instruction" tail.
std::string format_objdump_line(const Instruction& insn, const ListingOptions& options, bool mark = false);

// The instructions of a Code: line, decoded from the first byte; when no instruction
// starts at the trapping byte (the 42 bytes printed before RIP may begin mid-
// instruction), decoding starts at the first offset that lands on it.
struct DecodedCode {
  size_t start = 0;                 // the byte decoding started at
  std::vector<Instruction> all;     // from `start`
  std::vector<Instruction> from_trap;
  std::optional<size_t> trap_index; // index in `all` of the trapping instruction
};
DecodedCode decode_code_bytes(const CodeBytes& code, AsmSyntax syntax, uint64_t address = 0);

// decodecode's output for the report's Code: bytes (`code_line` is echoed first when
// not empty).
std::string format_decodecode(const CodeBytes& code, const ListingOptions& options,
                              const std::string& code_line = "");

// Parses the bytes of a "Code: 48 8b 47 08 <8b> 80 ..." line (any prefix before
// "Code:" is ignored); nullopt when the text has no Code: line with bytes.
std::optional<CodeBytes> parse_code_line(const std::string& text);

}  // namespace kdive
