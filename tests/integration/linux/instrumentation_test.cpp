// The instrumentation view (kprobes, entries, patched) on every kernel of the fixture
// matrix, against truth.json (kprobe[], kretprobe[], ftrace.filter[]: registered by the
// fixture module and /init before the dump) and against the vmlinux / .ko files read here
// with libelf, independently of kdive's readers. Checks that need truth keys run when the
// dump's truth.json has them and fail when kdive disagrees.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kernel_fixture.h"
#include "linux/ftrace_records.h"
#include "linux/function_entries.h"
#include "linux/kprobes.h"
#include "linux/text_patches.h"

namespace kdive {
namespace {

using testing::hex_value;

// Bytes of an ELF file: at a link-time address (vmlinux) or at a symbol's offset (a .ko).
class ElfBytes {
 public:
  explicit ElfBytes(const std::string& path) {
    elf_version(EV_CURRENT);
    fd_ = ::open(path.c_str(), O_RDONLY);
    elf_ = fd_ >= 0 ? elf_begin(fd_, ELF_C_READ, nullptr) : nullptr;
  }
  ~ElfBytes() {
    if (elf_) elf_end(elf_);
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return elf_ != nullptr; }

  bool has_section(const std::string& name) const {
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf_, &shstrndx) != 0) return false;
    for (Elf_Scn* s = elf_nextscn(elf_, nullptr); s; s = elf_nextscn(elf_, s)) {
      GElf_Shdr sh;
      const char* n = gelf_getshdr(s, &sh) ? elf_strptr(elf_, shstrndx, sh.sh_name) : nullptr;
      if (n && name == n) return true;
    }
    return false;
  }

  std::optional<std::vector<uint8_t>> at_address(uint64_t address, size_t n) const {
    for (Elf_Scn* s = elf_nextscn(elf_, nullptr); s; s = elf_nextscn(elf_, s)) {
      GElf_Shdr sh;
      if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR)) continue;
      if (address < sh.sh_addr || address + n > sh.sh_addr + sh.sh_size) continue;
      Elf_Data* d = elf_getdata(s, nullptr);
      const uint8_t* p = static_cast<const uint8_t*>(d->d_buf) + (address - sh.sh_addr);
      return std::vector<uint8_t>(p, p + n);
    }
    return std::nullopt;
  }

  // The byte at `symbol` + `offset` in the symbol's section.
  std::optional<uint8_t> symbol_byte(const std::string& symbol, uint64_t offset) const {
    for (Elf_Scn* s = elf_nextscn(elf_, nullptr); s; s = elf_nextscn(elf_, s)) {
      GElf_Shdr sh;
      if (!gelf_getshdr(s, &sh) || sh.sh_type != SHT_SYMTAB) continue;
      Elf_Data* d = elf_getdata(s, nullptr);
      for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; ++i) {
        GElf_Sym sym;
        gelf_getsym(d, static_cast<int>(i), &sym);
        const char* n = elf_strptr(elf_, sh.sh_link, sym.st_name);
        if (!n || symbol != n || sym.st_shndx == SHN_UNDEF) continue;
        Elf_Data* text = elf_getdata(elf_getscn(elf_, sym.st_shndx), nullptr);
        if (!text || sym.st_value + offset >= text->d_size) return std::nullopt;
        return static_cast<const uint8_t*>(text->d_buf)[sym.st_value + offset];
      }
    }
    return std::nullopt;
  }

 private:
  int fd_ = -1;
  Elf* elf_ = nullptr;
};

std::string without_module(const std::string& s) { return s.substr(0, s.find(" [")); }

std::string module_path(const nlohmann::json& dump, const std::string& file) {
  for (const nlohmann::json& m : dump["modules"])
    if (m.get<std::string>().ends_with("/" + file)) return m;
  return {};
}

std::vector<nlohmann::json> instrumentation_dumps() {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& d : testing::fixture_dumps("kernel"))
    if (d.value("format", "") == "elf-paging") out.push_back(d);  // sysrq and oops (KASLR) per kernel
  return out;
}

class InstrumentationTest : public ::testing::TestWithParam<nlohmann::json> {};

