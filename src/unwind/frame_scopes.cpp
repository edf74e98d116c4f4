// FrameScopes: libdw's dwarf_addrdie (CU by address ranges) and dwarf_getscopes
// (the DIE chain at a PC), split into frames at each inlined subroutine.
#include "unwind/frame_scopes.h"

#include <dwarf.h>

#include <cstdlib>
#include <vector>

#include "debuginfo/dwarf_constant.h"

namespace kdive {

std::string die_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, DW_AT_name, &attr)) return {};
  const char* s = dwarf_formstring(&attr);
  return s ? s : "";
}

SourcePosition line_position(Dwarf_Die* cu, uint64_t pc) {
  SourcePosition pos;
  Dwarf_Line* line = dwarf_getsrc_die(cu, pc);
  if (!line) return pos;
  const char* file = dwarf_linesrc(line, nullptr, nullptr);
  int lineno = 0, col = 0;
  dwarf_lineno(line, &lineno);
  dwarf_linecol(line, &col);
  if (!file) return pos;
  pos.file = file;
  pos.line = lineno;
  pos.column = col;
  pos.known = true;
  return pos;
}

SourcePosition call_position(Dwarf_Die* cu, Dwarf_Die* inlined) {
  SourcePosition pos;
  auto file = die_unsigned(inlined, DW_AT_call_file, false);
  if (!file) return pos;
  uint64_t file_index = *file;
  uint64_t line = die_unsigned(inlined, DW_AT_call_line, false).value_or(0);
  uint64_t col = die_unsigned(inlined, DW_AT_call_column, false).value_or(0);
  Dwarf_Files* files = nullptr;
  size_t nfiles = 0;
  if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0 || file_index >= nfiles) return pos;
  const char* name = dwarf_filesrc(files, file_index, nullptr, nullptr);
  if (!name) return pos;
  pos.file = name;
  pos.line = static_cast<int>(line);
  pos.column = static_cast<int>(col);
  pos.known = true;
  return pos;
}

namespace {

// Appends the DIEs under `parent` that contain `pc`, outermost first: functions,
// inlined subroutines and lexical blocks (through C++ namespaces, which have no ranges
// of their own). Depth-bounded against malformed nesting.
void scopes_containing(Dwarf_Die* parent, uint64_t pc, std::vector<Dwarf_Die>* out, int depth) {
  if (depth > 64) return;
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    switch (tag) {
      case DW_TAG_subprogram:
      case DW_TAG_inlined_subroutine:
      case DW_TAG_lexical_block:
        if (dwarf_haspc(&child, pc) == 1) {
          out->push_back(child);
          scopes_containing(&child, pc, out, depth + 1);
          return;
        }
        break;
      case DW_TAG_namespace: {
        size_t before = out->size();
        scopes_containing(&child, pc, out, depth + 1);
        if (out->size() != before) return;
        break;
      }
      default:
        break;
    }
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

const PcScopes& FrameScopes::lookup(Dwarf* dwarf, uint64_t file_pc) {
  auto key = std::make_pair(dwarf, file_pc);
  if (auto it = cache_.find(key); it != cache_.end()) return *it->second;
  auto result = std::make_unique<PcScopes>();
  Dwarf_Die cu;
  if (dwarf && dwarf_addrdie(dwarf, file_pc, &cu)) {
    result->cu = cu;
    result->has_cu = true;
    result->line = line_position(&cu, file_pc);
    // The DIE chain containing the PC, outermost first. (dwarf_getscopes continues
    // into the abstract origin after an inlined subroutine, not the caller.)
    std::vector<Dwarf_Die> chain;
    scopes_containing(&cu, file_pc, &chain, 0);
    std::vector<Dwarf_Die> pending;
    for (size_t k = chain.size(); k-- > 0;) {
      Dwarf_Die d = chain[k];
      int tag = dwarf_tag(&d);
      if (tag == DW_TAG_lexical_block) {
        pending.push_back(d);
        continue;
      }
      if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine) continue;
      FrameScope f;
      f.function = d;
      f.inlined = tag == DW_TAG_inlined_subroutine;
      f.name = die_name(&d);
      pending.push_back(d);
      f.scopes = std::move(pending);
      pending.clear();
      result->frames.push_back(std::move(f));
      if (tag == DW_TAG_subprogram) break;
    }
    // Positions: innermost from the line table; each outer one from the call site
    // of the expansion just inside it.
    for (size_t i = 0; i < result->frames.size(); ++i) {
      if (i == 0) result->frames[i].position = result->line;
      else result->frames[i].position = call_position(&cu, &result->frames[i - 1].function);
    }
  }
  const PcScopes& ref = *result;
  cache_.emplace(key, std::move(result));
  return ref;
}

}  // namespace kdive
