// BtfTypes on the fixture kernels: each vmlinux's .BTF (the bytes the kernel maps at
// __start_BTF..__stop_BTF) translated to kdive Types and compared with the DWARF of the
// same vmlinux, for every struct/union/enum/typedef/base-type name the two share: size,
// members (names, bit offsets, bit-field sizes, type names as kdive prints them, anonymous
// members by content), enumerators (names, values), compatible types. Modules' split BTF
// likewise against their own DWARF; per-CPU variables and functions by name.
//
// Measured (release build, every name; "identical" = every field above agrees):
//   kernel   compared  identical  zero-length array  flattened array  enum beyond 32 bits
//   5.10       9270      8734          511                18                 7
//   6.1       10458     10416           18                24                 -
//   6.1-rt    10953     10907           20                26                 -
//   7.2       13361     13350           11                 -                 -
// The classes of difference, each the only difference of its type (the test fails on
// any other):
//   zero-length array: BTF writes `x[]` and `x[0]` alike (nelems 0); BtfTypes reads the
//     last member of a struct as `x[]`, any other as `x[0]` (what C allows). 5.10 still
//     declares most tails `[0]`: 288 of its 799 such members come out alike, 865 of 883
//     on 6.1, 1196 of 1207 on 7.2.
//   flattened array: pahole of 6.1 and before wrote some multi-dimensional arrays as one
//     dimension (`u16 [192]` for `u16 [12][16]`): same element, count and layout.
//   enum value beyond 32 bits: BTF before pahole 1.24 (5.10) has no ENUM64 nor enum
//     signedness: 8-byte values keep their low 32 bits, and an unsigned enum with a value
//     >= 2^31 reads as signed (the low 32 bits of every value agree).
// Names only in BTF (10 to 24 per kernel: syscall_tp_t, bts_record, bpf_struct_ops_*)
// are types declared inside a function body, which the DWARF name index leaves out.
#include <gtest/gtest.h>

#include <chrono>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "debuginfo/btf_types.h"
#include "debuginfo/debug_info.h"
#include "debuginfo/elf_file.h"
#include "integration/fixture_manifest.h"
#include "kdive/error.h"
#include "types/type_printer.h"

// Under ASan every 10th name is compared (the whole set takes seconds per kernel in a
// release build, too long with the sanitizers' cost).
#if defined(__SANITIZE_ADDRESS__)
#define KDIVE_BTF_SAMPLE 10
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KDIVE_BTF_SAMPLE 10
#endif
#endif
#ifndef KDIVE_BTF_SAMPLE
#define KDIVE_BTF_SAMPLE 1
#endif

namespace kdive {
namespace {

using nlohmann::json;

std::vector<uint8_t> section_bytes(const ElfFile& elf, const char* name) {
  auto data = elf.section_data(name);
  if (!data) return {};
  return {data->begin(), data->end()};
}

// The result of comparing one BTF type with the DWARF type of the same name: empty
// when they agree, else a difference class (one of this file's header comment, or
// "unexplained") and a description.
struct Difference {
  std::string klass;
  std::string what;
  explicit operator bool() const { return !klass.empty(); }
};

// An array's innermost element and its total number of elements (1 for a non-array).
std::pair<std::string, uint64_t> flattened(QualifiedType t) {
  uint64_t n = 1;
  for (; t.type && t.type->kind() == TypeKind::Array; t = t.type->target()) n *= t.type->length().value_or(0);
  return {type_name(t), n};
}

std::string zero_for_flexible(std::string name) {
  for (size_t p; (p = name.find("[]")) != std::string::npos;) name.replace(p, 2, "[0]");
  return name;
}

class Comparer {
 public:
  // Members DWARF declares `x[]` or `x[0]`, and how many of them BTF gives alike.
  size_t zero_length_members = 0, zero_length_alike = 0;

  Difference compare(QualifiedType btf, QualifiedType dwarf, const std::string& where, int depth = 0) {
    if (depth > 16) return {"unexplained", where + ": nested too deeply"};
    const Type* b = btf.type;
    const Type* d = dwarf.type;
    if (b->kind() != d->kind())
      return {"unexplained", fmt::format("{}: kind {} vs {}", where, type_kind_name(b->kind()), type_kind_name(d->kind()))};
    if (b->is_compound()) return compare_compound(b, d, where, depth);
    if (b->kind() == TypeKind::Enum) return compare_enum(b, d, where);
    if (b->kind() == TypeKind::Typedef) return compare_member_type(b->target(), d->target(), where + " (target)", depth);
    std::string bn = type_name(btf), dn = type_name(dwarf);
    if (bn != dn || b->size() != d->size() || b->is_signed() != d->is_signed())
      return {"unexplained", fmt::format("{}: {} ({} bytes, signed {}) vs {} ({} bytes, signed {})", where, bn, b->size(),
                                         b->is_signed(), dn, d->size(), d->is_signed())};
    return {};
  }