TEST_P(InstrumentationTest, KprobesMatchTruth) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  KprobeTable t = read_kprobes(*o.program);
  EXPECT_EQ(t.buckets, 64u);  // KPROBE_TABLE_SIZE
  EXPECT_TRUE(t.problems.empty()) << t.problems.front();
  const nlohmann::json& truth = o.truth;
  // Every probe, aggregates' children included, by address.
  std::vector<const KprobeInfo*> all;
  for (const KprobeInfo& k : t.probes) {
    all.push_back(&k);
    for (const KprobeInfo& c : k.children) all.push_back(&c);
  }
  auto find = [&](uint64_t addr, bool want_kretprobe) -> const KprobeInfo* {
    for (const KprobeInfo* k : all)
      if (k->addr == addr && !k->aggregate && k->kretprobe.has_value() == want_kretprobe) return k;
    return nullptr;
  };
  ElfBytes ko(module_path(GetParam(), "kdive_fixture.ko"));
  for (const nlohmann::json& want : truth.value("kprobe", nlohmann::json::array())) {
    const KprobeInfo* k = find(hex_value(want["addr"]), false);
    ASSERT_NE(k, nullptr) << "no kprobe at " << want["addr"];
    EXPECT_EQ(without_module(k->symbol), want["symbol"].get<std::string>() +
                                             (hex_value(want["addr"]) == hex_value(want["symbol_addr"])
                                                  ? ""
                                                  : "+0x" + fmt::format("{:x}", hex_value(want["addr"]) - hex_value(want["symbol_addr"]))));
    EXPECT_EQ(k->offset, want["offset"].get<uint32_t>());
    EXPECT_EQ((k->flags & kKprobeFlagFtrace) ? 1 : 0, want["ftrace"].get<int>());
    EXPECT_EQ(k->pre_handler_symbol, want["pre_handler"]);
    if (want.contains("post_handler")) {
      EXPECT_EQ(k->post_handler_symbol, want["post_handler"]);
    }
    if (want.contains("opcode")) {
      EXPECT_EQ(k->opcode, hex_value(want["opcode"]));
      // The saved byte is the file's byte there, read here with libelf.
      ASSERT_TRUE(ko.ok());
      std::optional<uint8_t> b = ko.symbol_byte(want["symbol"], hex_value(want["addr"]) - hex_value(want["symbol_addr"]));
      ASSERT_TRUE(b.has_value());
      EXPECT_EQ(k->opcode, *b);
      EXPECT_FALSE(k->flags & kKprobeFlagOptimized);  // it has a post_handler
    }
  }
  for (const nlohmann::json& want : truth.value("kretprobe", nlohmann::json::array())) {
    const KprobeInfo* k = find(hex_value(want["addr"]), true);
    ASSERT_NE(k, nullptr) << "no kretprobe at " << want["addr"];
    EXPECT_EQ(without_module(k->symbol).substr(0, without_module(k->symbol).find('+')), want["symbol"]);
    EXPECT_EQ(k->kretprobe->handler_symbol, want["handler"]);
    EXPECT_EQ((k->flags & kKprobeFlagFtrace) ? 1 : 0, want["ftrace"].get<int>());
    if (want.contains("maxactive")) {
      EXPECT_EQ(k->kretprobe->maxactive, want["maxactive"].get<int>());
    }
  }
}

TEST_P(InstrumentationTest, FtraceRecordsMatchFilter) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  FtraceRecords r = read_ftrace_records(*o.program);
  EXPECT_TRUE(r.problems.empty()) << r.problems.front();
  EXPECT_GT(r.records.size(), 20000u);
  EXPECT_EQ(r.flag_bits.front().first, "ENABLED");
  for (const nlohmann::json& f : o.truth.value("ftrace", nlohmann::json::object()).value("filter", nlohmann::json::array())) {
    const FtraceRecord* rec = r.first_in(hex_value(f["addr"]), hex_value(f["addr"]) + 16);
    ASSERT_NE(rec, nullptr) << f["symbol"];
    EXPECT_TRUE(r.has_flag(rec->flags, "ENABLED")) << f["symbol"] << " flags " << r.flag_names(rec->flags);
    EXPECT_EQ(r.ref_count(rec->flags), 1u) << f["symbol"];
  }
}

TEST_P(InstrumentationTest, EntriesMatchFiles) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  FunctionEntries e = function_entries(*o.program, "kernel_clone");
  ASSERT_EQ(e.entries.size(), 1u);
  const FunctionEntry& f = e.entries.front();
  ElfBytes vmlinux(GetParam()["vmlinux"]);
  std::optional<std::vector<uint8_t>> file = vmlinux.at_address(f.address - o.program->kaslr_offset(), f.disk.bytes.size());
  ASSERT_TRUE(file.has_value());
  EXPECT_EQ(f.disk.bytes, *file);
  ASSERT_TRUE(f.ftrace_ip.has_value());
  // IBT kernels start with endbr64 and have the ftrace site after it.
  if (f.disk.text == "endbr64") {
    EXPECT_EQ(*f.ftrace_ip, f.address + 4);
    ASSERT_TRUE(f.ftrace_disk.has_value());
    EXPECT_TRUE(f.ftrace_disk->text.starts_with("call")) << f.ftrace_disk->text;
  } else {
    EXPECT_EQ(*f.ftrace_ip, f.address);
    EXPECT_TRUE(f.disk.text.starts_with("call")) << f.disk.text;
    // A 5-byte nop has ModRM 0x44 and SIB 0x00: nopl 0x0(%rax,%rax,1).
    if (f.memory.bytes == std::vector<uint8_t>{0x0f, 0x1f, 0x44, 0x00, 0x00}) {
      ASSERT_TRUE(f.memory.encoding && f.memory.encoding->modrm && f.memory.encoding->sib);
      EXPECT_EQ(f.memory.encoding->mod(), 1u);
      EXPECT_EQ(f.memory.encoding->rm(), 4u);
      EXPECT_EQ(*f.memory.encoding->sib, 0u);
    }
  }
}

