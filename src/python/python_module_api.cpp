// drgn's Module API for kernel programs: Program.modules, loaded_modules, main_module,
// module, linux_kernel_loadable_module and relocatable_module; MainModule for vmlinux
// and a RelocatableModule per loaded kernel module (struct module on the `modules`
// list), with the files kdive loaded for them. Read-only: kdive finds debug files
// itself, so try_file and the debug-info finders are not provided.
#include <pybind11/eval.h>
#include <pybind11/stl.h>

#include "python/python_handles.h"

namespace kdive::python {
namespace {

constexpr const char* kModuleSource = R"PY(
import os


class Module:
    """An executable or kernel module of a program, and the files kdive has for it."""

    def __init__(self, prog, name, address_ranges, obj, files, build_id=None):
        self.prog = prog
        self.name = name
        self.address_ranges = address_ranges
        self.object = obj
        self.build_id = build_id
        path = files.get(name)
        self.loaded_file_path = path
        self.debug_file_path = path
        status = ModuleFileStatus.HAVE if path else ModuleFileStatus.WANT
        self.loaded_file_status = status
        self.debug_file_status = status
        self.loaded_file_bias = None
        self.debug_file_bias = None
        self.supplementary_debug_file_kind = None
        self.supplementary_debug_file_path = None

    @property
    def address_range(self):
        if self.address_ranges is None:
            return None
        if not self.address_ranges:
            return (0, 0)
        if len(self.address_ranges) > 1:
            raise ValueError("module has multiple address ranges")
        return self.address_ranges[0]

    def wants_loaded_file(self):
        return self.loaded_file_status == ModuleFileStatus.WANT

    def wants_debug_file(self):
        return self.debug_file_status == ModuleFileStatus.WANT

    def _key(self):
        return (type(self).__name__, self.name)

    def __repr__(self):
        return f"prog.{self._kind}_module(name={self.name!r}{self._repr_extra()})"

    def _repr_extra(self):
        return ""


class MainModule(Module):
    _kind = "main"


class RelocatableModule(Module):
    _kind = "relocatable"

    def __init__(self, prog, name, address, address_ranges, obj, files):
        super().__init__(prog, name, address_ranges, obj, files)
        self.address = address
        self.section_addresses = {}

    def _key(self):
        return ("RelocatableModule", self.name, self.address)

    def _repr_extra(self):
        return f", address={self.address:#x}"


class SharedLibraryModule(Module):
    _kind = "shared_library"


class VdsoModule(Module):
    _kind = "vdso"


class ExtraModule(Module):
    _kind = "extra"


def _ranges(regions):
    return sorted((start, start + size) for start, size in regions if size)


def _module_regions(mod):
    # Linux 6.4 (ac3b43283923) split a module into mem[MOD_MEM_NUM_TYPES] regions;
    # before, core_layout and init_layout (4.5, 7523e4dc5057), and before those,
    # module_core/core_size and module_init/init_size.
    if mod.prog_.type("struct module").has_member("mem"):
        return [(m.base.value_(), m.size.value_()) for m in mod.mem]
    if mod.prog_.type("struct module").has_member("core_layout"):
        return [(l.base.value_(), l.size.value_()) for l in (mod.core_layout, mod.init_layout)]
    return [(mod.module_core.value_(), mod.core_size.value_()),
            (mod.module_init.value_(), mod.init_size.value_())]


def _module_address(mod):
    if mod.prog_.type("struct module").has_member("mem"):
        return mod.mem[0].base.value_()  # MOD_TEXT
    if mod.prog_.type("struct module").has_member("core_layout"):
        return mod.core_layout.base.value_()
    return mod.module_core.value_()


class _ModuleSet:
    """The modules of one program, made once and kept (drgn's modules are unique)."""

    def __init__(self, prog):
        self.prog = prog
        self.main = None
        self.loadable = {}  # (name, address) -> RelocatableModule
        self.order = []
        self.walked = False

    def files(self):
        return {name: path for kind, name, path in self.prog._debug_files()}

    def make_main(self):
        if self.main is None:
            prog = self.prog
            files = self.files()
            ranges = None
            build_id = None
            if prog.flags & ProgramFlags.IS_LINUX_KERNEL:
                name = "kernel"
                try:
                    ranges = [(prog.symbol("_text").address, prog.symbol("_end").address)]
                except LookupError:
                    ranges = None
                for line in prog["VMCOREINFO"].string_().decode(errors="replace").splitlines():
                    if line.startswith("BUILD-ID="):
                        build_id = bytes.fromhex(line[len("BUILD-ID="):].strip())
                main_path = next((p for k, n, p in prog._debug_files() if k == "kernel"), None)
            else:
                main_path = next((p for k, n, p in prog._debug_files() if k == "user"), None)
                name = main_path or ""
            if main_path:
                files[name] = main_path
            self.main = MainModule(prog, name, ranges, Object(prog, prog.void_type(), absent=True), files,
                                   build_id)
        return self.main

