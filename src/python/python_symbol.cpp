// drgn.Symbol (drgn's repr and equality) and Program.symbol / symbols over the debug files'
// ELF symbol tables: by name the raw tables as libdwfl lists them (module by module), by
// address the symbol kdive's symbolizer picks and every symbol containing the address.
#include <gelf.h>

#include <pybind11/eval.h>

#include <fmt/format.h>

#include "debuginfo/elf_file.h"
#include "python/python_enums.h"
#include "python/python_handles.h"

namespace kdive::python {

namespace {

constexpr const char* kSymbolSource = R"PY(
class Symbol:
    __slots__ = ("_name", "_address", "_size", "_binding", "_kind")

    def __init__(self, name, address, size, binding, kind):
        if not isinstance(binding, SymbolBinding):
            raise TypeError("binding must be SymbolBinding")
        if not isinstance(kind, SymbolKind):
            raise TypeError("kind must be SymbolKind")
        object.__setattr__(self, "_name", str(name))
        object.__setattr__(self, "_address", int(address))
        object.__setattr__(self, "_size", int(size))
        object.__setattr__(self, "_binding", binding)
        object.__setattr__(self, "_kind", kind)

    name = property(lambda self: self._name)
    address = property(lambda self: self._address)
    size = property(lambda self: self._size)
    binding = property(lambda self: self._binding)
    kind = property(lambda self: self._kind)

    def __setattr__(self, name, value):
        raise AttributeError(f"readonly attribute '{name}'")

    def __eq__(self, other):
        if not isinstance(other, Symbol):
            return NotImplemented
        return (self._name, self._address, self._size, self._binding, self._kind) == (
            other._name, other._address, other._size, other._binding, other._kind)

    __hash__ = None

    def __repr__(self):
        return (f"Symbol(name={self._name!r}, address={self._address:#x}, size={self._size:#x}, "
                f"binding={self._binding!r}, kind={self._kind!r})")
)PY";

py::handle g_symbol_class;  // borrowed from the module

// drgn's SymbolBinding values are the ELF STB_* numbers plus one, its SymbolKind values
// the STT_* numbers; anything else is UNKNOWN.
py::object binding_member(unsigned binding) {
  switch (binding) {
    case STB_LOCAL: case STB_GLOBAL: case STB_WEAK: case STB_GNU_UNIQUE:
      return enum_class("SymbolBinding")(binding + 1);
    default:
      return enum_class("SymbolBinding")(0);
  }
}

py::object kind_member(unsigned type) {
  switch (type) {
    case STT_OBJECT: case STT_FUNC: case STT_SECTION: case STT_FILE: case STT_COMMON: case STT_TLS:
    case STT_GNU_IFUNC:
      return enum_class("SymbolKind")(type);
    default:
      return enum_class("SymbolKind")(0);
  }
}

py::object make_symbol(std::string_view name, uint64_t address, uint64_t size, unsigned binding, unsigned type) {
  return g_symbol_class(py::str(name.data(), name.size()), address, size, binding_member(binding), kind_member(type));
}

// Every entry of a module's ELF symbol table with its run-time address, as libdwfl's
// dwfl_module_getsym_info gives them: section-relative values placed (kernel modules) or
// biased (vmlinux, executables); undefined and absolute symbols as the file has them.
template <typename Visit>
void for_each_raw_symbol(const DebugModule& m, Visit&& visit) {
  const ElfFile& file = m.elf();
  Elf_Scn* scn = file.find_section(".symtab");
  if (!scn) scn = file.find_section(".dynsym");
  if (!scn) return;
  GElf_Shdr shdr;
  if (!gelf_getshdr(scn, &shdr) || shdr.sh_entsize == 0) return;
  Elf_Data* data = elf_getdata(scn, nullptr);
  if (!data) return;
  size_t count = shdr.sh_size / shdr.sh_entsize;
  for (size_t i = 1; i < count; ++i) {
    GElf_Sym sym;
    if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
    const char* name = elf_strptr(file.elf(), shdr.sh_link, sym.st_name);
    if (!name) continue;
    uint64_t address = sym.st_value;
    if (sym.st_shndx != SHN_UNDEF && sym.st_shndx < SHN_LORESERVE) {
      if (file.is_relocatable()) {
        auto base = file.section_address(sym.st_shndx);
        address = base ? *base + sym.st_value : sym.st_value;
      } else {
        address = sym.st_value + m.bias();
      }
    }
    if (!visit(std::string_view(name), address, sym)) return;
  }
}

// A kallsyms symbol as drgn's kallsyms finder makes it: the nm letter gives the binding
// (upper case global, lower case local, w/W/v/V weak) and the kind (t/T function,
// d/D/b/B/r/R object, anything else unknown).
py::object make_dump_symbol(const DumpSymbol& d) {
  char c = d.type;
  int binding = (c == 'w' || c == 'W' || c == 'v' || c == 'V') ? STB_WEAK
                : (c >= 'A' && c <= 'Z')                          ? STB_GLOBAL
                                                                  : STB_LOCAL;
  char l = static_cast<char>(c | 0x20);
  int kind = l == 't' ? STT_FUNC : (l == 'd' || l == 'b' || l == 'r') ? STT_OBJECT : STT_NOTYPE;
  return make_symbol(d.name, d.address, d.size, binding, kind);
}

// The symbol kdive's symbolizer names `address` with, with its ELF binding and type.
py::object symbol_at(PyProgram& prog, uint64_t address) {
  if (const DumpDebugInfo* dump = prog.program().debug_info().dump_debug_info()) {
    std::optional<DumpSymbol> d = dump->symbol_at(address);
    return d ? make_dump_symbol(*d) : py::none();
  }
  for (const auto& m : prog.program().debug_info().modules()) {
    std::optional<SymbolizedAddress> s = m->symbols().symbolize(address);
    if (!s) continue;
    for (const Symbol& sym : m->symbols().lookup(s->name))
      if (sym.address == s->symbol_address && sym.size == s->size)
        return make_symbol(sym.name, sym.address, sym.size, sym.elf_binding, sym.elf_type);
    return make_symbol(s->name, s->symbol_address, s->size, STB_GLOBAL, STT_NOTYPE);
  }
  return py::none();
}

[[noreturn]] void raise_lookup(const std::string& message) {
  PyErr_SetString(PyExc_LookupError, message.c_str());
  throw py::error_already_set();
}

}  // namespace

