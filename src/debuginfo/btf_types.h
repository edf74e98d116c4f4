// BtfTypes: the kernel's BTF (or a module's split BTF on top of it) as kdive Types,
// for the no-debug-info mode: a BTF type and the DWARF type of the same C declaration
// translate to Types that print and lay out identically (debuginfo/dwarf_type_translator.h).
// Lazy like the DWARF translator: member, pointee and parameter types are LazyType
// thunks that translate a type id on first use; translated ids are cached.
//
//   auto vmlinux = BtfTypes::parse(read(__start_BTF, __stop_BTF), arena, "vmcore BTF");
//   QualifiedType ts = vmlinux->find_type(TypeKind::Struct, "task_struct");
//   auto mod = BtfTypes::parse(module_btf, arena, "ext4 BTF", vmlinux.get());
//
// A module's BTF in a dump (struct btf's data) is split BTF on vmlinux's: the kernel
// relocates an out-of-tree module's distilled base (.BTF.base) onto vmlinux's at load.
// Parsed from a .ko file, .BTF.base is a standalone blob whose vmlinux types have no
// members; the module's .BTF parses on top of it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "debuginfo/btf_format.h"
#include "kdive/type.h"

namespace kdive {

class BtfTypes {
 public:
  // Parses a BTF blob (the kernel's .BTF, or a module's split BTF on top of `base`,
  // whose type IDs and string offsets continue those of base). Throws BadDataError
  // naming `source` and the byte offset when malformed (bad magic/version, header
  // lengths past the blob, a type record past the end, a type ID out of range, a string
  // offset out of range, a reference cycle through typedefs/qualifiers/arrays, an unknown
  // kind). Both byte orders are read. `base` must outlive this object, and this object
  // the resolution of the lazy types it made (as for DwarfTypeTranslator). Work and
  // memory are linear in the blob's size.
  static std::unique_ptr<BtfTypes> parse(std::vector<uint8_t> blob, TypeArena& arena,
                                         std::string source, const BtfTypes* base = nullptr);
  const std::string& source() const { return records_.source(); }

  // A named type, as DebugInfo::find_type answers it: kind Struct/Union/Enum by tag,
  // Typedef by name, Int/Bool/Float by base-type name in canonical C spelling ("unsigned
  // long"; gcc's "long unsigned int" is accepted too). A complete definition is preferred
  // over a declaration (FWD, or an ENUM without values), the base's over this blob's,
  // then the lowest id. {nullptr} when not found.
  QualifiedType find_type(TypeKind kind, std::string_view name) const;

  struct Variable {
    QualifiedType type;
    std::string section;  // the DATASEC holding it, e.g. ".data..percpu"; "" if none
    // Its offset in that DATASEC, from the start of the section: a per-CPU variable's
    // link-time address is __per_cpu_start + offset (__per_cpu_start is 0 where
    // .data..percpu is zero-based, as on 5.10-6.x x86-64; 7.2 links it in the image).
    uint64_t offset = 0;
  };
  // A BTF_KIND_VAR of this blob (not the base: a module's variables are placed apart
  // from vmlinux's) by name. Debian's kernels give only per-CPU variables one (5.10's
  // none at all).
  std::optional<Variable> find_variable(std::string_view name) const;
  // A BTF_KIND_FUNC of this blob (not the base) by name: its FUNC_PROTO as a Function
  // type with parameter names. {nullptr} when not found.
  QualifiedType find_function(std::string_view name) const;
  struct Enumerator {
    QualifiedType type;  // the enum
    uint64_t value = 0;  // as TypeEnumerator::value
  };
  // An enumerator by name, in the base first, then the lowest id.
  std::optional<Enumerator> find_enumerator(std::string_view name) const;

  // The type with this BTF id (0 = void); for a FUNC its function type, for a VAR the
  // variable's type. Throws BadDataError when out of range, UsageError for a DATASEC or
  // DECL_TAG (not types).
  QualifiedType type_by_id(uint32_t id) const;
  uint32_t type_count() const { return records_.type_count(); }  // highest id + 1, with the base's
  // Listing (completion, tests): this blob's ids are first_id()..type_count()-1; kind
  // and name of any id of this blob or its base (Unknown and "" for 0).
  uint32_t first_id() const { return records_.first_id(); }
  BtfKind kind_of(uint32_t id) const { return records_.kind_of(id); }
  std::string_view name_of(uint32_t id) const;
  const BtfTypes* base() const { return base_; }

 private:
  BtfTypes(BtfRecords records, TypeArena& arena, const BtfTypes* base);
  const BtfTypes& owner(uint32_t id) const;
  QualifiedType translate(uint32_t id, int depth) const;
  LazyType lazy(uint32_t id) const;
  const Type* translate_int(const BtfTypeRecord& r) const;
  const Type* translate_compound(const BtfTypeRecord& r, TypeKind kind) const;
  const Type* translate_enum(const BtfTypeRecord& r) const;
  const Type* translate_array(const BtfTypeRecord& r, int depth) const;
  LazyType flexible_array(uint32_t array_id) const;
  const Type* translate_function(const BtfTypeRecord& proto) const;
  // A complete struct/union/enum of this blob or the base (never translates a FWD).
  const Type* find_complete(TypeKind kind, std::string_view tag) const;
  QualifiedType find_own_type(TypeKind kind, std::string_view name, bool complete_only) const;
  void build_name_index() const;
  [[noreturn]] void fail(const BtfTypeRecord& r, const std::string& what) const;

  BtfRecords records_;
  TypeArena& arena_;
  const BtfTypes* base_;
  // "char" when the producer did not record char signedness (pahole before 1.21 left
  // even "signed char" unsigned): x86-64's signed char.
  bool char_sign_unknown_ = false;
  mutable std::vector<QualifiedType> cache_;  // by own id - first_id(); type null = not yet

  // Name → own ids (a chain through next_same_name_), built on the first lookup. Base
  // types (INT, FLOAT) are keyed by their canonical name, kept in canonical_names_.
  mutable bool names_built_ = false;
  mutable std::unordered_map<std::string_view, uint32_t> first_named_;
  mutable std::vector<uint32_t> next_same_name_;
  mutable std::deque<std::string> canonical_names_;
  // Enumerator name → (enum id, index); VAR id → (DATASEC id, offset).
  mutable bool enumerators_built_ = false;
  mutable std::unordered_map<std::string_view, std::pair<uint32_t, uint32_t>> enumerators_;
  mutable std::map<std::pair<TypeKind, std::string>, const Type*> complete_;  // find_complete()
  mutable bool sections_built_ = false;
  mutable std::unordered_map<uint32_t, std::pair<uint32_t, uint32_t>> var_sections_;
};

}  // namespace kdive
