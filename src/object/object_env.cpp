// Default (x86-64 LP64) primitive types for an ObjectEnv, used when the debug info does
// not define them (drgn does the same: size_t and ptrdiff_t default to typedefs of the
// word-sized unsigned/signed long).
#include "object/object_env.h"

namespace kdive {

CPrimitiveTypes CPrimitiveTypes::lp64(TypeArena& arena) {
  CPrimitiveTypes p;
  p.char_type = arena.int_type("char", 1, true);
  p.signed_char_type = arena.int_type("signed char", 1, true);
  p.unsigned_char_type = arena.int_type("unsigned char", 1, false);
  p.short_type = arena.int_type("short", 2, true);
  p.unsigned_short_type = arena.int_type("unsigned short", 2, false);
  p.int_type = arena.int_type("int", 4, true);
  p.unsigned_int_type = arena.int_type("unsigned int", 4, false);
  p.long_type = arena.int_type("long", 8, true);
  p.unsigned_long_type = arena.int_type("unsigned long", 8, false);
  p.long_long_type = arena.int_type("long long", 8, true);
  p.unsigned_long_long_type = arena.int_type("unsigned long long", 8, false);
  p.bool_type = arena.bool_type("_Bool", 1);
  p.float_type = arena.float_type("float", 4);
  p.double_type = arena.float_type("double", 8);
  p.long_double_type = arena.float_type("long double", 16);
  p.size_t_type = arena.make_typedef("size_t", LazyType(QualifiedType{p.unsigned_long_type, 0}));
  p.ptrdiff_t_type = arena.make_typedef("ptrdiff_t", LazyType(QualifiedType{p.long_type, 0}));
  p.void_type = arena.void_type();
  return p;
}

ObjectEnv ObjectEnv::lp64(const MemoryReader* memory, TypeArena* types, const Symbolizer* symbols) {
  ObjectEnv env;
  env.memory = memory;
  env.types = types;
  env.symbols = symbols;
  env.little_endian = true;
  env.pointer_size = 8;
  env.prim = CPrimitiveTypes::lp64(*types);
  return env;
}

}  // namespace kdive
