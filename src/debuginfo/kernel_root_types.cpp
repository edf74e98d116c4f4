// The root table: each entry is the global's declaration in the kernel sources
// (include/linux/*.h, mm/, kernel/), newest first where it changed: e.g. `tk_core`
// was an anonymous struct before it became `struct tk_data`, and bus types and
// classes became const. Spellings whose types a kernel's BTF lacks are skipped by the caller, so
// an entry never names a type that is not there. Arrays whose length depends on the
// configuration (NR_CPUS, MAX_NUMNODES) are left incomplete here and sized by the
// distance to the next symbol; a length that is an enumerator ([NR_VM_ZONE_STAT_ITEMS])
// takes its value from BTF; CHRDEV_MAJOR_HASH_SIZE and BLKDEV_MAJOR_HASH_SIZE are 255.
// "struct { a; b; }" names a variable's unnamed struct type by its members' names.
#include "debuginfo/kernel_root_types.h"

#include <algorithm>

namespace kdive {

namespace {
using Entry = std::pair<std::string_view, std::string_view>;

std::vector<Entry> sorted_table() {
  std::vector<Entry> t = {
      // tasks, namespaces, credentials
      {"init_task", "struct task_struct"},
      {"init_mm", "struct mm_struct"},
      {"init_pid_ns", "struct pid_namespace"},
      {"init_uts_ns", "struct uts_namespace"},
      {"init_ipc_ns", "struct ipc_namespace"},
      {"init_net", "struct net"},
      {"init_nsproxy", "struct nsproxy"},
      {"init_files", "struct files_struct"},
      {"init_css_set", "struct css_set"},
      {"init_thread_union", "union thread_union"},
      {"init_stack", "unsigned long []"},
      // fs/proc/array.c: BUILD_BUG_ON(1 + ilog2(TASK_REPORT_MAX) != ARRAY_SIZE(...)),
      // 9 entries since TASK_REPORT_IDLE (4.14); the next symbol is further away.
      {"task_state_array", "const char *const [9]"},
      {"nr_threads", "int"},
      {"total_forks", "unsigned long"},
      {"uidhash_table", "struct hlist_head []"},
      {"task_struct_cachep", "struct kmem_cache *"},
      {"thread_stack_cache", "struct kmem_cache *"},
      // modules, printk, panic state
      {"modules", "struct list_head"},
      {"prb", "struct printk_ringbuffer *"},
      {"printk_rb_static", "struct printk_ringbuffer"},
      {"printk_rb_dynamic", "struct printk_ringbuffer"},
      {"log_buf", "char *"},
      {"console_printk", "int [4]"},
      {"panic_cpu", "atomic_t"},
      {"panic_on_oops", "int"},
      {"oops_in_progress", "int"},
      {"tainted_mask", "unsigned long"},
      {"taint_flags", "const struct taint_flag []"},
      {"system_state", "enum system_states"},
      {"saved_command_line", "char *"},
      {"boot_command_line", "char []"},
      {"kernel_config_data", "char"},
      {"kernel_config_data_end", "char"},
      {"orc_fp_entry", "struct orc_entry"},
      // CPUs and time. Per-CPU variables are BTF VARs where pahole emitted them; Debian's
      // 5.10 BTF has none (no VAR, no DATASEC), so the ones helpers start from are here.
      {"runqueues", "struct rq"},
      {"current_task", "struct task_struct *"},
      {"cpu_number", "int"},
      {"this_cpu_off", "unsigned long"},
      {"kernel_cpustat", "struct kernel_cpustat"},
      {"kstat", "struct kernel_stat"},
      {"vm_event_states", "struct vm_event_state"},
      {"hrtimer_bases", "struct hrtimer_cpu_base"},
      {"__per_cpu_offset", "unsigned long []"},
      {"nr_cpu_ids", "unsigned int"},
      {"__cpu_online_mask", "struct cpumask"},
      {"__cpu_possible_mask", "struct cpumask"},
      {"__cpu_present_mask", "struct cpumask"},
      {"__cpu_active_mask", "struct cpumask"},
      {"jiffies", "volatile unsigned long"},
      {"jiffies_64", "u64"},
      {"loops_per_jiffy", "unsigned long"},
      {"avenrun", "unsigned long [3]"},
      {"tk_core", "struct tk_data|struct { seq; timekeeper; }"},
      {"timekeeper_data", "struct tk_data [TIMEKEEPERS_MAX]"},
      {"nr_irqs", "int"},
      {"sparse_irqs", "struct maple_tree|struct radix_tree_root"},
      {"poll_spurious_irq_timer", "struct timer_list"},
      // memory
      {"slab_caches", "struct list_head"},
      {"page_offset_base", "unsigned long"},
      {"vmemmap_base", "unsigned long"},
      {"vmalloc_base", "unsigned long"},
      {"high_memory", "void *"},
      {"max_pfn", "unsigned long"},
      {"min_low_pfn", "unsigned long"},
      {"max_low_pfn", "unsigned long"},
      {"_totalram_pages", "atomic_long_t"},
      {"totalram_pages", "atomic_long_t|unsigned long"},
      {"mem_section", "struct mem_section **"},
      {"__highest_present_section_nr", "unsigned long"},
      {"sections_per_block", "unsigned long"},
      {"node_data", "struct pglist_data *[]"},
      {"contig_page_data", "struct pglist_data"},
      {"nr_node_ids", "unsigned int"},
      {"node_states", "nodemask_t [NR_NODE_STATES]"},
      {"vm_zone_stat", "atomic_long_t [NR_VM_ZONE_STAT_ITEMS]"},
      {"vm_node_stat", "atomic_long_t [NR_VM_NODE_STAT_ITEMS]"},
      {"vm_committed_as", "struct percpu_counter"},
      {"sysctl_overcommit_kbytes", "unsigned long"},
      {"sysctl_overcommit_ratio", "int"},
      {"vmap_area_list", "struct list_head"},
      {"vmap_area_root", "struct rb_root"},
      {"vmap_nodes", "struct vmap_node *"},
      {"nr_vmap_nodes", "unsigned int"},
      {"hstates", "struct hstate []"},
      {"hugetlb_max_hstate", "int"},
      {"swap_info", "struct swap_info_struct *[]"},
      {"nr_swapfiles", "unsigned int"},
      {"total_swap_pages", "long"},
      {"nr_swap_pages", "atomic_long_t"},
      {"swapper_spaces", "struct address_space *[]"},
      {"nr_swapper_spaces", "unsigned int []"},
      {"root_mem_cgroup", "struct mem_cgroup *"},
      {"iomem_resource", "struct resource"},
      {"ioport_resource", "struct resource"},
      {"crashk_res", "struct resource"},
      // files, devices, cgroups, networking, BPF
      {"super_blocks", "struct list_head"},
      {"blockdev_superblock", "struct super_block *"},
      {"block_class", "const struct class|struct class"},
      {"chrdevs", "struct char_device_struct *[255]"},
      {"cdev_map", "struct kobj_map *"},
      {"major_names", "struct blk_major_name *[255]"},
      {"sysfs_root_kn", "struct kernfs_node *"},
      {"bus_kset", "struct kset *"},
      {"slab_kset", "struct kset *"},
      {"pci_bus_type", "const struct bus_type|struct bus_type"},
      {"memory_subsys", "const struct bus_type|struct bus_type"},
      {"pci_root_buses", "struct list_head"},
      {"cgrp_dfl_root", "struct cgroup_root"},
      {"cgroup_roots", "struct list_head"},
      {"net_namespace_list", "struct list_head"},
      {"ns_file_operations", "const struct file_operations"},
      {"netns_operations", "const struct proc_ns_operations"},
      {"map_idr", "struct idr"},
      {"prog_idr", "struct idr"},
      // tracing
      {"global_trace", "struct trace_array"},
      {"ftrace_trace_arrays", "struct list_head"},
  };
  std::sort(t.begin(), t.end());
  return t;
}
}  // namespace

const std::vector<Entry>& kernel_root_types() {
  static const std::vector<Entry> table = sorted_table();
  return table;
}

std::vector<std::string_view> kernel_root_type_spellings(std::string_view name) {
  const auto& t = kernel_root_types();
  auto it = std::lower_bound(t.begin(), t.end(), name, [](const Entry& e, std::string_view n) { return e.first < n; });
  std::vector<std::string_view> out;
  if (it == t.end() || it->first != name) return out;
  std::string_view s = it->second;
  while (!s.empty()) {
    size_t bar = s.find('|');
    out.push_back(s.substr(0, bar));
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
  }
  return out;
}

}  // namespace kdive
