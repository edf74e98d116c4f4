// SlubAllocator: the SLUB slab allocator of a kernel dump — its caches (the
// `slab_caches` list), the slabs of each cache, every object with whether it is
// allocated or free, which slab object an address falls in, and /proc/slabinfo's
// per-cache statistics.
//
// Where the slabs are: the per-CPU slab and partial chain (kmem_cache.cpu_slab, for
// every possible CPU: after a panic the other CPUs are offline but their slabs still
// hold free objects), the per-node partial lists (kmem_cache_node.partial) and, for
// full slabs that no list holds, the page array: every head page with PG_slab whose
// slab_cache is the cache (one scan of the vmemmap finds the slabs of every cache).
// An object is free when it is on its slab's freelist or, for a CPU's current slab,
// on that CPU's lockless freelist (kmem_cache_cpu.freelist).
//
// Kernel variants, detected by presence: `struct slab` (5.17+) or the slab fields of
// `struct page`; kmem_cache_cpu.slab or .page; CONFIG_SLAB_FREELIST_HARDENED
// (kmem_cache.random present): a stored free pointer is
//   ptr ^ s->random ^ swab(address where it is stored)          (mm/slub.c, 5.7+)
// Only SLUB: a SLAB kernel (freelist_idx_t) or SLOB kernel is refused by the constructor.
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
  uint64_t cpu_slab = 0;           // per-CPU pointer (struct kmem_cache_cpu __percpu *)
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
};

// One cache's counts, from walking every slab (exact), and /proc/slabinfo's figures
// (from the node counters and partial lists, as mm/slub.c get_slabinfo() computes them).
struct SlabCacheStats {
  uint64_t slabs = 0, objects = 0, allocated = 0, free = 0;  // exact
  uint64_t proc_active_objs = 0, proc_num_objs = 0, proc_num_slabs = 0;
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

  // The free objects of one slab (its freelist, and the lockless freelist of the CPU
  // it is current on). BadDataError for a corrupt or cyclic freelist.
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

  Program& program_;
  const MemoryReader& mem_;
  KernelLayout layout_;
  std::unique_ptr<MemoryModel> model_;
  std::unique_ptr<PageDecoder> pages_;
  std::string slab_type_;  // "struct slab" or "struct page"
  uint64_t slab_caches_ = 0;
  uint64_t off_page_flags_ = 0;
  uint64_t off_list_ = 0, off_name_ = 0, off_size_ = 0, off_object_size_ = 0, off_offset_ = 0, off_oo_ = 0,
           off_refcount_ = 0, off_cpu_slab_ = 0, off_node_ = 0;
  std::optional<uint64_t> off_random_, off_red_left_pad_;
  uint64_t off_slab_cache_ = 0, off_slab_freelist_ = 0, off_slab_list_ = 0, off_slab_next_ = 0;
  FoundMember objects_field_, inuse_field_;
  uint64_t off_c_freelist_ = 0, off_c_slab_ = 0, off_c_partial_ = 0;
  uint64_t off_n_partial_ = 0, off_n_nr_slabs_ = 0, off_n_total_objects_ = 0;
  unsigned pg_slab_ = 0;
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
