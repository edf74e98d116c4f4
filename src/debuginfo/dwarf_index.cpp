// DwarfIndex implementation: a DWARF 2–5 DIE scanner over .debug_info that reads only
// what the name index needs (tag, name, declaration, location/low_pc presence, sibling),
// one unit per task, merged at the end. Formats from the DWARF 5 standard §7.5 (unit
// headers, abbreviations, attribute form encodings).
#include "debuginfo/dwarf_index.h"

#include <dwarf.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "base/interrupt.h"
#include "base/progress_line.h"
#include "debuginfo/elf_file.h"
#include "kdive/error.h"
#include "target/file_source.h"

namespace kdive {

namespace {

struct AttrSpec {
  uint16_t name;
  uint16_t form;
  int64_t implicit_const;
};

struct Abbrev {
  uint16_t tag = 0;
  bool has_children = false;
  std::vector<AttrSpec> attrs;
};

struct Sections {
  std::span<const uint8_t> info, abbrev, str, line_str, str_offsets;
  std::string path;
};

struct UnitHeader {
  uint64_t offset = 0;   // of the unit header
  uint64_t end = 0;      // one past the unit's last byte
  uint64_t die_start = 0;
  uint16_t version = 0;
  uint8_t address_size = 8;
  bool is64 = false;
  uint64_t abbrev_offset = 0;
};

using LocalMap = NameMap;

// Tags of which one entry per name is kept: types, and enumerators (every CU that
// includes a header repeats its enums).
bool is_type_tag(IndexTag t) {
  return t != IndexTag::Variable && t != IndexTag::Function;
}

// Adds an entry, keeping per name at most: one definition per type tag (the lowest
// offset), the addressed definitions of variables/functions, and one declaration per tag
// when no definition exists. Keeps memory bounded by distinct names, not by CUs.
void add_entry(LocalMap& map, std::string_view name, const IndexEntry& e) {
  auto& v = map[name];
  for (IndexEntry& old : v) {
    if (old.tag != e.tag) continue;
    bool old_def = !old.is_declaration && (is_type_tag(old.tag) || old.has_address || old.tag == IndexTag::Enumerator);
    bool new_def = !e.is_declaration && (is_type_tag(e.tag) || e.has_address || e.tag == IndexTag::Enumerator);
    if (is_type_tag(e.tag) || !new_def) {
      // Types: one entry per tag. Non-definitions: only kept when no definition exists.
      if ((new_def && !old_def) || (new_def == old_def && e.die_offset < old.die_offset)) old = e;
      return;
    }
    if (!old_def) {  // a definition replaces a kept declaration
      old = e;
      return;
    }
  }
  v.push_back(e);
}

class UnitScanner {
 public:
  UnitScanner(const Sections& s, LocalMap& out, DwarfIndexStats& stats, std::deque<std::string>& owned)
      : s_(s), out_(out), stats_(stats), owned_(&owned) {}

