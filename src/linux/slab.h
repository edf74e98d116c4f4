// SlubAllocator: the SLUB slab allocator of a kernel dump — its caches (the
// `slab_caches` list), the slabs of each cache, every object with whether it is
// allocated or free, which slab object an address falls in, and /proc/slabinfo's
// per-cache statistics.
//
// Where the slabs are: the per-CPU caches of every possible CPU (after a panic the
// other CPUs are offline but their caches still hold free objects) — the current
// slab and cpu partial chain (kmem_cache_cpu), and/or the sheaves; the per-node
// partial lists and barns; and, for full slabs that no list holds, the page array:
// every head page marked slab whose slab_cache is the cache (one scan of the vmemmap
// finds the slabs of every cache). An object is free when it is on its slab's
// freelist, on the lockless freelist of a CPU whose current slab it is in
// (kmem_cache_cpu.freelist), or in a sheaf (a per-CPU main/spare/rcu_free sheaf or
// a full sheaf in a node's barn: freed by its user, though its slab counts it in use).
//
// Kernel variants are detected once, by presence, in SlubLayout (slab_layout.h). A
// stored free pointer is, with CONFIG_SLAB_FREELIST_HARDENED (kmem_cache.random),
//   ptr ^ s->random ^ swab(address where it is stored)          (mm/slub.c, 5.7+)
// Only SLUB: a SLAB or SLOB kernel is refused by the constructor.
//
// Bounded: a freelist longer than its slab's object count, or pointing outside its
// slab or between objects, stops with a problem naming the slab; the partial chains
// and lists are bounded walks.
//
//   SlubAllocator slub(program);
//   uint64_t cache = *slub.find_cache("kdive_obj");
//   slub.for_each_object(cache, [&](const SlabObject& o) { n += o.allocated; return true; });
//   std::optional<SlabObjectInfo> i = slub.object_info(addr);   // cache, slab, start, allocated
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "linux/kernel_layout.h"
#include "linux/memory_model.h"
#include "linux/page.h"
#include "linux/slab_layout.h"
#include "linux/walk_status.h"
#include "types/type_layout.h"

namespace kdive {

class Program;

struct SlabCacheInfo {
  uint64_t address = 0;  // struct kmem_cache *
  std::string name;
  uint64_t size = 0;         // s->size: the object stride
  uint64_t object_size = 0;  // s->object_size
  uint64_t offset = 0;       // s->offset: where a free object keeps its next pointer
  uint64_t red_left_pad = 0;
  std::optional<uint64_t> random;  // CONFIG_SLAB_FREELIST_HARDENED
  uint64_t objects_per_slab = 0;   // oo_objects(s->oo)
  uint64_t order = 0;              // oo_order(s->oo)
  int64_t refcount = 0;            // > 1: merged with other caches
  uint64_t cpu_slab = 0;     // per-CPU pointer (struct kmem_cache_cpu __percpu *), 0 if none
  uint64_t cpu_sheaves = 0;  // per-CPU pointer (struct slub_percpu_sheaves __percpu *), 0 if none
};

enum class SlabKind { CpuSlab, CpuPartial, NodePartial, Full };
const char* slab_kind_name(SlabKind kind);  // "cpu", "cpu-partial", "partial", "full"

struct SlabRef {
  uint64_t slab = 0;  // struct slab * (== the head struct page *)
  SlabKind kind = SlabKind::Full;
  int64_t cpu = -1;   // for CpuSlab / CpuPartial
};

struct SlabObject {
  uint64_t address = 0;
  uint64_t slab = 0;
  bool allocated = false;
};

struct SlabObjectInfo {
  uint64_t cache = 0;    // struct kmem_cache *
  std::string cache_name;
  uint64_t slab = 0;     // struct slab *
  uint64_t address = 0;  // start of the object
  bool allocated = false;
  // Set when the object is on no free list that could be read but some per-CPU or
  // barn cache of free objects could not (e.g. a page makedumpfile filtered out):
  // then `allocated` is a guess, and this says why.
  std::string allocated_unknown;
};

// One cache's counts, from walking every slab (exact), and /proc/slabinfo's figures
// (from the node counters and partial lists, as mm/slub.c get_slabinfo() computes them).
struct SlabCacheStats {
  uint64_t slabs = 0, objects = 0, allocated = 0, free = 0;  // exact
  uint64_t proc_active_objs = 0, proc_num_objs = 0, proc_num_slabs = 0;
  uint64_t proc_partial_free = 0;  // free objects on the node partial lists
};

using SlabObjectVisitor = std::function<bool(const SlabObject&)>;

// Where one slab's objects are, for checking its freelist.
struct SlabGeometry {
  uint64_t first_object = 0;  // slab address + red_left_pad
  uint64_t objects = 0;       // slab->objects
  uint64_t size = 0;          // s->size
  uint64_t free_pointer_offset = 0;   // s->offset
  std::optional<uint64_t> random;     // s->random (CONFIG_SLAB_FREELIST_HARDENED)
};

// The free pointer stored at `stored_at`, decoded: stored ^ random ^ swab(stored_at)
// when hardened, else as stored.
uint64_t slub_decode_free_pointer(uint64_t stored, uint64_t stored_at, std::optional<uint64_t> random);
// Adds every object of the freelist starting at `first` to `out`. BadDataError naming
// `what` when an entry is not an object of the slab, or the list is cyclic or longer
// than the slab; FaultError when an object cannot be read.
void walk_slub_freelist(const MemoryReader& mem, const SlabGeometry& slab, uint64_t first,
                        std::unordered_set<uint64_t>& out, const std::string& what);

class SlubAllocator {
 public:
  // LookupError when the kernel has no slab_caches or is not SLUB. `memory` replaces
  // the program's memory for every read (tests damage a patched copy).
  explicit SlubAllocator(Program& program, const MemoryReader* memory = nullptr);
  ~SlubAllocator();

