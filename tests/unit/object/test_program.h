// A small in-test "program" for object/ and types/ tests: a byte-buffer MemoryReader,
// a map Symbolizer, and the types and globals of /tmp test program t.c (see
// object_formatter_test.cpp), laid out as gcc -O0 x86-64 lays them out, so that
// expected strings can be the ones drgn 0.0.22 printed for the real program's core.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "kdive/error.h"
#include "kdive/memory_reader.h"
#include "kdive/type.h"
#include "object/object.h"
#include "object/object_env.h"

namespace kdive::testing {

class BufferMemory : public MemoryReader {
 public:
  // Maps [base, base + size) to zeroed bytes.
  void map(uint64_t base, size_t size) { segments_[base].assign(size, 0); }
  void write(uint64_t address, const void* data, size_t size) {
    auto* seg = find(address, size);
    if (!seg) throw FaultError(address, "test write outside mapped memory");
    std::memcpy(segments_[seg->first].data() + (address - seg->first), data, size);
  }
  template <typename T>
  void put(uint64_t address, T value) {
    write(address, &value, sizeof value);
  }
  void read(uint64_t address, void* buf, size_t size, AddressSpace) const override {
    auto* seg = find(address, size);
    if (!seg) throw FaultError(address, "could not find memory segment");
    std::memcpy(buf, seg->second.data() + (address - seg->first), size);
  }
  mutable size_t reads = 0;

 private:
  const std::pair<const uint64_t, std::vector<uint8_t>>* find(uint64_t address, size_t size) const {
    auto it = segments_.upper_bound(address);
    if (it == segments_.begin()) return nullptr;
    --it;
    if (address - it->first + size > it->second.size()) return nullptr;
    return &*it;
  }
  std::map<uint64_t, std::vector<uint8_t>> segments_;
};

class MapSymbolizer : public Symbolizer {
 public:
  void add(std::string name, uint64_t address, uint64_t size) {
    symbols_[address] = SymbolInfo{std::move(name), address, size, {}};
  }
  std::optional<SymbolInfo> symbolize(uint64_t address) const override {
    auto it = symbols_.upper_bound(address);
    if (it == symbols_.begin()) return std::nullopt;
    --it;
    if (address < it->second.address + it->second.size) return it->second;
    return std::nullopt;
  }

 private:
  std::map<uint64_t, SymbolInfo> symbols_;
};

inline TypeMember member(std::string name, const Type* type, uint64_t byte_offset,
                         uint8_t qualifiers = 0) {
  return TypeMember{std::move(name), LazyType(QualifiedType{type, qualifiers}), byte_offset * 8, 0};
}
inline TypeMember bitfield(std::string name, const Type* type, uint64_t bit_offset, uint64_t bits) {
  return TypeMember{std::move(name), LazyType(QualifiedType{type, 0}), bit_offset, bits};
}

// The types and globals of t.c.
struct TestProgram {
  TypeArena arena;
  BufferMemory memory;
  MapSymbolizer symbols;
  ObjectEnv env;
  const Type *int_t, *uint_t, *long_t, *ulong_t, *char_t, *uchar_t, *short_t, *bool_t,
      *float_t, *double_t, *void_t;
  const Type *list_head, *point, *color, *ucolor, *bits, *inner, *outer, *sigset2, *handler_t,
      *fn_int, *fn_handler, *incomplete;

  // Addresses as in the real program's core.
  static constexpr uint64_t kData = 0x404000;
  static constexpr uint64_t gint = 0x404020, garr = 0x404050, gname = 0x404100,
                            gpt = 0x404130, ghead = 0x404160, gout = 0x404220,
                            myfunc = 0x401106, handler = 0x401110;