void bind_symbol(py::module_& m) {
  py::dict scope;
  scope["__builtins__"] = py::module_::import("builtins");
  scope["__name__"] = m.attr("__name__");
  scope["SymbolBinding"] = m.attr("SymbolBinding");
  scope["SymbolKind"] = m.attr("SymbolKind");
  py::exec(kSymbolSource, scope);
  m.attr("Symbol") = scope["Symbol"];
  g_symbol_class = m.attr("Symbol");

  py::object program = m.attr("Program");
  program.attr("symbol") = py::cpp_function(
      [](const ProgramRef& self, const py::object& arg) -> py::object {
        if (py::isinstance<py::str>(arg)) {
          std::string name = arg.cast<std::string>();
          if (const DumpDebugInfo* dump = self->program().debug_info().dump_debug_info()) {
            std::vector<DumpSymbol> v = dump->symbols_named(name);
            if (v.empty()) raise_lookup(fmt::format("could not find symbol with name '{}'", name));
            for (const DumpSymbol& d : v)
              if (d.type >= 'A' && d.type <= 'Z') return make_dump_symbol(d);
            return make_dump_symbol(v.front());
          }
          // drgn: a global symbol when there is one, else the first with the name.
          py::object first = py::none();
          for (const auto& mod : self->program().debug_info().modules()) {
            py::object found = py::none();
            for_each_raw_symbol(*mod, [&](std::string_view n, uint64_t address, const GElf_Sym& sym) {
              if (n != name) return true;
              py::object s = make_symbol(n, address, sym.st_size, GELF_ST_BIND(sym.st_info), GELF_ST_TYPE(sym.st_info));
              if (GELF_ST_BIND(sym.st_info) == STB_GLOBAL) {
                found = s;
                return false;
              }
              if (first.is_none()) first = s;
              return true;
            });
            if (!found.is_none()) return found;
          }
          if (!first.is_none()) return first;
          raise_lookup(fmt::format("could not find symbol with name '{}'", name));
        }
        uint64_t address = py::module_::import("operator").attr("index")(arg).cast<uint64_t>();
        py::object s = symbol_at(*self, address);
        if (s.is_none()) raise_lookup(fmt::format("could not find symbol containing {:#x}", address));
        return s;
      }, py::is_method(program), py::name("symbol"), py::arg("address_or_name"));

  program.attr("symbols") = py::cpp_function(
      [](const ProgramRef& self, const py::object& arg) {
        py::list out;
        const auto& modules = self->program().debug_info().modules();
        if (const DumpDebugInfo* dump = self->program().debug_info().dump_debug_info()) {
          if (arg.is_none() || py::isinstance<py::str>(arg)) {
            for (const DumpSymbol& d : dump->symbols_named(arg.is_none() ? "" : arg.cast<std::string>()))
              out.append(make_dump_symbol(d));
          } else {
            uint64_t address = py::module_::import("operator").attr("index")(arg).cast<uint64_t>();
            if (std::optional<DumpSymbol> d = dump->symbol_at(address)) out.append(make_dump_symbol(*d));
          }
          return out;
        }
        if (arg.is_none() || py::isinstance<py::str>(arg)) {
          std::string name = arg.is_none() ? "" : arg.cast<std::string>();
          for (const auto& mod : modules)
            for_each_raw_symbol(*mod, [&](std::string_view n, uint64_t address, const GElf_Sym& sym) {
              if (arg.is_none() || n == name)
                out.append(make_symbol(n, address, sym.st_size, GELF_ST_BIND(sym.st_info), GELF_ST_TYPE(sym.st_info)));
              return true;
            });
          return out;
        }
        uint64_t address = py::module_::import("operator").attr("index")(arg).cast<uint64_t>();
        // Every symbol of the module that names the address whose range contains it.
        for (const auto& mod : modules) {
          if (!mod->symbols().symbolize(address)) continue;
          for_each_raw_symbol(*mod, [&](std::string_view n, uint64_t a, const GElf_Sym& sym) {
            if (sym.st_shndx != SHN_UNDEF && a <= address && address - a < sym.st_size)
              out.append(make_symbol(n, a, sym.st_size, GELF_ST_BIND(sym.st_info), GELF_ST_TYPE(sym.st_info)));
            return true;
          });
          break;
        }
        return out;
      }, py::is_method(program), py::name("symbols"), py::arg("address_or_name") = py::none());
}

}  // namespace kdive::python
