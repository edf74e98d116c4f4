// libFuzzer target: BtfTypes::parse over the input as a base blob, then over the input
// again as split BTF on top of it; every type of a blob that parses is translated and
// printed (resolving its lazy member types) and looked up by name, so malformed records
// past the parse-time checks are reached too.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "debuginfo/btf_types.h"
#include "kdive/error.h"
#include "types/type_printer.h"

namespace kdive::fuzz {
// Translates and prints every type of `btf`'s own ids, and finds each by its name.
inline void exercise_btf(const BtfTypes& btf) {
  for (uint32_t id = btf.first_id(); id < btf.type_count(); ++id) {
    try {
      QualifiedType t = btf.type_by_id(id);
      (void)type_definition(t);
      if (t.type->is_compound())
        for (const TypeMember& m : t.type->members()) (void)type_name(m.type.get());
      std::string name(btf.name_of(id));
      (void)btf.find_type(t.type->kind(), name);
      (void)btf.find_function(name);
      (void)btf.find_variable(name);
      (void)btf.find_enumerator(name);
    } catch (const Error&) {
    }
  }
}
}  // namespace kdive::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  TypeArena arena;
  std::unique_ptr<BtfTypes> base;
  try {
    base = BtfTypes::parse(std::vector<uint8_t>(data, data + size), arena, "fuzz");
  } catch (const Error&) {
    return 0;
  }
  fuzz::exercise_btf(*base);
  try {
    auto split = BtfTypes::parse(std::vector<uint8_t>(data, data + size), arena, "fuzz split", base.get());
    fuzz::exercise_btf(*split);
  } catch (const Error&) {
  }
  return 0;
}
