// Symbol packs on the real fixture kernels: a pack exported from each kernel's vmlinux
// is a small fraction of it, and opens the kernel's oops dump (elf-paging) with the same
// answers as the vmlinux with DWARF — crashed stack, typed globals, task list, symbols,
// type sizes — on 5.10 too, whose VMCOREINFO lists no kallsyms. Broken packs (cut short,
// another build) give a clear error.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "debuginfo/symbol_pack.h"
#include "integration/fixture_manifest.h"
#include "integration/linux/kernel_fixture.h"
#include "kdive/error.h"
#include "linux/tasks.h"
#include "program/program.h"
#include "program/stack_trace.h"
#include "types/type_layout.h"

namespace kdive {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

// One directory per test binary run for the packs written, removed at exit.
struct PackDir {
  std::string path;
  PackDir() {
    std::string t = (fs::temp_directory_path() / "kdive-symbol-pack-XXXXXX").string();
    if (mkdtemp(t.data())) path = t;
  }
  ~PackDir() {
    std::error_code ec;
    if (!path.empty()) fs::remove_all(path, ec);
  }
};
const std::string& pack_dir() {
  static const PackDir dir;
  return dir.path;
}

// The oops scenario's complete ELF dump of kernel `name`; null when the manifest has none.
json oops_dump(const std::string& name) {
  for (const json& d : testing::fixture_dumps("kernel"))
    if (d.value("kernel_name", "") == name && d.value("scenario", "") == "oops" &&
        d.value("format", "") == "elf-paging")
      return d;
  return json();
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::unique_ptr<Program> open_with_pack(const json& dump, const std::string& pack) {
  ProgramOptions o;
  o.debug_paths = {pack};
  o.use_debuginfod = false;
  return Program::open(dump["path"], o);
}

// The crashed thread's functions, by symbol; DWARF's inlined frames have no counterpart
// in a symbol table.
std::vector<std::string> crashed_functions(Program& p) {
  StackTraceEngine engine(p);
  StackTrace t = engine.crashed_stack_trace();
  std::vector<std::string> out;
  for (const StackFrame& f : t.frames()) {
    if (f.inlined()) continue;
    // Names only: with a vmlinux the module's .ko names its frames, without one the
    // dump's module symbols do and the frame also says which module.
    out.push_back(f.symbol() ? f.symbol()->name : fmt::format("{:#x}", f.pc()));
  }
  return out;
}

std::vector<std::pair<int64_t, std::string>> task_list(Program& p) {
  Tasks tasks(p);
  std::vector<std::pair<int64_t, std::string>> out;
  tasks.for_each_task([&](uint64_t t) {
    out.emplace_back(tasks.pid(t), tasks.comm(t));
    return true;
  });
  return out;
}

std::string symbol_text(Program& p, uint64_t address) {
  std::optional<SymbolInfo> s = p.debug_info().symbolize(address);
  return s ? fmt::format("{}+{:#x}", s->name, address - s->address) : "none";
}

// A copy of the file at `from` holding its first `bytes` bytes.
std::string truncated_copy(const std::string& from, uint64_t bytes, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::string data(bytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(bytes));
  std::ofstream(to, std::ios::binary).write(data.data(), static_cast<std::streamsize>(bytes));
  return to;
}

class SymbolPackFixture : public ::testing::TestWithParam<json> {};

TEST(SymbolPackFixtures, ManifestHasKernels) { ASSERT_FALSE(testing::fixture_kernels().empty()); }

TEST_P(SymbolPackFixture, OpensTheDumpAsDwarfDoes) {
  const json& kernel = GetParam();
  const std::string name = kernel["name"];
  const std::string vmlinux = kernel["vmlinux"];
  json dump = oops_dump(name);
  ASSERT_FALSE(dump.is_null()) << "no oops elf-paging dump of kernel " << name;
  ASSERT_FALSE(pack_dir().empty());
  const std::string pack = pack_dir() + "/" + name + ".kdsym";

  auto t0 = std::chrono::steady_clock::now();
  SymbolPackSummary s = write_symbol_pack(ElfFile(vmlinux), pack);
  double export_s = seconds_since(t0);
  uint64_t vmlinux_bytes = fs::file_size(vmlinux), pack_bytes = fs::file_size(pack);
  EXPECT_EQ(s.file_bytes, pack_bytes);
  EXPECT_LT(pack_bytes * 10, vmlinux_bytes);
  EXPECT_GT(s.symbols, 10000u);

  t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Program> packed;
  ASSERT_NO_THROW(packed = open_with_pack(dump, pack));
  double pack_open_s = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  testing::OpenedKernelDump dwarf = testing::open_kernel_dump(dump);
  double dwarf_open_s = seconds_since(t0);
  std::printf("[ symbol pack ] %s: vmlinux %llu bytes, pack %llu bytes (%.2f%%), %zu symbols; export %.2fs; "
              "open with pack %.2fs, with DWARF %.2fs\n",
              name.c_str(), static_cast<unsigned long long>(vmlinux_bytes),
              static_cast<unsigned long long>(pack_bytes), 100.0 * static_cast<double>(pack_bytes) / vmlinux_bytes,
              s.symbols, export_s, pack_open_s, dwarf_open_s);
  Program& p = *packed;
  Program& d = *dwarf.program;

  // The pack answered, not the dump's kallsyms: the source says so.
  const DumpDebugInfo* dd = p.debug_info().dump_debug_info();
  ASSERT_TRUE(dd);
  EXPECT_EQ(dd->kallsyms().source(), "symbol pack " + pack);
  ASSERT_TRUE(dd->btf());

  EXPECT_EQ(crashed_functions(p), crashed_functions(d));

  for (const char* member : {"comm", "pid"}) {
    SCOPED_TRACE(member);
    std::optional<Object> a = p.find_object("init_task"), b = d.find_object("init_task");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->address(), b->address());
    Object ma = a->member(member), mb = b->member(member);
    if (std::string(member) == "comm") EXPECT_EQ(ma.read_c_string(16), mb.read_c_string(16));
    else EXPECT_EQ(ma.read().as_signed(), mb.read().as_signed());
  }
  {
    std::optional<Object> a = p.find_object("jiffies"), b = d.find_object("jiffies");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->address(), b->address());
  }

