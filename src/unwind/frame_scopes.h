// FrameScopes: what the debug info says about one PC — the chain of functions active
// there, innermost first: the DW_TAG_inlined_subroutine expansions (each becomes its own
// frame sharing the PC) and the containing DW_TAG_subprogram, with each one's source
// position (the line table at the PC for the innermost, the DW_AT_call_file/line/column
// of the next inner expansion for the others) and the lexical blocks that belong to it
// (for variable lookup). Results are cached per PC: on a kernel, thousands of tasks
// share a few dozen PCs, and dwarf_getscopes is the expensive part of a stack trace.
//
//   FrameScopes scopes;
//   const auto& fs = scopes.lookup(vmlinux_dwarf, pc - 1 - kaslr);
//   fs[0].name  "arch_atomic_try_cmpxchg"   fs[0].inlined  fs[0].position.line
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <elfutils/libdw.h>

namespace kdive {

struct SourcePosition {
  std::string file;
  int line = 0;
  int column = 0;
  bool known = false;
};

struct FrameScope {
  std::string name;             // the function's name; "" when unnamed
  bool inlined = false;         // a DW_TAG_inlined_subroutine
  SourcePosition position;
  Dwarf_Die function{};         // the subprogram or inlined_subroutine DIE
  std::vector<Dwarf_Die> scopes;  // innermost first: lexical blocks, then `function`
};

struct PcScopes {
  Dwarf_Die cu{};
  bool has_cu = false;
  // Innermost first. Empty when no function DIE covers the PC (assembly); then
  // `line` may still hold the line table's answer.
  std::vector<FrameScope> frames;
  SourcePosition line;          // the line table at the PC
};

class FrameScopes {
 public:
  // The scopes at `file_pc` (a file address of `dwarf`; pass pc - 1 for return
  // addresses). Never throws for malformed DWARF: what cannot be read is left out.
  const PcScopes& lookup(Dwarf* dwarf, uint64_t file_pc);

 private:
  std::map<std::pair<Dwarf*, uint64_t>, std::unique_ptr<PcScopes>> cache_;
};

// The name of a subprogram / inlined subroutine / variable DIE (following
// DW_AT_abstract_origin and DW_AT_specification); "" when none.
std::string die_name(Dwarf_Die* die);
// The line table's position for `pc` in unit `cu` (unknown when the table has none).
SourcePosition line_position(Dwarf_Die* cu, uint64_t pc);
// Where an inlined subroutine was called from (its DW_AT_call_file/line/column).
SourcePosition call_position(Dwarf_Die* cu, Dwarf_Die* inlined);

}  // namespace kdive
