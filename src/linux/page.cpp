// PageDecoder implementation (page.h): flag names from DWARF's enum pageflags, field
// widths from array lengths in DWARF, everything else read through KernelLayout.
#include "linux/page.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/target_words.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

constexpr const char* kPage = "struct page";

unsigned log2_ceil(uint64_t n) {
  unsigned s = 0;
  while ((uint64_t(1) << s) < n) ++s;
  return s;
}

}  // namespace

PageDecoder::PageDecoder(Program& program, const MemoryModel& model)
    : program_(program), model_(model), mem_(model.memory()), layout_(program) {
  off_flags_ = layout_.offset(kPage, "flags");
  off_refcount_ = layout_.offset(kPage, "_refcount");
  off_mapcount_ = layout_.offset(kPage, "_mapcount");
  off_mapping_ = layout_.offset(kPage, "mapping");
  off_index_ = layout_.offset(kPage, "index");
  off_private_ = layout_.offset(kPage, "private");
  off_compound_head_ = layout_.offset(kPage, "compound_head");
  off_compound_order_ = layout_.find_offset(kPage, "compound_order");
  if (const Vmcoreinfo* vi = program.vmcoreinfo()) {
    for (const auto& [key, name] : {std::pair<const char*, const char*>{"PAGE_BUDDY_MAPCOUNT_VALUE", "buddy"},
                                    {"PAGE_OFFLINE_MAPCOUNT_VALUE", "offline"}}) {
      if (std::optional<int64_t> v = vi->number(key)) page_types_.emplace_back(~static_cast<uint32_t>(*v), name);
    }
  }
}

void PageDecoder::load_flags() {
  if (flags_loaded_) return;
  flags_loaded_ = true;
  QualifiedType e = underlying_type(layout_.type("enum pageflags"));
  if (e.type->kind() != TypeKind::Enum) throw TypeError("'enum pageflags' is not an enum");
  for (const TypeEnumerator& en : e.type->enumerators()) {
    if (en.name == "__NR_PAGEFLAGS") nr_pageflags_ = en.value;
  }
  if (nr_pageflags_ == 0 || nr_pageflags_ > 64) throw BadDataError("enum pageflags has no usable __NR_PAGEFLAGS");
  bit_names_.assign(nr_pageflags_, {});
  for (const TypeEnumerator& en : e.type->enumerators()) {
    if (en.value < nr_pageflags_ && bit_names_[en.value].empty()) bit_names_[en.value] = en.name;
  }
  pg_head_ = flag_bit("PG_head");
  // page-flags-layout.h: with SPARSEMEM_VMEMMAP there is no section field, so the node
  // field starts at bit 63 and the zone field follows below it, when they fit above
  // the flag bits (else NODE_NOT_IN_PAGE_FLAGS).
  if (std::optional<Object> nd = program_.find_object("node_data")) {
    QualifiedType t = nd->underlying();
    if (t.type->kind() == TypeKind::Array && t.type->length()) nodes_width_ = log2_ceil(*t.type->length());
  }
  zones_width_ = log2_ceil(layout_.array_length("struct pglist_data", "node_zones"));
  if (nodes_width_ + zones_width_ > 64 - nr_pageflags_) nodes_width_ = 0;
}

std::optional<unsigned> PageDecoder::flag_bit(std::string_view name) {
  load_flags();
  for (unsigned i = 0; i < bit_names_.size(); ++i)
    if (bit_names_[i] == name) return i;
  // An alias (PG_checked = PG_owner_priv_1) is not the first name of its bit.
  QualifiedType e = underlying_type(layout_.type("enum pageflags"));
  for (const TypeEnumerator& en : e.type->enumerators())
    if (en.name == name && en.value < 64) return static_cast<unsigned>(en.value);
  return std::nullopt;
}

std::vector<std::string> PageDecoder::flag_names(uint64_t flags) {
  load_flags();
  std::vector<std::string> out;
  for (unsigned i = 0; i < nr_pageflags_; ++i) {
    if (!(flags >> i & 1)) continue;
    out.push_back(bit_names_[i].empty() ? fmt::format("bit{}", i) : bit_names_[i]);
  }
  return out;
}

bool PageDecoder::is_head(uint64_t page, uint64_t flags) {
  load_flags();
  if (!pg_head_ || !(flags >> *pg_head_ & 1)) return false;
  // HugeTLB vmemmap optimization leaves "fake heads": PG_head set on what is really a
  // tail page, recognisable because the next page points at a different head.
  uint64_t next = read_u64(mem_, page + model_.struct_page_size() + off_compound_head_);
  return !((next & 1) && next - 1 != page);
}

uint64_t PageDecoder::compound_head(uint64_t page) {
  uint64_t v = read_u64(mem_, page + off_compound_head_);
  if (v & 1) return v - 1;
  load_flags();
  if (pg_head_) {
    uint64_t flags = read_u64(mem_, page + off_flags_);
    if (flags >> *pg_head_ & 1) {
      uint64_t next = read_u64(mem_, page + model_.struct_page_size() + off_compound_head_);
      if (next & 1) return next - 1;
    }
  }
  return page;
}

unsigned PageDecoder::compound_order(uint64_t head) {
  uint64_t second = head + model_.struct_page_size();
  if (off_compound_order_) return read_u8(mem_, second + *off_compound_order_);
  if (std::optional<uint64_t> fo = layout_.find_offset("struct folio", "_folio_order"))
    return read_u8(mem_, head + *fo);
  throw LookupError("this kernel has neither page.compound_order nor folio._folio_order");
}

