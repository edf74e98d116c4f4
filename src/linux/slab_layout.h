// SlubLayout: where SLUB keeps things in the dumped kernel, decided once from its
// DWARF by which members and types exist — the one place that knows SLUB's variants:
//   slab descriptor:  struct slab (5.17+) or the slab fields of struct page;
//   per-CPU caching:  kmem_cache.cpu_slab → struct kmem_cache_cpu (current slab,
//                     lockless freelist, optional cpu partial chain through
//                     slab->next), and/or kmem_cache.cpu_sheaves → struct
//                     slub_percpu_sheaves (main/spare/rcu_free arrays of free object
//                     pointers, 6.18+; in 7.x the only per-CPU cache, once
//                     kmem_cache_cpu and cpu partial slabs were removed);
//   nodes:            kmem_cache.node[] pointers, or kmem_cache.per_node[].node; a
//                     node's barn of full/empty sheaves in per_node[].barn or
//                     kmem_cache_node.barn;
//   node counters:    kmem_cache_node.nr_slabs/total_objects (CONFIG_SLUB_DEBUG);
//   free pointers:    hardened (CONFIG_SLAB_FREELIST_HARDENED) when kmem_cache.random
//                     exists;
//   slab pages:       PG_slab flag or slab page type (PageDecoder::is_slab()).
// A kernel with none of cpu_slab/cpu_sheaves (SLAB, SLOB) is refused with an error
// naming the kernel release and the missing members.
//
//   SlubLayout l(program, pages);
//   if (l.cpu_sheaves) ...;   fmt::print("{}\n", l.description());
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "linux/kernel_layout.h"
#include "types/type_layout.h"

namespace kdive {

class Program;
class PageDecoder;

struct SlubLayout {
  SlubLayout(Program& program, PageDecoder& pages);

  // "SLUB, struct slab, per-CPU sheaves + node barns, PGTY_slab page type, hardened
  // freelist" — for `info`.
  std::string description() const { return description_; }

  std::string slab_type;  // "struct slab" or "struct page"
  // struct kmem_cache
  uint64_t list = 0, name = 0, size = 0, object_size = 0, offset = 0, oo = 0, refcount = 0;
  std::optional<uint64_t> random, red_left_pad;
  // per-CPU slabs (kmem_cache_cpu)
  std::optional<uint64_t> cpu_slab;
  uint64_t c_freelist = 0, c_slab = 0;
  std::optional<uint64_t> c_partial;
  // per-CPU sheaves
  std::optional<uint64_t> cpu_sheaves;
  std::vector<uint64_t> pcs_sheaves;  // offsets of main, spare, rcu_free in slub_percpu_sheaves
  uint64_t sheaf_size = 0, sheaf_objects = 0, sheaf_barn_list = 0;
  // nodes: the kmem_cache_node * of node n is at cache + node_base + n * node_stride
  uint64_t node_base = 0, node_stride = 8, max_nodes = 1;
  // a node's barn: at cache + barn_base + n * node_stride, or at node + node_barn
  std::optional<uint64_t> barn_base, node_barn;
  uint64_t barn_full = 0, barn_empty = 0;
  // struct kmem_cache_node
  uint64_t n_partial = 0;
  std::optional<uint64_t> n_nr_slabs, n_total_objects;
  // the slab descriptor
  uint64_t slab_cache = 0, slab_freelist = 0, slab_list = 0;
  std::optional<uint64_t> slab_next;  // cpu partial chain
  FoundMember objects, inuse;

 private:
  std::string description_;
};

}  // namespace kdive