    def walk(self):
        new = []
        if self.walked:
            return new
        self.walked = True
        prog = self.prog
        if not prog.flags & ProgramFlags.IS_LINUX_KERNEL:
            return new
        try:
            head = prog["modules"].address_of_()
        except KeyError:
            return new
        files = self.files()
        node = head.next
        seen = 0
        while node.value_() != head.value_() and seen < 65536:
            seen += 1
            mod = container_of(node, "struct module", "list")
            key = (mod.name.string_().decode(errors="replace"), _module_address(mod))
            if key not in self.loadable:
                m = RelocatableModule(prog, key[0], key[1], _ranges(_module_regions(mod)), mod, files)
                self.loadable[key] = m
                self.order.append(m)
                new.append(m)
            node = node.next
        return new


def _module_set(prog):
    state = prog._modules_state
    if "set" not in state:
        state["set"] = _ModuleSet(prog)
    return state["set"]


def _modules(self):
    s = _module_set(self)
    s.make_main()
    s.walk()
    return iter([s.main] + s.order)


def _loaded_modules(self):
    s = _module_set(self)
    first = s.main is None
    main = s.make_main()
    yield main, first
    new = set(map(id, s.walk()))
    for m in s.order:
        yield m, id(m) in new


def _main_module(self, name=None, *, create=False):
    s = _module_set(self)
    main = s.make_main()
    if name is not None and os.fsdecode(name) != main.name:
        raise LookupError("main module has a different name")
    return main


def _module(self, address_or_name):
    s = _module_set(self)
    s.make_main()
    s.walk()
    mods = [s.main] + s.order
    if isinstance(address_or_name, str):
        for m in mods:
            if m.name == address_or_name:
                return m
        raise LookupError(f"module {address_or_name!r} not found")
    address = address_or_name.__index__()
    for m in mods:
        for start, end in m.address_ranges or ():
            if start <= address < end:
                return m
    raise LookupError(f"no module contains address {address:#x}")


def _linux_kernel_loadable_module(self, module_obj, *, create=False):
    s = _module_set(self)
    s.walk()
    key = (module_obj.name.string_().decode(errors="replace"), _module_address(module_obj))
    m = s.loadable.get(key)
    if m is None:
        if not create:
            raise LookupError("module not found")
        m = RelocatableModule(self, key[0], key[1], _ranges(_module_regions(module_obj)), module_obj, s.files())
        s.loadable[key] = m
        s.order.append(m)
    return m


def _relocatable_module(self, name, address, *, create=False):
    s = _module_set(self)
    s.walk()
    key = (os.fsdecode(name), address.__index__())
    m = s.loadable.get(key)
    if m is None:
        if not create:
            raise LookupError("module not found")
        m = RelocatableModule(self, key[0], key[1], None, Object(self, self.void_type(), absent=True), s.files())
        s.loadable[key] = m
        s.order.append(m)
    return m
)PY";

}  // namespace

void bind_module_api(py::module_& m) {
  py::object program = m.attr("Program");
  // The debug files kdive loaded: (kind, module name, path) with kind "kernel",
  // "module" or "user".
  program.attr("_debug_files") = py::cpp_function(
      [](PyProgram& self) {
        py::list out;
        for (const auto& mod : self.program().debug_info().modules()) {
          const char* kind = mod->kind() == DebugModule::Kind::Kernel         ? "kernel"
                             : mod->kind() == DebugModule::Kind::KernelModule ? "module"
                                                                               : "user";
          out.append(py::make_tuple(kind, mod->name(), mod->elf().path()));
        }
        return out;
      }, py::is_method(program), py::name("_debug_files"));
  program.attr("_modules_state") = py::module_::import("builtins").attr("property")(py::cpp_function(
      [](PyProgram& self) { return self.modules_state; }, py::is_method(program)));

  py::dict scope;
  scope["__builtins__"] = py::module_::import("builtins");
  scope["__name__"] = m.attr("__name__");
  for (const char* name : {"Object", "ProgramFlags", "ModuleFileStatus", "container_of"}) scope[name] = m.attr(name);
  py::exec(kModuleSource, scope);
  for (const char* name : {"Module", "MainModule", "RelocatableModule", "SharedLibraryModule", "VdsoModule", "ExtraModule"}) {
    py::object cls = scope[name];
    cls.attr("__module__") = "_drgn";
    m.attr(name) = cls;
  }
  for (auto [attr, fn] : {std::pair{"modules", "_modules"}, {"loaded_modules", "_loaded_modules"},
                          {"main_module", "_main_module"}, {"module", "_module"},
                          {"linux_kernel_loadable_module", "_linux_kernel_loadable_module"},
                          {"relocatable_module", "_relocatable_module"}})
    program.attr(attr) = scope[fn];
}

}  // namespace kdive::python
