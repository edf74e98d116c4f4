// The `_drgn` extension module: kdive's engine under drgn's core API
// (../shared/corpora/drgn-0.2.0/_drgn.pyi), imported by kdive's own `drgn` package
// (python/drgn) and usable as the core of drgn's pure-Python package.
#include "python/python_enums.h"
#include "python/python_handles.h"

PYBIND11_MODULE(_drgn, m) {
  namespace py = pybind11;
  namespace kp = kdive::python;
  m.doc() = "kdive's engine with drgn's core API";
  kp::bind_enums(m);
  kp::bind_errors(m);
  kp::bind_program(m);
  kp::bind_type(m);
  kp::bind_type_constructors(m);
  kp::bind_object(m);
  kp::bind_stack(m);
  kp::bind_helpers(m);
  kp::bind_platform(m);
  kp::bind_symbol(m);
  kp::bind_linux_helpers(m);
  kp::bind_memory_search(m);
  kp::bind_module_api(m);
}
