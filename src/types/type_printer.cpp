// Type printing: C type names and definitions in drgn's spelling. The declarator is
// built inside-out as a string (pointer → "*name", array → "name[n]", function →
// "name(params)") and the base type is printed in front of it, which reproduces
// libdrgn/language_c.c's output exactly, including its tab indentation of members.
#include "types/type_printer.h"

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {
namespace {

void append_qualifiers(uint8_t qualifiers, std::string& out) {
  // drgn's order: const, volatile, restrict, _Atomic.
  static const char* const kNames[] = {"const", "volatile", "restrict", "_Atomic"};
  bool first = true;
  for (int i = 0; i < 4; ++i) {
    if (!(qualifiers & (1u << i))) continue;
    if (!first) out += ' ';
    out += kNames[i];
    first = false;
  }
}

const char* tag_keyword(TypeKind kind) {
  switch (kind) {
    case TypeKind::Struct: return "struct";
    case TypeKind::Union: return "union";
    case TypeKind::Class: return "class";
    case TypeKind::Enum: return "enum";
    default: return "";
  }
}

// Guards against cyclic types from corrupt debug info (a pointer cycle is fine since
// pointers do not recurse into definitions, but arrays/typedefs of themselves are not).
constexpr int kMaxDepth = 256;

class Printer {
 public:
  explicit Printer(std::string& out) : out_(out) {}

  // Declares `name` (nullptr: no name, i.e. an abstract declarator) of type `t`.
  void declare(QualifiedType t, const std::string* name, int indent, bool define_anonymous,
               int depth) {
    if (depth > kMaxDepth) throw TypeError("type is too deeply nested");
    const Type* type = t.type;
    if (!type) throw TypeError("missing type");
    switch (type->kind()) {
      case TypeKind::Void:
      case TypeKind::Int:
      case TypeKind::Bool:
      case TypeKind::Float:
      case TypeKind::Typedef:
        declare_basic(t, name, indent);
        return;
      case TypeKind::Struct:
      case TypeKind::Union:
      case TypeKind::Class:
      case TypeKind::Enum:
        declare_tagged(t, name, indent, define_anonymous, depth);
        return;
      case TypeKind::Pointer: {
        QualifiedType pointee = type->target();
        bool paren = pointee.type && (pointee.type->kind() == TypeKind::Array ||
                                      pointee.type->kind() == TypeKind::Function);
        std::string inner;
        if (paren) inner += '(';
        inner += '*';
        if (t.qualifiers) {
          inner += ' ';
          append_qualifiers(t.qualifiers, inner);
          if (name) inner += ' ';
        }
        if (name) inner += *name;
        if (paren) inner += ')';
        declare(pointee, &inner, indent, false, depth + 1);
        return;
      }
      case TypeKind::Array: {
        std::string inner = name ? *name : std::string();
        if (type->is_complete() && type->length())
          inner += fmt::format("[{}]", *type->length());
        else
          inner += "[]";
        declare(type->target(), &inner, indent, false, depth + 1);
        return;
      }
      case TypeKind::Function:
        declare_function(t, name, indent, depth);
        return;
    }
  }

  void declare_function(QualifiedType t, const std::string* name, int indent, int depth) {
    if (!name) throw TypeError("function must have name");
    declare(t.type->target(), name, indent, false, depth + 1);
    out_ += '(';
    const auto& params = t.type->parameters();
    for (size_t i = 0; i < params.size(); ++i) {
      if (i) out_ += ", ";
      const std::string& pname = params[i].name;
      declare(params[i].type.get(), pname.empty() ? nullptr : &pname, 0, false, depth + 1);
    }
    if (!params.empty() && t.type->is_variadic())
      out_ += ", ...";
    else if (params.empty() && !t.type->is_variadic())
      out_ += "void";
    out_ += ')';
  }

  void define(QualifiedType t, int indent, int depth) {
    if (depth > kMaxDepth) throw TypeError("type is too deeply nested");
    switch (t.type->kind()) {
      case TypeKind::Void:
      case TypeKind::Int:
      case TypeKind::Bool:
      case TypeKind::Float:
        declare_basic(t, nullptr, indent);
        return;
      case TypeKind::Struct:
      case TypeKind::Union:
      case TypeKind::Class:
        define_compound(t, indent, depth);
        return;
      case TypeKind::Enum:
        define_enum(t, indent);
        return;
      case TypeKind::Typedef: {
        tabs(indent);
        if (t.qualifiers) {
          append_qualifiers(t.qualifiers, out_);
          out_ += ' ';
        }
        out_ += "typedef ";
        declare(t.type->target(), &t.type->name(), 0, true, depth + 1);
        return;
      }
      case TypeKind::Pointer:
      case TypeKind::Array:
        declare(t, nullptr, indent, false, depth + 1);
        return;
      case TypeKind::Function:
        throw TypeError("function type cannot be formatted");
    }
  }

 private:
  void tabs(int n) { out_.append(size_t(n), '\t'); }

  void declare_basic(QualifiedType t, const std::string* name, int indent) {
    tabs(indent);
    if (t.qualifiers) {
      append_qualifiers(t.qualifiers, out_);
      out_ += ' ';
    }
    out_ += t.type->kind() == TypeKind::Void ? std::string("void") : t.type->name();
    if (name) {
      out_ += ' ';
      out_ += *name;
    }
  }

  void tagged_name(QualifiedType t, int indent) {
    tabs(indent);
    if (t.qualifiers) {
      append_qualifiers(t.qualifiers, out_);
      out_ += ' ';
    }
    out_ += tag_keyword(t.type->kind());
    if (!t.type->name().empty()) {
      out_ += ' ';
      out_ += t.type->name();
    }
  }

  void declare_tagged(QualifiedType t, const std::string* name, int indent,
                      bool define_anonymous, int depth) {
    bool anonymous = t.type->name().empty();
    if (anonymous && define_anonymous)
      define(t, indent, depth + 1);
    else
      tagged_name(t, indent);
    if (anonymous && !define_anonymous) out_ += " <anonymous>";
    if (name) {
      out_ += ' ';
      out_ += *name;
    }
  }

  void define_compound(QualifiedType t, int indent, int depth) {
    if (!t.type->is_complete())
      throw TypeError("cannot get definition of incomplete compound type");
    tagged_name(t, indent);
    out_ += " {\n";
    for (const TypeMember& m : t.type->members()) {
      declare(m.type.get(), m.name.empty() ? nullptr : &m.name, indent + 1, true, depth + 1);
      if (m.bit_field_size) out_ += fmt::format(" : {}", m.bit_field_size);
      out_ += ";\n";
    }
    tabs(indent);
    out_ += '}';
  }

  void define_enum(QualifiedType t, int indent) {
    if (!t.type->is_complete())
      throw TypeError("cannot get definition of incomplete enum type");
    tagged_name(t, indent);
    out_ += " {\n";
    bool is_signed = t.type->is_signed();
    for (const TypeEnumerator& e : t.type->enumerators()) {
      tabs(indent + 1);
      out_ += e.name;
      out_ += " = ";
      if (is_signed)
        out_ += fmt::format("{},\n", static_cast<int64_t>(e.value));
      else
        out_ += fmt::format("{},\n", e.value);
    }
    tabs(indent);
    out_ += '}';
  }

  std::string& out_;
};

}  // namespace

std::string type_name(QualifiedType type) {
  std::string out;
  Printer p(out);
  if (type.type && type.type->kind() == TypeKind::Function) {
    static const std::string kEmpty;
    p.declare_function(type, &kEmpty, 0, 0);
  } else {
    p.declare(type, nullptr, 0, false, 0);
  }
  return out;
}

std::string type_declaration(QualifiedType type, std::string_view name) {
  std::string out;
  std::string n(name);
  Printer(out).declare(type, &n, 0, false, 0);
  return out;
}

std::string type_definition(QualifiedType type) {
  if (!type.type) throw TypeError("missing type");
  // drgn prints incomplete types (and typedefs of them) by name. drgn refuses to
  // format a function type ("function type cannot be formatted"); kdive prints its
  // name instead, which is what a ptype user wants.
  QualifiedType u = underlying_type(type);
  if (!u.type || !u.type->is_complete() || type.type->kind() == TypeKind::Function)
    return type_name(type);
  std::string out;
  Printer(out).define(type, 0, 0);
  return out;
}

}  // namespace kdive