TEST_P(InstrumentationTest, PatchedHasNothingUnexplained) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  TextPatchReport r = find_text_patches(*o.program, {});
  EXPECT_GT(r.bytes_compared, 8u << 20);
  EXPECT_EQ(r.by_reason["unexplained"], 0u);
  for (const TextPatch& p : r.patches)
    if (p.reason == "unexplained") ADD_FAILURE() << fmt::format("{:#x} {} {}", p.address, p.function, p.current_text);
  EXPECT_GT(r.by_reason["ftrace nop"], 20000u);
  // With .rela.text every KASLR-moved field is a known relocation; without it (7.2's
  // vmlinux) they are found by their difference, and only on a KASLR boot.
  if (ElfBytes(GetParam()["vmlinux"]).has_section(".rela.text") || o.program->kaslr_offset() == 0) {
    EXPECT_EQ(r.relocations, 0u);
  } else {
    EXPECT_GT(r.relocations, 1000u);
  }
  // The module's filtered functions and the probes that ride an ftrace site: nothing
  // else calls a tracer.
  if (o.truth.contains("kprobe")) {
    size_t sites = o.truth["ftrace"].value("filter", nlohmann::json::array()).size();
    for (const char* kind : {"kprobe", "kretprobe"})
      for (const nlohmann::json& p : o.truth.value(kind, nlohmann::json::array())) sites += p["ftrace"].get<int>();
    EXPECT_EQ(r.by_reason["ftrace"], sites);
  }
  for (const nlohmann::json& want : o.truth.value("kprobe", nlohmann::json::array())) {
    uint64_t addr = hex_value(want["addr"]);
    bool found = false;
    for (const TextPatch& p : r.patches) {
      if (p.address != addr) continue;
      found = true;
      EXPECT_EQ(p.reason, want["ftrace"].get<int>() ? "ftrace" : "kprobe") << p.detail;
      if (!want["ftrace"].get<int>()) {
        EXPECT_EQ(p.current, std::vector<uint8_t>{0xcc});
      }
    }
    EXPECT_TRUE(found) << "no patch at kprobe " << want["addr"];
  }
  for (const nlohmann::json& f : o.truth.value("ftrace", nlohmann::json::object()).value("filter", nlohmann::json::array())) {
    TextPatchOptions opt;
    opt.glob = f["symbol"];
    TextPatchReport one = find_text_patches(*o.program, opt);
    bool call = false;
    for (const TextPatch& p : one.patches)
      if (p.reason == "ftrace" && p.current_text.starts_with("call")) call = true;
    EXPECT_TRUE(call) << f["symbol"] << " has no ftrace call in the dump";
  }
}

// Damaged dumps: a cyclic hlist, a wild pointer, a cyclic page list end in a recorded
// problem, with what was read before it kept.
TEST_P(InstrumentationTest, DamagedListsEndInProblems) {
  testing::OpenedKernelDump o = testing::open_kernel_dump(GetParam());
  Program& prog = *o.program;
  KprobeTable clean = read_kprobes(prog);
  ASSERT_FALSE(clean.probes.empty());
  {
    testing::PatchedMemory mem(prog.memory());
    mem.patch(clean.probes.front().address, clean.probes.front().address);  // hlist.next → itself
    KprobeTable t = read_kprobes(prog, mem);
    ASSERT_EQ(t.problems.size(), 1u);
    EXPECT_NE(t.problems.front().find("corrupt or cyclic"), std::string::npos) << t.problems.front();
    EXPECT_EQ(t.probes.size(), clean.probes.size());
  }
  {
    testing::PatchedMemory mem(prog.memory());
    const uint64_t table = prog.find_object("kprobe_table")->address();
    for (uint64_t b = 0; b < 64; ++b) mem.patch(table + 8 * b, 0xdead000000000000);
    KprobeTable t = read_kprobes(prog, mem);
    EXPECT_EQ(t.problems.size(), 64u);
    EXPECT_TRUE(t.probes.empty());
  }
  FtraceRecords rec = read_ftrace_records(prog);
  {
    testing::PatchedMemory mem(prog.memory());
    const uint64_t start = prog.find_object("ftrace_pages_start")->address();
    uint64_t pg = 0;
    prog.memory().read(start, &pg, 8);
    mem.patch(pg, pg);  // ftrace_page.next (offset 0) → itself
    FtraceRecords r = read_ftrace_records(prog, mem);
    ASSERT_FALSE(r.problems.empty());
    EXPECT_NE(r.problems.back().find("cycle"), std::string::npos) << r.problems.back();
    EXPECT_LT(r.records.size(), rec.records.size());
    EXPECT_GT(r.records.size(), 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, InstrumentationTest, ::testing::ValuesIn(instrumentation_dumps()),
                         testing::fixture_test_name);

}  // namespace
}  // namespace kdive