  void scan(const UnitHeader& u) {
    const std::vector<Abbrev>& abbrevs = abbrev_table(u.abbrev_offset);
    ByteCursor c(s_.info.subspan(0, u.end), s_.path, ".debug_info");
    c.seek(u.die_start);
    str_offsets_base_ = 0;
    declared_names_.clear();
    // One level per open DIE with children: whether its children are indexed (the unit,
    // C++ namespaces, enumerations), whether it is an enumeration (then only its
    // enumerators are), its offset, and the C++ scope its children's names get.
    struct Level { bool index_children; bool is_enum; uint64_t offset; std::string_view scope; };
    std::vector<Level> stack;
    bool in_unit = false;
    while (c.position() < u.end) {
      uint64_t die_off = c.position();
      uint64_t code = c.uleb128();
      if (code == 0) {
        if (stack.empty()) break;
        stack.pop_back();
        if (stack.empty()) break;
        continue;
      }
      if (code >= abbrevs.size() || abbrevs[code].tag == 0) c.fail(fmt::format("unknown abbreviation code {}", code));
      const Abbrev& ab = abbrevs[code];
      ++stats_.dies_visited;
      std::string_view name;
      bool decl = false, has_addr = false;
      uint64_t sibling = 0;
      specification_ = 0;
      for (const AttrSpec& a : ab.attrs) read_attr(c, u, a, name, decl, has_addr, sibling);
      if (!in_unit) {
        // The unit DIE: its children are indexed.
        if (!ab.has_children) break;
        stack.push_back({true, false, die_off, {}});
        in_unit = true;
        continue;
      }
      const Level& parent = stack.back();
      bool at_unit_level = stack.size() == 1;
      // A definition that completes an earlier declaration (DW_AT_specification) has no
      // name of its own: gcc emits `extern T x;` (or, in C++, the declaration inside its
      // namespace) and then the defining DIE at unit level pointing at it.
      bool qualified = false;
      if (name.empty() && specification_ && at_unit_level) {
        auto it = declared_names_.find(specification_);
        if (it != declared_names_.end()) { name = it->second; qualified = true; }
      }
      if (!qualified && !name.empty() && !parent.scope.empty()) name = scoped(parent.scope, name);
      if (decl && parent.index_children && !parent.is_enum && !name.empty() &&
          (ab.tag == DW_TAG_variable || ab.tag == DW_TAG_subprogram))
        declared_names_[die_off] = name;

      IndexTag tag{};
      bool want = false;
      if (parent.index_children) {
        want = true;
        switch (ab.tag) {
          case DW_TAG_structure_type: tag = IndexTag::Struct; break;
          case DW_TAG_union_type: tag = IndexTag::Union; break;
          case DW_TAG_class_type: tag = IndexTag::Class; break;
          case DW_TAG_enumeration_type: tag = IndexTag::Enum; break;
          case DW_TAG_typedef: tag = IndexTag::Typedef; break;
          case DW_TAG_base_type: tag = IndexTag::BaseType; break;
          case DW_TAG_variable: tag = IndexTag::Variable; break;
          case DW_TAG_subprogram: tag = IndexTag::Function; break;
          case DW_TAG_enumerator: tag = IndexTag::Enumerator; break;
          default: want = false;
        }
        if (parent.is_enum != (ab.tag == DW_TAG_enumerator)) want = false;
      }
      if (want && !name.empty()) {
        IndexEntry e;
        e.die_offset = die_off;
        e.parent_offset = parent.is_enum ? parent.offset : 0;
        e.tag = tag;
        e.is_declaration = decl;
        e.has_address = has_addr;
        add_entry(out_, name, e);
      }
      if (ab.has_children) {
        bool is_enum = parent.index_children && !parent.is_enum && ab.tag == DW_TAG_enumeration_type;
        bool is_namespace = parent.index_children && !parent.is_enum && ab.tag == DW_TAG_namespace;
        if (!is_enum && !is_namespace && sibling > u.offset && sibling <= u.end && sibling > c.position()) {
          c.seek(sibling);  // skip the whole subtree
          continue;
        }
        // An enumeration's enumerators live in the enclosing scope (C, unscoped C++
        // enums); an anonymous namespace adds no scope.
        std::string_view scope = is_namespace ? (name.empty() ? parent.scope : name) : parent.scope;
        stack.push_back({is_enum || is_namespace, is_enum, die_off, scope});
      }
    }
  }

  // Names are views into the file; a qualified name ("ns::name") is made once and owned
  // by the scanner's string store, which the index keeps.
  std::string_view scoped(std::string_view scope, std::string_view name) {
    std::string& s = owned_->emplace_back();
    s.reserve(scope.size() + 2 + name.size());
    s.append(scope).append("::").append(name);
    return s;
  }

 private:
  const std::vector<Abbrev>& abbrev_table(uint64_t offset) {
    auto it = abbrev_cache_.find(offset);
    if (it != abbrev_cache_.end()) return it->second;
    std::vector<Abbrev> table;
    ByteCursor c(s_.abbrev, s_.path, ".debug_abbrev");
    c.seek(offset);
    for (;;) {
      uint64_t code = c.uleb128();
      if (code == 0) break;
      if (code > 1'000'000) c.fail("abbreviation code too large");
      Abbrev ab;
      ab.tag = static_cast<uint16_t>(c.uleb128());
      ab.has_children = c.u8() != 0;
      for (;;) {
        uint64_t name = c.uleb128();
        uint64_t form = c.uleb128();
        if (name == 0 && form == 0) break;
        int64_t ic = form == DW_FORM_implicit_const ? c.sleb128() : 0;
        ab.attrs.push_back({static_cast<uint16_t>(name), static_cast<uint16_t>(form), ic});
      }
      if (table.size() <= code) table.resize(code + 1);
      table[code] = std::move(ab);
    }
    return abbrev_cache_.emplace(offset, std::move(table)).first->second;
  }

