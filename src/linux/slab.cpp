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

// struct kmem_cache_order_objects packs (order << OO_SHIFT) | objects; OO_SHIFT is a
// macro in mm/slub.c (16 since 2.6.26), so DWARF cannot give it.
constexpr unsigned kOoShift = 16;
// Bounds for chains that have no natural length in the dump.
constexpr uint64_t kMaxCpuPartial = 1 << 16;
constexpr uint64_t kMaxSheafObjects = 1 << 16;  // sheaf_capacity is far smaller
constexpr uint64_t kMaxBarnSheaves = 1 << 16;

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
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> sheaf_free;  // slab -> its objects in sheaves
  std::unordered_map<uint64_t, std::unordered_set<uint64_t>> free;      // slab -> every free object
  WalkStatus list_status;
  // The first per-CPU or barn free-object cache that could not be read: objects not
  // found free may be free there.
  std::string free_sources_problem;
};

SlubAllocator::SlubAllocator(Program& program, const MemoryReader* memory)
    : program_(program), mem_(memory ? *memory : program.memory()), layout_(program) {
  std::optional<Object> caches = program.find_object("slab_caches");
  if (!caches || !caches->is_reference()) throw LookupError("could not find 'slab_caches'");
  slab_caches_ = caches->address();
  model_ = std::make_unique<MemoryModel>(program, &mem_);
  pages_ = std::make_unique<PageDecoder>(program, *model_);
  slub_ = std::make_unique<SlubLayout>(program, *pages_);
  pg_slab_ = pages_->flag_bit("PG_slab");
  if (!pg_slab_ && pages_->slab_marker_description() == "none")
    throw LookupError(fmt::format("kernel {}: neither enum pageflags has PG_slab nor enum pagetype PGTY_slab/PG_slab",
                                  program.kernel_release()));
  std::optional<Object> offsets = program.find_object("__per_cpu_offset");
  if (!offsets || !offsets->is_reference()) throw LookupError("could not find '__per_cpu_offset'");
  uint64_t n_offsets = type_sizeof(offsets->type()) / 8;
  for (uint64_t cpu : possible_cpus(program)) {
    if (cpu >= n_offsets) continue;
    cpus_.push_back(cpu);
    cpu_offsets_.push_back(read_u64(mem_, offsets->address() + cpu * 8));
  }
  nr_nodes_ = slub_->max_nodes;
  if (std::optional<Object> nr = program.find_object("nr_node_ids")) {
    uint64_t n = nr->read().as_unsigned();
    if (n != 0 && n <= slub_->max_nodes) nr_nodes_ = n;
  }
}

uint64_t SlubAllocator::node_pointer(uint64_t cache, uint64_t node) {
  return read_u64(mem_, cache + slub_->node_base + node * slub_->node_stride);
}

SlubAllocator::~SlubAllocator() = default;

uint64_t SlubAllocator::read_bitfield(uint64_t base, const FoundMember& m) {
  uint64_t word = read_u64(mem_, base + m.bit_offset / 8);
  unsigned shift = m.bit_offset % 8;
  uint64_t size = m.bit_field_size ? m.bit_field_size : type_sizeof(m.type) * 8;
  uint64_t v = word >> shift;
  return size >= 64 ? v : v & ((uint64_t(1) << size) - 1);
}

uint64_t SlubAllocator::slab_objects(uint64_t slab) { return read_bitfield(slab, slub_->objects); }
uint64_t SlubAllocator::slab_inuse(uint64_t slab) { return read_bitfield(slab, slub_->inuse); }

