// drgn.StackTrace, StackFrame, Thread, SourceLocation on kdive's unwinder, and Program's stack_trace,
// stack_trace_from_pcs, source_location, threads, thread, crashed_thread and main_thread.
#include <pybind11/stl.h>

#include <cctype>
#include <charconv>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "kdive/error.h"

#include "python/python_handles.h"
#include "python/python_object_value.h"
#include "types/type_layout.h"
#include "unwind/frame_variables.h"
#include "unwind/register_state.h"

namespace kdive::python {

namespace {

// A trace shares its frames with every StackFrame taken from it.
struct PyStackTrace {
  ProgramRef prog;
  std::shared_ptr<StackTrace> trace;
};

struct PyStackFrame {
  ProgramRef prog;
  std::shared_ptr<StackTrace> trace;
  size_t index = 0;
  const StackFrame& frame() const { return trace->frames()[index]; }
};

struct PyThread {
  ProgramRef prog;
  ThreadRef thread;
};

bool is_struct_pt_regs(QualifiedType t) {
  QualifiedType u = underlying_type(t);
  return u.type && u.type->kind() == TypeKind::Struct && u.type->name() == "pt_regs";
}

// The registers of an x86-64 struct pt_regs (arch/x86/include/asm/ptrace.h), as drgn's
// stack_trace() takes them: the trace starts at its ip with its sp.
RegisterState registers_of_pt_regs(const Object& regs) {
  static const std::pair<const char*, int> kMembers[] = {
      {"ax", kRegRax}, {"dx", kRegRdx}, {"cx", kRegRcx}, {"bx", kRegRbx}, {"si", kRegRsi},
      {"di", kRegRdi}, {"bp", kRegRbp}, {"sp", kRegRsp}, {"r8", kRegR8}, {"r9", kRegR8 + 1},
      {"r10", kRegR10}, {"r11", kRegR10 + 1}, {"r12", kRegR12}, {"r13", kRegR13},
      {"r14", kRegR14}, {"r15", kRegR15}, {"ip", kRegRip}, {"flags", kRegRflags}};
  RegisterState state;
  for (const auto& [member, reg] : kMembers) state.set(reg, regs.member(member).read().as_unsigned());
  // drgn takes cs and ss as whole words; kernels with FRED (6.9+) made each a union
  // whose 64-bit view is csx/ssx and whose `cs`/`ss` is only the low 16 bits.
  for (auto [word, narrow, reg] : {std::tuple{"csx", "cs", kRegCs}, {"ssx", "ss", kRegSs}}) {
    const char* member = find_member(regs.type(), word) ? word : narrow;
    state.set(reg, regs.member(member).read().as_unsigned());
  }
  return state;
}

// drgn's SourceLocation of a frame; its name() is the function's, else the symbol's.
py::object source_location_of(const StackFrame& f) {
  py::object name = py::none();
  if (!f.name().empty()) name = py::str(f.name());
  else if (f.symbol()) name = py::str(f.symbol()->name);
  py::object name_fn = py::cpp_function([name]() { return name; });
  const SourcePosition& p = f.position();
  return py::module_::import("_drgn").attr("SourceLocation")(p.known ? p.file : std::string(), p.known ? p.line : 0,
                                                             p.known ? p.column : 0, name_fn);
}

// The address of Program.source_location's string form: "SYMBOL" or "0xHEX", then
// optionally "+OFFSET" (decimal or 0x-prefixed hex), whitespace around tokens allowed.
uint64_t parse_code_address(const ProgramRef& prog, const std::string& text) {
  auto trim = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  auto number = [&](std::string_view v) -> std::optional<uint64_t> {
    int base = 10;
    if (v.size() > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
      base = 16;
      v.remove_prefix(2);
    }
    if (v.empty()) return std::nullopt;
    uint64_t out = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out, base);
    if (ec != std::errc() || end != v.data() + v.size()) return std::nullopt;
    return out;
  };
  std::string_view all = text;
  size_t plus = all.find('+');
  std::string_view head = trim(all.substr(0, plus));
  uint64_t offset = 0;
  if (plus != std::string_view::npos) {
    std::optional<uint64_t> off = number(trim(all.substr(plus + 1)));
    if (!off) throw py::value_error(fmt::format("invalid offset in '{}'", text));
    offset = *off;
  }
  if (head.empty()) throw py::value_error(fmt::format("invalid address '{}'", text));
  uint64_t base = 0;
  if (head.size() > 2 && head[0] == '0' && (head[1] == 'x' || head[1] == 'X')) {
    std::optional<uint64_t> v = number(head);
    if (!v) throw py::value_error(fmt::format("invalid address '{}'", text));
    base = *v;
  } else {
    base = py::cast(prog).attr("symbol")(std::string(head)).attr("address").cast<uint64_t>();
  }
  return base + offset;
}

PyStackTrace trace_of(const ProgramRef& prog, const py::object& thread) {
  StackTraceEngine& eng = prog->stacks();
  StackTrace t;
  if (py::isinstance<PyObj>(thread)) {
    const Object& o = thread.cast<const PyObj&>().obj;
    QualifiedType u = o.underlying();
    bool pointer = u.type && u.type->kind() == TypeKind::Pointer;
    if (is_struct_pt_regs(o.type()) || (pointer && is_struct_pt_regs(u.type->target())))
      t = eng.stack_trace(registers_of_pt_regs(pointer ? o.dereference() : o));
    else if (pointer) t = eng.stack_trace(eng.thread_of_task(o.dereference()));
    else if (u.type && u.type->is_compound()) t = eng.stack_trace(eng.thread_of_task(o));
    else t = eng.stack_trace_of_pid(o.as_signed());
  } else if (py::isinstance<PyThread>(thread)) {
    t = eng.stack_trace(thread.cast<const PyThread&>().thread);
  } else {
    t = eng.stack_trace_of_pid(thread.cast<int64_t>());
  }
  return PyStackTrace{prog, std::make_shared<StackTrace>(std::move(t))};
}

// A name in a frame's scope: its parameters and locals, else a global (as drgn looks
// up names in the frame's scope, then the program's). KeyError when neither has it.
py::object frame_object(const PyStackFrame& self, const std::string& name) {
  try {
    return py::cast(PyObj{self.prog, frame_variable(*self.trace, self.index, name)});
  } catch (const LookupError&) {
  }
  std::optional<Object> global = self.prog->program().find_object(name, kGlobalAny);
  if (!global) {
    PyErr_SetObject(PyExc_KeyError, py::str(name).ptr());
    throw py::error_already_set();
  }
  return py::cast(PyObj{self.prog, *global});
}

}  // namespace