  std::string_view str_at(std::span<const uint8_t> sec, uint64_t off, const char* secname) {
    if (off >= sec.size()) throw BadDataError(s_.path, fmt::format("string offset {:#x} outside {}", off, secname), off);
    const char* p = reinterpret_cast<const char*>(sec.data() + off);
    const void* nul = std::memchr(p, 0, sec.size() - off);
    if (!nul) throw BadDataError(s_.path, fmt::format("unterminated string in {}", secname), off);
    return {p, static_cast<size_t>(static_cast<const char*>(nul) - p)};
  }

  std::string_view strx(const UnitHeader& u, uint64_t index) {
    size_t w = u.is64 ? 8 : 4;
    uint64_t pos = str_offsets_base_ + index * w;
    ByteCursor c(s_.str_offsets, s_.path, ".debug_str_offsets");
    c.seek(pos);
    return str_at(s_.str, w == 8 ? c.u64() : c.u32(), ".debug_str");
  }

  void read_attr(ByteCursor& c, const UnitHeader& u, const AttrSpec& a, std::string_view& name,
                 bool& decl, bool& has_addr, uint64_t& sibling) {
    uint16_t form = a.form;
    size_t off_size = u.is64 ? 8 : 4;
    for (int indirections = 0; form == DW_FORM_indirect; ++indirections) {
      if (indirections > 4) c.fail("DW_FORM_indirect loop");
      form = static_cast<uint16_t>(c.uleb128());
    }
    uint64_t value = 0;
    bool is_string = false;
    std::string_view str;
    switch (form) {
      case DW_FORM_addr: value = c.unsigned_of_size(u.address_size); break;
      case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag: case DW_FORM_strx1: case DW_FORM_addrx1:
        value = c.u8(); break;
      case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2: case DW_FORM_addrx2:
        value = c.u16(); break;
      case DW_FORM_strx3: case DW_FORM_addrx3: {
        uint64_t b0 = c.u8(), b1 = c.u8(), b2 = c.u8();
        value = b0 | (b1 << 8) | (b2 << 16);
        break;
      }
      case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4: case DW_FORM_addrx4: case DW_FORM_ref_sup4:
        value = c.u32(); break;
      case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8: case DW_FORM_ref_sup8:
        value = c.u64(); break;
      case DW_FORM_data16: c.skip(16); break;
      case DW_FORM_sdata: value = static_cast<uint64_t>(c.sleb128()); break;
      case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx: case DW_FORM_addrx:
      case DW_FORM_loclistx: case DW_FORM_rnglistx: case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
        value = c.uleb128(); break;
      case DW_FORM_string: str = c.cstring(); is_string = true; break;
      case DW_FORM_strp: case DW_FORM_line_strp: case DW_FORM_strp_sup: case DW_FORM_GNU_strp_alt:
      case DW_FORM_sec_offset: case DW_FORM_ref_addr: case DW_FORM_GNU_ref_alt:
        value = off_size == 8 ? c.u64() : c.u32(); break;
      case DW_FORM_exprloc: case DW_FORM_block: c.skip(c.uleb128()); break;
      case DW_FORM_block1: c.skip(c.u8()); break;
      case DW_FORM_block2: c.skip(c.u16()); break;
      case DW_FORM_block4: c.skip(c.u32()); break;
      case DW_FORM_flag_present: value = 1; break;
      case DW_FORM_implicit_const: value = static_cast<uint64_t>(a.implicit_const); break;
      default: c.fail(fmt::format("unknown attribute form {:#x}", form));
    }
    switch (a.name) {
      case DW_AT_name:
        if (is_string) name = str;
        else if (form == DW_FORM_strp) name = str_at(s_.str, value, ".debug_str");
        else if (form == DW_FORM_line_strp) name = str_at(s_.line_str, value, ".debug_line_str");
        else if (form == DW_FORM_strx || form == DW_FORM_strx1 || form == DW_FORM_strx2 ||
                 form == DW_FORM_strx3 || form == DW_FORM_strx4 || form == DW_FORM_GNU_str_index)
          name = strx(u, value);
        break;
      case DW_AT_declaration: decl = value != 0; break;
      case DW_AT_location: case DW_AT_low_pc: case DW_AT_ranges: case DW_AT_const_value:
        has_addr = true; break;
      case DW_AT_sibling:
        if (form == DW_FORM_ref_addr) sibling = value;
        else sibling = u.offset + value;
        break;
      case DW_AT_str_offsets_base: str_offsets_base_ = value; break;
      case DW_AT_specification:
        specification_ = form == DW_FORM_ref_addr ? value : u.offset + value;
        break;
      default: break;
    }
  }