 private:
  // A member's (or typedef's) type: by printed name, and anonymous compound/enum types
  // by content.
  Difference compare_member_type(QualifiedType bt, QualifiedType dt, const std::string& where, int depth) {
    std::string bn = type_name(bt), dn = type_name(dt);
    if (bn != dn) {
      if (zero_for_flexible(bn) == zero_for_flexible(dn))
        return {"zero-length array", fmt::format("{}: {} vs {}", where, bn, dn)};
      if (bt.type->kind() == TypeKind::Array && dt.type->kind() == TypeKind::Array && flattened(bt) == flattened(dt))
        return {"flattened array", fmt::format("{}: {} vs {}", where, bn, dn)};
      return {"unexplained", fmt::format("{}: type {} vs {}", where, bn, dn)};
    }
    const Type* b = bt.type;
    const Type* d = dt.type;
    if (b && d && b->has_tag() && b->name().empty() && d->name().empty()) return compare(bt, dt, where, depth + 1);
    return {};
  }

  Difference compare_compound(const Type* b, const Type* d, const std::string& where, int depth) {
    if (b->is_complete() != d->is_complete())
      return {"unexplained", fmt::format("{}: complete {} vs {}", where, b->is_complete(), d->is_complete())};
    if (b->size() != d->size()) return {"unexplained", fmt::format("{}: size {} vs {}", where, b->size(), d->size())};
    const auto& bm = b->members();
    const auto& dm = d->members();
    if (bm.size() != dm.size())
      return {"unexplained", fmt::format("{}: {} members vs {}", where, bm.size(), dm.size())};
    for (size_t i = 0; i < bm.size(); ++i) {
      std::string w = fmt::format("{}.{}", where, dm[i].name.empty() ? fmt::format("<anon #{}>", i) : dm[i].name);
      if (bm[i].name != dm[i].name) return {"unexplained", fmt::format("{}: name {} vs {}", w, bm[i].name, dm[i].name)};
      if (bm[i].bit_offset != dm[i].bit_offset || bm[i].bit_field_size != dm[i].bit_field_size)
        return {"unexplained", fmt::format("{}: bit offset {}:{} vs {}:{}", w, bm[i].bit_offset, bm[i].bit_field_size,
                                           dm[i].bit_offset, dm[i].bit_field_size)};
      QualifiedType dt = dm[i].type.get();
      if (dt.type->kind() == TypeKind::Array && dt.type->length().value_or(0) == 0) {
        zero_length_members++;
        zero_length_alike += type_name(bm[i].type.get()) == type_name(dt);
      }
      if (Difference diff = compare_member_type(bm[i].type.get(), dt, w, depth)) return diff;
    }
    return {};
  }

