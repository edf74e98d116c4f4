// FrameSymbolizer: turns the code locations of a crash report ("func+0x36/0x70 [mod]",
// bare addresses, "RIP: 0010:...") into their inline chains with file:line:col, as
// `addr2line -fi` and the kernel's decode_stacktrace.sh print them. Module frames are
// resolved by symbol inside the matching .ko (from -s or a modules directory); bare
// addresses need the KASLR offset (the report's "Kernel Offset:" line, or found by
// matching frames that print both an address and func+off/size); duplicate symbol
// names are told apart by their size, as faddr2line does.
//
//   FrameSymbolizer sym(program.debug_info());
//   sym.add_module_directory("/lib/modules/6.1.0/kernel");
//   sym.use_report(report);
//   SymbolizedFrame f = sym.symbolize(*report.rip, false);
//   f.frames[0].function; f.frames[0].position.line;
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "debuginfo/debug_info.h"
#include "oops/elf_function_finder.h"
#include "oops/function_ranges.h"
#include "oops/oops_report.h"
#include "unwind/frame_scopes.h"
#include "unwind/line_sequence_index.h"

namespace kdive {

struct InlineFrame {
  std::string function;    // "" when the DWARF has no name (or no DWARF covers the PC)
  SourcePosition position;
  bool inlined = false;
  // The name addr2line prints: DW_AT_linkage_name when the DIE (or its origin) has one
  // (Rust's "_RNv..."), else `function`; "" means `function`. See gnu_function_name.
  std::string gnu_name;
};

// The name binutils addr2line gives a function DIE: its (possibly inherited) linkage
// name, else DW_AT_name. Its rule: a linkage name always wins; a bare DW_AT_name counts
// as the symbol name only in languages without mangling (C, Fortran, ...); otherwise
// (Rust, C++) the ELF symbol at the address is printed for the innermost function,
// which `mangled_language` tells the caller. C functions carry no linkage name.
std::string gnu_function_name(Dwarf_Die* die, bool* mangled_language);

struct SymbolizedFrame {
  bool resolved = false;          // the location was found in a debug file
  std::string error;              // why not, when !resolved
  DebugModule* module = nullptr;
  std::string module_name;        // "vmlinux", "kdive_fixture"
  std::string symbol;             // the ELF symbol containing the address
  uint64_t symbol_offset = 0, symbol_size = 0;
  uint64_t file_address = 0;      // in the debug file's address space (addr2line -e FILE)
  uint64_t lookup_address = 0;    // file_address, or file_address - 1 for a return address
  // For relocatable files (.ko): the section and offset within it (addr2line -j SECTION).
  std::string section;
  uint64_t section_offset = 0;
  std::optional<uint64_t> runtime_address;
  std::vector<InlineFrame> frames;  // innermost first; the last one is the real function
};

// A symbol of one debug file found by name, in that file's address space.
struct FileSymbol {
  uint64_t file_address = 0;
  uint64_t size = 0;
  std::string section;
  uint64_t section_offset = 0;    // st_value for relocatable files
  uint64_t span = 0;              // to the next symbol: the size kallsyms prints
};

class FrameSymbolizer {
 public:
  explicit FrameSymbolizer(DebugInfo& debug_info);

  // .ko files under `dir` (searched recursively, opened when a frame names them).
  void add_module_directory(const std::string& dir);
  void set_kaslr_offset(uint64_t offset) { kaslr_ = offset; }
  std::optional<uint64_t> kaslr_offset() const { return kaslr_; }
  // Takes the KASLR offset from the report when none was set: its "Kernel Offset:" line,
  // else a vmlinux frame printed with both an address and func+off/size.
  void use_report(const OopsReport& report);

  // `return_address`: the location is a call's return address (call trace frames other
  // than the first), so the line of the call instruction (address - 1) is looked up.
  SymbolizedFrame symbolize(const CodeLocation& location, bool return_address);
  SymbolizedFrame symbolize_address(uint64_t runtime_address, bool return_address);
  // "0xffffffff810bfbfa", "kthread+0xda", "kthread+0xda/0x100", "f+0x9/0x20 [mod]".
  // SyntaxError for text that is none of these.
  SymbolizedFrame symbolize_text(std::string_view spec, bool return_address = false);

  // The debug file of a module by name ("" or "vmlinux": the kernel); nullptr when none.
  DebugModule* find_module(std::string_view name);
  // Function symbols named `name` in `module`.
  std::vector<FileSymbol> find_symbols(DebugModule& module, std::string_view name);
  // Bytes of `module`'s file at [file_address, file_address + size), clipped to the
  // section that holds the start; empty when no section with contents holds it.
  std::vector<uint8_t> read_code(const DebugModule& module, uint64_t file_address, size_t size) const;
  // The scopes (inline chain and lexical blocks) at a file address.
  const PcScopes& scopes(DebugModule& module, uint64_t file_address);

  DebugInfo& debug_info() { return debug_; }

 private:
  SymbolizedFrame resolve(DebugModule& module, uint64_t file_address, bool return_address);
  std::optional<FileSymbol> pick_symbol(DebugModule& module, std::string_view name, uint64_t size);
  // addr2line's answer where no DWARF function covers the address (see resolve()).
  // Appends the one frame and returns the unit whose line table gave its line, if any.
  std::optional<Dwarf_Die> resolve_without_function(DebugModule& module, const PcScopes& sc, SymbolizedFrame* f);

  DebugInfo& debug_;
  FrameScopes scopes_;
  FunctionRanges ranges_;
  std::vector<Dwarf_Die> path_dies_;  // resolve()'s fast-path DIEs, outermost first
  std::map<std::pair<const DebugModule*, uint64_t>, std::unique_ptr<PcScopes>> own_scopes_;
  std::optional<uint64_t> kaslr_;
  std::map<std::string, std::string, std::less<>> module_paths_;  // name (with '_') → .ko
  // Relocatable modules' symbols by name (their SymbolTable is empty without a dump).
  std::map<const DebugModule*, std::multimap<std::string, FileSymbol, std::less<>>> ko_symbols_;
  std::map<const DebugModule*, std::unique_ptr<ElfFunctionFinder>> function_finders_;
  LineSequenceIndex line_sequences_;
};

// "kdive-fixture" and "kdive_fixture" name the same module (the kernel prints '_').
std::string normalize_module_name(std::string_view name);

}  // namespace kdive
