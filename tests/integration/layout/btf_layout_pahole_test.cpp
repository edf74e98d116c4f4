// Layouts from BTF against `pahole -F btf` (dwarves 1.24): on every fixture kernel, every
// named struct, union, enum and typedef of vmlinux's .BTF, translated to kdive Types
// (BtfTypes) and printed by StructLayoutPrinter::print(QualifiedType), must be
// byte-identical to what `pahole -F btf -C NAME vmlinux` prints, in default, --hex and
// -E modes; likewise the types of each module's split BTF (Debian's qemu_fw_cfg.ko on
// vmlinux's BTF; kdive_fixture.ko, where a >= 6.12 kbuild gave it BTF, on its own
// distilled .BTF.base). pahole runs once per mode with a comma list of names; such a run
// carries inferred __packed__ attributes from one struct to the next, which one
// `pahole -C NAME` does not, so a type whose block differs is compared again with its
// own run. Differences that remain must be listed in tests/diff/KNOWN_DIFFERENCES.md,
// "layout from BTF". About 30 s for the four kernels, most of it in pahole.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "debuginfo/btf_types.h"
#include "debuginfo/elf_file.h"
#include "integration/fixture_manifest.h"
#include "layout/struct_layout_printer.h"

namespace kdive {
namespace {

using nlohmann::json;

std::vector<uint8_t> section_bytes(const std::string& path, const char* name) {
  ElfFile elf(path);
  auto data = elf.section_data(name);
  if (!data) return {};
  return {data->begin(), data->end()};
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buf[65536];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  pclose(p);
  return out;
}

// pahole's output split into its top-level blocks, in order: each ends with the first
// line at column 0 that ends with ";" ("};", "} name;", "typedef int pid_t;",
// "} __attribute__((__packed__));"); member, enumerator and comment lines are indented
// or blank.
std::vector<std::string> blocks(const std::string& text) {
  std::vector<std::string> out;
  std::string block;
  for (size_t pos = 0; pos < text.size();) {
    size_t end = text.find('\n', pos);
    end = end == std::string::npos ? text.size() : end + 1;
    std::string_view line(text.data() + pos, end - pos);
    pos = end;
    block += line;
    if (line[0] != '\t' && line[0] != '\n' && line.size() >= 2 && line.substr(line.size() - 2) == ";\n") {
      out.push_back(std::move(block));
      block.clear();
    }
  }
  if (!block.empty()) out.push_back(std::move(block));
  return out;
}

struct Candidate {
  std::string key;   // "struct NAME", "typedef NAME"
  std::string name;  // NAME, as pahole -C takes it
  uint32_t id;
};

// The named structs, unions, enums and typedefs that `pahole -C NAME` finds as
// themselves: the first type of that name in id order (base first) that is not a
// declaration (cu__find_type_by_name) is one of this blob's.
std::vector<Candidate> candidates(const BtfTypes& btf) {
  std::vector<Candidate> out;
  std::set<std::string_view> seen;
  for (uint32_t id = 1; id < btf.type_count(); ++id) {
    BtfKind k = btf.kind_of(id);
    const char* kind = k == BtfKind::Struct ? "struct"
                       : k == BtfKind::Union ? "union"
                       : k == BtfKind::Enum || k == BtfKind::Enum64 ? "enum"
                       : k == BtfKind::Typedef ? "typedef" : nullptr;
    std::string_view name = btf.name_of(id);
    if ((!kind && k != BtfKind::Int && k != BtfKind::Float) || name.empty() || !seen.insert(name).second) continue;
    if (kind && id >= btf.first_id()) out.push_back({fmt::format("{} {}", kind, name), std::string(name), id});
  }
  return out;
}

struct Mode {
  const char* label;
  const char* pahole_option;
  LayoutOptions options;
};
constexpr Mode kModes[] = {
    {"default", "", {}},
    {"--hex", "--hex", {.hex = true, .expand = false}},
    {"-E", "-E", {.hex = false, .expand = true}},
};

struct Tally {
  std::map<std::string, size_t> compared;  // by kind: "struct", "union", "enum", "typedef"
  size_t identical = 0, identical_alone = 0;
  std::map<std::string, std::string> differing;  // "enum foo" → its first differing line
};

// The labelled bullets "- `enum foo` (kernels: 5.10): why" of KNOWN_DIFFERENCES.md's
// section "## layout from BTF": label → the kernels it is known on.
std::map<std::string, std::set<std::string>> known_differences() {
  const char* env = std::getenv("KDIVE_SOURCE_DIR");
  std::string here = __FILE__;  // tests/integration/layout/ of the source tree
  std::string source = env && *env ? env : here.substr(0, here.rfind('/')) + "/../../..";
  std::ifstream in(source + "/tests/diff/KNOWN_DIFFERENCES.md");
  EXPECT_TRUE(in) << "cannot read " << source << "/tests/diff/KNOWN_DIFFERENCES.md";
  std::map<std::string, std::set<std::string>> out;
  static const std::regex bullet("^- `([^`]+)` \\(kernels: ([^)]*)\\)");
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) in_section = line.rfind("## layout from BTF", 0) == 0;
    std::smatch m;
    if (!in_section || !std::regex_search(line, m, bullet)) continue;
    std::string kernels = m[2];
    for (size_t pos = 0; pos < kernels.size();) {
      size_t comma = std::min(kernels.find(',', pos), kernels.size());
      std::string k = kernels.substr(pos, comma - pos);
      k.erase(0, k.find_first_not_of(' '));
      out[m[1]].insert(k);
      pos = comma + 1;
    }
  }
  return out;
}

