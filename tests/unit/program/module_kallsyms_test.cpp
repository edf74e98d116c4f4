// read_module_kallsyms on a hand-built struct module in a fake kernel memory: the
// layouts told apart by member presence (mod->kallsyms with typetab; no typetab, the
// type letter in st_info or st_size; the pre-4.6 fields on struct module), Elf64_Sym
// entries written field by field, the skipped entries, and the bounds and faults.
#include "program/module_kallsyms.h"

#include <gtest/gtest.h>

#include "kdive/error.h"
#include "unit/object/test_program.h"

namespace kdive {
namespace {

using testing::BufferMemory;
using testing::member;

constexpr uint64_t kModule = 0x10000, kSymtab = 0x20000, kStrtab = 0x30000, kTypetab = 0x40000;
constexpr uint64_t kCore = 0xffffffffc0000000;

struct Sym {
  std::string name;  // empty: entry 0
  uint8_t st_info;
  uint16_t st_shndx;
  uint64_t st_value, st_size;
  char type;  // typetab's letter
};

// A module "kdive_test" with these symbols, as add_kallsyms() leaves its core copy
// (entry 0 empty), plus one undefined symbol as the init-time table has.
std::vector<Sym> symbols() {
  return {{"", 0, 0, 0, 0, 0},
          {"late_fn", 0x02, 1, kCore + 0x1000, 0x40, 't'},     // STB_LOCAL STT_FUNC
          {"printk", 0x10, 0, 0, 0, 'U'},                      // undefined: skipped
          {"kdive_data", 0x11, 3, kCore + 0x3000, 8, 'd'},     // STB_GLOBAL STT_OBJECT
          {"early_fn", 0x12, 1, kCore + 0x100, 0x20, 'T'}};    // STB_GLOBAL STT_FUNC
}

enum class Layout { Typetab, StInfoLetter, StSizeLetter, FieldsOnModule };

struct FakeModule {
  testing::TestProgram p;  // arena, memory and an LP64 environment
  const Type* module_type = nullptr;
  uint64_t holder = 0;  // address of the symtab/num_symtab/strtab fields

