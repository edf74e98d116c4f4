// SlubAllocator implementation (slab.h). Offsets are resolved once; slabs and free
// sets are computed per cache on first use and kept (a dump does not change), so
// identify_address over many addresses costs a page read and a set lookup each.
#include "linux/slab.h"

#include <algorithm>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/cpumask.h"
#include "linux/list_walk.h"
#include "linux/target_words.h"
#include "program/program.h"
#include "types/type_layout.h"

namespace kdive {

namespace {

constexpr const char* kCache = "struct kmem_cache";
// struct kmem_cache_order_objects packs (order << OO_SHIFT) | objects; OO_SHIFT is a
// macro in mm/slub.c (16 since 2.6.26), so DWARF cannot give it.
constexpr unsigned kOoShift = 16;
// Bounds for chains that have no natural length in the dump.
constexpr uint64_t kMaxCpuPartial = 1 << 16;

uint64_t swab64(uint64_t v) {
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | ((v >> (8 * i)) & 0xff);
  return r;
}

// A C string of at most `limit` bytes, read page by page so that a short string at
// the end of the last readable page does not fault.
std::string read_string(const MemoryReader& mem, uint64_t address, size_t limit = 256) {
  std::string out;
  while (out.size() < limit) {
    size_t chunk = std::min<size_t>(limit - out.size(), 4096 - (address & 4095));
    std::vector<char> buf(chunk);
    mem.read(address, buf.data(), chunk);
    for (char ch : buf) {
      if (ch == '\0') return out;
      out += ch;
    }
    address += chunk;
  }
  return out;
}

}  // namespace

uint64_t slub_decode_free_pointer(uint64_t stored, uint64_t stored_at, std::optional<uint64_t> random) {
  return random ? stored ^ *random ^ swab64(stored_at) : stored;
}

void walk_slub_freelist(const MemoryReader& mem, const SlabGeometry& g, uint64_t first,
                        std::unordered_set<uint64_t>& out, const std::string& what) {
  const uint64_t end = g.first_object + g.objects * g.size;
  uint64_t count = 0;
  for (uint64_t p = first; p != 0; ++count) {
    if (p < g.first_object || p >= end || (p - g.first_object) % g.size != 0)
      throw BadDataError(fmt::format("{}: freelist entry {:#x} is not an object of the slab (after {} entries)", what, p,
                                     count));
    // A list that revisits an object, or has more entries than the slab has objects,
    // is cyclic: stop instead of looping.
    if (!out.insert(p).second || count >= g.objects)
      throw BadDataError(fmt::format("{}: cyclic freelist at {:#x} (after {} entries)", what, p, count));
    uint64_t at = p + g.free_pointer_offset;
    p = slub_decode_free_pointer(read_u64(mem, at), at, g.random);
  }
}

const char* slab_kind_name(SlabKind kind) {
  switch (kind) {
    case SlabKind::CpuSlab: return "cpu";
    case SlabKind::CpuPartial: return "cpu-partial";
    case SlabKind::NodePartial: return "partial";
    case SlabKind::Full: return "full";
  }
  return "?";
}

struct SlubAllocator::CacheState {
  bool lists_loaded = false;
  std::vector<SlabRef> list_slabs;  // cpu, cpu-partial and node-partial slabs
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> cpu_free;  // slab -> lockless freelist
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> free;      // slab -> every free object
  WalkStatus list_status;
};

SlubAllocator::SlubAllocator(Program& program, const MemoryReader* memory)
    : program_(program), mem_(memory ? *memory : program.memory()), layout_(program) {
  std::optional<Object> caches = program.find_object("slab_caches");
  if (!caches || !caches->is_reference()) throw LookupError("could not find 'slab_caches'");
  slab_caches_ = caches->address();
  if (!layout_.has_member(kCache, "cpu_slab") || !layout_.has_member(kCache, "offset"))
    throw LookupError("this kernel's slab allocator is not SLUB (kmem_cache has no cpu_slab/offset)");
  model_ = std::make_unique<MemoryModel>(program, &mem_);
  pages_ = std::make_unique<PageDecoder>(program, *model_);
  slab_type_ = program.find_type(TypeKind::Struct, "slab").type ? "struct slab" : "struct page";
  off_page_flags_ = layout_.offset("struct page", "flags");
  off_list_ = layout_.offset(kCache, "list");
  off_name_ = layout_.offset(kCache, "name");
  off_size_ = layout_.offset(kCache, "size");
  off_object_size_ = layout_.offset(kCache, "object_size");
  off_offset_ = layout_.offset(kCache, "offset");
  off_oo_ = layout_.offset(kCache, "oo");
  off_refcount_ = layout_.offset(kCache, "refcount");
  off_cpu_slab_ = layout_.offset(kCache, "cpu_slab");
  off_node_ = layout_.offset(kCache, "node");
  off_random_ = layout_.find_offset(kCache, "random");
  off_red_left_pad_ = layout_.find_offset(kCache, "red_left_pad");
  off_slab_cache_ = layout_.offset(slab_type_, "slab_cache");
  off_slab_freelist_ = layout_.offset(slab_type_, "freelist");
  // The list member is slab_list (struct slab, and struct page since 4.20), else lru.
  std::optional<uint64_t> slab_list = layout_.find_offset(slab_type_, "slab_list");
  off_slab_list_ = slab_list ? *slab_list : layout_.offset(slab_type_, "lru");
  off_slab_next_ = layout_.offset(slab_type_, "next");
  QualifiedType st = layout_.type(slab_type_);
  objects_field_ = member_of(st, "objects");
  inuse_field_ = member_of(st, "inuse");
  const char* cpu_type = "struct kmem_cache_cpu";
  off_c_freelist_ = layout_.offset(cpu_type, "freelist");
  std::optional<uint64_t> c_slab = layout_.find_offset(cpu_type, "slab");
  off_c_slab_ = c_slab ? *c_slab : layout_.offset(cpu_type, "page");
  off_c_partial_ = layout_.offset(cpu_type, "partial");
  off_n_partial_ = layout_.offset("struct kmem_cache_node", "partial");
  off_n_nr_slabs_ = layout_.offset("struct kmem_cache_node", "nr_slabs");
  off_n_total_objects_ = layout_.offset("struct kmem_cache_node", "total_objects");
  std::optional<unsigned> bit = pages_->flag_bit("PG_slab");
  if (!bit) throw LookupError("enum pageflags has no PG_slab");
  pg_slab_ = *bit;
  std::optional<Object> offsets = program.find_object("__per_cpu_offset");
  if (!offsets || !offsets->is_reference()) throw LookupError("could not find '__per_cpu_offset'");
  uint64_t n_offsets = type_sizeof(offsets->type()) / 8;
  for (uint64_t cpu : possible_cpus(program)) {
    if (cpu >= n_offsets) continue;
    cpus_.push_back(cpu);
    cpu_offsets_.push_back(read_u64(mem_, offsets->address() + cpu * 8));
  }
  if (std::optional<Object> nr = program.find_object("nr_node_ids")) {
    nr_nodes_ = nr->read().as_unsigned();
    uint64_t max_nodes = layout_.array_length(kCache, "node");
    if (nr_nodes_ == 0 || nr_nodes_ > max_nodes) nr_nodes_ = max_nodes;
  }
}

SlubAllocator::~SlubAllocator() = default;

uint64_t SlubAllocator::read_bitfield(uint64_t base, const FoundMember& m) {
  uint64_t word = read_u64(mem_, base + m.bit_offset / 8);
  unsigned shift = m.bit_offset % 8;
  uint64_t size = m.bit_field_size ? m.bit_field_size : type_sizeof(m.type) * 8;
  uint64_t v = word >> shift;
  return size >= 64 ? v : v & ((uint64_t(1) << size) - 1);
}

uint64_t SlubAllocator::slab_objects(uint64_t slab) { return read_bitfield(slab, objects_field_); }
uint64_t SlubAllocator::slab_inuse(uint64_t slab) { return read_bitfield(slab, inuse_field_); }

WalkStatus SlubAllocator::for_each_cache(const std::function<bool(uint64_t cache)>& visit) {
  ListLayout list = ListLayout::of(layout_);
  return walk_list(mem_, list, slab_caches_, [&](uint64_t node) { return visit(node - off_list_); });
}

std::optional<uint64_t> SlubAllocator::find_cache(std::string_view name) {
  std::optional<uint64_t> found;
  WalkStatus st = for_each_cache([&](uint64_t cache) {
    if (cache_info(cache).name == name) found = cache;
    return !found;
  });
  if (!found) st.throw_if_problem();
  return found;
}

const SlabCacheInfo& SlubAllocator::cache_info(uint64_t cache) {
  auto it = infos_.find(cache);
  if (it != infos_.end()) return it->second;
  SlabCacheInfo i;
  i.address = cache;
  i.name = read_string(mem_, read_u64(mem_, cache + off_name_));
  i.size = read_u32(mem_, cache + off_size_);
  i.object_size = read_u32(mem_, cache + off_object_size_);
  i.offset = read_u32(mem_, cache + off_offset_);
  if (off_red_left_pad_) i.red_left_pad = read_u32(mem_, cache + *off_red_left_pad_);
  if (off_random_) i.random = read_u64(mem_, cache + *off_random_);
  uint32_t oo = read_u32(mem_, cache + off_oo_);
  i.objects_per_slab = oo & ((1u << kOoShift) - 1);
  i.order = oo >> kOoShift;
  i.refcount = static_cast<int32_t>(read_u32(mem_, cache + off_refcount_));
  i.cpu_slab = read_u64(mem_, cache + off_cpu_slab_);
  if (i.size == 0 || i.size > (1u << 24) || i.offset > i.size || i.order > 20)
    throw BadDataError(fmt::format("kmem_cache {:#x} ({}): implausible size {} / order {}", cache, i.name, i.size, i.order));
  return infos_.emplace(cache, std::move(i)).first->second;
}

void SlubAllocator::walk_freelist(const SlabCacheInfo& info, uint64_t slab, uint64_t first,
                                  std::unordered_set<uint64_t>& out) {
  SlabGeometry g{slab_address(slab) + info.red_left_pad, slab_objects(slab), info.size, info.offset, info.random};
  walk_slub_freelist(mem_, g, first, out, fmt::format("cache {} slab {:#x}", info.name, slab));
}

SlubAllocator::CacheState& SlubAllocator::state(uint64_t cache) {
  std::unique_ptr<CacheState>& s = states_[cache];
  if (!s) s = std::make_unique<CacheState>();
  if (s->lists_loaded) return *s;
  s->lists_loaded = true;
  const SlabCacheInfo& info = cache_info(cache);
  auto note = [&](const std::string& what) {
    if (s->list_status.ok()) s->list_status.problem = what;
  };
  for (size_t i = 0; i < cpus_.size(); ++i) {
    int64_t cpu = static_cast<int64_t>(cpus_[i]);
    try {
      uint64_t c = info.cpu_slab + cpu_offsets_[i];
      uint64_t slab = read_u64(mem_, c + off_c_slab_);
      if (slab && read_u64(mem_, slab + off_slab_cache_) == cache) {
        s->list_slabs.push_back({slab, SlabKind::CpuSlab, cpu});
        walk_freelist(info, slab, read_u64(mem_, c + off_c_freelist_), s->cpu_free[slab]);
      }
      uint64_t seen = 0;
      for (uint64_t p = read_u64(mem_, c + off_c_partial_); p; p = read_u64(mem_, p + off_slab_next_)) {
        if (++seen > kMaxCpuPartial) {
          note(fmt::format("cache {} CPU {}: cpu partial chain longer than {} (cyclic?)", info.name, cpu, kMaxCpuPartial));
          break;
        }
        s->list_slabs.push_back({p, SlabKind::CpuPartial, cpu});
      }
    } catch (const Error& e) {
      note(fmt::format("cache {} CPU {}: {}", info.name, cpu, e.what()));
    }
  }
  ListLayout list = ListLayout::of(layout_);
  for (uint64_t n = 0; n < nr_nodes_; ++n) {
    try {
      uint64_t node = read_u64(mem_, cache + off_node_ + n * 8);
      if (!node) continue;
      WalkStatus st = walk_list(mem_, list, node + off_n_partial_, [&](uint64_t entry) {
        s->list_slabs.push_back({entry - off_slab_list_, SlabKind::NodePartial, -1});
        return true;
      });
      if (!st.ok()) note(fmt::format("cache {} node {} partial list: {}", info.name, n, st.message()));
    } catch (const Error& e) {
      note(fmt::format("cache {} node {}: {}", info.name, n, e.what()));
    }
  }
  return *s;
}

void SlubAllocator::scan_pages(WalkStatus* status) {
  if (!scanned_) {
    scanned_ = true;
    uint64_t unreadable = 0;
    scan_status_ = model_->for_each_page([&](uint64_t, uint64_t page, uint64_t flags) {
      if (!(flags >> pg_slab_ & 1)) return true;
      try {
        if (pages_->compound_head(page) != page) return true;
        scanned_slabs_[read_u64(mem_, page + off_slab_cache_)].push_back(page);
      } catch (const FaultError&) {
      }
      return true;
    }, &unreadable);
    if (!scan_status_.ok())
      scan_status_.problem = fmt::format("page array: {} struct pages unreadable, first: {}", unreadable, scan_status_.problem);
  }
  if (status && !scan_status_.ok() && status->ok()) *status = scan_status_;
}

std::vector<SlabRef> SlubAllocator::slabs(uint64_t cache, WalkStatus* status) {
  scan_pages(status);
  CacheState& s = state(cache);
  if (status && !s.list_status.ok() && status->ok()) status->problem = s.list_status.problem;
  std::map<uint64_t, SlabRef> by_address;
  auto it = scanned_slabs_.find(cache);
  if (it != scanned_slabs_.end())
    for (uint64_t slab : it->second) by_address[slab] = {slab, SlabKind::Full, -1};
  for (const SlabRef& r : s.list_slabs) by_address[r.slab] = r;
  std::vector<SlabRef> out;
  out.reserve(by_address.size());
  for (const auto& [addr, r] : by_address) out.push_back(r);
  return out;
}

const std::unordered_set<uint64_t>& SlubAllocator::free_objects(uint64_t cache, uint64_t slab) {
  CacheState& s = state(cache);
  auto it = s.free.find(slab);
  if (it != s.free.end()) return it->second;
  std::unordered_set<uint64_t> free;
  auto cpu = s.cpu_free.find(slab);
  if (cpu != s.cpu_free.end()) free = cpu->second;
  walk_freelist(cache_info(cache), slab, read_u64(mem_, slab + off_slab_freelist_), free);
  return s.free.emplace(slab, std::move(free)).first->second;
}

WalkStatus SlubAllocator::for_each_object(uint64_t cache, const SlabObjectVisitor& visit) {
  WalkStatus st;
  std::vector<SlabRef> refs = slabs(cache, &st);
  const SlabCacheInfo& info = cache_info(cache);
  for (const SlabRef& r : refs) {
    try {
      const std::unordered_set<uint64_t>& free = free_objects(cache, r.slab);
      uint64_t n = slab_objects(r.slab);
      uint64_t addr = slab_address(r.slab) + info.red_left_pad;
      for (uint64_t i = 0; i < n; ++i, addr += info.size) {
        ++st.visited;
        if (!visit({addr, r.slab, free.count(addr) == 0})) {
          st.stopped_early = true;
          return st;
        }
      }
    } catch (const Error& e) {
      if (st.ok()) {
        st.problem = e.what();
        st.problem_address = r.slab;
      }
    }
  }
  return st;
}

std::optional<SlabObjectInfo> SlubAllocator::object_info(uint64_t address) {
  if (!model_->is_direct_map(address)) return std::nullopt;
  uint64_t head = 0;
  try {
    uint64_t page = model_->virt_to_page(address);
    head = pages_->compound_head(page);
    if (!(read_u64(mem_, head + off_page_flags_) >> pg_slab_ & 1)) return std::nullopt;
  } catch (const FaultError&) {
    return std::nullopt;  // no struct page in the dump: not known to be a slab
  }
  uint64_t cache = read_u64(mem_, head + off_slab_cache_);
  const SlabCacheInfo& info = cache_info(cache);
  uint64_t first = slab_address(head) + info.red_left_pad;
  if (address < first) return std::nullopt;
  uint64_t index = (address - first) / info.size;
  if (index >= slab_objects(head)) return std::nullopt;
  SlabObjectInfo out;
  out.cache = cache;
  out.cache_name = info.name;
  out.slab = head;
  out.address = first + index * info.size;
  out.allocated = free_objects(cache, head).count(out.address) == 0;
  return out;
}

SlabCacheStats SlubAllocator::statistics(uint64_t cache, WalkStatus* status) {
  SlabCacheStats s;
  WalkStatus st = for_each_object(cache, [&](const SlabObject& o) {
    ++s.objects;
    (o.allocated ? s.allocated : s.free)++;
    return true;
  });
  s.slabs = slabs(cache).size();
  // mm/slub.c get_slabinfo(): slabs and objects from the node counters, free objects
  // only from the node partial lists.
  uint64_t nr_free = 0;
  ListLayout list = ListLayout::of(layout_);
  for (uint64_t n = 0; n < nr_nodes_; ++n) {
    uint64_t node = read_u64(mem_, cache + off_node_ + n * 8);
    if (!node) continue;
    s.proc_num_slabs += read_u64(mem_, node + off_n_nr_slabs_);
    s.proc_num_objs += read_u64(mem_, node + off_n_total_objects_);
    WalkStatus ps = walk_list(mem_, list, node + off_n_partial_, [&](uint64_t entry) {
      uint64_t slab = entry - off_slab_list_;
      nr_free += slab_objects(slab) - std::min(slab_objects(slab), slab_inuse(slab));
      return true;
    });
    if (!ps.ok() && st.ok()) st.problem = ps.problem;
  }
  s.proc_active_objs = s.proc_num_objs - std::min(s.proc_num_objs, nr_free);
  if (status) *status = st;
  return s;
}

}  // namespace kdive
