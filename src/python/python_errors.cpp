// drgn's exception classes (FaultError with .message/.address, MissingDebugInfoError,
// ObjectAbsentError, OutOfBoundsError, NoDefaultProgramError, ObjectNotFoundError — a
// KeyError) and the translation of kdive's C++ errors into them and Python's built-ins,
// as drgn raises them: a failed read is FaultError("address is not mapped", 0x0), an
// unknown member LookupError, a bad type name SyntaxError.
#include <pybind11/eval.h>
#include <pybind11/pybind11.h>

#include "kdive/error.h"
#include "python/python_errors.h"
#include "python/python_handles.h"

namespace kdive::python {

namespace {

// Defined in Python so that they are ordinary exception classes (picklable, with
// drgn's constructor signatures and str()).
constexpr const char* kExceptionSource = R"PY(
class FaultError(Exception):
    """Bad memory access: a read of target memory failed."""
    def __init__(self, message, address):
        super().__init__(message, address)
        self.message = message
        self.address = address
    def __str__(self):
        return f"{self.message}: {self.address:#x}"

class MissingDebugInfoError(Exception):
    """Debug information needed for an operation is missing."""

class ObjectAbsentError(Exception):
    """An absent object was accessed."""

class OutOfBoundsError(Exception):
    """Bounds checking failed."""

class NoDefaultProgramError(Exception):
    """No default program was set (drgn.set_default_prog)."""

class ObjectNotFoundError(KeyError):
    """A global object was not found by name."""
    def __init__(self, *args, name=None):
        super().__init__(*args)
        self.name = name
)PY";

// Borrowed: the module's attributes keep the classes alive, and plain handles have no
// destructor to run after the interpreter is gone.
py::handle g_fault_error, g_missing_debug_info_error, g_object_absent_error;
py::handle g_out_of_bounds_error, g_no_default_program_error, g_object_not_found_error;

// drgn's fixed text for a read of memory the target does not map; kdive's own reasons
// (corrupt dump pages, missing data) are kept.
std::string drgn_fault_message(const std::string& reason) {
  for (const char* unmapped : {"not mapped in page table", "not mapped in process",
                               "not a direct-map address and no page tables to translate it"}) {
    if (reason == unmapped) return "address is not mapped";
  }
  return reason;
}

}  // namespace

py::object fault_error_class() { return py::reinterpret_borrow<py::object>(g_fault_error); }
py::object object_absent_error_class() { return py::reinterpret_borrow<py::object>(g_object_absent_error); }
py::object out_of_bounds_error_class() { return py::reinterpret_borrow<py::object>(g_out_of_bounds_error); }
py::object no_default_program_error_class() { return py::reinterpret_borrow<py::object>(g_no_default_program_error); }
py::object object_not_found_error_class() { return py::reinterpret_borrow<py::object>(g_object_not_found_error); }

void raise_python(const py::object& exception_class, const py::object& value) {
  PyErr_SetObject(exception_class.ptr(), value.ptr());
  throw py::error_already_set();
}

void bind_errors(py::module_& m) {
  py::dict scope;
  scope["__builtins__"] = py::module_::import("builtins");
  scope["__name__"] = m.attr("__name__");
  py::exec(kExceptionSource, scope);
  for (const char* name : {"FaultError", "MissingDebugInfoError", "ObjectAbsentError", "OutOfBoundsError",
                           "NoDefaultProgramError", "ObjectNotFoundError"}) {
    m.attr(name) = scope[name];
  }
  g_fault_error = py::object(scope["FaultError"]).release();
  g_missing_debug_info_error = py::object(scope["MissingDebugInfoError"]).release();
  g_object_absent_error = py::object(scope["ObjectAbsentError"]).release();
  g_out_of_bounds_error = py::object(scope["OutOfBoundsError"]).release();
  g_no_default_program_error = py::object(scope["NoDefaultProgramError"]).release();
  g_object_not_found_error = py::object(scope["ObjectNotFoundError"]).release();

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const kdive::FaultError& e) {
      py::object err = g_fault_error(drgn_fault_message(e.reason()), e.address());
      PyErr_SetObject(g_fault_error.ptr(), err.ptr());
    } catch (const kdive::SyntaxError& e) {
      // drgn's messages have no position: drop kdive's " (column N)".
      std::string message = e.what();
      std::string suffix = " (column " + std::to_string(e.column()) + ")";
      if (e.column() && message.size() > suffix.size() && message.ends_with(suffix))
        message.resize(message.size() - suffix.size());
      PyErr_SetString(PyExc_SyntaxError, message.c_str());
    } catch (const kdive::OsError& e) {
      py::object err = py::reinterpret_steal<py::object>(
          PyObject_CallFunction(PyExc_OSError, "is", e.errnum(), e.what()));
      if (!e.path().empty()) err.attr("filename") = e.path();
      PyErr_SetObject(PyExc_OSError, err.ptr());
    } catch (const kdive::Error& e) {
      switch (e.kind()) {
        case ErrorKind::Lookup: PyErr_SetString(PyExc_LookupError, e.what()); break;
        case ErrorKind::Type: {
          // Fixed engine messages that drgn raises as other exception types.
          std::string_view what = e.what();
          if (what == "out of bounds of value") PyErr_SetString(g_out_of_bounds_error.ptr(), e.what());
          else if (what == "object absent") PyErr_SetString(g_object_absent_error.ptr(), e.what());
          else if (what == "cannot take address of value" || what == "negative shift count" ||
                   what == "cannot reinterpret primitive value" || what == "member is not byte-aligned" ||
                   what == "cannot take address of bit field")
            PyErr_SetString(PyExc_ValueError, e.what());
          else PyErr_SetString(PyExc_TypeError, e.what());
          break;
        }
        case ErrorKind::ZeroDivision: PyErr_SetString(PyExc_ZeroDivisionError, e.what()); break;
        case ErrorKind::MissingDebugInfo: PyErr_SetString(g_missing_debug_info_error.ptr(), e.what()); break;
        default: PyErr_SetString(PyExc_ValueError, e.what()); break;
      }
    }
  });
}

void set_python_error_from_current_exception() {
  try {
    throw;
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (...) {
    if (py::detail::apply_exception_translators(py::detail::get_local_internals().registered_exception_translators))
      return;
    if (py::detail::apply_exception_translators(py::detail::get_internals().registered_exception_translators)) return;
    PyErr_SetString(PyExc_SystemError, "exception escaped from the exception translators");
  }
}

}  // namespace kdive::python