  TestProgram() {
    env = ObjectEnv::lp64(&memory, &arena, &symbols);
    int_t = env.prim.int_type;
    uint_t = env.prim.unsigned_int_type;
    long_t = env.prim.long_type;
    ulong_t = env.prim.unsigned_long_type;
    char_t = env.prim.char_type;
    uchar_t = env.prim.unsigned_char_type;
    short_t = env.prim.short_type;
    bool_t = env.prim.bool_type;
    float_t = env.prim.float_type;
    double_t = env.prim.double_type;
    void_t = env.prim.void_type;

    // struct list_head { struct list_head *next, *prev; } — self-referential via a thunk.
    const Type** lh = &list_head;
    list_head = arena.make_compound(
        TypeKind::Struct, "list_head", 16,
        {TypeMember{"next", LazyType([this, lh] { return QualifiedType{arena.pointer_to({*lh, 0}), 0}; }), 0, 0},
         TypeMember{"prev", LazyType([this, lh] { return QualifiedType{arena.pointer_to({*lh, 0}), 0}; }), 64, 0}});
    point = arena.make_compound(TypeKind::Struct, "point", 8, {member("x", int_t, 0), member("y", int_t, 4)});
    // gcc gives enum color (with a negative enumerator) a signed compatible type.
    color = arena.make_enum("color", {int_t, 0}, {{"RED", 0}, {"GREEN", 5}, {"BLUE", uint64_t(-1)}});
    ucolor = arena.make_enum("ucolor", {uint_t, 0}, {{"U_A", 1}, {"U_B", 2}});
    bits = arena.make_compound(TypeKind::Struct, "bits", 8,
                               {bitfield("a", uint_t, 0, 3), bitfield("b", uint_t, 3, 5),
                                bitfield("c", int_t, 8, 4), bitfield("d", ulong_t, 12, 40),
                                member("flag", bool_t, 7)});
    inner = arena.make_compound(TypeKind::Struct, "inner", 16,
                                {member("l", long_t, 0), member("name", arena.array_of({char_t, 0}, 8), 8)});
    const Type* anon_union = arena.make_compound(TypeKind::Union, "", 4,
                                                 {member("ival", int_t, 0), member("fval", float_t, 0)});
    const Type* anon_struct = arena.make_compound(TypeKind::Struct, "", 4,
                                                  {member("s1", short_t, 0), member("s2", short_t, 2)});
    fn_int = arena.make_function(LazyType(QualifiedType{void_t, 0}), {TypeParameter{"", LazyType(QualifiedType{int_t, 0})}}, false);
    fn_handler = arena.make_function(LazyType(QualifiedType{int_t, 0}),
                                     {TypeParameter{"", LazyType(QualifiedType{arena.pointer_to({void_t, 0}), 0})}}, false);
    handler_t = arena.make_typedef("handler_t", LazyType(QualifiedType{arena.pointer_to({fn_handler, 0}), 0}));
    outer = arena.make_compound(
        TypeKind::Struct, "outer", 128,
        {member("id", int_t, 0), member("", anon_union, 4), member("", anon_struct, 8),
         member("in", inner, 16), member("arr", arena.array_of({inner, 0}, 2), 32),
         member("ptr", arena.pointer_to({int_t, 0}), 64), member("fn", arena.pointer_to({fn_int, 0}), 72),
         member("str", arena.pointer_to({char_t, kQualConst}), 80), member("col", color, 88),
         member("d", double_t, 96), member("ok", bool_t, 104),
         member("bytes", arena.array_of({uchar_t, 0}, 4), 105), member("list", list_head, 112)});
    sigset2 = arena.make_typedef("sigset_t2", LazyType(QualifiedType{
        arena.make_compound(TypeKind::Struct, "", 8, {member("sig", arena.array_of({ulong_t, 0}, 1), 0)}), 0}));
    incomplete = arena.make_compound(TypeKind::Struct, "incomplete", 0, {}, false);

    memory.map(kData, 0x400);
    symbols.add("myfunc", myfunc, 10);
    symbols.add("handler", handler, 11);
    symbols.add("gint", gint, 4);
    symbols.add("garr", garr, 16);
    symbols.add("gname", gname, 16);
    symbols.add("gpt", gpt, 8);
    symbols.add("ghead", ghead, 16);
    symbols.add("gout", gout, 128);

    memory.put<int32_t>(gint, 5);
    memory.put<int32_t>(garr, 1);
    memory.put<int32_t>(garr + 4, 2);
    memory.write(gname, "swapper/0", 9);
    memory.put<int32_t>(gpt, 1);
    memory.put<int32_t>(gpt + 4, 2);
    memory.put<uint64_t>(ghead, ghead);
    memory.put<uint64_t>(ghead + 8, ghead);
    // gout as main() sets it.
    memory.put<int32_t>(gout, 7);
    memory.put<float>(gout + 4, 2.5f);
    memory.put<int16_t>(gout + 8, -1);
    memory.put<int16_t>(gout + 10, 2);
    memory.put<int64_t>(gout + 16, 99);
    memory.write(gout + 24, "hi", 2);
    memory.put<int64_t>(gout + 48, 3);
    memory.put<uint64_t>(gout + 64, gint);
    memory.put<uint64_t>(gout + 72, myfunc);
    memory.put<uint64_t>(gout + 80, 0x402020);  // .rodata, not in the core
    memory.put<int32_t>(gout + 88, -1);
    memory.put<double>(gout + 96, 3.25);
    memory.put<uint8_t>(gout + 104, 1);
    memory.put<uint8_t>(gout + 105, 1);
    memory.put<uint8_t>(gout + 106, 0x41);
    memory.put<uint64_t>(gout + 112, ghead);
    memory.put<uint64_t>(gout + 120, ghead);
  }

  QualifiedType q(const Type* t, uint8_t quals = 0) const { return {t, quals}; }
  const Type* ptr(const Type* t, uint8_t quals = 0) { return arena.pointer_to({t, quals}); }
  Object ref(const Type* t, uint64_t address) { return Object::reference(env, {t, 0}, address); }
  Object integer(const Type* t, int64_t v) { return Object::signed_value(env, {t, 0}, v); }
};

}  // namespace kdive::testing
