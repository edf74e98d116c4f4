// DwarfTypeTranslator: DWARF type DIEs → kdive Types (include/kdive/type.h), cached by
// DIE offset, with member/element/target types resolved lazily so that translating
// `struct task_struct` does not translate everything reachable from it. Declarations
// (incomplete structs) are completed through a hook that searches the name index.
//
//   DwarfTypeTranslator tr(elf.dwarf(), arena, elf.path(), complete_hook);
//   QualifiedType t = tr.type_at(index.find("task_struct")[0].die_offset);
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>

#include <elfutils/libdw.h>

#include "kdive/type.h"

namespace kdive {

class DwarfTypeTranslator {
 public:
  // Returns the complete definition of a tagged type named `name` of `kind`, or null.
  using CompleteTypeFinder = std::function<const Type*(TypeKind kind, const std::string& name)>;

  DwarfTypeTranslator(Dwarf* dwarf, TypeArena& arena, std::string file,
                      CompleteTypeFinder complete = nullptr)
      : dwarf_(dwarf), arena_(arena), file_(std::move(file)), complete_(std::move(complete)) {}

  // The type defined by the DIE at `die_offset` (a type DIE). Throws BadDataError
  // naming the file and offset when the DIE is not a type or is malformed.
  QualifiedType type_at(uint64_t die_offset);
  // The DW_AT_type of `die` (following DW_AT_abstract_origin/specification); void when
  // it has none.
  QualifiedType type_of(Dwarf_Die* die);

 private:
  QualifiedType translate(Dwarf_Die* die, int depth);
  QualifiedType type_attr(Dwarf_Die* die, int depth);
  LazyType lazy_type_attr(Dwarf_Die* die);
  const Type* translate_compound(Dwarf_Die* die, TypeKind kind);
  const Type* translate_enum(Dwarf_Die* die, int depth);
  const Type* translate_array(Dwarf_Die* die, int depth);
  const Type* translate_function(Dwarf_Die* die);
  const Type* translate_base(Dwarf_Die* die);
  [[noreturn]] void fail(Dwarf_Die* die, const std::string& what) const;

  Dwarf* dwarf_;
  TypeArena& arena_;
  std::string file_;
  CompleteTypeFinder complete_;
  std::unordered_map<uint64_t, QualifiedType> cache_;
};

}  // namespace kdive
