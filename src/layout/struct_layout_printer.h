// StructLayoutPrinter: a struct, union, enum or typedef printed exactly as
// `pahole -C NAME` (dwarves 1.24, DWARF loader) prints it — member lines with
// `/* offset size */`, bit fields, holes, cacheline boundaries, __aligned__/__packed__
// attributes and the closing summary — plus pahole's --hex and -E (--expand).
// Hand-written over libdw (not the type model) because pahole's text depends on the DWARF
// as declared: qualifier order, typedef names, DW_AT_alignment, DIE identity.
//
//   StructLayoutPrinter p(dwarf, "vmlinux", {.hex = false, .expand = false});
//   std::string text = p.print(die);   // "struct list_head {\n...};\n"
//   std::string t = layout_of(program.debug_info(), "struct task_struct", {});
#pragma once

#include <elfutils/libdw.h>

#include <string>
#include <string_view>

namespace kdive {

class DebugInfo;

struct LayoutOptions {
  bool hex = false;     // pahole --hex: offsets and sizes in hexadecimal
  bool expand = false;  // pahole -E: typedefs and nested named types expanded inline
};

class StructLayoutPrinter {
 public:
  // `file` names the debug file in error messages.
  StructLayoutPrinter(std::string file, LayoutOptions options)
      : file_(std::move(file)), options_(options) {}

  // The layout of a struct/class/union/enum/typedef DIE, ending with ";\n" as pahole's
  // line does. Each call starts from fresh state, as one `pahole -C NAME` run does.
  // TypeError for a DIE of another kind; BadDataError for corrupt DWARF.
  std::string print(const Dwarf_Die& die) const;

 private:
  std::string file_;
  LayoutOptions options_;
};

// Finds a type by `spec` ("task_struct", "struct foo", "union bar", "enum e", a typedef
// name) in the debug files of `debug_info` — the first definition in DIE order of the
// first file that has one, as pahole picks the first CU — and prints it.
// LookupError "type 'foo' not found" when no file defines it; UsageError for an empty spec.
std::string layout_of(DebugInfo& debug_info, std::string_view spec, const LayoutOptions& options);

}  // namespace kdive
