// Program built-ins: per-CPU offsets are read from the kernel's __per_cpu_offset array
// (x86-64 SMP kernels; its length is NR_CPUS from DWARF), bounded by that length.
#include "program/program_builtins.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "lang/generic_builtins.h"

namespace kdive {

void register_program_builtins(BuiltinRegistry& registry, Program& program) {
  GenericBuiltinHooks hooks;
  if (program.is_kernel()) {
    hooks.per_cpu_offset = [&program](uint64_t cpu) -> uint64_t {
      std::optional<Object> offsets = program.find_object("__per_cpu_offset");
      if (!offsets) throw LookupError("could not find '__per_cpu_offset' (per-CPU data)");
      QualifiedType t = offsets->underlying();
      if (t.type->kind() == TypeKind::Array && t.type->length() && cpu >= *t.type->length())
        throw LookupError(fmt::format("CPU {} does not exist (NR_CPUS is {})", cpu, *t.type->length()));
      return offsets->subscript(static_cast<int64_t>(cpu)).as_unsigned();
    };
  }
  register_generic_builtins(registry, std::move(hooks));
}

}  // namespace kdive
