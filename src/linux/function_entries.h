// Function entries: per function (vmlinux and modules), its first instruction as the
// dump holds it and as the file on disk has it — bytes, length, opcode, ModRM and SIB —
// and its ftrace call site (a dyn_ftrace record's ip), with that instruction too when
// the site is not the first (IBT kernels: endbr64 first, the site at +4).
//
//   for (const FunctionEntry& e : function_entries(program, "vfs_*")) e.memory.encoding;
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oops/instruction_encoding.h"

namespace kdive {

class Program;

struct EntryInstruction {
  uint64_t address = 0;
  std::vector<uint8_t> bytes;  // the instruction's bytes; empty when unreadable
  std::string text;            // "nopl 0x0(%rax,%rax,1)"
  std::optional<InstructionEncoding> encoding;
  std::string problem;         // why bytes are missing
};

struct FunctionEntry {
  std::string name;
  std::string module;  // "vmlinux" or the module's name
  uint64_t address = 0, size = 0;
  EntryInstruction memory, disk;
  // The dyn_ftrace record inside the function, if any.
  std::optional<uint64_t> ftrace_ip;
  uint64_t ftrace_flags = 0;
  std::string ftrace_flag_names;
  uint64_t ftrace_refs = 0;
  // The instruction at ftrace_ip, when it is not the function's first.
  std::optional<EntryInstruction> ftrace_memory, ftrace_disk;
};

struct FunctionEntries {
  std::vector<FunctionEntry> entries;  // by address
  std::vector<std::string> problems;   // ftrace records unreadable, ...
};

// Functions whose name matches `glob` (fnmatch; "" for all).
FunctionEntries function_entries(Program& program, std::string_view glob);

}  // namespace kdive