  Difference compare_enum(const Type* b, const Type* d, const std::string& where) {
    if (b->is_complete() != d->is_complete())
      return {"unexplained", fmt::format("{}: complete {} vs {}", where, b->is_complete(), d->is_complete())};
    if (!b->is_complete()) return {};
    const auto& be = b->enumerators();
    const auto& de = d->enumerators();
    if (be.size() != de.size())
      return {"unexplained", fmt::format("{}: {} enumerators vs {}", where, be.size(), de.size())};
    // BTF before ENUM64 and ENUM's kind_flag (pahole < 1.24) keeps the low 32 bits of
    // each value and no signedness: when only the rest differs, that is why.
    bool low_half_same = true;
    for (size_t i = 0; i < be.size(); ++i) {
      if (be[i].name != de[i].name)
        return {"unexplained", fmt::format("{}: enumerator {} vs {}", where, be[i].name, de[i].name)};
      if (static_cast<uint32_t>(be[i].value) != static_cast<uint32_t>(de[i].value)) low_half_same = false;
    }
    for (size_t i = 0; i < be.size(); ++i) {
      if (be[i].value != de[i].value)
        return {low_half_same ? "enum value beyond 32 bits" : "unexplained",
                fmt::format("{}: {} = {:#x} vs {:#x}", where, be[i].name, be[i].value, de[i].value)};
    }
    std::string bc = type_name(b->target()), dc = type_name(d->target());
    if (bc != dc) {
      bool sign_only = b->size() == d->size();
      return {low_half_same && sign_only ? "enum value beyond 32 bits" : "unexplained",
              fmt::format("{}: compatible type {} vs {}", where, bc, dc)};
    }
    return {};
  }
};

struct Tally {
  size_t compared = 0, identical = 0, zero_length_members = 0, zero_length_alike = 0;
  std::vector<std::string> only_btf;
  std::map<std::string, std::vector<std::string>> differences;  // class → descriptions
};

// Compares every named struct/union/enum/typedef of `btf`'s own ids with `dwarf`'s type
// of the same kind and name. A name with several BTF definitions (distinct types the
// DWARF index keeps one of) agrees when any of them does.
Tally compare_all(const BtfTypes& btf, DebugInfo& dwarf) {
  std::map<std::pair<TypeKind, std::string>, std::vector<uint32_t>> named;
  for (uint32_t id = btf.first_id(); id < btf.type_count(); ++id) {
    std::string name(btf.name_of(id));
    if (name.empty()) continue;
    switch (btf.kind_of(id)) {
      case BtfKind::Struct: named[{TypeKind::Struct, name}].push_back(id); break;
      case BtfKind::Union: named[{TypeKind::Union, name}].push_back(id); break;
      case BtfKind::Enum: case BtfKind::Enum64: named[{TypeKind::Enum, name}].push_back(id); break;
      case BtfKind::Typedef: named[{TypeKind::Typedef, name}].push_back(id); break;
      case BtfKind::Int: case BtfKind::Float: {
        QualifiedType t = btf.type_by_id(id);
        named[{t.type->kind(), t.type->name()}].push_back(id);
        break;
      }
      default: break;
    }
  }
  Tally tally;
  Comparer comparer;
  size_t n = 0;
  for (const auto& [key, ids] : named) {
    if (n++ % KDIVE_BTF_SAMPLE) continue;
    QualifiedType d = dwarf.find_type(key.first, key.second);
    if (!d.type) {
      tally.only_btf.push_back(fmt::format("{} {}", type_kind_name(key.first), key.second));
      continue;
    }
    tally.compared++;
    std::string where = fmt::format("{} {}", type_kind_name(key.first), key.second);
    Difference first;
    bool same = false;
    for (uint32_t id : ids) {
      Difference diff = comparer.compare(btf.type_by_id(id), d, where);
      if (!diff) {
        same = true;
        break;
      }
      if (!first) first = diff;
    }
    if (same) tally.identical++;
    else tally.differences[first.klass].push_back(first.what);
  }
  tally.zero_length_members = comparer.zero_length_members;
  tally.zero_length_alike = comparer.zero_length_alike;
  return tally;
}

void report(const std::string& what, const Tally& t) {
  fmt::print("{}: {} names compared, {} identical, {} only in BTF: {}\n", what, t.compared, t.identical,
             t.only_btf.size(), fmt::join(t.only_btf, ", "));
  fmt::print("  members DWARF declares x[] or x[0]: {}, alike from BTF: {}\n", t.zero_length_members,
             t.zero_length_alike);
  for (const auto& [klass, list] : t.differences) {
    fmt::print("  {}: {}\n", klass, list.size());
    for (size_t i = 0; i < list.size() && i < (klass == "unexplained" ? 40u : 3u); ++i) fmt::print("    {}\n", list[i]);
  }
}

TEST(BtfTypesDump, VmlinuxBtfMatchesDwarf) {
  size_t kernels = 0;
  for (const json& k : testing::fixture_kernels()) {
    std::string name = k["name"].get<std::string>();
    SCOPED_TRACE(name);
    std::string vmlinux = k["vmlinux"].get<std::string>();
    ElfFile elf(vmlinux);
    std::vector<uint8_t> blob = section_bytes(elf, ".BTF");
    ASSERT_FALSE(blob.empty());
    TypeArena arena;
    // Parse time, the best of 3 (printed, not checked: speed is the benchmarks' business).
    double ms = 1e9;
    std::unique_ptr<BtfTypes> btf;
    for (int i = 0; i < 3; ++i) {
      auto start = std::chrono::steady_clock::now();
      btf = BtfTypes::parse(blob, arena, vmlinux);
      ms = std::min(ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
    fmt::print("{}: parsed {} BTF types ({} bytes) in {:.1f} ms\n", name, btf->type_count() - 1, blob.size(), ms);
    DebugInfo dwarf(arena);
    dwarf.add_file(vmlinux, DebugModule::Kind::Kernel, 0);
    Tally t = compare_all(*btf, dwarf);
    report(name + " vmlinux", t);
    EXPECT_GT(t.compared, 1000u / KDIVE_BTF_SAMPLE);
    EXPECT_EQ(t.differences.count("unexplained"), 0u);
    kernels++;
  }
  EXPECT_GT(kernels, 0u);
}

// Modules: Debian's (qemu_fw_cfg.ko, its DWARF in debug/) carry split BTF on top of
// vmlinux's; an out-of-tree module built by a kernel >= 6.12's kbuild (kdive_fixture.ko
// on 7.2) carries split BTF on top of its own distilled base (.BTF.base, btf.rst §4.5),
// which the kernel relocates onto vmlinux's at load. Kernels before that build our
// fixture module without BTF.
TEST(BtfTypesDump, ModuleSplitBtfMatchesDwarf) {
  size_t modules = 0;
  for (const json& k : testing::fixture_kernels()) {
    std::string name = k["name"].get<std::string>();
    SCOPED_TRACE(name);
    std::string vmlinux = k["vmlinux"].get<std::string>();
    TypeArena arena;
    auto base = BtfTypes::parse(section_bytes(ElfFile(vmlinux), ".BTF"), arena, vmlinux);
    for (const json& m : k["modules"]) {
      std::string path = m.get<std::string>();
      SCOPED_TRACE(path);
      ElfFile elf(path);
      std::vector<uint8_t> blob = section_bytes(elf, ".BTF");
      if (blob.empty()) {
        fmt::print("{}: {}: no .BTF\n", name, path);
        continue;
      }
      std::vector<uint8_t> distilled = section_bytes(elf, ".BTF.base");
      std::unique_ptr<BtfTypes> distilled_base;
      if (!distilled.empty()) distilled_base = BtfTypes::parse(std::move(distilled), arena, path + " .BTF.base");
      const BtfTypes* on = distilled_base ? distilled_base.get() : base.get();
      auto btf = BtfTypes::parse(std::move(blob), arena, path, on);
      EXPECT_EQ(btf->first_id(), on->type_count());
      DebugInfo dwarf(arena);
      dwarf.add_file(path, DebugModule::Kind::KernelModule, 0);
      Tally t = compare_all(*btf, dwarf);
      report(fmt::format("{} {} ({} types on {})", name, path.substr(path.rfind('/') + 1),
                         btf->type_count() - btf->first_id(), distilled_base ? "its .BTF.base" : "vmlinux"),
             t);
      EXPECT_GT(t.compared, 0u);
      EXPECT_EQ(t.differences.count("unexplained"), 0u);
      modules++;
    }
  }
  EXPECT_GT(modules, 0u);
}

// Variables, functions and enumerators by name. Per-CPU variables (the only VARs in
// Debian's BTF; none in 5.10's) must sit at their ELF symbol's offset in .data..percpu
// with DWARF's type: all do (356 on 6.1, 388 on 6.1-rt, 423 on 7.2). Functions (every
// 10th FUNC id) should have DWARF's prototype with its parameter names; measured 3145
// of 3180 on 5.10, 4079/4086 on 6.1, 4265/4323 on 6.1-rt, 5002/5012 on 7.2. Where not:
//   several functions share the name (COND_SYSCALL's `__x64_sys_*(const struct pt_regs
//     *__unused)` beside the real one, fortified inline strcpy/memcmp, static functions
//     of different files): BTF kept one, the DWARF index another;
//   7.x kfuncs with implicit arguments (scx_bpf_*, bpf_wq_set_callback): BTF's prototype
//     leaves out the hidden `aux` parameter, as BPF programs see it;
//   zero-length arrays in parameters (`const struct landlock_layer (*layers)[]`).
TEST(BtfTypesDump, VariablesFunctionsEnumerators) {
  for (const json& k : testing::fixture_kernels()) {
    std::string name = k["name"].get<std::string>();
    SCOPED_TRACE(name);
    std::string vmlinux = k["vmlinux"].get<std::string>();
    TypeArena arena;
    auto btf = BtfTypes::parse(section_bytes(ElfFile(vmlinux), ".BTF"), arena, vmlinux);
    DebugInfo dwarf(arena);
    DebugModule& mod = dwarf.add_file(vmlinux, DebugModule::Kind::Kernel, 0);
    auto dwarf_type = [&](const std::string& n, IndexTag tag) -> std::vector<QualifiedType> {
      std::vector<QualifiedType> out;
      for (const GlobalDie& g : dwarf.find_globals(n)) {
        if (g.entry.tag != tag || g.entry.is_declaration) continue;
        Dwarf_Die die;
        if (!dwarf_offdie(mod.elf().dwarf(), g.entry.die_offset, &die)) continue;
        out.push_back(tag == IndexTag::Function ? mod.types().type_at(g.entry.die_offset) : mod.types().type_of(&die));
      }
      return out;
    };
    // Per-CPU symbols are offsets into .data..percpu (zero-based before 6.15, placed in
    // the image since): the DATASEC offset is the symbol's distance from the section.
    uint64_t percpu_base = 0;
    if (Elf_Scn* scn = mod.elf().find_section(".data..percpu")) {
      GElf_Shdr shdr;
      ASSERT_TRUE(gelf_getshdr(scn, &shdr));
      percpu_base = shdr.sh_addr;
    }
    size_t vars = 0, vars_alike = 0, funcs = 0, funcs_alike = 0, n = 0;
    std::vector<std::string> var_diffs, func_diffs;
    for (uint32_t id = btf->first_id(); id < btf->type_count(); ++id) {
      std::string v(btf->name_of(id));
      if (btf->kind_of(id) == BtfKind::Var && n++ % KDIVE_BTF_SAMPLE == 0) {
        auto found = btf->find_variable(v);
        ASSERT_TRUE(found) << v;
        EXPECT_EQ(found->section, ".data..percpu") << v;
        auto syms = mod.symbols().lookup(v);
        ASSERT_FALSE(syms.empty()) << v;
        EXPECT_EQ(found->offset, syms[0].address - percpu_base) << v;
        vars++;
        bool alike = false;
        for (QualifiedType d : dwarf_type(v, IndexTag::Variable)) alike = alike || type_name(d) == type_name(found->type);
        if (alike) vars_alike++;
        else var_diffs.push_back(fmt::format("{}: {}", v, type_name(found->type)));
      }
      if (btf->kind_of(id) == BtfKind::Func && id % (10 * KDIVE_BTF_SAMPLE) == 0) {
        QualifiedType f = btf->find_function(v);
        ASSERT_TRUE(f.type) << v;
        ASSERT_EQ(f.type->kind(), TypeKind::Function) << v;
        std::vector<QualifiedType> defs = dwarf_type(v, IndexTag::Function);
        if (defs.empty()) continue;  // a function DWARF indexes under another name
        funcs++;
        auto declaration = [](QualifiedType t) {
          std::string s = type_name(t);
          for (const TypeParameter& p : t.type->parameters()) s += " " + p.name;
          return s;
        };
        bool alike = false;
        for (QualifiedType d : defs) alike = alike || declaration(d) == declaration(f);
        if (alike) funcs_alike++;
        else func_diffs.push_back(fmt::format("{}: {} vs {}", v, declaration(f), declaration(defs[0])));
      }
    }
    fmt::print("{}: {} per-CPU variables, {} with DWARF's type; {} functions, {} with DWARF's prototype\n", name, vars,
               vars_alike, funcs, funcs_alike);
    for (size_t i = 0; i < func_diffs.size() && i < 5; ++i) fmt::print("  {}\n", func_diffs[i]);
    for (size_t i = 0; i < var_diffs.size() && i < 10; ++i) fmt::print("  {}\n", var_diffs[i]);
    EXPECT_EQ(vars, vars_alike);
    EXPECT_GT(funcs, 1000u / KDIVE_BTF_SAMPLE);
    EXPECT_GE(funcs_alike * 100, funcs * 97);
    // Enumerators: the enum's type and DWARF's value.
    for (const char* e : {"PIDTYPE_MAX", "TASK_SIZE_MAX", "NR_CPUS", "__MAX_NR_ZONES", "MIGRATE_TYPES"}) {
      SCOPED_TRACE(e);
      auto found = btf->find_enumerator(e);
      std::vector<GlobalDie> d = dwarf.find_globals(e);
      if (!found) {
        EXPECT_TRUE(d.empty());
        continue;
      }
      QualifiedType dt = dwarf.find_type(TypeKind::Enum, found->type.type->name());
      ASSERT_TRUE(dt.type);
      for (const TypeEnumerator& te : dt.type->enumerators()) {
        if (te.name == e) {
          EXPECT_EQ(found->value, te.value);
        }
      }
    }
    EXPECT_EQ(btf->find_enumerator("PIDTYPE_MAX")->value, 4u);
    EXPECT_EQ(btf->find_function("no_such_function").type, nullptr);
    EXPECT_FALSE(btf->find_variable("no_such_variable"));
  }
}

}  // namespace
}  // namespace kdive