  std::vector<std::pair<int64_t, std::string>> tasks = task_list(p);
  EXPECT_GT(tasks.size(), 10u);
  EXPECT_EQ(tasks, task_list(d));

  // Addresses inside functions, data and the crashed stack (module code included).
  // Inside: past a symbol's ELF size a vmlinux names nothing, while kallsyms (and so a
  // pack) sizes a symbol up to the next one.
  std::vector<uint64_t> addresses;
  for (const char* sym : {"schedule", "init_task", "jiffies", "panic"})
    if (std::optional<Object> o = d.find_object(sym)) addresses.push_back(o->address() + 1);
  StackTraceEngine engine(d);
  StackTrace crashed = engine.crashed_stack_trace();
  for (const StackFrame& f : crashed.frames()) addresses.push_back(f.lookup_pc());
  EXPECT_GE(addresses.size(), 6u);
  for (uint64_t a : addresses) {
    SCOPED_TRACE(fmt::format("{:#x}", a));
    std::optional<SymbolInfo> sp = p.debug_info().symbolize(a), sd = d.debug_info().symbolize(a);
    ASSERT_TRUE(sp && sd) << symbol_text(p, a) << " / " << symbol_text(d, a);
    EXPECT_EQ(sp->address, sd->address);
    // Aliases (jiffies = jiffies_64 in the linker script): the kernel's kallsyms, and
    // so a pack, names the address after the first in its order, a vmlinux's symbol
    // table after the last; either names the same place.
    if (sp->name != sd->name) {
      std::optional<Object> alias = d.find_object(sp->name);
      EXPECT_TRUE(alias && alias->address() == sd->address) << symbol_text(p, a) << " / " << symbol_text(d, a);
    }
  }

