// ObjectEnv and Symbolizer: what an Object needs from the program it lives in (memory,
// the type arena, address → symbol, and the language's primitive types), passed as a
// small struct so that object/ does not depend on Program (DESIGN.md §1).
//
//   TypeArena arena;
//   ObjectEnv env = ObjectEnv::lp64(&memory, &arena, &symbolizer);
//   Object o = Object::reference(env, {env.prim.int_type, 0}, 0x1000);
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "kdive/memory_reader.h"
#include "kdive/type.h"

namespace kdive {

// An ELF/kallsyms symbol an address falls in: the formatter prints pointers to code and
// data as "name+0x<offset>" when the symbolizer knows them.
struct SymbolInfo {
  std::string name;
  uint64_t address = 0;  // start of the symbol
  uint64_t size = 0;
  // The kernel module holding it, when only the dump's symbols name it (no debug file
  // knew the address): `bt` prints "func+0x1/0x2 [module]" as the kernel's oopses do.
  std::string module;
};

// Address → symbol lookup, implemented by debuginfo/ (ELF symtabs, module symbols).
class Symbolizer {
 public:
  virtual ~Symbolizer() = default;
  // The symbol containing `address` (address in [start, start+size), or, for a
  // zero-sized symbol, address == start), or nullopt.
  virtual std::optional<SymbolInfo> symbolize(uint64_t address) const = 0;
};

// The primitive types of C as the program's debug info (or the ABI default) defines
// them. Operators use them for promotions and results (int for comparisons, ptrdiff_t
// for pointer differences, ...). ptrdiff_t and size_t may be typedefs (drgn prints a
// pointer difference as "(ptrdiff_t)2").
struct CPrimitiveTypes {
  const Type* char_type = nullptr;
  const Type* signed_char_type = nullptr;
  const Type* unsigned_char_type = nullptr;
  const Type* short_type = nullptr;
  const Type* unsigned_short_type = nullptr;
  const Type* int_type = nullptr;
  const Type* unsigned_int_type = nullptr;
  const Type* long_type = nullptr;
  const Type* unsigned_long_type = nullptr;
  const Type* long_long_type = nullptr;
  const Type* unsigned_long_long_type = nullptr;
  const Type* bool_type = nullptr;     // _Bool
  const Type* float_type = nullptr;
  const Type* double_type = nullptr;
  const Type* long_double_type = nullptr;
  const Type* size_t_type = nullptr;     // typedef size_t → unsigned long
  const Type* ptrdiff_t_type = nullptr;  // typedef ptrdiff_t → long
  const Type* void_type = nullptr;

  // x86-64 (LP64) defaults, made in `arena`.
  static CPrimitiveTypes lp64(TypeArena& arena);
};

struct ObjectEnv {
  const MemoryReader* memory = nullptr;  // nullptr: every read faults
  TypeArena* types = nullptr;            // for derived types (pointer_to, array_of)
  const Symbolizer* symbols = nullptr;   // nullptr: pointers are never symbolized
  bool little_endian = true;
  uint64_t pointer_size = 8;
  CPrimitiveTypes prim;

  // An x86-64 environment with the default LP64 primitives made in `types`.
  static ObjectEnv lp64(const MemoryReader* memory, TypeArena* types,
                        const Symbolizer* symbols = nullptr);
};

}  // namespace kdive