WalkStatus SlubAllocator::for_each_cache(const std::function<bool(uint64_t cache)>& visit) {
  ListLayout list = ListLayout::of(layout_);
  return walk_list(mem_, list, slab_caches_, [&](uint64_t node) { return visit(node - slub_->list); });
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
  const SlubLayout& l = *slub_;
  SlabCacheInfo i;
  i.address = cache;
  i.name = read_string(mem_, read_u64(mem_, cache + l.name));
  i.size = read_u32(mem_, cache + l.size);
  i.object_size = read_u32(mem_, cache + l.object_size);
  i.offset = read_u32(mem_, cache + l.offset);
  if (l.red_left_pad) i.red_left_pad = read_u32(mem_, cache + *l.red_left_pad);
  if (l.random) i.random = read_u64(mem_, cache + *l.random);
  uint32_t oo = read_u32(mem_, cache + l.oo);
  i.objects_per_slab = oo & ((1u << kOoShift) - 1);
  i.order = oo >> kOoShift;
  i.refcount = static_cast<int32_t>(read_u32(mem_, cache + l.refcount));
  if (l.cpu_slab) i.cpu_slab = read_u64(mem_, cache + *l.cpu_slab);
  if (l.cpu_sheaves) i.cpu_sheaves = read_u64(mem_, cache + *l.cpu_sheaves);
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
  auto note_free_source = [&](const std::string& what) {
    note(what);
    if (s->free_sources_problem.empty()) s->free_sources_problem = what;
  };
  const SlubLayout& l = *slub_;
  for (size_t i = 0; i < cpus_.size(); ++i) {
    int64_t cpu = static_cast<int64_t>(cpus_[i]);
    try {
      if (info.cpu_slab) {
        uint64_t c = info.cpu_slab + cpu_offsets_[i];
        uint64_t slab = read_u64(mem_, c + l.c_slab);
        if (slab && read_u64(mem_, slab + l.slab_cache) == cache) {
          s->list_slabs.push_back({slab, SlabKind::CpuSlab, cpu});
          walk_freelist(info, slab, read_u64(mem_, c + l.c_freelist), s->cpu_free[slab]);
        }
        uint64_t seen = 0;
        for (uint64_t p = l.c_partial ? read_u64(mem_, c + *l.c_partial) : 0; p;
             p = read_u64(mem_, p + *l.slab_next)) {
          if (++seen > kMaxCpuPartial) {
            note(fmt::format("cache {} CPU {}: cpu partial chain longer than {} (cyclic?)", info.name, cpu,
                             kMaxCpuPartial));
            break;
          }
          s->list_slabs.push_back({p, SlabKind::CpuPartial, cpu});
        }
      }
      if (info.cpu_sheaves) {
        uint64_t pcs = info.cpu_sheaves + cpu_offsets_[i];
        for (uint64_t off : l.pcs_sheaves)
          if (uint64_t sheaf = read_u64(mem_, pcs + off))
            load_sheaf(info, sheaf, *s, fmt::format("cache {} CPU {} sheaf {:#x}", info.name, cpu, sheaf));
      }
    } catch (const Error& e) {
      note_free_source(fmt::format("cache {} CPU {}: {}", info.name, cpu, e.what()));
    }
  }
  ListLayout list = ListLayout::of(layout_);
  WalkLimits barn_limits;
  barn_limits.max_entries = kMaxBarnSheaves;
  for (uint64_t n = 0; n < nr_nodes_; ++n) {
    try {
      uint64_t node = node_pointer(cache, n);
      if (!node) continue;
      WalkStatus st = walk_list(mem_, list, node + l.n_partial, [&](uint64_t entry) {
        s->list_slabs.push_back({entry - l.slab_list, SlabKind::NodePartial, -1});
        return true;
      });
      if (!st.ok()) note(fmt::format("cache {} node {} partial list: {}", info.name, n, st.message()));
      uint64_t barn = l.barn_base ? read_u64(mem_, cache + *l.barn_base + n * l.node_stride)
                      : l.node_barn ? read_u64(mem_, node + *l.node_barn) : 0;
      if (!barn) continue;
      // Full sheaves hold free objects; empty ones have size 0 but are walked the same.
      for (uint64_t head : {barn + l.barn_full, barn + l.barn_empty}) {
        WalkStatus bs = walk_list(mem_, list, head, [&](uint64_t entry) {
          uint64_t sheaf = entry - l.sheaf_barn_list;
          load_sheaf(info, sheaf, *s, fmt::format("cache {} node {} barn sheaf {:#x}", info.name, n, sheaf));
          return true;
        }, barn_limits);
        if (!bs.ok()) note_free_source(fmt::format("cache {} node {} barn: {}", info.name, n, bs.message()));
      }
    } catch (const Error& e) {
      note_free_source(fmt::format("cache {} node {}: {}", info.name, n, e.what()));
    }
  }
  return *s;
}