  FakeModule(Layout layout, const std::vector<Sym>& syms, bool null_kallsyms_pointer = false) {
    TypeArena& a = p.arena;
    const Type* uint_t = p.uint_t;
    const Type* char_p = a.pointer_to({p.char_t, 0});
    const Type* sym_p = a.pointer_to({p.void_t, 0});  // Elf64_Sym * (its type is not read)
    std::vector<TypeMember> fields = {member("symtab", sym_p, 0), member("num_symtab", uint_t, 8),
                                      member("strtab", char_p, 16)};
    if (layout == Layout::Typetab) fields.push_back(member("typetab", char_p, 24));
    const uint64_t holder_size = layout == Layout::Typetab ? 32 : 24;
    const Type* name_t = a.array_of({p.char_t, 0}, 56);
    if (layout == Layout::FieldsOnModule) {  // before 4.6
      std::vector<TypeMember> m = {member("name", name_t, 0)};
      for (TypeMember f : fields) {
        f.bit_offset += 56 * 8;
        m.push_back(f);
      }
      module_type = a.make_compound(TypeKind::Struct, "module", 56 + holder_size, m);
      holder = kModule + 56;
    } else {
      const Type* mk = a.make_compound(TypeKind::Struct, "mod_kallsyms", holder_size, fields);
      module_type = a.make_compound(TypeKind::Struct, "module", 64 + holder_size,
                                    {member("name", name_t, 0), member("kallsyms", a.pointer_to({mk, 0}), 56),
                                     member("core_kallsyms", mk, 64)});
      holder = kModule + 64;
    }

    BufferMemory& mem = p.memory;
    mem.map(kModule, 0x200);
    mem.write(kModule, "kdive_test", 11);  // name
    if (layout != Layout::FieldsOnModule) mem.put<uint64_t>(kModule + 56, null_kallsyms_pointer ? 0 : holder);
    mem.put<uint64_t>(holder, kSymtab);                            // symtab
    mem.put<uint32_t>(holder + 8, static_cast<uint32_t>(syms.size()));  // num_symtab
    mem.put<uint64_t>(holder + 16, kStrtab);                       // strtab
    if (layout == Layout::Typetab) mem.put<uint64_t>(holder + 24, kTypetab);  // typetab

    mem.map(kSymtab, syms.size() * 24);
    mem.map(kStrtab, 0x1000);
    mem.map(kTypetab, syms.size());
    uint32_t str = 1;  // strtab[0] is the empty name
    for (size_t i = 0; i < syms.size(); i++) {
      const Sym& s = syms[i];
      uint8_t st_info = s.st_info;
      uint64_t st_size = s.st_size;
      if (layout == Layout::StInfoLetter || layout == Layout::FieldsOnModule) st_info = static_cast<uint8_t>(s.type);
      if (layout == Layout::StSizeLetter) st_size = static_cast<uint8_t>(s.type);
      const uint64_t e = kSymtab + 24 * i;
      mem.put<uint32_t>(e, s.name.empty() ? 0 : str);  // st_name
      mem.put<uint8_t>(e + 4, st_info);                // st_info
      mem.put<uint8_t>(e + 5, 0);                      // st_other
      mem.put<uint16_t>(e + 6, s.st_shndx);            // st_shndx
      mem.put<uint64_t>(e + 8, s.st_value);            // st_value
      mem.put<uint64_t>(e + 16, st_size);              // st_size
      mem.put<uint8_t>(kTypetab + i, static_cast<uint8_t>(s.type));
      if (!s.name.empty()) {
        mem.write(kStrtab + str, s.name.c_str(), s.name.size() + 1);
        str += static_cast<uint32_t>(s.name.size() + 1);
      }
    }
  }
  Object module() { return Object::reference(p.env, {module_type, 0}, kModule); }
};

void expect_symbols(const ModuleSymbols& m) {
  EXPECT_EQ(m.module, "kdive_test");
  ASSERT_EQ(m.symbols.size(), 3u);  // entry 0 and the undefined printk skipped
  EXPECT_EQ(m.symbols[0].name, "early_fn");  // sorted by address
  EXPECT_EQ(m.symbols[0].address, kCore + 0x100);
  EXPECT_EQ(m.symbols[0].type, 'T');
  EXPECT_EQ(m.symbols[1].name, "late_fn");
  EXPECT_EQ(m.symbols[1].address, kCore + 0x1000);
  EXPECT_EQ(m.symbols[1].type, 't');
  EXPECT_EQ(m.symbols[2].name, "kdive_data");
  EXPECT_EQ(m.symbols[2].type, 'd');
}

TEST(ModuleKallsyms, TypetabThroughTheKallsymsPointer) {
  FakeModule f(Layout::Typetab, symbols());
  expect_symbols(read_module_kallsyms(f.module()));
}

TEST(ModuleKallsyms, APointerToTheModuleIsFollowed) {
  FakeModule f(Layout::Typetab, symbols());
  Object ptr = Object::unsigned_value(f.p.env, {f.p.arena.pointer_to({f.module_type, 0}), 0}, kModule);
  expect_symbols(read_module_kallsyms(ptr));
}

TEST(ModuleKallsyms, NullKallsymsPointerReadsTheCoreCopy) {
  FakeModule f(Layout::Typetab, symbols(), /*null_kallsyms_pointer=*/true);
  expect_symbols(read_module_kallsyms(f.module()));
}

TEST(ModuleKallsyms, WithoutTypetabTheLetterIsInStInfo) {
  FakeModule f(Layout::StInfoLetter, symbols());
  expect_symbols(read_module_kallsyms(f.module()));
}

TEST(ModuleKallsyms, WithoutTypetabARealStInfoPutsTheLetterInStSize) {
  FakeModule f(Layout::StSizeLetter, symbols());
  expect_symbols(read_module_kallsyms(f.module()));
}

TEST(ModuleKallsyms, FieldsOnStructModuleBefore46) {
  FakeModule f(Layout::FieldsOnModule, symbols());
  expect_symbols(read_module_kallsyms(f.module()));
}

TEST(ModuleKallsyms, CorruptNumSymtabIsRefused) {
  FakeModule f(Layout::Typetab, symbols());
  f.p.memory.put<uint32_t>(f.holder + 8, (1u << 20) + 1);
  try {
    read_module_kallsyms(f.module());
    FAIL();
  } catch (const BadDataError& e) {
    EXPECT_STREQ(e.what(), "module kdive_test: num_symtab is 1048577 (more than 1048576)");
  }
  // The largest count allowed is read (and here faults: the table is not that long).
  f.p.memory.put<uint32_t>(f.holder + 8, 1u << 20);
  EXPECT_THROW(read_module_kallsyms(f.module()), FaultError);
}

TEST(ModuleKallsyms, UnreadableStringTableFaults) {
  FakeModule f(Layout::Typetab, symbols());
  f.p.memory.put<uint64_t>(f.holder + 16, 0xdead0000);  // strtab
  try {
    read_module_kallsyms(f.module());
    FAIL();
  } catch (const FaultError& e) {
    EXPECT_EQ(e.address(), 0xdead0000u + 1);
  }
}

TEST(ModuleKallsyms, NoKallsymsMembersIsALookupError) {
  testing::TestProgram p;
  const Type* mod = p.arena.make_compound(TypeKind::Struct, "module", 56,
                                          {member("name", p.arena.array_of({p.char_t, 0}, 56), 0)});
  p.memory.map(kModule, 56);
  p.memory.write(kModule, "nosyms", 7);
  EXPECT_THROW(read_module_kallsyms(Object::reference(p.env, {mod, 0}, kModule)), LookupError);
}

}  // namespace
}  // namespace kdive
