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
  // page->index became __folio_index when folios took it over ("mm: rename
  // page->index to page->__folio_index"); the word is the same.
  off_index_ = layout_.first_offset(kPage, {"index", "__folio_index"});
  off_private_ = layout_.offset(kPage, "private");
  // page->compound_head became compound_info with the rework that removed HugeTLB
  // vmemmap "fake heads" (7.x): bit 0 still marks a tail; the rest is the head
  // pointer or a mask (decode_compound_info()).
  std::string_view compound = layout_.first_member(kPage, {"compound_head", "compound_info"});
  off_compound_head_ = layout_.offset(kPage, compound);
  compound_info_ = compound == "compound_info";
  off_compound_order_ = layout_.find_offset(kPage, "compound_order");
  load_page_types();
}

void PageDecoder::load_page_types() {
  // Three schemes, chosen by the enumerators of DWARF's enum pagetype:
  //   PGTY_<name> (6.12+, commit "mm: support only one page_type per page"): the type
  //     is the top byte of page_type;
  //   PG_<name> (6.9 to 6.11): a type is a cleared bit under PAGE_TYPE_BASE;
  //   no enum (the types were macros): the same bits, from VMCOREINFO's
  //     PAGE_BUDDY/OFFLINE_MAPCOUNT_VALUE (= ~bit).
  QualifiedType e = program_.find_type(TypeKind::Enum, "pagetype");
  if (e.type) {
    for (const TypeEnumerator& en : e.type->enumerators()) {
      std::string_view n = en.name;
      if (n.starts_with("PGTY_")) {
        page_type_top_byte_ = true;
        if (n != "PGTY_mapcount_underflow") page_types_.emplace_back(static_cast<uint32_t>(en.value), n.substr(5));
      } else if (n.starts_with("PG_") && en.value > 0 && en.value < 0xf0000000u) {
        page_types_.emplace_back(static_cast<uint32_t>(en.value), n.substr(3));
      }
    }
    if (page_type_top_byte_)
      std::erase_if(page_types_, [](const auto& t) { return t.first > 0xff; });
    if (!page_types_.empty()) return;
  }
  if (const Vmcoreinfo* vi = program_.vmcoreinfo()) {
    for (const auto& [key, name] : {std::pair<const char*, const char*>{"PAGE_BUDDY_MAPCOUNT_VALUE", "buddy"},
                                    {"PAGE_OFFLINE_MAPCOUNT_VALUE", "offline"}}) {
      if (std::optional<int64_t> v = vi->number(key)) page_types_.emplace_back(~static_cast<uint32_t>(*v), name);
    }
  }
}

std::string PageDecoder::page_type_name(uint32_t page_type) const {
  if (page_type_top_byte_) {
    for (const auto& [value, name] : page_types_)
      if (page_type >> 24 == value) return name;
    return "";
  }
  // PageType(): (page_type & (PAGE_TYPE_BASE | bit)) == PAGE_TYPE_BASE, with
  // PAGE_TYPE_BASE 0xf0000000 (a macro, unchanged from 4.18 to 6.11).
  constexpr uint32_t kPageTypeBase = 0xf0000000;
  for (const auto& [bit, name] : page_types_)
    if ((page_type & (kPageTypeBase | bit)) == kPageTypeBase) return name;
  return "";
}

bool PageDecoder::is_slab(uint64_t page) {
  load_flags();
  if (pg_slab_) return read_u64(mem_, page + off_flags_) >> *pg_slab_ & 1;
  if (!slab_is_type_) throw LookupError(fmt::format("kernel {}: neither enum pageflags nor enum pagetype has PG_slab/PGTY_slab", program_.kernel_release()));
  return page_type_name(read_u32(mem_, page + off_mapcount_)) == "slab";
}

std::string PageDecoder::slab_marker_description() {
  load_flags();
  if (pg_slab_) return "PG_slab page flag";
  if (slab_is_type_) return page_type_top_byte_ ? "PGTY_slab page type" : "PG_slab page type bit";
  return "none";
}

uint64_t PageDecoder::decode_compound_info(uint64_t page, uint64_t info) const {
  // A tail's word: with CONFIG_HUGETLB_PAGE_OPTIMIZE_VMEMMAP and a power-of-2
  // struct page, compound_info_has_mask(): a mask of ones above the folio's size,
  // and the head is the page's own address ANDed with it; else the head pointer + 1.
  // The config is not in DWARF, but the two cannot be confused: a mask is all ones
  // from some bit up (and bit 0), a vmemmap address is not.
  uint64_t m = info & ~uint64_t(1);
  if (compound_info_ && m != 0 && ((~m + 1) & ~m) == 0) return page & m;
  return info - 1;
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
  pg_slab_ = flag_bit("PG_slab");
  // Since 6.10 (commit "mm: free up PG_slab") a slab is a page type.
  for (const auto& [value, name] : page_types_)
    if (name == "slab") slab_is_type_ = true;
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
  uint64_t next_page = page + model_.struct_page_size();
  uint64_t next = read_u64(mem_, next_page + off_compound_head_);
  return !((next & 1) && decode_compound_info(next_page, next) != page);
}

uint64_t PageDecoder::compound_head(uint64_t page) {
  uint64_t v = read_u64(mem_, page + off_compound_head_);
  if (v & 1) return decode_compound_info(page, v);
  load_flags();
  if (pg_head_ && !compound_info_) {
    // A HugeTLB "fake head" (vmemmap optimisation before compound_info): PG_head on
    // a tail, whose next page names the real head.
    uint64_t flags = read_u64(mem_, page + off_flags_);
    if (flags >> *pg_head_ & 1) {
      uint64_t next_page = page + model_.struct_page_size();
      uint64_t next = read_u64(mem_, next_page + off_compound_head_);
      if (next & 1) return decode_compound_info(next_page, next);
    }
  }
  return page;
}

unsigned PageDecoder::compound_order(uint64_t head) {
  uint64_t second = head + model_.struct_page_size();
  if (off_compound_order_) return read_u8(mem_, second + *off_compound_order_);
  if (std::optional<uint64_t> fo = layout_.find_offset("struct folio", "_folio_order"))
    return read_u8(mem_, head + *fo);
  // 6.6+ (commit "mm: free up a word in the first tail page"): folio_order() is the
  // low byte of _flags_1.
  if (std::optional<uint64_t> f1 = layout_.find_offset("struct folio", "_flags_1")) return read_u8(mem_, head + *f1);
  throw LookupError(fmt::format("kernel {}: neither page.compound_order nor folio._folio_order nor folio._flags_1",
                                program_.kernel_release()));
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
  p.type_name = page_type_name(p.page_type);
  p.mapping = read_u64(mem_, page + off_mapping_);
  p.index = read_u64(mem_, page + off_index_);
  p.private_data = read_u64(mem_, page + off_private_);
  uint64_t ch = read_u64(mem_, page + off_compound_head_);
  p.tail = (ch & 1) != 0;
  p.head = !p.tail && is_head(page, p.flags);
  p.compound_head = p.tail ? decode_compound_info(page, ch) : compound_head(page);
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
