// FunctionRanges: DW_AT_low_pc/high_pc and DW_AT_ranges of each top-level
// DW_TAG_subprogram through dwarf_ranges, sorted; the chain below a function through
// dwarf_haspc on its (few) children; positions from the line table (innermost) and
// DW_AT_call_file/line/column (callers), as FrameScopes computes them.
#include "oops/function_ranges.h"

#include <dwarf.h>

#include <algorithm>

#include "oops/frame_symbolizer.h"
#include "unwind/frame_scopes.h"

namespace kdive {

const std::vector<FunctionRanges::Range>& FunctionRanges::unit(Dwarf_Die* cu) {
  auto key = std::make_pair(cu->cu ? dwarf_cu_getdwarf(cu->cu) : nullptr, dwarf_dieoffset(cu));
  auto [it, fresh] = units_.try_emplace(key);
  if (!fresh) return it->second;
  Dwarf_Die child;
  if (dwarf_child(cu, &child) != 0) return it->second;
  size_t guard = 0;
  do {
    if (dwarf_tag(&child) != DW_TAG_subprogram) continue;
    Dwarf_Addr base, start, end;
    ptrdiff_t off = 0;
    int n = 0;
    while ((off = dwarf_ranges(&child, off, &base, &start, &end)) > 0 && ++n < 4096)
      if (end > start) it->second.push_back({start, end, dwarf_dieoffset(&child)});
  } while (dwarf_siblingof(&child, &child) == 0 && ++guard < 10000000);
  std::sort(it->second.begin(), it->second.end(), [](const Range& a, const Range& b) { return a.low < b.low; });
  return it->second;
}

bool FunctionRanges::path(Dwarf* dwarf, uint64_t pc, std::vector<Dwarf_Die>* dies, Dwarf_Die* cu_out) {
  Dwarf_Die cu;
  if (!dwarf || !dwarf_addrdie(dwarf, pc, &cu)) return false;
  const auto& ranges = unit(&cu);
  auto r = std::upper_bound(ranges.begin(), ranges.end(), pc, [](uint64_t p, const Range& x) { return p < x.low; });
  if (r == ranges.begin()) return false;
  --r;
  if (pc >= r->high) return false;
  Dwarf_Die fn;
  if (!dwarf_offdie(dwarf, r->die, &fn)) return false;
  dies->assign(1, fn);
  Dwarf_Die cur = fn;
  for (int depth = 0; depth < 64; ++depth) {
    Dwarf_Die child;
    if (dwarf_child(&cur, &child) != 0) break;
    bool found = false;
    do {
      int tag = dwarf_tag(&child);
      if ((tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block) && dwarf_haspc(&child, pc) == 1) {
        dies->push_back(child);
        cur = child;
        found = true;
        break;
      }
    } while (dwarf_siblingof(&child, &child) == 0);
    if (!found) break;
  }
  *cu_out = cu;
  return true;
}

bool FunctionRanges::scopes(Dwarf* dwarf, uint64_t pc, PcScopes* out) {
  std::vector<Dwarf_Die> dies;
  Dwarf_Die cu;
  if (!path(dwarf, pc, &dies, &cu)) return false;
  out->cu = cu;
  out->has_cu = true;
  out->line = line_position(&cu, pc);
  out->frames.clear();
  std::vector<Dwarf_Die> pending;
  Dwarf_Die* inner_inlined = nullptr;
  for (size_t k = dies.size(); k-- > 0;) {
    int tag = dwarf_tag(&dies[k]);
    pending.push_back(dies[k]);
    if (tag == DW_TAG_lexical_block) continue;
    FrameScope f;
    f.function = dies[k];
    f.inlined = tag == DW_TAG_inlined_subroutine;
    f.name = die_name(&dies[k]);
    f.position = inner_inlined ? call_position(&cu, inner_inlined) : out->line;
    f.scopes = std::move(pending);
    pending.clear();
    out->frames.push_back(std::move(f));
    inner_inlined = &dies[k];
  }
  return true;
}

bool FunctionRanges::inline_chain(Dwarf* dwarf, uint64_t pc, std::vector<InlineFrame>* chain, Dwarf_Die* cu_out,
                                  std::vector<Dwarf_Die>* functions_out) {
  std::vector<Dwarf_Die> all;
  Dwarf_Die cu;
  if (!path(dwarf, pc, &all, &cu)) return false;
  std::vector<Dwarf_Die> path;
  for (Dwarf_Die& d : all)
    if (dwarf_tag(&d) != DW_TAG_lexical_block) path.push_back(d);
  chain->clear();
  for (size_t k = path.size(); k-- > 0;) {
    InlineFrame f;
    f.function = die_name(&path[k]);
    f.inlined = k > 0;
    f.position = k + 1 == path.size() ? line_position(&cu, pc) : call_position(&cu, &path[k + 1]);
    chain->push_back(std::move(f));
  }
  *cu_out = cu;
  if (functions_out) *functions_out = std::move(path);
  return true;
}

}  // namespace kdive
