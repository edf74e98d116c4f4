// Native fast paths for kdive's drgn.helpers modules (python/drgn/helpers), as the
// submodule _drgn._kdive_helpers: kdive's C++ walks (lists, tasks, SLUB, printk,
// identify_address, the memory model) returning addresses and values in one call;
// the Python helpers turn them into drgn Objects.
#include <fmt/format.h>
#include <pybind11/stl.h>

#include "kdive/error.h"
#include "linux/identify_address.h"
#include "linux/kernel_layout.h"
#include "linux/list_walk.h"
#include "linux/maple_tree.h"
#include "linux/memory_model.h"
#include "linux/printk.h"
#include "linux/slab.h"
#include "linux/tasks.h"
#include "python/python_handles.h"
#include "python/python_object_value.h"

namespace kdive::python {

namespace {

// What the walks keep between calls for one opened Program (built on first use; a
// SlubAllocator scans the page array once). Stored in Program.cache and keyed by the
// kdive Program it was built for, so a reopened program (load_debug_info) starts over.
struct HelperState {
  Program* program = nullptr;
  std::unique_ptr<KernelLayout> layout;
  std::unique_ptr<MemoryModel> model;
  std::unique_ptr<Tasks> tasks;
  std::unique_ptr<SlubAllocator> slub;
  std::unique_ptr<AddressIdentifier> identifier;
  std::optional<ListLayout> list;
  std::optional<HlistLayout> hlist;
  std::optional<MapleLayout> maple;
};

constexpr const char* kStateKey = "_kdive_helpers_state";

HelperState& state(PyProgram& prog) {
  Program& program = prog.program();
  if (prog.cache.contains(kStateKey)) {
    auto& s = prog.cache[kStateKey].cast<HelperState&>();
    if (s.program == &program) return s;
  }
  HelperState fresh;
  fresh.program = &program;
  prog.cache[kStateKey] = py::cast(std::move(fresh), py::return_value_policy::move);
  return prog.cache[kStateKey].cast<HelperState&>();
}

KernelLayout& layout(HelperState& s) {
  if (!s.layout) s.layout = std::make_unique<KernelLayout>(*s.program);
  return *s.layout;
}
MemoryModel& model(HelperState& s) {
  if (!s.model) s.model = std::make_unique<MemoryModel>(*s.program);
  return *s.model;
}
Tasks& tasks(HelperState& s) {
  if (!s.tasks) s.tasks = std::make_unique<Tasks>(*s.program);
  return *s.tasks;
}
SlubAllocator& slub(HelperState& s) {
  if (!s.slub) s.slub = std::make_unique<SlubAllocator>(*s.program);
  return *s.slub;
}

// A walk's nodes, or None when it met a problem (a corrupt link, a fault): the Python
// helper then walks as drgn does, so the user sees drgn's behaviour and exception.
py::object nodes_or_none(const std::vector<uint64_t>& nodes, const WalkStatus& status) {
  if (!status.ok()) return py::none();
  return py::cast(nodes);
}

}  // namespace

void bind_helpers(py::module_& m) {
  py::module_ h = m.def_submodule("_kdive_helpers", "kdive's native walks behind drgn.helpers");
  py::class_<HelperState>(h, "_State");

  h.def("memory_model", [](const ProgramRef& prog) {
    MemoryModel& mm = model(state(*prog));
    py::dict d;
    d["page_offset"] = mm.page_offset();
    d["vmemmap"] = mm.vmemmap();
    d["page_shift"] = mm.page_shift();
    d["struct_page_size"] = mm.struct_page_size();
    d["min_pfn"] = mm.min_pfn();
    d["max_pfn"] = mm.max_pfn();
    return d;
  }, py::arg("prog"));
  h.def("virt_to_phys", [](const ProgramRef& prog, uint64_t addr) { return model(state(*prog)).virt_to_phys(addr); },
        py::arg("prog"), py::arg("address"));
  h.def("kaslr_offset", [](const ProgramRef& prog) { return prog->program().kaslr_offset(); }, py::arg("prog"));
  h.def("vmcoreinfo", [](const ProgramRef& prog) -> py::object {
    const Vmcoreinfo* v = prog->program().vmcoreinfo();
    if (!v) return py::none();
    return py::bytes(v->text());
  }, py::arg("prog"));

  // The list_head nodes after `head` (reverse: before), head excluded.
  h.def("list_nodes", [](const ProgramRef& prog, uint64_t head, bool reverse) {
    HelperState& s = state(*prog);
    if (!s.list) s.list = ListLayout::of(layout(s));
    std::vector<uint64_t> out;
    WalkStatus st = walk_list(s.program->memory(), *s.list, head, [&](uint64_t n) { out.push_back(n); return true; }, {},
                              reverse);
    return nodes_or_none(out, st);
  }, py::arg("prog"), py::arg("head"), py::arg("reverse") = false);
  // The `type *` Objects at each address minus `offset`: list_for_each_entry's entries
  // from a native walk, made in one call instead of one Object() call per node.
  h.def("pointer_objects", [](const ProgramRef& prog, const PyType& type, const std::vector<uint64_t>& addresses,
                              uint64_t offset) {
    const ObjectEnv& env = prog->program().object_env();
    py::list out(addresses.size());
    for (size_t i = 0; i < addresses.size(); ++i)
      out[i] = wrap_object(prog, Object::unsigned_value(env, type.type, addresses[i] - offset));
    return out;
  }, py::arg("prog"), py::arg("type"), py::arg("addresses"), py::arg("offset"));
  h.def("hlist_nodes", [](const ProgramRef& prog, uint64_t head) {
    HelperState& s = state(*prog);
    if (!s.hlist) s.hlist = HlistLayout::of(layout(s));
    std::vector<uint64_t> out;
    WalkStatus st = walk_hlist(s.program->memory(), *s.hlist, head, [&](uint64_t n) { out.push_back(n); return true; });
    return nodes_or_none(out, st);
  }, py::arg("prog"), py::arg("head"));

  // Maple trees (6.1+): the entry covering an index, and every (first, last, entry).
  h.def("mtree_load", [](const ProgramRef& prog, uint64_t tree, uint64_t index) {
    HelperState& s = state(*prog);
    if (!s.maple) s.maple = MapleLayout::of(layout(s));
    return mt_load(s.program->memory(), *s.maple, tree, index);
  }, py::arg("prog"), py::arg("tree"), py::arg("index"));
  h.def("mt_entries", [](const ProgramRef& prog, uint64_t tree) -> py::object {
    HelperState& s = state(*prog);
    if (!s.maple) s.maple = MapleLayout::of(layout(s));
    std::vector<std::tuple<uint64_t, uint64_t, uint64_t>> out;
    WalkStatus st = walk_maple_tree(s.program->memory(), *s.maple, tree, [&](const MapleEntry& e) {
      out.emplace_back(e.first, e.last, e.entry);
      return true;
    });
    if (!st.ok()) return py::none();
    return py::cast(out);
  }, py::arg("prog"), py::arg("tree"));

  // drgn's for_each_task(ns): the tasks of the PIDs in the namespace's IDR, in PID order.
  h.def("tasks", [](const ProgramRef& prog, uint64_t pid_ns) {
    std::vector<uint64_t> out;
    WalkStatus st = tasks(state(*prog)).for_each_task_in_ns(pid_ns, [&](uint64_t t) { out.push_back(t); return true; });
    return nodes_or_none(out, st);
  }, py::arg("prog"), py::arg("pid_ns") = 0);

  // The allocated objects of a SLUB cache; None when a slab could not be walked.
  h.def("slab_objects", [](const ProgramRef& prog, uint64_t cache) {
    std::vector<uint64_t> out;
    WalkStatus st = slub(state(*prog)).for_each_object(cache, [&](const SlabObject& o) {
      if (o.allocated) out.push_back(o.address);
      return true;
    });
    return nodes_or_none(out, st);
  }, py::arg("prog"), py::arg("cache"));
  // (struct kmem_cache *, struct slab *, object start, allocated) of a slab address.
  h.def("slab_object_info", [](const ProgramRef& prog, uint64_t addr) -> py::object {
    std::optional<SlabObjectInfo> i = slub(state(*prog)).object_info(addr);
    if (!i) return py::none();
    return py::make_tuple(i->cache, i->slab, i->address, i->allocated);
  }, py::arg("prog"), py::arg("address"));

  // drgn's identify_address() answer: kdive's adds the live/dead part of a stack, which
  // drgn does not print, so that suffix is cut.
  h.def("identify_address", [](const ProgramRef& prog, uint64_t addr) -> py::object {
    HelperState& s = state(*prog);
    if (!s.identifier) s.identifier = std::make_unique<AddressIdentifier>(*s.program);
    std::optional<std::string> r = s.identifier->identify(addr);
    if (!r) return py::none();
    for (const char* suffix : {" (live", " (dead"}) {
      size_t at = r->find(suffix);
      if (at != std::string::npos) r->resize(at);
    }
    return py::str(*r);
  }, py::arg("prog"), py::arg("address"));

  // Every printk record, oldest first: (text, facility, level, seq, timestamp,
  // caller_tid, caller_cpu, continuation, subsystem, device).
  h.def("printk_records", [](const ProgramRef& prog) {
    PrintkLog log = read_printk_log(prog->program());
    py::list out;
    for (const PrintkRecord& r : log.records) {
      py::object tid = py::none(), cpu = py::none();
      if (r.has_caller_id) {
        if (r.caller_id & 0x80000000u) cpu = py::int_(r.caller_id & 0x7fffffffu);
        else tid = py::int_(r.caller_id);
      }
      out.append(py::make_tuple(py::bytes(r.text), r.facility, r.level, r.seq, r.ts_nsec, tid, cpu, r.continuation,
                                py::bytes(r.subsystem), py::bytes(r.device)));
    }
    return out;
  }, py::arg("prog"));
}

}  // namespace kdive::python
