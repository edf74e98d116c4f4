// The expression built-ins for the memory model (pages, pfns, physical and virtual addresses), SLUB and identify_address (src/linux/), registered for kernel dumps only:
//   page_to_pfn(page) pfn_to_page(pfn) page_to_virt(page) page_to_phys(page)
//   virt_to_page(addr) virt_to_phys(addr) virt_to_pfn(addr) phys_to_virt(phys) pfn_to_virt(pfn)
//   compound_head(page)          (struct page *) head of its compound page
//   compound_order(page)         (unsigned int) 0 when not compound
//   find_slab_cache("name")      (struct kmem_cache *), NULL when none
//   slab_cache_count(cache)      allocated objects of a cache
//   slab_object_info(addr)       .slab_cache .slab .address .allocated, or None
//   identify_address(addr)       'slab object: kdive_obj+0x10', 'vmap stack: 102 (kdive_waiter) +0x3ec0 (live: ...)', ... or None
// An argument naming a struct is taken by address, like a pointer.
//
//   BuiltinRegistry reg;  register_memory_builtins(reg, *prog);
//   evaluator.evaluate("identify_address(kdive_live_obj)");
#pragma once

#include "lang/builtin_registry.h"
#include "program/program.h"

namespace kdive {

void register_memory_builtins(BuiltinRegistry& registry, Program& program);

}  // namespace kdive