PageInfo PageDecoder::decode(uint64_t page) {
  load_flags();
  PageInfo p;
  p.page = page;
  p.pfn = model_.page_to_pfn(page);
  p.flags = read_u64(mem_, page + off_flags_);
  p.flag_names = flag_names(p.flags);
  p.refcount = static_cast<int32_t>(read_u32(mem_, page + off_refcount_));
  p.page_type = read_u32(mem_, page + off_mapcount_);
  // Page types (PG_buddy, PG_table, ...) live in the same word as a negative number
  // with the type bit cleared; a plain mapcount is >= -1.
  int32_t raw_map = static_cast<int32_t>(p.page_type);
  p.mapcount = raw_map >= -1 ? raw_map + 1 : 0;
  // PageType(): (page_type & (PAGE_TYPE_BASE | bit)) == PAGE_TYPE_BASE, with
  // PAGE_TYPE_BASE 0xf0000000 (a macro, unchanged since 4.18).
  constexpr uint32_t kPageTypeBase = 0xf0000000;
  for (const auto& [bit, name] : page_types_)
    if ((p.page_type & (kPageTypeBase | bit)) == kPageTypeBase) p.type_name = name;
  p.mapping = read_u64(mem_, page + off_mapping_);
  p.index = read_u64(mem_, page + off_index_);
  p.private_data = read_u64(mem_, page + off_private_);
  uint64_t ch = read_u64(mem_, page + off_compound_head_);
  p.tail = (ch & 1) != 0;
  p.head = !p.tail && is_head(page, p.flags);
  p.compound_head = p.tail ? ch - 1 : compound_head(page);
  if (p.tail && p.compound_head != page) p.head = false;
  if (p.head || p.tail) {
    try {
      p.compound_order = compound_order(p.compound_head);
    } catch (const FaultError& e) {
      p.problem = fmt::format("compound order unreadable: {}", e.what());
    }
  }
  unsigned shift = 64;
  if (nodes_width_) {
    shift -= nodes_width_;
    p.node = static_cast<int64_t>((p.flags >> shift) & ((uint64_t(1) << nodes_width_) - 1));
  }
  if (zones_width_) {
    shift -= zones_width_;
    p.zone = static_cast<int64_t>((p.flags >> shift) & ((uint64_t(1) << zones_width_) - 1));
  }
  // Check the decoding against the zone's span, and name the zone.
  try {
    uint64_t pgdat = 0;
    if (std::optional<Object> nd = program_.find_object("node_data")) {
      if (p.node >= 0) pgdat = read_u64(mem_, nd->address() + static_cast<uint64_t>(p.node) * 8);
    } else if (std::optional<Object> c = program_.find_object("contig_page_data")) {
      pgdat = c->address();
    }
    if (pgdat && p.zone >= 0) {
      uint64_t zone = pgdat + layout_.offset("struct pglist_data", "node_zones") +
                      static_cast<uint64_t>(p.zone) * layout_.size_of("struct zone");
      uint64_t name = read_u64(mem_, zone + layout_.offset("struct zone", "name"));
      p.zone_name = read_char_array(mem_, name, 32);
      uint64_t start = read_u64(mem_, zone + layout_.offset("struct zone", "zone_start_pfn"));
      uint64_t spanned = read_u64(mem_, zone + layout_.offset("struct zone", "spanned_pages"));
      if (p.pfn < start || p.pfn - start >= spanned)
        p.problem = fmt::format("pfn {:#x} is outside zone {} ({}) of node {}: [{:#x}, {:#x})", p.pfn, p.zone,
                                p.zone_name, p.node, start, start + spanned);
    }
  } catch (const Error& e) {
    if (p.problem.empty()) p.problem = fmt::format("zone unreadable: {}", e.what());
  }
  return p;
}

std::string format_page_info(const PageInfo& p, const MemoryModel& model) {
  std::string out = fmt::format("page {:#x}  pfn {:#x}  phys {:#x}  virt {:#x}\n", p.page, p.pfn,
                                model.pfn_to_phys(p.pfn), model.pfn_to_virt(p.pfn));
  std::string names;
  for (const std::string& n : p.flag_names) names += (names.empty() ? "" : "|") + n;
  out += fmt::format("flags {:#x} ({})", p.flags, names);
  if (p.node >= 0) out += fmt::format("  node {}", p.node);
  if (p.zone >= 0) out += fmt::format("  zone {}{}", p.zone, p.zone_name.empty() ? "" : " (" + p.zone_name + ")");
  out += "\n";
  out += fmt::format("refcount {}  mapcount {}  mapping {:#x}  index {:#x}  private {:#x}\n", p.refcount, p.mapcount,
                     p.mapping, p.index, p.private_data);
  if (p.head)
    out += fmt::format("compound: head, order {} ({} pages)\n", p.compound_order, uint64_t(1) << p.compound_order);
  else if (p.tail)
    out += fmt::format("compound: tail of {:#x}, order {} ({} pages)\n", p.compound_head, p.compound_order,
                       uint64_t(1) << p.compound_order);
  if (p.type_name == "buddy") out += fmt::format("type: buddy (free, order {})\n", p.private_data);
  else if (!p.type_name.empty()) out += fmt::format("type: {}\n", p.type_name);
  if (!p.problem.empty()) out += fmt::format("warning: {}\n", p.problem);
  return out;
}

}  // namespace kdive
