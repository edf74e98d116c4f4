// Disassembly of one function from its debug file's bytes (vmlinux .text, a .ko's
// sections), in objdump's layout, optionally with source lines interleaved as
// `objdump -dl` prints them ("func():" and "file:line" lines where they change), and
// the faulting instruction marked as decodecode marks it.
//
//   DisassemblyOptions o; o.source_lines = true;
//   std::string s = disassemble_function(symbolizer, "kdive_crash_deref [kdive_fixture]", o);
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "oops/frame_symbolizer.h"
#include "oops/instruction_decoder.h"

namespace kdive {

struct DisassemblyOptions {
  AsmSyntax syntax = AsmSyntax::Att;
  bool source_lines = false;
  // Mark the instruction at this file address ("*" and "<-- trapping instruction").
  std::optional<uint64_t> mark_file_address;
  size_t max_bytes = 1 << 20;  // a corrupt symbol size must not make us decode megabytes
};

// The whole function containing `where` (what symbolize_text accepts: "FUNC",
// "FUNC [module]", "FUNC+0xOFF", an address). Addresses shown are run-time ones when
// known, else the debug file's. LookupError when the function or its bytes are not found.
std::string disassemble_function(FrameSymbolizer& symbolizer, std::string_view where,
                                 const DisassemblyOptions& options);
// The same for an already symbolized location.
std::string disassemble_function(FrameSymbolizer& symbolizer, const SymbolizedFrame& at,
                                 const DisassemblyOptions& options);

}  // namespace kdive
