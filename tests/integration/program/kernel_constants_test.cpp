// DWARF constants and freed module init code on the real kernels of the fixtures:
// - array bounds in DW_FORM_data1 above 0x7f (linux_proc_banner: 0x84 on 6.1, once read as
//   char[18446744073709551493]; crc32table_le's inner 255, once [8][0]): the type's size
//   must be the ELF symbol's size, and crc32table_le's entries the CRC-32 table (the
//   polynomial fixes them on every kernel);
// - a module's .init.text, freed when the module went LIVE (init layout base NULL), names
//   nothing: mod->init prints as a bare address, as drgn prints it, never init_module+0x0.
#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>

#include "integration/fixture_manifest.h"
#include "kdive/error.h"
#include "object/object_formatter.h"
#include "program/program.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {
namespace {

using nlohmann::json;


std::unique_ptr<Program> open_dump(const json& d) {
  ProgramOptions opts;
  opts.debug_paths.push_back(d["vmlinux"].get<std::string>());
  for (const auto& m : d.value("modules", json::array())) opts.debug_paths.push_back(m.get<std::string>());
  return Program::open(d["path"].get<std::string>(), opts);
}

uint64_t symbol_size(Program& prog, const char* name) {
  for (const auto& m : prog.debug_info().modules())
    for (const Symbol& s : m->symbols().lookup(name))
      if (s.size) return s.size;
  return 0;
}

TEST(KernelConstants, ArrayBoundsMatchTheSymbolSizes) {
  auto dumps = testing::sysrq_dump_per_kernel();
  ASSERT_FALSE(dumps.empty());
  for (const json& d : dumps) {
    SCOPED_TRACE(d["name"].get<std::string>());
    std::unique_ptr<Program> prog = open_dump(d);
    for (const char* name : {"linux_proc_banner", "crc32table_le", "linux_banner"}) {
      SCOPED_TRACE(name);
      std::optional<Object> o = prog->find_object(name);
      ASSERT_TRUE(o);
      uint64_t size = symbol_size(*prog, name);
      ASSERT_NE(size, 0u);
      // linux_banner's DIE may be the declaration `extern const char linux_banner[];`
      // (6.1+: defined in a file without debug info): incomplete, as drgn has it.
      if (!o->type().type || !o->type().type->is_complete()) continue;
      EXPECT_EQ(type_sizeof(o->type()), size) << type_name(o->type());
    }
    std::string banner = format_object(*prog->find_object("linux_proc_banner"));
    EXPECT_EQ(banner.rfind("(const char [", 0), 0u) << banner;
    EXPECT_NE(banner.find("])\"%s version %s"), std::string::npos) << banner;
    // CRC-32 (reflected 0xedb88320): entry 1 of the first table is 0x77073096, entry 255
    // is 0x2d02ef8d, whether the table is u32 [256] or u32 [8][256].
    Object table = *prog->find_object("crc32table_le");
    if (type_name(table.type()).ends_with("[8][256]")) table = table.subscript(0);
    EXPECT_EQ(type_name(table.type()), "const u32 [256]");
    EXPECT_EQ(table.subscript(1).as_unsigned(), 0x77073096u);
    EXPECT_EQ(table.subscript(255).as_unsigned(), 0x2d02ef8du);
  }
}

TEST(KernelConstants, FreedModuleInitTextNamesNothing) {
  auto dumps = testing::sysrq_dump_per_kernel();
  ASSERT_FALSE(dumps.empty());
  for (const json& d : dumps) {
    SCOPED_TRACE(d["name"].get<std::string>());
    std::unique_ptr<Program> prog = open_dump(d);
    QualifiedType module_type = prog->find_type("struct module");
    size_t checked = 0;
    for (const LoadedKernelModule& m : prog->loaded_modules()) {
      SCOPED_TRACE(m.name);
      // Both test modules have init code and are LIVE at the crash.
      if (m.name != "kdive_fixture" && m.name != "qemu_fw_cfg") continue;
      ASSERT_TRUE(m.sections.count(".init.text"));
      EXPECT_EQ(std::count(m.freed_sections.begin(), m.freed_sections.end(), ".init.text"), 1);
      Object mod = Object::reference(prog->object_env(), module_type, m.address);
      Object init = mod.member("init").read();
      EXPECT_LT(init.as_unsigned() - m.sections.at(".init.text"), 0x10000u) << "init is not in .init.text";
      std::string printed = format_object(init);
      // The address may have been reused by a module loaded later (then it names that
      // module's code, as drgn does); never the freed init function.
      EXPECT_EQ(printed.find("init_module"), std::string::npos) << printed;
      EXPECT_EQ(printed.find(fmt::format("{}_init", m.name)), std::string::npos) << printed;
      // With nothing else there, the bare address, as drgn prints it.
      bool reused = false;
      for (const LoadedKernelModule& other : prog->loaded_modules())
        if (init.as_unsigned() - other.base < other.size) reused = true;
      if (!reused) {
        EXPECT_EQ(printed, fmt::format("(int (*)(void)){:#x}", init.as_unsigned()));
      }
      ++checked;
    }
    EXPECT_EQ(checked, 2u);
  }
}

}  // namespace
}  // namespace kdive
