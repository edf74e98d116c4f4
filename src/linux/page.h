// Page: what one `struct page` says — its flags by name (the enumerators of DWARF's
// `enum pageflags`, below __NR_PAGEFLAGS), the node and zone packed in the top bits of
// page->flags, reference and map counts, mapping and index, and its compound page
// (head, order) and page type — plus compound_head() and is_slab() for the slab and
// identify code. Variants by presence: page->compound_head or compound_info (mask
// or pointer), page->index or __folio_index, PG_slab flag or slab page type, the
// page-type scheme from enum pagetype.
//
// The node/zone fields' widths follow include/linux/page-flags-layout.h for
// SPARSEMEM_VMEMMAP (no section field): NODES_SHIFT = log2 of the length of
// node_data[] (MAX_NUMNODES), ZONES_SHIFT from the length of pglist_data.node_zones[]
// (MAX_NR_ZONES), packed from bit 63 down; PageDecoder checks the result against the
// zone's span so a wrong guess is reported, not printed as truth.
//
//   PageDecoder pages(program, model);
//   PageInfo p = pages.decode(model.pfn_to_page(pfn));
//   fmt::print("{}\n", format_page_info(p));
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "linux/kernel_layout.h"
#include "linux/memory_model.h"

namespace kdive {

class Program;

struct PageInfo {
  uint64_t page = 0;
  uint64_t pfn = 0;
  uint64_t flags = 0;               // raw page->flags
  std::vector<std::string> flag_names;  // "PG_slab", ... (bits below __NR_PAGEFLAGS)
  int64_t node = -1;                // -1: not in page->flags
  int64_t zone = -1;
  std::string zone_name;            // node_zones[zone].name, "" when unreadable
  int64_t refcount = 0;             // page->_refcount
  int64_t mapcount = 0;             // page->_mapcount + 1 (0 for page types)
  uint32_t page_type = 0;           // the raw _mapcount/page_type word
  std::string type_name;            // "buddy" (order in private), "offline", or ""
  uint64_t mapping = 0;
  uint64_t index = 0;
  uint64_t private_data = 0;
  bool head = false, tail = false;  // compound page role
  uint64_t compound_head = 0;       // the head page (== page when not a tail)
  unsigned compound_order = 0;      // of the head page
  std::string problem;              // e.g. node/zone disagree with the zone spans
};

class PageDecoder {
 public:
  // Reads through model.memory().
  PageDecoder(Program& program, const MemoryModel& model);

  const MemoryModel& model() const { return model_; }
  // The bit number of a page flag ("PG_slab"); nullopt when this kernel has none.
  std::optional<unsigned> flag_bit(std::string_view name);
  // Names of the set flags in `flags` (first enumerator of each value).
  std::vector<std::string> flag_names(uint64_t flags);
  // Reads and decodes the struct page at `page`. FaultError when it is unreadable.
  PageInfo decode(uint64_t page);
  // The head page of the compound page `page` belongs to (page itself when it is not
  // a tail page), as compound_head() computes it from page->compound_head bit 0.
  uint64_t compound_head(uint64_t page);
  unsigned compound_order(uint64_t head);
  bool is_head(uint64_t page, uint64_t flags);
  // The page type ("buddy", "slab", "offline", "table", ...) the page_type word
  // names, "" for none (see load_page_types()).
  std::string page_type_name(uint32_t page_type) const;
  // PageSlab(): the PG_slab flag, or (6.10+) the slab page type. FaultError when
  // unreadable, LookupError when the kernel has neither.
  bool is_slab(uint64_t page);
  // "PG_slab page flag", "PGTY_slab page type", ... for `info`.
  std::string slab_marker_description();

 private:
  void load_flags();
  void load_page_types();
  uint64_t decode_compound_info(uint64_t page, uint64_t info) const;

  Program& program_;
  const MemoryModel& model_;
  const MemoryReader& mem_;
  KernelLayout layout_;
  bool flags_loaded_ = false;
  std::vector<std::string> bit_names_;  // index = bit
  uint64_t nr_pageflags_ = 0;
  std::optional<unsigned> pg_head_, pg_slab_;
  bool slab_is_type_ = false;
  bool compound_info_ = false;       // page->compound_info (7.0+), else compound_head
  bool page_type_top_byte_ = false;  // PGTY_* scheme (6.12+)
  unsigned nodes_width_ = 0, zones_width_ = 0;
  uint64_t off_flags_ = 0, off_refcount_ = 0, off_mapcount_ = 0, off_mapping_ = 0, off_index_ = 0,
           off_private_ = 0, off_compound_head_ = 0;
  std::optional<uint64_t> off_compound_order_;
  // Page types: (PGTY_ value, name) in the top-byte scheme, else (bit, name).
  std::vector<std::pair<uint32_t, std::string>> page_types_;
};

// crash-style multi-line description:
//   page 0xffffea000015f840  pfn 0x57e1  phys 0x57e1000  virt 0xffff8880057e1000
//   flags 0x100000000000200 (PG_slab)  node 0  zone 1 (DMA32)
//   refcount 1  mapcount 0  mapping 0x0  index 0x0
//   compound: head, order 1 (2 pages)
//   type: buddy (free, order 10)
std::string format_page_info(const PageInfo& info, const MemoryModel& model);

}  // namespace kdive
