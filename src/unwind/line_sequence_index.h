// LineSequenceIndex: which unit's line program covers an address, from the line
// sequences themselves rather than the units' DW_AT_ranges. binutils counts a unit's
// sequences as part of its address ranges (bfd/dwarf2.c decode_line_info adds each
// sequence to the unit's aranges), so addr2line finds a line for code no unit's ranges
// list — the `__pfx_` padding before a function — and so must we. The sequences are
// read from .debug_line directly: libdw sorts all of a unit's rows by address, which
// loses where one sequence ended and the next began.
//
//   LineSequenceIndex index;
//   Dwarf_Die cu;
//   if (index.unit_for(file, pc, &cu)) pos = line_position(&cu, pc);
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <elfutils/libdw.h>

namespace kdive {

class ElfFile;

class LineSequenceIndex {
 public:
  // The first unit (in .debug_info order) one of whose sequences contains `pc`. Reads
  // every line program of `file` the first time it is asked about it; malformed line
  // programs are left out from where they stop making sense.
  bool unit_for(const ElfFile& file, uint64_t pc, Dwarf_Die* cu);

  struct Sequence {
    uint64_t low, high;    // [low, high): the lowest row address to the end_sequence row
    uint64_t program;      // offset of its line program in .debug_line
  };
  // The sequences of every line program in a .debug_line section (DWARF 2-5).
  static std::vector<Sequence> read_sequences(std::span<const uint8_t> debug_line, const std::string& source);

 private:
  struct Indexed {
    uint64_t low, high;
    Dwarf_Off unit;  // the unit DIE's offset
  };
  const std::vector<Indexed>& sequences(const ElfFile& file);
  std::map<const ElfFile*, std::vector<Indexed>> by_file_;  // by low address
};

}  // namespace kdive