  Program& program() const { return program_; }
  const MemoryModel& model() const { return *model_; }
  PageDecoder& pages() { return *pages_; }
  const SlubLayout& layout() const { return *slub_; }
  // What was detected, for `info`: "SLUB, struct slab, per-CPU sheaves + node barns,
  // PGTY_slab page type, hardened freelist".
  std::string layout_description() const { return slub_->description(); }

  // Every cache on slab_caches, in list order.
  WalkStatus for_each_cache(const std::function<bool(uint64_t cache)>& visit);
  std::optional<uint64_t> find_cache(std::string_view name);
  const SlabCacheInfo& cache_info(uint64_t cache);

  // The slabs of a cache, every list and the page array merged, by address. The first
  // call scans the page array once for all caches; `status` gets its problems.
  std::vector<SlabRef> slabs(uint64_t cache, WalkStatus* status = nullptr);
  // Every object of every slab of the cache, in slab then address order.
  WalkStatus for_each_object(uint64_t cache, const SlabObjectVisitor& visit);
  // The slab object `address` lies in; nullopt when it is not in a slab page (or in a
  // slab's unused tail). FaultError/BadDataError only for corrupt slab data.
  std::optional<SlabObjectInfo> object_info(uint64_t address);
  SlabCacheStats statistics(uint64_t cache, WalkStatus* status = nullptr);
  // Only the proc_* figures, from the node counters and partial lists, without walking
  // every slab; zero slabs/objects when the kernel keeps no node counters
  // (has_node_counters() false: no CONFIG_SLUB_DEBUG).
  SlabCacheStats node_statistics(uint64_t cache, WalkStatus* status = nullptr);
  bool has_node_counters() const { return slub_->n_nr_slabs && slub_->n_total_objects; }

  // The free objects of one slab (its freelist, the lockless freelist of the CPU it
  // is current on, and its objects in sheaves). BadDataError for a corrupt or cyclic
  // freelist.
  const std::unordered_set<uint64_t>& free_objects(uint64_t cache, uint64_t slab);
  uint64_t slab_objects(uint64_t slab);  // slab->objects
  uint64_t slab_inuse(uint64_t slab);    // slab->inuse
  uint64_t slab_address(uint64_t slab) { return model_->page_to_virt(slab); }

 private:
  struct CacheState;
  CacheState& state(uint64_t cache);
  void scan_pages(WalkStatus* status);
  void walk_freelist(const SlabCacheInfo& info, uint64_t slab, uint64_t first,
                     std::unordered_set<uint64_t>& out);
  uint64_t read_bitfield(uint64_t base, const FoundMember& m);

  void load_sheaf(const SlabCacheInfo& info, uint64_t sheaf, CacheState& s, const std::string& where);
  uint64_t node_pointer(uint64_t cache, uint64_t node);

  Program& program_;
  const MemoryReader& mem_;
  KernelLayout layout_;
  std::unique_ptr<MemoryModel> model_;
  std::unique_ptr<PageDecoder> pages_;
  std::unique_ptr<SlubLayout> slub_;
  uint64_t slab_caches_ = 0;
  std::optional<unsigned> pg_slab_;  // the PG_slab bit, when slabs are a page flag
  std::vector<uint64_t> cpu_offsets_;  // (cpu, __per_cpu_offset[cpu]) for possible CPUs
  std::vector<uint64_t> cpus_;
  uint64_t nr_nodes_ = 1;
  std::map<uint64_t, SlabCacheInfo> infos_;
  std::map<uint64_t, std::unique_ptr<CacheState>> states_;
  bool scanned_ = false;
  WalkStatus scan_status_;
  std::unordered_map<uint64_t, std::vector<uint64_t>> scanned_slabs_;  // cache -> slabs
};

}  // namespace kdive
