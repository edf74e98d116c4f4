// SlubLayout implementation (slab_layout.h): every presence question asked once.
#include "linux/slab_layout.h"

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/page.h"
#include "program/program.h"

namespace kdive {

namespace {
constexpr const char* kCache = "struct kmem_cache";
constexpr const char* kNode = "struct kmem_cache_node";
}  // namespace

SlubLayout::SlubLayout(Program& program, PageDecoder& pages) {
  KernelLayout l(program);
  cpu_slab = l.find_offset(kCache, "cpu_slab");
  cpu_sheaves = l.find_offset(kCache, "cpu_sheaves");
  if ((!cpu_slab && !cpu_sheaves) || !l.has_member(kCache, "offset"))
    throw LookupError(fmt::format("kernel {}: this kernel's slab allocator is not SLUB as kdive knows it "
                                  "('struct kmem_cache' has neither 'cpu_slab' nor 'cpu_sheaves', or no 'offset')",
                                  program.kernel_release()));
  slab_type = program.find_type(TypeKind::Struct, "slab").type ? "struct slab" : "struct page";
  list = l.offset(kCache, "list");
  name = l.offset(kCache, "name");
  size = l.offset(kCache, "size");
  object_size = l.offset(kCache, "object_size");
  offset = l.offset(kCache, "offset");
  oo = l.offset(kCache, "oo");
  refcount = l.offset(kCache, "refcount");
  random = l.find_offset(kCache, "random");
  red_left_pad = l.find_offset(kCache, "red_left_pad");

  if (cpu_slab) {
    const char* c = "struct kmem_cache_cpu";
    c_freelist = l.offset(c, "freelist");
    // kmem_cache_cpu.page became .slab with struct slab (5.17).
    c_slab = l.first_offset(c, {"slab", "page"});
    c_partial = l.find_offset(c, "partial");  // CONFIG_SLUB_CPU_PARTIAL
  }
  if (cpu_sheaves) {
    const char* p = "struct slub_percpu_sheaves";
    for (const char* m : {"main", "spare", "rcu_free"})
      if (std::optional<uint64_t> o = l.find_offset(p, m)) pcs_sheaves.push_back(*o);
    sheaf_size = l.offset("struct slab_sheaf", "size");
    sheaf_objects = l.offset("struct slab_sheaf", "objects");
    sheaf_barn_list = l.offset("struct slab_sheaf", "barn_list");
  }

  // Nodes: kmem_cache.node[MAX_NUMNODES] of pointers, or (7.x) per_node[] pairs of
  // {barn, node} pointers.
  if (std::optional<uint64_t> n = l.find_offset(kCache, "node")) {
    node_base = *n;
    node_stride = 8;
    max_nodes = l.array_length(kCache, "node");
  } else {
    const char* pn = "struct kmem_cache_per_node_ptrs";
    uint64_t base = l.offset(kCache, "per_node");
    node_stride = l.size_of(pn);
    node_base = base + l.offset(pn, "node");
    if (std::optional<uint64_t> b = l.find_offset(pn, "barn")) barn_base = base + *b;
    max_nodes = l.array_length(kCache, "per_node");
  }
  if (!barn_base) node_barn = l.find_offset(kNode, "barn");
  if (barn_base || node_barn) {
    barn_full = l.offset("struct node_barn", "sheaves_full");
    barn_empty = l.offset("struct node_barn", "sheaves_empty");
  }
  n_partial = l.offset(kNode, "partial");
  n_nr_slabs = l.find_offset(kNode, "nr_slabs");
  n_total_objects = l.find_offset(kNode, "total_objects");

  slab_cache = l.offset(slab_type, "slab_cache");
  slab_freelist = l.offset(slab_type, "freelist");
  // The list member is slab_list (struct slab, and struct page since 4.20), else lru.
  slab_list = l.first_offset(slab_type, {"slab_list", "lru"});
  if (c_partial) slab_next = l.offset(slab_type, "next");
  QualifiedType st = l.type(slab_type);
  objects = member_of(st, "objects");
  inuse = member_of(st, "inuse");

  std::vector<std::string> parts = {"SLUB", slab_type};
  if (cpu_slab) parts.push_back(c_partial ? "per-CPU slabs + cpu partial lists" : "per-CPU slabs");
  if (cpu_sheaves) parts.push_back(barn_base || node_barn ? "per-CPU sheaves + node barns" : "per-CPU sheaves");
  parts.push_back(pages.slab_marker_description());
  parts.push_back(random ? "hardened freelist" : "plain freelist");
  for (const std::string& p : parts) description_ += (description_.empty() ? "" : ", ") + p;
}

}  // namespace kdive
