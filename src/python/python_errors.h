// drgn's exception classes as the binding made them (python_errors.cpp), for code that
// raises them directly: ObjectAbsentError for an absent object's value, KeyError-derived
// ObjectNotFoundError for prog[name], OutOfBoundsError, NoDefaultProgramError.
#pragma once

#include <pybind11/pybind11.h>

namespace kdive::python {

pybind11::object fault_error_class();
pybind11::object object_absent_error_class();
pybind11::object out_of_bounds_error_class();
pybind11::object no_default_program_error_class();
pybind11::object object_not_found_error_class();

// Raises `exception_class(value)` (a Python exception) from C++.
// From inside a catch handler: sets the Python error for the exception being handled, as
// pybind11's dispatcher does (error_already_set restored, else the registered
// translators). For raw CPython slots that bypass pybind11's function dispatch.
void set_python_error_from_current_exception();
[[noreturn]] void raise_python(const pybind11::object& exception_class, const pybind11::object& value);

}  // namespace kdive::python
