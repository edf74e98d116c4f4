// The _linux_helper_* functions of drgn's _drgn core, which drgn's own helper package
// (drgn.helpers.linux: find_task, per_cpu_ptr, task_cpu, idr_find, xa_load,
// access_process_vm, ...) calls, implemented on kdive's kernel walkers (src/linux).
#include <pybind11/stl.h>

#include <fmt/format.h>

#include "kdive/error.h"
#include "linux/idr.h"
#include "linux/kernel_layout.h"
#include "linux/memory_model.h"
#include "linux/tasks.h"
#include "linux/xarray.h"
#include "python/python_handles.h"
#include "python/python_object_value.h"
#include "target/kernel_virtual_memory.h"
#include "target/page_table_walker.h"

namespace kdive::python {

namespace {

Tasks& tasks_of(PyProgram& prog) {
  if (!prog.tasks_cache) prog.tasks_cache = std::make_shared<Tasks>(prog.program());
  return *prog.tasks_cache;
}

const PyObj& object_arg(const py::handle& h, const char* what) {
  if (!py::isinstance<PyObj>(h)) throw py::type_error(fmt::format("{} must be Object", what));
  return h.cast<const PyObj&>();
}

// The address an Object argument stands for: a pointer's value, else the object's
// own address (a reference to the structure itself).
uint64_t address_arg(const Object& o) {
  QualifiedType u = o.underlying();
  if (u.type && u.type->kind() == TypeKind::Pointer) return o.as_unsigned();
  return o.address();
}

uint64_t index_arg(const py::handle& h) {
  return py::module_::import("operator").attr("index")(h).cast<py::int_>().cast<uint64_t>();
}

py::object typed_pointer(const ProgramRef& prog, std::string_view type, uint64_t value) {
  Program& p = prog->program();
  return wrap_object(prog, Object::unsigned_value(p.object_env(), p.find_type(type), value));
}

// A Program or a `struct pid_namespace *`: the namespace's address (init_pid_ns for a
// Program) and the program.
std::pair<ProgramRef, uint64_t> namespace_arg(const py::handle& h) {
  if (py::isinstance<PyProgram>(h)) {
    ProgramRef prog = h.cast<ProgramRef>();
    std::optional<Object> ns = prog->program().find_object("init_pid_ns", kGlobalVariable);
    if (!ns) throw LookupError("could not find 'init_pid_ns'");
    return {prog, ns->address()};
  }
  const PyObj& o = object_arg(h, "prog_or_ns");
  return {o.prog, address_arg(o.obj)};
}

const KernelVirtualMemory& kernel_memory(PyProgram& prog) {
  const auto* kvm = dynamic_cast<const KernelVirtualMemory*>(&prog.program().memory());
  if (!kvm) throw UsageError("not a Linux kernel dump with page tables");
  return *kvm;
}

// The page tables rooted at `pgd` (a kernel virtual address, as mm_struct.pgd holds).
PageTableWalker user_walker(PyProgram& prog, uint64_t pgd) {
  const KernelVirtualMemory& kvm = kernel_memory(prog);
  uint64_t root = kvm.walker().translate(pgd).physical;
  return PageTableWalker(kvm.physical(), root, kvm.walker().levels());
}

}  // namespace

void bind_linux_helpers(py::module_& m) {
  m.def("_linux_helper_kaslr_offset", [](PyProgram& prog) { return prog.program().kaslr_offset(); });
  m.def("_linux_helper_pgtable_l5_enabled", [](PyProgram& prog) { return kernel_memory(prog).walker().levels() == 5; });
  m.def("_linux_helper_direct_mapping_offset", [](PyProgram& prog) { return MemoryModel(prog.program()).page_offset(); });

  m.def("_linux_helper_read_vm", [](PyProgram& prog, const py::object& pgd, const py::object& address,
                                     const py::object& size_arg) {
    size_t size = size_argument(size_arg);
    PageTableWalker walker = user_walker(prog, index_arg(pgd));
    const MemoryReader& phys = kernel_memory(prog).physical();
    uint64_t addr = index_arg(address);
    std::string buf(size, '\0');
    size_t done = 0;
    while (done < size) {
      uint64_t va = addr + done;
      Translation t = walker.translate(va);
      size_t chunk = std::min<uint64_t>(size - done, 4096 - (va & 4095));
      phys.read(t.physical, buf.data() + done, chunk, AddressSpace::Physical);
      done += chunk;
    }
    return py::bytes(buf);
  }, py::arg("prog"), py::arg("pgtable"), py::arg("address"), py::arg("size"));
  m.def("_linux_helper_follow_phys", [](PyProgram& prog, const py::object& pgd, const py::object& address) {
    return user_walker(prog, index_arg(pgd)).translate(index_arg(address)).physical;
  }, py::arg("prog"), py::arg("pgtable"), py::arg("address"));

  m.def("_linux_helper_per_cpu_ptr", [](const py::object& ptr, const py::object& cpu) {
    const PyObj& o = object_arg(ptr, "ptr");
    uint64_t n = index_arg(cpu);
    uint64_t offset = tasks_of(*o.prog).per_cpu_offset(n);
    return wrap_object(o.prog, Object::unsigned_value(o.prog->program().object_env(), o.obj.type(),
                                                      o.obj.as_unsigned() + offset));
  }, py::arg("ptr"), py::arg("cpu"));
  m.def("_linux_helper_cpu_curr", [](const ProgramRef& prog, const py::object& cpu) {
    return typed_pointer(prog, "struct task_struct *", tasks_of(*prog).cpu_curr(index_arg(cpu)));
  }, py::arg("prog"), py::arg("cpu"));
  m.def("_linux_helper_idle_task", [](const ProgramRef& prog, const py::object& cpu) {
    return typed_pointer(prog, "struct task_struct *", tasks_of(*prog).idle_task(index_arg(cpu)));
  }, py::arg("prog"), py::arg("cpu"));
  m.def("_linux_helper_task_cpu", [](const py::object& task) {
    const PyObj& o = object_arg(task, "task");
    return tasks_of(*o.prog).cpu(address_arg(o.obj));
  }, py::arg("task"));
  m.def("_linux_helper_task_on_cpu", [](const py::object& task) {
    const PyObj& o = object_arg(task, "task");
    Object t = o.obj.underlying().type->kind() == TypeKind::Pointer ? o.obj.dereference() : o.obj;
    return t.member("on_cpu").truthy();
  }, py::arg("task"));
  m.def("_linux_helper_task_thread_info", [](const py::object& task) {
    const PyObj& o = object_arg(task, "task");
    Object t = o.obj.underlying().type->kind() == TypeKind::Pointer ? o.obj.dereference() : o.obj;
    Program& p = o.prog->program();
    // CONFIG_THREAD_INFO_IN_TASK: the thread_info is the task's first member; else it
    // sits at the bottom of the task's stack.
    KernelLayout layout(p);
    uint64_t ti = layout.has_member("struct task_struct", "thread_info")
                      ? t.address() + layout.offset("struct task_struct", "thread_info")
                      : t.member("stack").as_unsigned();
    return typed_pointer(o.prog, "struct thread_info *", ti);
  }, py::arg("task"));

  m.def("_linux_helper_idr_find", [](const py::object& idr, const py::object& id) {
    const PyObj& o = object_arg(idr, "idr");
    Program& p = o.prog->program();
    KernelLayout layout(p);
    uint64_t v = kdive::idr_find(p.memory(), IdrLayout::of(layout), address_arg(o.obj), index_arg(id));
    return typed_pointer(o.prog, "void *", v);
  }, py::arg("idr"), py::arg("id"));
  m.def("_linux_helper_xa_load", [](const py::object& xa, const py::object& index) {
    const PyObj& o = object_arg(xa, "xa");
    Program& p = o.prog->program();
    KernelLayout layout(p);
    uint64_t v = kdive::xa_load(p.memory(), XArrayLayout::of(layout), address_arg(o.obj), index_arg(index));
    return typed_pointer(o.prog, "void *", v);
  }, py::arg("xa"), py::arg("index"));

  m.def("_linux_helper_find_pid", [](const py::object& ns, const py::object& pid) {
    auto [prog, ns_address] = namespace_arg(ns);
    return typed_pointer(prog, "struct pid *", tasks_of(*prog).find_pid(ns_address, index_arg(pid)));
  }, py::arg("prog_or_ns"), py::arg("pid"));
  m.def("_linux_helper_find_task", [](const py::object& ns, const py::object& pid) {
    auto [prog, ns_address] = namespace_arg(ns);
    std::optional<uint64_t> t = tasks_of(*prog).find_task_in_ns(ns_address, index_arg(pid));
    return typed_pointer(prog, "struct task_struct *", t.value_or(0));
  }, py::arg("prog_or_ns"), py::arg("pid"));
  m.def("_linux_helper_pid_task", [](const py::object& pid, const py::object& pid_type) {
    const PyObj& o = object_arg(pid, "pid");
    uint64_t type = index_arg(pid_type);
    uint64_t pid_address = address_arg(o.obj);
    uint64_t task = 0;
    if (pid_address) {
      Program& p = o.prog->program();
      KernelLayout layout(p);
      // pid->tasks[type].first is the hlist_node task->pid_links[type] (4.19+; before
      // that task->pids[type].node).
      uint64_t first_off = layout.offset("struct pid", fmt::format("tasks[{}].first", type));
      uint64_t first = 0;
      p.memory().read(pid_address + first_off, &first, 8);
      if (first) {
        std::string links = fmt::format("pid_links[{}]", type), pids = fmt::format("pids[{}].node", type);
        std::optional<uint64_t> off = layout.find_offset("struct task_struct", links);
        if (!off) off = layout.offset("struct task_struct", pids);
        task = first - *off;
      }
    }
    return typed_pointer(o.prog, "struct task_struct *", task);
  }, py::arg("pid"), py::arg("pid_type"));

  // kallsyms symbol indexes (drgn 0.2.0's SymbolIndex) are not implemented.
  for (const char* name : {"_linux_helper_load_proc_kallsyms", "_linux_helper_load_builtin_kallsyms"}) {
    std::string n = name;
    m.def(name, [n](py::args, py::kwargs) -> py::object {
      PyErr_SetString(PyExc_NotImplementedError, fmt::format("kdive does not implement {}", n).c_str());
      throw py::error_already_set();
    });
  }
}

}  // namespace kdive::python