// The first line where `a` and `b` differ, both sides.
std::string first_difference(const std::string& mine, const std::string& theirs) {
  size_t pa = 0, pb = 0;
  for (int line = 1;; ++line) {
    size_t ea = mine.find('\n', pa), eb = theirs.find('\n', pb);
    std::string la = mine.substr(pa, ea == std::string::npos ? std::string::npos : ea - pa);
    std::string lb = theirs.substr(pb, eb == std::string::npos ? std::string::npos : eb - pb);
    if (la != lb || ea == std::string::npos || eb == std::string::npos)
      return fmt::format("line {}:\n      kdive:  {}\n      pahole: {}", line, la, lb);
    pa = ea + 1;
    pb = eb + 1;
  }
}

// `pahole -F btf [--btf_base BASE] OPTION -C a,b,... FILE`, the names in chunks that
// stay under the kernel's limit on one argument (128 KiB).
std::string pahole_all(const std::string& prefix, const std::string& file, const std::vector<Candidate>& cs) {
  std::string out, list;
  auto flush = [&] {
    if (list.empty()) return;
    out += run(fmt::format("{} -C '{}' '{}' 2>/dev/null", prefix, list, file));
    list.clear();
  };
  for (const Candidate& c : cs) {
    if (list.size() + c.name.size() > 100000) flush();
    if (!list.empty()) list += ',';
    list += c.name;
  }
  flush();
  return out;
}

Tally compare(const BtfTypes& btf, const std::string& file, const std::string& btf_base, const Mode& mode) {
  std::vector<Candidate> cs = candidates(btf);
  std::string prefix = fmt::format("pahole -F btf {}{}", btf_base.empty() ? "" : "--btf_base '" + btf_base + "' ",
                                   mode.pahole_option);
  // pahole prints the types in the order it is given them, one block each.
  std::vector<std::string> ref = blocks(pahole_all(prefix, file, cs));
  EXPECT_EQ(ref.size(), cs.size()) << "pahole printed another number of blocks than it was asked for";
  Tally t;
  StructLayoutPrinter printer(file, mode.options);
  for (size_t i = 0; i < cs.size(); ++i) {
    const Candidate& c = cs[i];
    t.compared[c.key.substr(0, c.key.find(' '))]++;
    std::string mine = printer.print(btf.type_by_id(c.id));
    if (i < ref.size() && ref[i] == mine) {
      t.identical++;
      continue;
    }
    std::string alone = run(fmt::format("{} -C '{}' '{}' 2>/dev/null", prefix, c.name, file));
    if (alone == mine) {
      t.identical_alone++;
      continue;
    }
    t.differing.emplace(c.key, first_difference(mine, alone));
  }
  return t;
}

size_t total(const Tally& t) {
  size_t n = 0;
  for (const auto& [kind, count] : t.compared) n += count;
  return n;
}

