// Function disassembly: the symbol's bytes from the ELF file, capstone, objdump's line
// layout, and FrameScopes for the -l source lines (the innermost inline function and
// the line table row of each instruction).
#include "oops/function_disassembly.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "oops/code_listing.h"

namespace kdive {

std::string disassemble_function(FrameSymbolizer& symbolizer, std::string_view where,
                                 const DisassemblyOptions& options) {
  SymbolizedFrame at = symbolizer.symbolize_text(where, false);
  if (!at.resolved) throw LookupError(fmt::format("{}: {}", where, at.error));
  return disassemble_function(symbolizer, at, options);
}

std::string disassemble_function(FrameSymbolizer& symbolizer, const SymbolizedFrame& at,
                                 const DisassemblyOptions& options) {
  if (!at.resolved || !at.module) throw LookupError(fmt::format("cannot disassemble: {}", at.error));
  if (at.symbol.empty()) throw LookupError(fmt::format("no function symbol contains {:#x}", at.file_address));
  uint64_t start = at.file_address - at.symbol_offset;
  uint64_t size = at.symbol_size ? at.symbol_size : at.symbol_offset + 16;
  if (size > options.max_bytes) size = options.max_bytes;
  std::vector<uint8_t> bytes = symbolizer.read_code(*at.module, start, size);
  if (bytes.empty())
    throw LookupError(fmt::format("{}: no bytes for {} in {}", at.symbol, at.module_name, at.module->elf().path()));
  // Shown addresses: run-time when the frame knows where its file address landed.
  int64_t shift = at.runtime_address ? static_cast<int64_t>(*at.runtime_address - at.file_address) : 0;
  InstructionDecoder dec(options.syntax);
  std::vector<Instruction> insns = dec.decode(bytes, start);
  ListingOptions lo;
  lo.syntax = options.syntax;
  lo.origin = static_cast<uint64_t>(-shift);  // address - origin == address + shift
  std::string out = fmt::format("{:016x} <{}>:", start + static_cast<uint64_t>(shift), at.symbol);
  if (at.module->kind() == DebugModule::Kind::KernelModule) out += fmt::format(" [{}]", at.module_name);
  out += "\n";
  std::string last_function, last_line;
  for (const Instruction& in : insns) {
    if (options.source_lines) {
      const PcScopes& sc = symbolizer.scopes(*at.module, in.address);
      std::string fn = sc.frames.empty() ? at.symbol : sc.frames.front().name;
      const SourcePosition& pos = sc.frames.empty() ? sc.line : sc.frames.front().position;
      if (fn != last_function) {
        out += fn + "():\n";
        last_function = fn;
        last_line.clear();
      }
      std::string line = pos.known ? fmt::format("{}:{}", pos.file, pos.line) : std::string();
      if (!line.empty() && line != last_line) out += line + "\n";
      last_line = line;
    }
    bool mark = options.mark_file_address && *options.mark_file_address == in.address;
    out += format_objdump_line(in, lo, mark) + "\n";
  }
  return out;
}

}  // namespace kdive
