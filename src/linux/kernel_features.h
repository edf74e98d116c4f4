// KernelFeatures: the layout choices kdive made for the dumped kernel, as the debug
// info and VMCOREINFO decided them — paging depth, task and thread lists, mm counters,
// VMA store, module memory layout, printk buffer, page cache, slab allocator, ORC
// format and ftrace ring buffer — for `info`, so a user sees what kdive assumed about a kernel it never saw.
//
//   for (const KernelFeature& f : detect_kernel_features(program)) out << f.name << ": " << f.value;
#pragma once

#include <string>
#include <vector>

namespace kdive {

class Program;

struct KernelFeature {
  std::string name;   // "paging", "threads", "slab", ...
  std::string value;  // what was detected, naming the members that decided it
};

// One entry per subsystem; a subsystem whose layout cannot be told says so in its
// value instead of failing the rest.
std::vector<KernelFeature> detect_kernel_features(Program& program);

}  // namespace kdive