void bind_stack(py::module_& m) {
  py::class_<PyStackTrace>(m, "StackTrace")
      .def_property_readonly("prog", [](const PyStackTrace& self) { return self.prog; })
      .def("__len__", [](const PyStackTrace& self) { return self.trace->frames().size(); })
      .def("__getitem__", [](const PyStackTrace& self, int64_t i) {
        int64_t n = static_cast<int64_t>(self.trace->frames().size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) throw py::index_error("stack frame index out of range");
        return PyStackFrame{self.prog, self.trace, static_cast<size_t>(i)};
      })
      .def("__iter__", [](const PyStackTrace& self) {
        py::list frames;
        for (size_t i = 0; i < self.trace->frames().size(); ++i) frames.append(PyStackFrame{self.prog, self.trace, i});
        return py::iter(frames);
      })
      .def("__str__", [](const PyStackTrace& self) {
        std::string s = self.trace->format();
        if (!s.empty() && s.back() == '\n') s.pop_back();
        return s;
      });

  py::class_<PyStackFrame>(m, "StackFrame")
      // 0.2.0: the function's name, else the symbol's, else the PC in hex.
      .def_property_readonly("name", [](const PyStackFrame& self) -> py::object {
        const StackFrame& f = self.frame();
        if (!f.name().empty()) return py::str(f.name());
        if (f.symbol()) return py::str(f.symbol()->name);
        return py::str(fmt::format("{:#x}", f.pc()));
      })
      .def_property_readonly("function_name", [](const PyStackFrame& self) -> py::object {
        const StackFrame& f = self.frame();
        if (!f.name().empty()) return py::str(f.name());
        return py::none();
      })
      .def_property_readonly("is_inline", [](const PyStackFrame& self) { return self.frame().inlined(); })
      .def_property_readonly("interrupted", [](const PyStackFrame& self) { return self.frame().exact_pc(); })
      .def_property_readonly("pc", [](const PyStackFrame& self) { return self.frame().pc(); })
      .def_property_readonly("sp", [](const PyStackFrame& self) { return self.frame().registers().sp(); })
      .def_property_readonly("prog", [](const PyStackFrame& self) { return self.prog; })
      .def("__getitem__", [](const PyStackFrame& self, const std::string& name) {
        return frame_object(self, name);
      })
      .def("__contains__", [](const PyStackFrame& self, const std::string& name) {
        try {
          frame_object(self, name);
          return true;
        } catch (const py::error_already_set& e) {
          if (e.matches(PyExc_KeyError)) return false;
          throw;
        }
      })
      .def("locals", [](const PyStackFrame& self) { return frame_locals(self.frame()); })
      .def("source", [](const PyStackFrame& self) {
        const SourcePosition& pos = self.frame().position();
        if (!pos.known) {
          PyErr_SetString(PyExc_LookupError, "source code location not available");
          throw py::error_already_set();
        }
        return source_location_of(self.frame());
      })
      .def("symbol", [](const PyStackFrame& self) {
        const StackFrame& f = self.frame();
        return py::cast(self.prog).attr("symbol")(f.exact_pc() ? f.pc() : f.pc() - 1);
      })
      .def("registers", [](const PyStackFrame& self) {
        py::dict out;
        const RegisterState& regs = self.frame().registers();
        for (int r : kAllRegisters)
          if (std::optional<uint64_t> v = regs.get(r)) out[py::str(std::string(register_name(r)))] = *v;
        return out;
      })
      .def("register", [](const PyStackFrame& self, const std::string& name) {
        for (int r : kAllRegisters) {
          if (register_name(r) != name) continue;
          std::optional<uint64_t> v = self.frame().registers().get(r);
          if (!v) {
            PyErr_SetString(PyExc_LookupError, "register value is not known");
            throw py::error_already_set();
          }
          return *v;
        }
        throw py::value_error(fmt::format("unknown register '{}'", name));
      }, py::arg("reg"))
      .def("__str__", [](const PyStackFrame& self) { return format_frame(self.frame()); });

  py::class_<PyThread>(m, "Thread")
      .def_property_readonly("tid", [](const PyThread& self) { return self.thread.pid; })
      .def_property_readonly("name", [](const PyThread& self) { return self.thread.comm; })
      .def_property_readonly("prog", [](const PyThread& self) { return self.prog; })
      .def_property_readonly("object", [](const PyThread& self) -> py::object {
        if (!self.thread.task) return py::none();
        return wrap_object(self.prog, self.thread.task->address_of());
      })
      .def("stack_trace", [](const PyThread& self) {
        return PyStackTrace{self.prog, std::make_shared<StackTrace>(self.prog->stacks().stack_trace(self.thread))};
      });

  py::object program = m.attr("Program");
  program.attr("stack_trace") = py::cpp_function(
      [](const ProgramRef& self, const py::object& thread) { return trace_of(self, thread); },
      py::is_method(program), py::name("stack_trace"), py::arg("thread"));
  program.attr("stack_trace_from_pcs") = py::cpp_function(
      [](const ProgramRef& self, const py::iterable& pcs) {
        std::vector<uint64_t> values;
        for (py::handle pc : pcs) values.push_back(py::reinterpret_borrow<py::object>(pc).attr("__index__")().cast<uint64_t>());
        return PyStackTrace{self, std::make_shared<StackTrace>(self->stacks().trace_of_pcs(values, /*exact_pc=*/false))};
      }, py::is_method(program), py::name("stack_trace_from_pcs"), py::arg("pcs"));
  program.attr("source_location") = py::cpp_function(
      [](const ProgramRef& self, const py::object& address) {
        uint64_t pc = py::isinstance<py::str>(address) ? parse_code_address(self, address.cast<std::string>())
                                                       : address.attr("__index__")().cast<uint64_t>();
        StackTrace t = self->stacks().trace_of_pcs({pc}, /*exact_pc=*/true);
        if (t.frames().empty() || (t.frames()[0].name().empty() && !t.frames()[0].position().known))
          throw LookupError("source code location not found");
        py::list locations;
        for (const StackFrame& f : t.frames()) locations.append(source_location_of(f));
        return py::module_::import("_drgn").attr("SourceLocationList")(self, locations);
      }, py::is_method(program), py::name("source_location"), py::arg("address"));
  program.attr("threads") = py::cpp_function(
      [](const ProgramRef& self) {
        py::list out;
        for (ThreadRef& t : self->stacks().threads()) out.append(PyThread{self, std::move(t)});
        // drgn 0.0.22 walks the kernel's task list round from init_task.tasks.next, so
        // init_task (PID 0) comes last.
        if (self->program().is_kernel()) {
          std::optional<Object> init = self->program().find_object("init_task", kGlobalVariable);
          if (init) out.append(PyThread{self, self->stacks().thread_of_task(*init)});
        }
        return py::iter(out);
      }, py::is_method(program), py::name("threads"));
  program.attr("thread") = py::cpp_function(
      [](const ProgramRef& self, int64_t tid) { return PyThread{self, self->stacks().thread(tid)}; },
      py::is_method(program), py::name("thread"), py::arg("tid"));
  program.attr("crashed_thread") = py::cpp_function(
      [](const ProgramRef& self) { return PyThread{self, self->stacks().crashed_thread()}; },
      py::is_method(program), py::name("crashed_thread"));
  // User cores: the thread whose TID is the process's PID (the first PRSTATUS when none
  // is); the kernel has none.
  program.attr("main_thread") = py::cpp_function(
      [](const ProgramRef& self) {
        if (self->program().is_kernel()) throw py::value_error("main thread is not defined for the Linux kernel");
        std::vector<ThreadRef> threads = self->stacks().threads();
        if (threads.empty()) throw LookupError("main thread not found");
        for (ThreadRef& t : threads)
          if (t.pid == self->pid()) return PyThread{self, std::move(t)};
        return PyThread{self, std::move(threads.front())};
      }, py::is_method(program), py::name("main_thread"));
}

}  // namespace kdive::python