  QualifiedType ta = p.find_type("struct task_struct"), tb = d.find_type("struct task_struct");
  ASSERT_TRUE(ta.type && tb.type);
  EXPECT_EQ(type_sizeof(ta), type_sizeof(tb));
  for (const char* m : {"comm", "tasks", "mm"}) EXPECT_EQ(offset_of(ta, m), offset_of(tb, m)) << m;

  // Without a dump (`kdive -s PACK layout ...`): the pack's types alone.
  ProgramOptions alone;
  alone.debug_paths = {pack};
  std::unique_ptr<Program> types_only = Program::open_debug_info(alone);
  QualifiedType tc = types_only->find_type("struct task_struct");
  ASSERT_TRUE(tc.type);
  EXPECT_EQ(type_sizeof(tc), type_sizeof(tb));
}

TEST_P(SymbolPackFixture, BrokenPacksAreRefused) {
  const json& kernel = GetParam();
  const std::string name = kernel["name"];
  json dump = oops_dump(name);
  ASSERT_FALSE(dump.is_null());
  ASSERT_FALSE(pack_dir().empty());
  const std::string pack = pack_dir() + "/" + name + "-bad.kdsym";
  SymbolPackSummary s = write_symbol_pack(ElfFile(kernel["vmlinux"].get<std::string>()), pack);

  // Cut short: the section table (at the end of the file) is gone.
  std::string cut = truncated_copy(pack, s.file_bytes / 2, pack_dir() + "/" + name + "-cut.kdsym");
  try {
    open_with_pack(dump, cut);
    ADD_FAILURE() << "a truncated pack opened";
  } catch (const BadDataError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated?"), std::string::npos) << e.what();
  }

  // Another build: the build-ID note's bytes changed.
  std::string other = pack_dir() + "/" + name + "-other.kdsym";
  fs::copy_file(pack, other, fs::copy_options::overwrite_existing);
  {
    std::fstream f(other, std::ios::in | std::ios::out | std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::string id;
    for (size_t i = 0; i + 1 < s.build_id.size(); i += 2)
      id.push_back(static_cast<char>(std::stoi(s.build_id.substr(i, 2), nullptr, 16)));
    size_t at = bytes.find(id);
    ASSERT_NE(at, std::string::npos);
    f.seekp(static_cast<std::streamoff>(at));
    f.put(static_cast<char>(id[0] ^ 0xff));
  }
  try {
    open_with_pack(dump, other);
    ADD_FAILURE() << "a pack of another build opened";
  } catch (const MissingDebugInfoError& e) {
    EXPECT_NE(std::string(e.what()).find("does not match the dump"), std::string::npos) << e.what();
  }
  ProgramOptions allow;
  allow.debug_paths = {other};
  allow.use_debuginfod = false;
  allow.allow_build_id_mismatch = true;
  EXPECT_NO_THROW(Program::open(dump["path"], allow));
}

INSTANTIATE_TEST_SUITE_P(Kernels, SymbolPackFixture, ::testing::ValuesIn(testing::fixture_kernels()),
                         [](const ::testing::TestParamInfo<json>& i) {
                           std::string n = i.param.value("name", "kernel");
                           for (char& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Exporting what cannot make a pack writes nothing: this test binary has a symbol table
// but no .BTF.
TEST(SymbolPackExport, FileWithoutBtfIsRefused) {
  ASSERT_FALSE(pack_dir().empty());
  const std::string out = pack_dir() + "/no-btf.kdsym";
  try {
    write_symbol_pack(ElfFile("/proc/self/exe"), out);
    ADD_FAILURE() << "a pack without BTF was written";
  } catch (const MissingDebugInfoError& e) {
    std::string what = e.what();
    EXPECT_TRUE(what.find("no .BTF section") != std::string::npos || what.find("no symbol table") != std::string::npos)
        << what;
  }
  EXPECT_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(pack_dir()))
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace kdive
