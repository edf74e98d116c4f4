// The declared C types of the kernel globals that kdive's helpers (and drgn's) start
// from, for a dump read without DWARF: Debian's BTF has a VAR only for per-CPU
// variables, so `init_task`, `slab_caches`, `prb`, ... would be bare addresses. Each
// entry is the declaration as the kernel source has it, with alternatives where
// kernels differ (tried in order; the first whose types BTF has wins).
//
//   for (std::string_view t : kernel_root_type_spellings("prb")) ...  // "struct printk_ringbuffer *"
#pragma once

#include <string_view>
#include <utility>
#include <vector>

namespace kdive {

// The type spellings of a root global, most recent kernels first; empty when `name`
// is not in the table.
std::vector<std::string_view> kernel_root_type_spellings(std::string_view name);

// The whole table, for `info` and the documentation test: (name, "t1|t2|...").
const std::vector<std::pair<std::string_view, std::string_view>>& kernel_root_types();

}  // namespace kdive
