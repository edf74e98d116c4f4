// Between Objects and plain Python values: Object.value_() (ints, floats, bools, dicts
// for structs and unions, lists for arrays), int(obj), and the value= argument of
// Object(prog, type, value) (a Python number for scalar types, a dict/sequence for
// compound types).
#pragma once

#include <pybind11/pybind11.h>

#include "object/object.h"
#include "python/python_handles.h"

namespace kdive::python {

pybind11::object object_value(const ProgramRef& prog, const Object& obj);
// The integer value of a scalar (floats truncated, as int() does).
pybind11::int_ object_int(const Object& obj);
Object object_from_value(PyProgram& prog, QualifiedType type, const pybind11::handle& value, uint64_t bit_field_size);
// An unsigned 64-bit argument as drgn converts it: OverflowError "can't convert negative
// int to unsigned" / "int too big to convert", TypeError for a non-integer.
uint64_t to_u64(const pybind11::handle& h);
// drgn's checks of a bit_field_size for an object of `type` (ValueError).
void check_bit_field(QualifiedType type, uint64_t bit_field_size);
// A Python drgn.Object for `o` in `prog`.
pybind11::object wrap_object(const ProgramRef& prog, Object o);

}  // namespace kdive::python
