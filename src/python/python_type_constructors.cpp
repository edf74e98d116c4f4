// Program's type constructors (drgn's void_type, int_type, bool_type, float_type,
// struct_type, union_type, class_type, enum_type, typedef_type, pointer_type, array_type,
// function_type), bound onto the Program class, and the TypeMember/TypeParameter constructors.
#include <fmt/format.h>

#include "kdive/error.h"
#include "python/python_object_value.h"
#include "python/python_type_parts.h"

namespace kdive::python {

namespace {

// drgn's byteorder argument: 'little', 'big' or None (the program's). kdive's types are
// little-endian (its targets are x86-64), so 'big' is refused.
void check_byteorder(const py::object& byteorder) {
  if (byteorder.is_none()) return;
  std::string b = py::isinstance<py::str>(byteorder) ? byteorder.cast<std::string>() : "";
  if (b == "little") return;
  if (b == "big") throw py::value_error("kdive supports only little-endian types");
  throw py::value_error("expected 'little', 'big', or None for byteorder");
}

uint8_t qualifiers_of(const py::object& q) {
  if (q.is_none()) return 0;
  return static_cast<uint8_t>(q.attr("value").cast<int>());
}

std::string py_type_name(const py::handle& h) { return py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>(); }

// Argument `n` of `fn` as drgn's argument parser checks it: "pointer_type() argument 1
// must be _drgn.Type, not str".
const PyType& type_param(const py::object& o, const char* fn, int n) {
  if (!py::isinstance<PyType>(o))
    throw py::type_error(fmt::format("{}() argument {} must be _drgn.Type, not {}", fn, n, py_type_name(o)));
  return o.cast<const PyType&>();
}

std::string str_param(const py::object& o, const char* fn, int n) {
  if (!py::isinstance<py::str>(o))
    throw py::type_error(fmt::format("{}() argument {} must be str, not {}", fn, n, py_type_name(o)));
  return o.cast<std::string>();
}

TypeArena& arena_of(const ProgramRef& prog) { return prog->program().types(); }

PyType made(const ProgramRef& prog, const Type* t, const py::object& qualifiers) {
  return PyType{prog, {t, qualifiers_of(qualifiers)}};
}

// A TypeMember's or TypeParameter's first argument: a Type, an Object (its type, and
// its bit-field size), or a callable returning either.
struct TypeArg {
  ProgramRef prog;
  QualifiedType type;
  uint64_t bit_field_size = 0;
};

TypeArg type_arg(const py::object& arg, const char* what) {
  py::object a = arg;
  if (!py::isinstance<PyType>(a) && !py::isinstance<PyObj>(a) && PyCallable_Check(a.ptr())) a = a();
  if (py::isinstance<PyType>(a)) {
    const PyType& t = a.cast<const PyType&>();
    return {t.prog, t.type, 0};
  }
  if (py::isinstance<PyObj>(a)) {
    const PyObj& o = a.cast<const PyObj&>();
    return {o.prog, o.obj.type(), o.obj.is_bit_field() ? o.obj.bit_field_size() : 0};
  }
  throw py::type_error(fmt::format("{}() first argument must be Object, Type, or callable returning Object or Type", what));
}

std::optional<std::string> optional_name(const py::object& name) {
  if (name.is_none()) return std::nullopt;
  if (!py::isinstance<py::str>(name)) throw py::type_error("name must be str or None");
  return name.cast<std::string>();
}

std::string tag_of(const py::object& tag) {
  if (tag.is_none()) return "";
  if (!py::isinstance<py::str>(tag)) throw py::type_error("tag must be str or None");
  return tag.cast<std::string>();
}

PyType compound(TypeKind kind, const ProgramRef& prog, const py::object& tag, const py::object& size,
                const py::object& members, const py::object& qualifiers) {
  if (members.is_none()) {
    if (!size.is_none()) throw py::value_error(fmt::format("incomplete {} type must not have size", type_kind_name(kind)));
    return made(prog, arena_of(prog).make_compound(kind, tag_of(tag), 0, {}, false), qualifiers);
  }
  if (size.is_none()) throw py::value_error(fmt::format("{} type must have size", type_kind_name(kind)));
  std::vector<TypeMember> out;
  for (const py::handle& h : members) {
    if (!py::isinstance<PyTypeMember>(h)) throw py::type_error("member must be TypeMember");
    const PyTypeMember& m = h.cast<const PyTypeMember&>();
    out.push_back(TypeMember{m.name.value_or(""), LazyType(m.type), m.bit_offset, m.bit_field_size});
  }
  return made(prog, arena_of(prog).make_compound(kind, tag_of(tag), to_u64(size), std::move(out)), qualifiers);
}

template <typename F, typename... Extra>
void def_method(py::object& cls, const char* name, F&& f, const Extra&... extra) {
  cls.attr(name) = py::cpp_function(std::forward<F>(f), py::name(name), py::is_method(cls), extra...);
}

}  // namespace

void bind_type_constructors(py::module_& m) {
  py::object cls = m.attr("Program");
  const auto q = py::arg("qualifiers") = py::none();
  const auto lang = py::arg("language") = py::none();
  def_method(cls, "void_type", [](const ProgramRef& prog, const py::object& qualifiers, const py::object&) {
    return made(prog, arena_of(prog).void_type(), qualifiers);
  }, py::kw_only(), q, lang);
  def_method(cls, "int_type", [](const ProgramRef& prog, const py::object& name, const py::object& size, bool is_signed,
                                 const py::object& byteorder, const py::object& qualifiers, const py::object&) {
    check_byteorder(byteorder);
    return made(prog, arena_of(prog).int_type(str_param(name, "int_type", 1), to_u64(size), is_signed), qualifiers);
  }, py::arg("name"), py::arg("size"), py::arg("is_signed"), py::arg("byteorder") = py::none(), py::kw_only(),
     q, lang);
  def_method(cls, "bool_type", [](const ProgramRef& prog, const py::object& name, const py::object& size,
                                  const py::object& byteorder, const py::object& qualifiers, const py::object&) {
    check_byteorder(byteorder);
    return made(prog, arena_of(prog).bool_type(str_param(name, "bool_type", 1), to_u64(size)), qualifiers);
  }, py::arg("name"), py::arg("size"), py::arg("byteorder") = py::none(), py::kw_only(), q, lang);
  def_method(cls, "float_type", [](const ProgramRef& prog, const py::object& name, const py::object& size,
                                   const py::object& byteorder, const py::object& qualifiers, const py::object&) {
    check_byteorder(byteorder);
    return made(prog, arena_of(prog).float_type(str_param(name, "float_type", 1), to_u64(size)), qualifiers);
  }, py::arg("name"), py::arg("size"), py::arg("byteorder") = py::none(), py::kw_only(), q, lang);

  struct Compound { const char* name; TypeKind kind; };
  for (Compound c : {Compound{"struct_type", TypeKind::Struct}, Compound{"union_type", TypeKind::Union},
                     Compound{"class_type", TypeKind::Class}}) {
    TypeKind kind = c.kind;
    def_method(cls, c.name, [kind](const ProgramRef& prog, const py::object& tag, const py::object& size,
                                   const py::object& members, const py::object&, const py::object& qualifiers,
                                   const py::object&) { return compound(kind, prog, tag, size, members, qualifiers); },
               py::arg("tag"), py::arg("size") = py::none(), py::arg("members") = py::none(), py::kw_only(),
               py::arg("template_parameters") = py::tuple(), q, lang);
  }

  def_method(cls, "enum_type", [](const ProgramRef& prog, const py::object& tag, const py::object& type,
                                  const py::object& enumerators, const py::object& qualifiers, const py::object&) {
    if (enumerators.is_none()) {
      if (!type.is_none()) throw py::value_error("incomplete enum type must not have compatible type");
      return made(prog, arena_of(prog).make_enum(tag_of(tag), {}, {}, false), qualifiers);
    }
    if (type.is_none()) throw py::value_error("enum type must have compatible type");
    type_param(type, "enum_type", 2);
    std::vector<TypeEnumerator> out;
    for (const py::handle& h : enumerators) {
      if (!py::isinstance<PyTypeEnumerator>(h)) throw py::type_error("enumerator must be TypeEnumerator");
      const PyTypeEnumerator& e = h.cast<const PyTypeEnumerator&>();
      uint64_t v = py::int_(e.value & py::int_(std::numeric_limits<uint64_t>::max())).cast<uint64_t>();
      out.push_back(TypeEnumerator{e.name, v});
    }
    return made(prog, arena_of(prog).make_enum(tag_of(tag), type.cast<const PyType&>().type, std::move(out)), qualifiers);
  }, py::arg("tag"), py::arg("type") = py::none(), py::arg("enumerators") = py::none(), py::kw_only(), q,
     lang);

  def_method(cls, "typedef_type", [](const ProgramRef& prog, const py::object& name, const py::object& type,
                                     const py::object& qualifiers, const py::object&) {
    return made(prog, arena_of(prog).make_typedef(str_param(name, "typedef_type", 1),
                                                         LazyType(type_param(type, "typedef_type", 2).type)), qualifiers);
  }, py::arg("name"), py::arg("type"), py::kw_only(), q, lang);

  def_method(cls, "pointer_type", [](const ProgramRef& prog, const py::object& type_arg, const py::object& size,
                                     const py::object& byteorder, const py::object& qualifiers, const py::object&) {
    check_byteorder(byteorder);
    const PyType& type = type_param(type_arg, "pointer_type", 1);
    uint64_t bytes = size.is_none() ? prog->program().object_env().pointer_size : to_u64(size);
    // The arena interns pointers of the platform's size only.
    if (bytes != prog->program().object_env().pointer_size)
      return made(prog, arena_of(prog).make_pointer_lazy(LazyType(type.type), bytes), qualifiers);
    return made(prog, arena_of(prog).pointer_to(type.type, bytes), qualifiers);
  }, py::arg("type"), py::arg("size") = py::none(), py::arg("byteorder") = py::none(), py::kw_only(), q,
     lang);

  def_method(cls, "array_type", [](const ProgramRef& prog, const py::object& type_arg, const py::object& length,
                                   const py::object& qualifiers, const py::object&) {
    const PyType& type = type_param(type_arg, "array_type", 1);
    std::optional<uint64_t> n;
    if (!length.is_none()) n = to_u64(length);
    return made(prog, arena_of(prog).array_of(type.type, n), qualifiers);
  }, py::arg("type"), py::arg("length") = py::none(), py::kw_only(), q, lang);

  def_method(cls, "function_type", [](const ProgramRef& prog, const py::object& type_arg, const py::object& parameters,
                                      bool is_variadic, const py::object&, const py::object& qualifiers, const py::object&) {
    const PyType& type = type_param(type_arg, "function_type", 1);
    std::vector<TypeParameter> out;
    for (const py::handle& h : parameters) {
      if (!py::isinstance<PyTypeParameter>(h)) throw py::type_error("parameter must be TypeParameter");
      const PyTypeParameter& p = h.cast<const PyTypeParameter&>();
      out.push_back(TypeParameter{p.name.value_or(""), LazyType(p.type)});
    }
    return made(prog, arena_of(prog).make_function(LazyType(type.type), std::move(out), is_variadic), qualifiers);
  }, py::arg("type"), py::arg("parameters"), py::arg("is_variadic") = false, py::kw_only(),
     py::arg("template_parameters") = py::tuple(), q, lang);

}

PyTypeMember make_type_member(const py::object& object_or_type, const py::object& name, const py::object& bit_offset) {
  TypeArg a = type_arg(object_or_type, "TypeMember");
  return PyTypeMember{a.prog, a.type, optional_name(name), to_u64(bit_offset), a.bit_field_size};
}

PyTypeParameter make_type_parameter(const py::object& default_argument_or_type, const py::object& name) {
  TypeArg a = type_arg(default_argument_or_type, "TypeParameter");
  return PyTypeParameter{a.prog, a.type, optional_name(name)};
}

}  // namespace kdive::python
