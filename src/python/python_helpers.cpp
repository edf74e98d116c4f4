// Native Linux helpers for the drgn.helpers.linux modules (kdive's C++ walks behind
// drgn's helper names), and the _linux_helper_* functions drgn's own Python package
// calls in its _drgn core.
#include "python/python_handles.h"

namespace kdive::python {

void bind_helpers(py::module_& m) {}

}  // namespace kdive::python
