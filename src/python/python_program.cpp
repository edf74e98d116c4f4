// drgn.Program on kdive's Program: drgn's two-step opening (set_core_dump, then
// load_debug_info / load_default_debug_info), global lookups (prog[name], object,
// variable, constant, function), type lookups, memory reads, flags and the default
// program. Stack traces and threads are bound in python_stack.cpp, symbols in
// python_symbol.cpp, platform and language in python_platform.cpp.
#include <unistd.h>

#include <algorithm>

#include <pybind11/stl.h>

#include <fmt/format.h>

#include "kdive/error.h"
#include "python/python_enums.h"
#include "python/python_errors.h"
#include "python/python_handles.h"
#include "types/type_printer.h"

namespace kdive::python {

// --- PyProgram ---------------------------------------------------------------------

Program& PyProgram::program() {
  if (!program_) open();
  return *program_;
}

StackTraceEngine& PyProgram::stacks() {
  if (!stacks_) stacks_ = std::make_unique<StackTraceEngine>(program());
  return *stacks_;
}

void PyProgram::set_core_dump(const std::string& path) {
  if (program_ || !core_path_.empty() || pid_) throw UsageError("program memory was already initialized");
  if (access(path.c_str(), R_OK) != 0) throw OsError(errno, path);
  core_path_ = path;
}

void PyProgram::set_pid(int pid) {
  if (program_ || !core_path_.empty() || pid_) throw UsageError("program memory was already initialized");
  pid_ = pid;
}

void PyProgram::set_kernel() { set_core_dump("/proc/kcore"); }

void PyProgram::load_debug_info(const std::vector<std::string>& paths) {
  bool added = false;
  for (const std::string& p : paths)
    if (std::find(debug_paths_.begin(), debug_paths_.end(), p) == debug_paths_.end()) {
      debug_paths_.push_back(p);
      added = true;
    }
  if (program_ && !added) return;  // nothing new: drgn's repeated loads are no-ops
  // kdive's Program loads its debug info when it opens: loading more reopens it. Objects
  // and Types made before point into the old Program (its types, its memory), so it is
  // retired, not destroyed: it lives as long as this PyProgram.
  if (program_) {
    tasks_cache.reset();
    retired_stacks_.push_back(std::move(stacks_));
    retired_.push_back(std::move(program_));
  }
  open();
}

void PyProgram::open() {
  ProgramOptions options;
  options.debug_paths = debug_paths_;
  options.no_debug_info = no_debug_info;
  if (pid_) {
    program_ = Program::open_live_process(pid_, options);
  } else if (!core_path_.empty()) {
    program_ = Program::open(core_path_, options);
  } else if (!debug_paths_.empty()) {
    program_ = Program::open_debug_info(options);
  } else {
    throw UsageError("program memory was not initialized");
  }
  types_by_name_.clear();
}

QualifiedType PyProgram::find_type(const std::string& name) {
  Program& p = program();
  if (auto it = types_by_name_.find(name); it != types_by_name_.end()) return it->second;
  QualifiedType t = p.find_type(name);
  if (types_by_name_.size() < 4096) types_by_name_.emplace(name, t);  // bounded: names come from scripts
  return t;
}

// --- shared conversions -----------------------------------------------------------

std::string type_name_of(QualifiedType t) { return type_name(t); }

QualifiedType type_argument(PyProgram& prog, const py::handle& arg) {
  if (py::isinstance<PyType>(arg)) return arg.cast<const PyType&>().type;
  if (PyUnicode_Check(arg.ptr())) {
    Py_ssize_t length = 0;
    const char* chars = PyUnicode_AsUTF8AndSize(arg.ptr(), &length);
    if (!chars) throw py::error_already_set();
    return prog.find_type(std::string(chars, static_cast<size_t>(length)));
  }
  throw py::type_error("type must be Type or str");
}

namespace {
ProgramRef& default_slot() {
  static ProgramRef* slot = new ProgramRef();  // never destroyed: may outlive the interpreter
  return *slot;
}
}  // namespace

ProgramRef default_program() {
  if (!default_slot())
    raise_python(no_default_program_error_class(), py::str("no default program has been set"));
  return default_slot();
}

void set_default_program(ProgramRef prog) { default_slot() = std::move(prog); }

ProgramRef program_or_default(const py::object& prog) {
  if (prog.is_none()) return default_program();
  return prog.cast<ProgramRef>();
}

// --- binding ----------------------------------------------------------------------

namespace {

std::optional<Object> lookup_global(PyProgram& self, const std::string& name, GlobalKinds kinds) {
  return self.program().find_object(name, kinds);
}

py::object find_global(PyProgram& self, const std::string& name, GlobalKinds kinds, const char* what) {
  std::optional<Object> o = lookup_global(self, name, kinds);
  if (!o) {
    std::string message = what ? fmt::format("could not find {} '{}'", what, name) : fmt::format("could not find '{}'", name);
    PyErr_SetString(PyExc_LookupError, message.c_str());
    throw py::error_already_set();
  }
  return py::cast(PyObj{nullptr, *o});
}

uint64_t read_unsigned(PyProgram& self, uint64_t address, size_t size, bool physical) {
  uint8_t buf[8] = {};
  self.program().memory().read(address, buf, size, physical ? AddressSpace::Physical : AddressSpace::Virtual);
  uint64_t v = 0;
  for (size_t i = 0; i < size; ++i) v |= static_cast<uint64_t>(buf[i]) << (8 * i);
  return v;
}

// drgn's default is FindObjectFlags.ANY; a plain int is accepted as drgn accepts one.
GlobalKinds kinds_from_flags(const py::object& flags) {
  if (flags.is_none()) return kGlobalAny;
  py::object value = py::hasattr(flags, "value") ? flags.attr("value") : flags;
  return static_cast<GlobalKinds>(value.cast<int>() & kGlobalAny);
}

}  // namespace

size_t size_argument(const py::handle& size) {
  py::int_ index = py::module_::import("operator").attr("index")(size);
  // A task mid-exec has arg_end 0: cmdline() asks for arg_end - arg_start bytes.
  if (py::int_(0) > index) throw py::value_error("negative size");
  return index.cast<size_t>();
}

void bind_program(py::module_& m) {
  auto cls = py::class_<PyProgram, ProgramRef>(m, "Program");
  cls.def(py::init([](const py::object& platform) {
            auto prog = std::make_shared<PyProgram>();
            prog->platform = platform;
            return prog;
          }),
          py::arg("platform") = py::none())
      .def("set_core_dump", [](PyProgram& self, const py::object& path) {
        self.set_core_dump(py::str(py::module_::import("os").attr("fsdecode")(path)).cast<std::string>());
      }, py::arg("path"))
      .def("set_kernel", &PyProgram::set_kernel)
      .def("set_pid", &PyProgram::set_pid, py::arg("pid"))
      .def("load_debug_info", [](PyProgram& self, const py::object& paths, bool load_default, bool load_main) {
        std::vector<std::string> v;
        if (!paths.is_none())
          for (py::handle p : paths) v.push_back(py::str(py::module_::import("os").attr("fsdecode")(p)).cast<std::string>());
        self.load_debug_info(v);
      }, py::arg("paths") = py::none(), py::arg("default") = false, py::arg("main") = false)
      .def("load_default_debug_info", [](PyProgram& self) { self.load_debug_info({}); })
      // Not drgn's: what kdive's --no-debug-info sets before the first load.
      .def_readwrite("_kdive_no_debug_info", &PyProgram::no_debug_info)
      .def_readwrite("cache", &PyProgram::cache)
      .def_readwrite("config", &PyProgram::config)
      .def_property_readonly("core_dump_path", [](const PyProgram& self) -> py::object {
        if (self.core_path().empty()) return py::none();
        return py::str(self.core_path());
      })
      .def("address_size", [](PyProgram& self) {
        // x86-64 is kdive's one target: known once a program is open or a platform set.
        if (!self.is_open() && self.core_path().empty() && !self.pid() && self.platform.is_none())
          throw py::value_error("program address size is not known");
        return 8;
      })
      .def_property_readonly("flags", [](PyProgram& self) {
        int flags = self.program().is_kernel() ? 1 : 0;
        if (self.pid() || self.core_path() == "/proc/kcore") flags |= 2 | 4;
        return enum_class("ProgramFlags")(flags);
      })
      .def("__getitem__", [](const ProgramRef& self, const std::string& name) {
        std::optional<Object> o = lookup_global(*self, name, kGlobalAny);
        if (!o) {
          py::object err = object_not_found_error_class()(name, py::arg("name") = name);
          PyErr_SetObject(object_not_found_error_class().ptr(), err.ptr());
          throw py::error_already_set();
        }
        return PyObj{self, *o};
      })
      .def("__contains__", [](PyProgram& self, const std::string& name) {
        return lookup_global(self, name, kGlobalAny).has_value();
      })
      .def("object", [](const ProgramRef& self, const std::string& name, const py::object& flags, const py::object& filename) {
        py::object o = find_global(*self, name, kinds_from_flags(flags), nullptr);
        o.cast<PyObj&>().prog = self;
        return o;
      }, py::arg("name"), py::arg("flags") = py::none(), py::arg("filename") = py::none())
      .def("variable", [](const ProgramRef& self, const std::string& name, const py::object& filename) {
        py::object o = find_global(*self, name, kGlobalVariable, "variable");
        o.cast<PyObj&>().prog = self;
        return o;
      }, py::arg("name"), py::arg("filename") = py::none())
      .def("constant", [](const ProgramRef& self, const std::string& name, const py::object& filename) {
        py::object o = find_global(*self, name, kGlobalConstant, "constant");
        o.cast<PyObj&>().prog = self;
        return o;
      }, py::arg("name"), py::arg("filename") = py::none())
      .def("function", [](const ProgramRef& self, const std::string& name, const py::object& filename) {
        py::object o = find_global(*self, name, kGlobalFunction, "function");
        o.cast<PyObj&>().prog = self;
        return o;
      }, py::arg("name"), py::arg("filename") = py::none())
      .def("type", [](const ProgramRef& self, const py::object& name, const py::object& filename) {
        if (py::isinstance<PyType>(name)) return name.cast<PyType>();
        return PyType{self, type_argument(*self, name)};
      }, py::arg("name"), py::arg("filename") = py::none())
      .def("read", [](PyProgram& self, uint64_t address, const py::object& size_arg, bool physical) {
        size_t size = size_argument(size_arg);
        std::string buf(size, '\0');
        self.program().memory().read(address, buf.data(), size, physical ? AddressSpace::Physical : AddressSpace::Virtual);
        return py::bytes(buf);
      }, py::arg("address"), py::arg("size"), py::arg("physical") = false)
      .def("read_c_string", [](PyProgram& self, uint64_t address, bool physical, const py::object& max_size) {
        return py::bytes(kdive::read_c_string(
            self.program().memory(), address,
            max_size.is_none() ? SIZE_MAX : max_size.attr("__index__")().cast<size_t>(),
            physical ? AddressSpace::Physical : AddressSpace::Virtual));
      }, py::arg("address"), py::arg("physical") = false, py::kw_only(), py::arg("max_size") = py::none())
      .def("read_u8", [](PyProgram& self, uint64_t a, bool p) { return read_unsigned(self, a, 1, p); }, py::arg("address"), py::arg("physical") = false)
      .def("read_u16", [](PyProgram& self, uint64_t a, bool p) { return read_unsigned(self, a, 2, p); }, py::arg("address"), py::arg("physical") = false)
      .def("read_u32", [](PyProgram& self, uint64_t a, bool p) { return read_unsigned(self, a, 4, p); }, py::arg("address"), py::arg("physical") = false)
      .def("read_u64", [](PyProgram& self, uint64_t a, bool p) { return read_unsigned(self, a, 8, p); }, py::arg("address"), py::arg("physical") = false)
      .def("read_word", [](PyProgram& self, uint64_t a, bool p) { return read_unsigned(self, a, 8, p); }, py::arg("address"), py::arg("physical") = false);

  m.def("set_default_prog", [](const py::object& prog) {
    set_default_program(prog.is_none() ? nullptr : prog.cast<ProgramRef>());
  }, py::arg("prog"));
  m.def("get_default_prog", []() { return default_program(); });
  m.def("program_from_core_dump", [](const py::object& path) {
    auto prog = std::make_shared<PyProgram>();
    prog->set_core_dump(py::str(py::module_::import("os").attr("fsdecode")(path)).cast<std::string>());
    prog->load_debug_info({});
    return prog;
  }, py::arg("path"));
  m.def("program_from_pid", [](int pid) {
    auto prog = std::make_shared<PyProgram>();
    prog->set_pid(pid);
    prog->load_debug_info({});
    return prog;
  }, py::arg("pid"));
  m.def("program_from_kernel", []() {
    auto prog = std::make_shared<PyProgram>();
    prog->set_kernel();
    prog->load_debug_info({});
    return prog;
  });
}

}  // namespace kdive::python
