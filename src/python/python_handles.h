// The objects the Python binding hands out and what keeps them valid: a PyProgram (the
// kdive Program once opened, plus drgn's two-step set_core_dump/load_debug_info state),
// and PyObj/PyType, which hold their PyProgram by shared_ptr so that an Object or Type
// outlives no Program (`obj.prog_ is prog`). Conversions shared by the binding files.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <pybind11/pybind11.h>

#include "object/object.h"
#include "program/program.h"
#include "program/stack_trace.h"

namespace kdive {
class Tasks;
}

namespace kdive::python {

namespace py = pybind11;

class PyProgram {
 public:
  // drgn's Program(platform=None): nothing opened yet.
  PyProgram() = default;
  // The helpers' state in `cache` and `tasks_cache` refers to the kdive Program: drop it
  // before the Program goes (members are destroyed after the destructor body).
  ~PyProgram() {
    tasks_cache.reset();
    if (cache) cache.attr("clear")();
    if (config) config.attr("clear")();
    if (modules_state) modules_state.attr("clear")();
  }
  PyProgram(const PyProgram&) = delete;
  PyProgram& operator=(const PyProgram&) = delete;

  // The opened program; opens it now (kdive's default debug-info search) when a core
  // dump or process was set but no debug info was loaded yet. UsageError when nothing
  // was set.
  Program& program();
  bool is_open() const { return program_ != nullptr; }
  StackTraceEngine& stacks();

  // drgn's setters: remember the target; open on load_debug_info / first use.
  void set_core_dump(const std::string& path);
  void set_pid(int pid);
  void set_kernel();
  // Opens (or reopens with the union of paths) with `paths` as -s arguments.
  void load_debug_info(const std::vector<std::string>& paths);

  // Program::find_type(name), remembered per name for the program now open: loops
  // call container_of(ptr, "struct task_struct", ...) with the same string each time.
  QualifiedType find_type(const std::string& name);

  const std::string& core_path() const { return core_path_; }
  int pid() const { return pid_; }
  // kdive's --no-debug-info: answer from the dump alone even when a vmlinux is found.
  bool no_debug_info = false;
  py::dict cache;  // Program.cache: per-program storage for helpers
  py::dict config;  // Program.config: per-program options for commands and helpers
  py::dict modules_state;  // the Module objects made for this program (python_module_api.cpp)
  py::object platform = py::none();  // Program(platform=...)
  std::shared_ptr<Tasks> tasks_cache;  // the task walker of the _linux_helper_* functions

 private:
  void open();

  std::string core_path_;
  int pid_ = 0;
  std::vector<std::string> debug_paths_;
  // Programs replaced by a later load_debug_info, kept for the objects made from them;
  // declared before the engines on them so that the engines are destroyed first.
  std::vector<std::unique_ptr<Program>> retired_;
  std::vector<std::unique_ptr<StackTraceEngine>> retired_stacks_;
  std::unique_ptr<Program> program_;
  std::unique_ptr<StackTraceEngine> stacks_;
  std::unordered_map<std::string, QualifiedType> types_by_name_;  // of program_
};

using ProgramRef = std::shared_ptr<PyProgram>;

// drgn.Object: a kdive Object and the program it lives in.
struct PyObj {
  ProgramRef prog;
  Object obj;
};

// drgn.Type: a qualified kdive type and its program.
struct PyType {
  ProgramRef prog;
  QualifiedType type;
};

// The Python drgn.Object class, and the C++ side of an instance of it (or a subclass):
// nullptr when `h` is not a drgn.Object. Cheaper than py::isinstance/cast, which look
// the class up by std::type_index on every call.
PyTypeObject* object_class();
PyObj* as_object(const py::handle& h);

// The type a Python argument names: a drgn.Type, or a C type name (str) looked up in
// `prog`. TypeError for anything else.
QualifiedType type_argument(PyProgram& prog, const py::handle& arg);

// A C type's name as drgn prints it ("struct task_struct *", "char [16]").
std::string type_name_of(QualifiedType t);

// A byte count given to a read: any integer-like object (drgn's helpers pass Objects);
// a negative one is drgn's ValueError("negative size").
size_t size_argument(const py::handle& size);

// The default program (drgn.set_default_prog); NoDefaultProgramError when unset.
ProgramRef default_program();
void set_default_program(ProgramRef prog);
// The program argument of a helper: `prog` when given (not None), else the default.
ProgramRef program_or_default(const py::object& prog);

// Binding entry points, one per file (python_module.cpp calls them in order).
void bind_errors(py::module_& m);
void bind_program(py::module_& m);
void bind_type(py::module_& m);
void bind_type_constructors(py::module_& m);
void bind_object(py::module_& m);
void bind_stack(py::module_& m);
void bind_helpers(py::module_& m);
void bind_platform(py::module_& m);
void bind_symbol(py::module_& m);
void bind_linux_helpers(py::module_& m);
void bind_memory_search(py::module_& m);
void bind_module_api(py::module_& m);

}  // namespace kdive::python