void SlubAllocator::load_sheaf(const SlabCacheInfo& info, uint64_t sheaf, CacheState& s, const std::string& where) {
  uint64_t n = read_u32(mem_, sheaf + slub_->sheaf_size);
  if (n > kMaxSheafObjects) throw BadDataError(fmt::format("{}: implausible size {}", where, n));
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t object = read_u64(mem_, sheaf + slub_->sheaf_objects + i * 8);
    // Each object names its own slab: the head page of the page it lies in.
    uint64_t slab = pages_->compound_head(model_->virt_to_page(object));
    if (read_u64(mem_, slab + slub_->slab_cache) != info.address)
      throw BadDataError(fmt::format("{}: object {:#x} is not in a slab of the cache", where, object));
    s.sheaf_free[slab].insert(object);
  }
}

void SlubAllocator::scan_pages(WalkStatus* status) {
  if (!scanned_) {
    scanned_ = true;
    uint64_t unreadable = 0;
    scan_status_ = model_->for_each_page([&](uint64_t, uint64_t page, uint64_t flags) {
      try {
        if (pg_slab_ ? !(flags >> *pg_slab_ & 1) : !pages_->is_slab(page)) return true;
        if (pages_->compound_head(page) != page) return true;
        scanned_slabs_[read_u64(mem_, page + slub_->slab_cache)].push_back(page);
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
  auto sheaf = s.sheaf_free.find(slab);
  if (sheaf != s.sheaf_free.end()) free.insert(sheaf->second.begin(), sheaf->second.end());
  walk_freelist(cache_info(cache), slab, read_u64(mem_, slab + slub_->slab_freelist), free);
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
    if (!pages_->is_slab(head)) return std::nullopt;
  } catch (const FaultError&) {
    return std::nullopt;  // no struct page in the dump: not known to be a slab
  }
  uint64_t cache = read_u64(mem_, head + slub_->slab_cache);
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
  if (out.allocated) out.allocated_unknown = state(cache).free_sources_problem;
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
  WalkStatus ns;
  SlabCacheStats proc = node_statistics(cache, &ns);
  if (!ns.ok() && st.ok()) st.problem = ns.problem;
  // Without CONFIG_SLUB_DEBUG there are no node counters: the walk's figures stand in.
  s.proc_num_slabs = slub_->n_nr_slabs ? proc.proc_num_slabs : s.slabs;
  s.proc_num_objs = slub_->n_total_objects ? proc.proc_num_objs : s.objects;
  s.proc_partial_free = proc.proc_partial_free;
  s.proc_active_objs = s.proc_num_objs - std::min(s.proc_num_objs, s.proc_partial_free);
  if (status) *status = st;
  return s;
}

SlabCacheStats SlubAllocator::node_statistics(uint64_t cache, WalkStatus* status) {
  // mm/slub.c get_slabinfo(): slabs and objects from the node counters, free objects
  // only from the node partial lists.
  SlabCacheStats s;
  WalkStatus st;
  uint64_t nr_free = 0;
  const SlubLayout& l = *slub_;
  ListLayout list = ListLayout::of(layout_);
  for (uint64_t n = 0; n < nr_nodes_; ++n) {
    uint64_t node = node_pointer(cache, n);
    if (!node) continue;
    if (l.n_nr_slabs) s.proc_num_slabs += read_u64(mem_, node + *l.n_nr_slabs);
    if (l.n_total_objects) s.proc_num_objs += read_u64(mem_, node + *l.n_total_objects);
    WalkStatus ps = walk_list(mem_, list, node + l.n_partial, [&](uint64_t entry) {
      uint64_t slab = entry - l.slab_list;
      nr_free += slab_objects(slab) - std::min(slab_objects(slab), slab_inuse(slab));
      return true;
    });
    if (!ps.ok() && st.ok()) st.problem = ps.problem;
  }
  s.proc_partial_free = nr_free;
  s.proc_active_objs = s.proc_num_objs - std::min(s.proc_num_objs, nr_free);
  if (status) *status = st;
  return s;
}

}  // namespace kdive
