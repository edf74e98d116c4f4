// StructLayoutPrinter: a struct, union, enum or typedef printed exactly as
// `pahole -C NAME` (dwarves 1.24) prints it — member lines with `/* offset size */`,
// bit fields, holes, cacheline boundaries, __aligned__/__packed__ attributes and the
// closing summary — plus pahole's --hex and -E (--expand). From a DIE as pahole's DWARF
// loader shows it; from a kdive Type (no-debug-info mode: the dump's BTF) as
// `pahole -F btf` shows the BTF it came from. Both go through one set of rules over
// LayoutType (layout_type.h): pahole's text depends on the types as declared —
// qualifier order, typedef names, alignments, type identity — which LayoutType keeps.
//
//   StructLayoutPrinter p("vmlinux", {.hex = false, .expand = false});
//   std::string text = p.print(die);   // "struct list_head {\n...};\n"
//   std::string b = p.print(btf.find_type(TypeKind::Struct, "list_head"));
//   std::string t = layout_of(program.debug_info(), "struct task_struct", {});
#pragma once

#include <elfutils/libdw.h>

#include <string>
#include <string_view>

#include "kdive/type.h"

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
  // The same for a Type, as `pahole -F btf` prints the BTF the Type was made from
  // (alignments inferred as pahole's BTF loader infers them).
  std::string print(QualifiedType type) const;

 private:
  std::string file_;
  LayoutOptions options_;
};

// Finds a type by `spec` ("task_struct", "struct foo", "union bar", "enum e", a typedef
// name) in the debug files of `debug_info` — the first definition in DIE order of the
// first file with DWARF that has one, as pahole picks the first CU — and prints it.
// When no DWARF defines it, prints what debug_info.find_type() answers (in no-debug-info
// mode, from the dump's BTF; a bare name is tried as struct, union, enum, then typedef).
// LookupError "type 'foo' not found" when neither has it; UsageError for an empty spec.
std::string layout_of(DebugInfo& debug_info, std::string_view spec, const LayoutOptions& options);

}  // namespace kdive