// Prints the counts and the differences; true when every difference is a known one of
// `kernel`, each of which is added to `seen`.
bool report(const std::string& what, const Tally& t, const std::string& kernel,
            const std::map<std::string, std::set<std::string>>& known, std::set<std::string>& seen) {
  std::string kinds;
  for (const auto& [kind, count] : t.compared) kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", count, kind);
  fmt::print("{}: {} of {} byte-identical ({}; {} of them only against their own pahole -C run)\n", what,
             t.identical + t.identical_alone, total(t), kinds, t.identical_alone);
  bool ok = true;
  for (const auto& [key, difference] : t.differing) {
    auto it = known.find(key);
    bool is_known = it != known.end() && it->second.count(kernel);
    if (is_known) seen.insert(key);
    ok = ok && is_known;
    fmt::print("  {}{}: {}\n", is_known ? "known (KNOWN_DIFFERENCES.md): " : "", key, difference);
  }
  return ok;
}

// Calls f(kernel name, vmlinux path, its BTF as Types) for each fixture kernel; returns
// how many there were.
template <typename F>
size_t for_each_kernel(F f) {
  size_t kernels = 0;
  for (const json& k : testing::fixture_kernels()) {
    std::string name = k["name"].get<std::string>();
    SCOPED_TRACE(name);
    std::string vmlinux = k["vmlinux"].get<std::string>();
    TypeArena arena;
    auto btf = BtfTypes::parse(section_bytes(vmlinux, ".BTF"), arena, vmlinux);
    f(k, name, vmlinux, *btf, arena);
    kernels++;
  }
  return kernels;
}

TEST(BtfLayoutPahole, VmlinuxStructsMatchPahole) {
  ASSERT_EQ(run("pahole --version 2>/dev/null"), "v1.24\n") << "the reference is Debian's pahole 1.24 (dwarves)";
  auto known = known_differences();
  size_t kernels = for_each_kernel([&](const json&, const std::string& name, const std::string& vmlinux,
                                       const BtfTypes& btf, TypeArena&) {
    std::set<std::string> seen;
    for (const Mode& mode : kModes) {
      Tally t = compare(btf, vmlinux, "", mode);
      EXPECT_TRUE(report(fmt::format("{} vmlinux {}", name, mode.label), t, name, known, seen));
      EXPECT_GT(t.compared["struct"], 1000u);
    }
    // A known difference that went away is a stale line in KNOWN_DIFFERENCES.md.
    for (const auto& [label, on] : known)
      EXPECT_TRUE(!on.count(name) || seen.count(label)) << label << " is listed as a known difference but matched";
  });
  EXPECT_GT(kernels, 0u);
}

// A module's split BTF: on vmlinux's, or on the module's own distilled base (btf.rst
// §4.5), which pahole is given as a raw BTF file.
TEST(BtfLayoutPahole, ModuleStructsMatchPahole) {
  size_t modules = 0;
  for_each_kernel([&](const json& k, const std::string& name, const std::string& vmlinux, const BtfTypes& base,
                      TypeArena& arena) {
    for (const json& m : k["modules"]) {
      std::string path = m.get<std::string>();
      SCOPED_TRACE(path);
      std::vector<uint8_t> blob = section_bytes(path, ".BTF");
      if (blob.empty()) continue;
      std::vector<uint8_t> distilled = section_bytes(path, ".BTF.base");
      std::unique_ptr<BtfTypes> own_base;
      std::string base_file = vmlinux;
      if (!distilled.empty()) {
        base_file = ::testing::TempDir() + "/kdive_btf_base_" + name + ".btf";
        std::ofstream(base_file, std::ios::binary)
            .write(reinterpret_cast<const char*>(distilled.data()), static_cast<std::streamsize>(distilled.size()));
        own_base = BtfTypes::parse(std::move(distilled), arena, path + " .BTF.base");
      }
      auto btf = BtfTypes::parse(std::move(blob), arena, path, own_base ? own_base.get() : &base);
      std::string module = path.substr(path.rfind('/') + 1);
      for (const Mode& mode : kModes) {
        Tally t = compare(*btf, path, base_file, mode);
        std::set<std::string> seen;
        EXPECT_TRUE(report(fmt::format("{} {} {}", name, module, mode.label), t, name, {}, seen));
        EXPECT_GT(total(t), 0u);
      }
      if (module == "kdive_fixture.ko") {
        // The fixture's own struct, on its own.
        QualifiedType obj = btf->find_type(TypeKind::Struct, "kdive_obj");
        ASSERT_TRUE(obj.type);
        EXPECT_EQ(StructLayoutPrinter(path, {}).print(obj),
                  run(fmt::format("pahole -F btf --btf_base '{}' -C kdive_obj '{}' 2>/dev/null", base_file, path)));
      }
      modules++;
    }
  });
  EXPECT_GT(modules, 0u);
}

}  // namespace
}  // namespace kdive