  const Sections& s_;
  LocalMap& out_;
  DwarfIndexStats& stats_;
  std::deque<std::string>* owned_;
  std::unordered_map<uint64_t, std::vector<Abbrev>> abbrev_cache_;
  uint64_t str_offsets_base_ = 0;
  uint64_t specification_ = 0;
  std::unordered_map<uint64_t, std::string_view> declared_names_;  // per unit
};

std::vector<UnitHeader> read_unit_headers(const Sections& s, std::vector<std::string>* warnings) {
  std::vector<UnitHeader> units;
  ByteCursor c(s.info, s.path, ".debug_info");
  while (c.remaining() > 0) {
    UnitHeader u;
    u.offset = c.position();
    try {
      uint64_t len = c.u32();
      if (len == 0xffffffff) { u.is64 = true; len = c.u64(); }
      else if (len >= 0xfffffff0) c.fail("reserved unit length");
      if (len > c.remaining()) c.fail("unit extends past end of section");
      u.end = c.position() + len;
      u.version = c.u16();
      if (u.version < 2 || u.version > 5) c.fail(fmt::format("unsupported DWARF version {}", u.version));
      uint8_t unit_type = DW_UT_compile;
      if (u.version == 5) {
        unit_type = c.u8();
        u.address_size = c.u8();
        u.abbrev_offset = u.is64 ? c.u64() : c.u32();
        if (unit_type == DW_UT_type || unit_type == DW_UT_split_type) c.skip(8 + (u.is64 ? 8 : 4));
        else if (unit_type == DW_UT_skeleton || unit_type == DW_UT_split_compile) c.skip(8);
      } else {
        u.abbrev_offset = u.is64 ? c.u64() : c.u32();
        u.address_size = c.u8();
      }
      u.die_start = c.position();
      c.seek(u.end);
      if (unit_type == DW_UT_compile || unit_type == DW_UT_partial) units.push_back(u);
    } catch (const BadDataError& e) {
      if (warnings) warnings->push_back(e.what());
      break;  // without a valid length, the following units cannot be found
    }
  }
  return units;
}

}  // namespace

DwarfIndex DwarfIndex::build(const ElfFile& file, unsigned threads, std::vector<std::string>* warnings) {
  DwarfIndex index;
  Sections s;
  s.path = file.path();
  auto info = file.section_data(".debug_info");
  if (!info) return index;
  s.info = *info;
  s.abbrev = file.section_data(".debug_abbrev").value_or(std::span<const uint8_t>());
  s.str = file.section_data(".debug_str").value_or(std::span<const uint8_t>());
  s.line_str = file.section_data(".debug_line_str").value_or(std::span<const uint8_t>());
  s.str_offsets = file.section_data(".debug_str_offsets").value_or(std::span<const uint8_t>());

  std::vector<UnitHeader> units = read_unit_headers(s, warnings);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min<unsigned>(threads, std::max<size_t>(1, units.size()));

  std::vector<LocalMap> maps(threads);
  index.owned_names_.resize(threads);
  std::vector<DwarfIndexStats> stats(threads);
  std::vector<std::vector<std::string>> thread_warnings(threads);
  std::atomic<size_t> next{0};
  ProgressLine progress(fmt::format("indexing DWARF of {}", std::filesystem::path(file.path()).filename().string()),
                        units.size(), "units");
  auto worker = [&](unsigned t) {
    UnitScanner scanner(s, maps[t], stats[t], index.owned_names_[t]);
    // A Ctrl-C makes every worker stop at its next unit; the incomplete index is thrown
    // away below (and so never cached).
    for (size_t i; !interrupt_requested() && (i = next.fetch_add(1)) < units.size();) {
      try {
        scanner.scan(units[i]);
        file.release_pages(s.info.subspan(units[i].offset, units[i].end - units[i].offset));
        ++stats[t].units;
      } catch (const BadDataError& e) {
        ++stats[t].bad_units;
        thread_warnings[t].push_back(e.what());
      }
      progress.advance();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker, t);
  worker(0);
  for (auto& th : pool) th.join();
  check_interrupt();

  // Merge into the first map with the same keep-rules, then order each name's entries.
  LocalMap& merged = maps[0];
  for (unsigned t = 1; t < threads; ++t)
    maps[t].for_each([&](std::string_view name, const std::vector<IndexEntry>& entries) {
      for (const IndexEntry& e : entries) add_entry(merged, name, e);
    });
  merged.for_each([](std::string_view, std::vector<IndexEntry>& entries) {
    std::sort(entries.begin(), entries.end(), [](const IndexEntry& a, const IndexEntry& b) {
      if (a.is_declaration != b.is_declaration) return !a.is_declaration;
      return a.die_offset < b.die_offset;
    });
  });
  index.map_ = std::move(merged);
  for (unsigned t = 0; t < threads; ++t) {
    index.stats_.units += stats[t].units;
    index.stats_.bad_units += stats[t].bad_units;
    index.stats_.dies_visited += stats[t].dies_visited;
    if (warnings) warnings->insert(warnings->end(), thread_warnings[t].begin(), thread_warnings[t].end());
  }
  index.map_.for_each([&](std::string_view, const std::vector<IndexEntry>& v) { index.stats_.entries += v.size(); });
  return index;
}

std::string DwarfIndex::default_cache_dir() {
  if (const char* dir = std::getenv("KDIVE_INDEX_CACHE")) {
    std::string d = dir;
    return d == "off" ? std::string() : d;
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::string(xdg) + "/kdive/index";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.cache/kdive/index";
  return {};
}

DwarfIndex DwarfIndex::load_or_build(const ElfFile& file, const std::string& cache_dir,
                                     std::vector<std::string>* warnings, uint64_t min_debug_info_size) {
  auto info = file.section_data(".debug_info");
  struct stat st;
  bool cacheable = !cache_dir.empty() && info && info->size() >= min_debug_info_size &&
                   stat(file.path().c_str(), &st) == 0 && !file.build_id().empty();
  if (!cacheable) return build(file, 0, warnings);
  uint64_t file_size = static_cast<uint64_t>(st.st_size);
  FlatIndexKey key{file_size, info->size(),
                   static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(st.st_mtim.tv_nsec)};
  std::error_code ec;
  std::string path = fmt::format("{}/{}-{:x}.kdx", cache_dir, file.build_id(), file_size);
  if (std::filesystem::exists(path, ec)) {
    try {
      DwarfIndex index;
      index.mapped_ = std::make_shared<FileSource>(path);
      if (!index.mapped_->data()) throw BadDataError(path, "cannot be mapped", 0);
      index.flat_ = FlatNameIndex(std::span<const uint8_t>(index.mapped_->data(), index.mapped_->size()), path, key);
      index.stats_.units = index.flat_.stats().units;
      index.stats_.dies_visited = index.flat_.stats().dies_visited;
      index.stats_.entries = index.flat_.entry_count();
      return index;
    } catch (const Error&) {
      // A stale or damaged image is rebuilt and replaced below.
    }
  }
  std::vector<std::string> build_warnings;
  DwarfIndex index = build(file, 0, &build_warnings);
  if (build_warnings.empty()) {
    try {
      std::vector<uint8_t> image = FlatNameIndex::serialize(
          index.map_, key, FlatIndexStats{index.stats_.units, index.stats_.dies_visited});
      std::filesystem::create_directories(cache_dir, ec);
      std::string tmp = fmt::format("{}.{}.tmp", path, getpid());
      {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
        if (!out) throw OsError(errno, tmp);
      }
      std::filesystem::rename(tmp, path, ec);
      if (ec) std::filesystem::remove(tmp, ec);
    } catch (const Error&) {
      // No cache this time; the index itself is fine.
    }
  }
  if (warnings) warnings->insert(warnings->end(), build_warnings.begin(), build_warnings.end());
  return index;
}

std::span<const IndexEntry> DwarfIndex::find(std::string_view name) const {
  if (mapped_) return flat_.find(name);
  const std::vector<IndexEntry>* v = map_.find(name);
  if (!v) return {};
  return *v;
}

}  // namespace kdive
