// drgn.StackTrace, StackFrame and Thread on kdive's unwinder, and Program's stack_trace,
// threads, thread, crashed_thread and main_thread.
#include <pybind11/stl.h>

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
        return py::module_::import("_drgn").attr("SourceLocation")(pos.file, pos.line, pos.column);
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
