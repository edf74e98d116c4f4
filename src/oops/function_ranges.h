// FunctionRanges: a per-unit index of the top-level functions' address ranges, built
// once per compilation unit, so that symbolizing many PCs does not walk the unit's
// top-level DIEs for each one (libdw's dwarf_getscopes and a plain child walk are
// linear in the unit; a vmlinux unit has thousands of top-level DIEs). Within the
// function found, the inline chain is the short walk down its children.
//
//   FunctionRanges ranges;
//   std::vector<InlineFrame> chain;   // innermost first
//   if (ranges.inline_chain(dwarf, file_pc, &chain)) ...
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include <elfutils/libdw.h>

#include "unwind/frame_scopes.h"

namespace kdive {

struct InlineFrame;

class FunctionRanges {
 public:
  // The inline chain at `pc` (innermost first, positions as addr2line -i gives them)
  // and the unit's DIE; false when no top-level function of the unit covering `pc`
  // contains it (assembly units, C++ namespaces: the caller falls back to FrameScopes).
  // `functions_out`: the chain's DIEs, outermost first (without lexical blocks).
  bool inline_chain(Dwarf* dwarf, uint64_t pc, std::vector<InlineFrame>* chain, Dwarf_Die* cu_out,
                    std::vector<Dwarf_Die>* functions_out = nullptr);
  // The same walk as FrameScopes::lookup's result (frames with their lexical blocks,
  // for variable lookup); false when no indexed function contains `pc`.
  bool scopes(Dwarf* dwarf, uint64_t pc, PcScopes* out);

 private:
  struct Range {
    uint64_t low, high;
    Dwarf_Off die;
  };
  const std::vector<Range>& unit(Dwarf_Die* cu);
  // The DIEs containing pc, outermost first (function, inlined subroutines, blocks).
  bool path(Dwarf* dwarf, uint64_t pc, std::vector<Dwarf_Die>* dies, Dwarf_Die* cu_out);
  std::map<std::pair<Dwarf*, Dwarf_Off>, std::vector<Range>> units_;
};

}  // namespace kdive
