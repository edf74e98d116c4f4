// read_module_kallsyms on the real dumps of the fixture matrix: kdive_fixture's own
// symbol table, read from its struct module in the dump, must put every function where
// the module's .ko (ELF symbols, relocated section by section) and its DWARF put it —
// exactly; and a corrupted num_symtab (a patched view of the dump) is refused.
#include "program/module_kallsyms.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>

#include "integration/fixture_manifest.h"
#include "integration/linux/kernel_fixture.h"
#include "kdive/error.h"
#include "program/program.h"

namespace kdive {
namespace {

using nlohmann::json;


const LoadedKernelModule* fixture_module(const Program& prog) {
  for (const LoadedKernelModule& m : prog.loaded_modules())
    if (m.name == "kdive_fixture") return &m;
  return nullptr;
}

const DebugModule* fixture_debug_module(Program& prog) {
  for (const auto& m : prog.debug_info().modules())
    if (m->name() == "kdive_fixture") return m.get();
  return nullptr;
}

TEST(ModuleKallsymsDump, FixtureFunctionsMatchItsDebugInfo) {
  size_t kernels = 0;
  for (const json& d : testing::sysrq_dump_per_kernel()) {
    const std::string name = d["name"];
    SCOPED_TRACE(name);
    testing::OpenedKernelDump o = testing::open_kernel_dump(d);
    Program& prog = *o.program;
    const LoadedKernelModule* lm = fixture_module(prog);
    ASSERT_NE(lm, nullptr) << "kdive_fixture not among the loaded modules";
    const DebugModule* dm = fixture_debug_module(prog);
    ASSERT_NE(dm, nullptr) << "no debug info for kdive_fixture";
    QualifiedType module_type = prog.find_type("struct module");

    // Every loaded module's table reads (their counts are printed).
    std::string counts;
    for (const LoadedKernelModule& m : prog.loaded_modules()) {
      ModuleSymbols s = read_module_kallsyms(Object::reference(prog.object_env(), module_type, m.address));
      EXPECT_EQ(s.module, m.name);
      EXPECT_TRUE(std::is_sorted(s.symbols.begin(), s.symbols.end(),
                                 [](const auto& a, const auto& b) { return a.address < b.address; }));
      counts += fmt::format(" {}={}", m.name, s.symbols.size());
    }

    ModuleSymbols ks = read_module_kallsyms(Object::reference(prog.object_env(), module_type, lm->address));
    size_t functions = 0, elf_same = 0, dwarf_checked = 0, others = 0, others_same = 0;
    for (const KallsymsSymbol& s : ks.symbols) {
      SCOPED_TRACE(s.name);
      std::vector<Symbol> elf = dm->symbols().lookup(s.name);
      const bool same = std::any_of(elf.begin(), elf.end(), [&](const Symbol& e) { return e.address == s.address; });
      if (s.type != 't' && s.type != 'T') {
        others++;
        others_same += same;
        continue;
      }
      functions++;
      // In the module's core text (data lies in other allocations since 6.4's mem[]).
      EXPECT_GE(s.address, lm->base);
      EXPECT_LT(s.address, lm->base + lm->size);
      EXPECT_TRUE(same) << fmt::format("{:#x} in kallsyms, not in kdive_fixture.ko's symbols", s.address);
      elf_same += same;
      // Functions with DWARF (not the __pfx_ padding nor gcc's .cold/.part pieces):
      // the address of the function object kdive finds by name.
      if (s.name.starts_with("kdive_") && s.name.find('.') == std::string::npos) {
        std::optional<Object> f = prog.find_object(s.name, kGlobalFunction);
        ASSERT_TRUE(f) << "no function object";
        EXPECT_EQ(f->address(), s.address);
        dwarf_checked++;
      }
    }
    fmt::print("{}: kdive_fixture: {} kallsyms symbols, {} functions ({} at the .ko's address, {} checked "
               "against DWARF), {} others ({} at the .ko's address); modules:{}\n",
               name, ks.symbols.size(), functions, elf_same, dwarf_checked, others, others_same, counts);
    EXPECT_EQ(ks.module, "kdive_fixture");
    EXPECT_GE(functions, 10u);
    EXPECT_GE(dwarf_checked, 10u);
    EXPECT_EQ(others_same, others);  // data symbols too, though the brief pins functions
    kernels++;
  }
  EXPECT_GT(kernels, 0u);
}

TEST(ModuleKallsymsDump, CorruptNumSymtabIsRefused) {
  size_t kernels = 0;
  for (const json& d : testing::sysrq_dump_per_kernel()) {
    SCOPED_TRACE(d["name"].get<std::string>());
    testing::OpenedKernelDump o = testing::open_kernel_dump(d);
    Program& prog = *o.program;
    const LoadedKernelModule* lm = fixture_module(prog);
    ASSERT_NE(lm, nullptr);
    QualifiedType module_type = prog.find_type("struct module");
    // num_symtab of the table mod->kallsyms points to, overwritten in a patched view.
    Object mod = Object::reference(prog.object_env(), module_type, lm->address);
    const uint64_t at = mod.member("kallsyms").member_dereference("num_symtab").address();
    uint64_t word = 0;
    prog.memory().read(at, &word, sizeof word);
    testing::PatchedMemory patched(prog.memory());
    patched.patch(at, (word & ~uint64_t{0xffffffff}) | ((1u << 20) + 1));
    ObjectEnv env = prog.object_env();
    env.memory = &patched;
    try {
      read_module_kallsyms(Object::reference(env, module_type, lm->address));
      ADD_FAILURE() << "no error";
    } catch (const BadDataError& e) {
      EXPECT_STREQ(e.what(), "module kdive_fixture: num_symtab is 1048577 (more than 1048576)");
    }
    kernels++;
  }
  EXPECT_GT(kernels, 0u);
}

}  // namespace
}  // namespace kdive
