// The C formatter: a port of the *rules* of drgn 0.0.22's c_format_object (language_c.c)
// — which prefix each kind gets, when a pointer is dereferenced or symbolized, how
// initializers are laid out on one or several lines for a column budget, which zero
// members and trailing zero elements are dropped — so that output is byte-identical.
// Compound references are read once up front (one memory read instead of one per
// member); on a fault the member-by-member path reports the fault where drgn would.
#include "object/object_formatter.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

#include "kdive/error.h"
#include "types/type_layout.h"
#include "types/type_printer.h"

namespace kdive {
namespace {

enum Flag : uint32_t {
  kDereference = 1 << 0,
  kSymbolize = 1 << 1,
  kString = 1 << 2,
  kChar = 1 << 3,
  kTypeName = 1 << 4,
  kMemberTypeNames = 1 << 5,
  kElementTypeNames = 1 << 6,
  kMembersSameLine = 1 << 7,
  kElementsSameLine = 1 << 8,
  kMemberNames = 1 << 9,
  kElementIndices = 1 << 10,
  kImplicitMembers = 1 << 11,
  kImplicitElements = 1 << 12,
};

uint32_t flags_of(const FormatOptions& o) {
  uint32_t f = 0;
  if (o.dereference) f |= kDereference;
  if (o.symbolize) f |= kSymbolize;
  if (o.string) f |= kString;
  if (o.chars) f |= kChar;
  if (o.type_name) f |= kTypeName;
  if (o.member_type_names) f |= kMemberTypeNames;
  if (o.element_type_names) f |= kElementTypeNames;
  if (o.members_same_line) f |= kMembersSameLine;
  if (o.elements_same_line) f |= kElementsSameLine;
  if (o.member_names) f |= kMemberNames;
  if (o.element_indices) f |= kElementIndices;
  if (o.implicit_members) f |= kImplicitMembers;
  if (o.implicit_elements) f |= kImplicitElements;
  return f;
}

// Flags for nested values: no dereference or type name of their own...
uint32_t passthrough(uint32_t f) { return f & ~(kDereference | kTypeName); }
// ...except that members and elements get a type name when asked for.
uint32_t member_flags(uint32_t f) { return passthrough(f) | ((f & kMemberTypeNames) >> 1); }
uint32_t element_flags(uint32_t f) { return passthrough(f) | ((f & kElementTypeNames) >> 2); }

size_t sub_or_zero(size_t a, size_t b) { return a >= b ? a - b : 0; }

// drgn treats exactly the C character types (not typedefs of them) as characters.
bool is_character_type(const Type* t) {
  if (!t || t->kind() != TypeKind::Int) return false;
  const std::string& n = t->name();
  return n == "char" || n == "signed char" || n == "unsigned char";
}

void append_char(unsigned char c, bool escape_single, bool escape_double, std::string& sb) {
  switch (c) {
    case '\0': sb += "\\0"; return;
    case '\a': sb += "\\a"; return;
    case '\b': sb += "\\b"; return;
    case '\t': sb += "\\t"; return;
    case '\n': sb += "\\n"; return;
    case '\v': sb += "\\v"; return;
    case '\f': sb += "\\f"; return;
    case '\r': sb += "\\r"; return;
    case '"':
      sb += escape_double ? "\\\"" : "\"";
      return;
    case '\'':
      sb += escape_single ? "\\'" : "'";
      return;
    case '\\': sb += "\\\\"; return;
    default:
      if (c <= 0x1f || c >= 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        sb += buf;
      } else {
        sb += static_cast<char>(c);
      }
  }
}

// Longest C string printed through a char pointer: drgn has no bound, but a corrupt
// pointer into a large non-NUL region must not exhaust memory.
constexpr size_t kMaxPointerString = 1 << 20;

enum class Status { Ok, Wrap };

// Produces the members or elements of an initializer list, one at a time.
class InitializerIter {
 public:
  virtual ~InitializerIter() = default;
  virtual bool next(Object& out, uint32_t& flags) = 0;
  virtual void reset() = 0;
  virtual bool has_designation() const = 0;
  virtual void append_designation(std::string& sb) const = 0;
};

class CompoundIter : public InitializerIter {
 public:
  CompoundIter(const Object& obj, const Type* u, size_t end, uint32_t flags)
      : obj_(obj), u_(u), flags_(flags), member_flags_(member_flags(flags)), top_end_(end) {
    reset();
  }

  bool next(Object& out, uint32_t& flags) override {
    for (;;) {
      if (stack_.empty()) return false;
      Level& top = stack_.back();
      if (top.index == top.end) {
        stack_.pop_back();
        continue;
      }
      const TypeMember& m = (*top.members)[top.index++];
      uint64_t bit_offset = top.bit_offset + m.bit_offset;
      QualifiedType mt = m.type.get();
      last_name_ = &m.name;
      // Anonymous compound members are flattened into their parent's initializer.
      if (!m.name.empty() || !(flags_ & kMemberNames) || !(mt.type && mt.type->is_compound())) {
        out = obj_.slice(mt, bit_offset, m.bit_field_size);
        if ((flags_ & (kMemberNames | kImplicitMembers)) == kMemberNames && out.is_zero()) continue;
        flags = member_flags_;
        return true;
      }
      if (stack_.size() > 1000) throw TypeError("type is too deeply nested");
      stack_.push_back({&mt.type->members(), 0, mt.type->members().size(), bit_offset});
    }
  }

  void reset() override {
    stack_.clear();
    stack_.push_back({&u_->members(), 0, top_end_, 0});
  }

  bool has_designation() const override { return flags_ & kMemberNames; }
  void append_designation(std::string& sb) const override {
    if (last_name_ && !last_name_->empty()) {
      sb += '.';
      sb += *last_name_;
      sb += " = ";
    }
  }

 private:
  struct Level {
    const std::vector<TypeMember>* members;
    size_t index, end;
    uint64_t bit_offset;
  };
  const Object& obj_;
  const Type* u_;
  uint32_t flags_, member_flags_;
  size_t top_end_;
  std::vector<Level> stack_;
  const std::string* last_name_ = nullptr;
};

class ArrayIter : public InitializerIter {
 public:
  ArrayIter(const Object& obj, QualifiedType element, uint64_t element_bits, uint64_t length,
            uint32_t flags)
      : obj_(obj), element_(element), element_bits_(element_bits), length_(length),
        flags_(flags), element_flags_(element_flags(flags)) {}

  bool next(Object& out, uint32_t& flags) override {
    for (;;) {
      if (i_ >= length_) return false;
      out = obj_.slice(element_, i_ * element_bits_);
      ++i_;
      if ((flags_ & (kElementIndices | kImplicitElements)) != kElementIndices) break;
      if (!out.is_zero()) break;
    }
    flags = element_flags_;
    return true;
  }
  void reset() override { i_ = 0; }
  bool has_designation() const override { return flags_ & kElementIndices; }
  void append_designation(std::string& sb) const override { sb += fmt::format("[{}] = ", i_ - 1); }

 private:
  const Object& obj_;
  QualifiedType element_;
  uint64_t element_bits_, length_;
  uint32_t flags_, element_flags_;
  uint64_t i_ = 0;
};

class Formatter {
 public:
  explicit Formatter(std::string& sb) : sb_(sb) {}

  Status format(const Object& obj, size_t indent, size_t one_line, size_t multi_line,
                uint32_t flags) {
    // Only a self-containing type from corrupt debug info nests this deep; stop before
    // the stack does.
    if (depth_ > kMaxDepth) throw TypeError("object is too deeply nested to format");
    ++depth_;
    struct Restore {
      int& d;
      ~Restore() { --d; }
    } restore{depth_};
    const Type* u = obj.underlying().type;
    if (!u || u->kind() == TypeKind::Void) throw TypeError("cannot format void object");
    if (u->kind() == TypeKind::Pointer && !obj.is_absent())
      return format_pointer(obj, u, indent, one_line, multi_line, flags);
    if (flags & kTypeName) {
      size_t old = sb_.size();
      sb_ += '(';
      sb_ += type_name(obj.type());
      sb_ += ')';
      one_line = sub_or_zero(one_line, sb_.size() - old);
    }
    if (obj.is_absent()) {
      sb_ += "<absent>";
      return Status::Ok;
    }
    switch (u->kind()) {
      case TypeKind::Int:
      case TypeKind::Bool:
        format_int(obj, flags);
        return Status::Ok;
      case TypeKind::Float:
        format_float(obj);
        return Status::Ok;
      case TypeKind::Struct:
      case TypeKind::Union:
      case TypeKind::Class:
        return format_compound(obj, u, indent, one_line, multi_line, flags);
      case TypeKind::Enum:
        format_enum(obj, u);
        return Status::Ok;
      case TypeKind::Array:
        return format_array(obj, u, indent, one_line, multi_line, flags);
      case TypeKind::Function:
        sb_ += fmt::format("{:#x}", obj.address());
        return Status::Ok;
      default:
        throw TypeError("cannot format object");
    }
  }

 private:
  void format_int(const Object& obj, uint32_t flags) {
    if ((flags & kChar) && is_character_type(obj.type().type)) {
      sb_ += '\'';
      append_char(static_cast<unsigned char>(obj.as_unsigned()), true, false, sb_);
      sb_ += '\'';
      return;
    }
    if (obj.encoding() == ValueEncoding::Signed)
      sb_ += fmt::format("{}", obj.as_signed());
    else
      sb_ += fmt::format("{}", obj.as_unsigned());
  }

  void format_float(const Object& obj) {
    double v = obj.as_double();
    char buf[512];
    // %.1f for integral values ("1.0"), else the shortest-round-trip-safe %.17g.
    if (std::rint(v) == v)
      std::snprintf(buf, sizeof buf, "%.1f", v);
    else
      std::snprintf(buf, sizeof buf, "%.*g", 17, v);
    // %.1f of a huge integral double can be long; it still fits in 512 bytes (< 310 digits).
    sb_ += buf;
  }

  void format_enum(const Object& obj, const Type* u) {
    if (!u->is_complete()) throw TypeError("cannot format incomplete enum object");
    if (u->is_signed()) {
      int64_t v = obj.as_signed();
      for (const TypeEnumerator& e : u->enumerators())
        if (static_cast<int64_t>(e.value) == v) {
          sb_ += e.name;
          return;
        }
      sb_ += fmt::format("{}", v);
    } else {
      uint64_t v = obj.as_unsigned();
      for (const TypeEnumerator& e : u->enumerators())
        if (e.value == v) {
          sb_ += e.name;
          return;
        }
      sb_ += fmt::format("{}", v);
    }
  }

  // Reads a compound/array reference in one go; on a fault keeps the reference so that
  // member-by-member reads fail (or succeed) exactly where drgn's would.
  static Object prefetch(const Object& obj) {
    if (!obj.is_reference() || obj.encoding() != ValueEncoding::Buffer) return obj;
    try {
      return obj.read();
    } catch (const FaultError&) {
      return obj;
    }
  }

  Status format_compound(const Object& in, const Type* u, size_t indent, size_t one_line,
                         size_t multi_line, uint32_t flags) {
    if (!u->is_complete())
      throw TypeError(fmt::format("cannot format incomplete {} object", type_kind_name(u->kind())));
    Object obj = prefetch(in);
    const auto& members = u->members();
    size_t end = members.size();
    // Without member names, zero members at the end are dropped (with names, zero
    // members are skipped during iteration instead).
    if (!(flags & (kMemberNames | kImplicitMembers))) {
      while (end > 0) {
        const TypeMember& m = members[end - 1];
        if (!obj.slice(m.type.get(), m.bit_offset, m.bit_field_size).is_zero()) break;
        --end;
      }
    }
    CompoundIter it(obj, u, end, flags);
    return format_initializer(it, indent, one_line, multi_line, flags & kMembersSameLine);
  }

  Status format_array(const Object& in, const Type* u, size_t indent, size_t one_line,
                      size_t multi_line, uint32_t flags) {
    QualifiedType element = u->target();
    uint64_t length = u->length().value_or(0);
    if ((flags & kString) && length && is_character_type(element.type)) {
      sb_ += '"';
      std::string s = in.read_c_string(SIZE_MAX);
      for (char c : s) append_char(static_cast<unsigned char>(c), false, true, sb_);
      sb_ += '"';
      return Status::Ok;
    }
    uint64_t element_bits = type_sizeof(element) * 8;
    Object obj = prefetch(in);
    if (!(flags & (kElementIndices | kImplicitElements))) {
      while (length > 0 && obj.slice(element, (length - 1) * element_bits).is_zero()) --length;
    }
    ArrayIter it(obj, element, element_bits, length, flags);
    return format_initializer(it, indent, one_line, multi_line, flags & kElementsSameLine);
  }

  Status format_pointer(const Object& obj, const Type* u, size_t indent, size_t one_line,
                        size_t multi_line, uint32_t flags) {
    bool dereference = flags & kDereference;
    bool c_string = (flags & kString) && is_character_type(u->target().type);
    size_t start = sb_.size();
    if (dereference && !c_string) sb_ += '*';
    size_t type_start = sb_.size();
    if (flags & kTypeName) {
      sb_ += '(';
      sb_ += type_name(obj.type());
      sb_ += ')';
    }
    size_t type_end = sb_.size();
    uint64_t value = obj.as_unsigned();
    std::optional<SymbolInfo> sym;
    if ((flags & kSymbolize) && obj.env().symbols) sym = obj.env().symbols->symbolize(value);
    bool wrap_symbol = sym && dereference && !c_string;
    if (wrap_symbol) sb_ += '(';
    size_t value_start = sb_.size();
    if (sym) sb_ += fmt::format("{}+{:#x} = ", sym->name, value - sym->address);
    sb_ += fmt::format("{:#x}", value);
    if (!dereference && !c_string) return Status::Ok;
    size_t value_end = sb_.size();
    if (wrap_symbol) sb_ += ')';
    sb_ += " = ";

    bool fallback = false;
    try {
      if (c_string) {
        Object p = obj.read();
        std::string s = p.read_c_string(kMaxPointerString);
        sb_ += '"';
        for (char c : s) append_char(static_cast<unsigned char>(c), false, true, sb_);
        sb_ += '"';
        return Status::Ok;
      }
      Object target;
      try {
        target = obj.dereference();
      } catch (const TypeError&) {
        fallback = true;  // void *, function pointers, incomplete pointees
      }
      if (!fallback) {
        one_line = sub_or_zero(one_line, sb_.size() - start);
        return format(target, indent, one_line, multi_line, passthrough(flags));
      }
    } catch (const FaultError&) {
      fallback = true;
    }
    // Not dereferenceable: drop the '*' and the parentheses around the symbol, and
    // everything after the address.
    std::string type_part = sb_.substr(type_start, type_end - type_start);
    std::string value_part = sb_.substr(value_start, value_end - value_start);
    sb_.resize(start);
    sb_ += type_part;
    sb_ += value_part;
    return Status::Ok;
  }

  void tabs(size_t n) { sb_.append(n, '\t'); }

  // Lays out "{ a, b }" on one line if it fits in `one_line` columns, else one
  // initializer per line (joining short ones onto a line when `same_line`), exactly as
  // drgn's c_format_initializer.
  Status format_initializer(InitializerIter& it, size_t indent, size_t one_line,
                            size_t multi_line, bool same_line) {
    size_t brace = sb_.size();
    sb_ += '{';
    size_t remaining = sub_or_zero(one_line, 1);
    bool wrap = false;
    Object o;
    uint32_t f = 0;
    while (it.next(o, f)) {
      if (!same_line) {
        wrap = true;
        break;
      } else if (sb_.size() == brace + 1) {
        if (remaining < 3) {  // " x }" must fit
          wrap = true;
          break;
        }
        sb_ += ' ';
        remaining--;
      } else {
        if (remaining < 4) {  // ", x }" must fit
          wrap = true;
          break;
        }
        sb_ += ", ";
        remaining -= 2;
      }
      if (it.has_designation()) {
        size_t ds = sb_.size();
        it.append_designation(sb_);
        size_t len = sb_.size() - ds;
        if (remaining < len) {
          wrap = true;
          break;
        }
        remaining -= len;
      }
      size_t is = sb_.size();
      // (remaining - 2 wraps around when small, as in drgn; the length check below
      // then reports the wrap.)
      if (format(o, indent + 1, remaining - 2, 0, f) == Status::Wrap) {
        wrap = true;
        break;
      }
      size_t len = sb_.size() - is;
      if (remaining < len) {
        wrap = true;
        break;
      }
      remaining -= len;
    }
    if (!wrap) {
      if (sb_.size() == brace + 1) {
        sb_ += '}';
        return Status::Ok;
      }
      if (remaining >= 2) {
        sb_ += " }";
        return Status::Ok;
      }
    }
    if (multi_line == 0) return Status::Wrap;

    sb_.resize(brace + 1);
    size_t start_columns = sub_or_zero(multi_line, 8 * (indent + 1));
    remaining = 0;
    it.reset();
    while (it.next(o, f)) {
      size_t newline = sb_.size();
      sb_ += '\n';
      tabs(indent + 1);
      size_t ds = sb_.size();
      size_t line_columns = start_columns;
      if (it.has_designation()) {
        it.append_designation(sb_);
        line_columns = sub_or_zero(line_columns, sb_.size() - ds);
      }
      if (line_columns > 1) {
        size_t is = sb_.size();
        if (format(o, 0, line_columns - 1, 0, f) == Status::Ok) {
          size_t len = sb_.size() - ds;
          if (same_line && len + 2 <= remaining) {
            // It fits on the previous line: move it there.
            sb_[newline] = ' ';
            std::memmove(&sb_[newline + 1], &sb_[ds], len);
            sb_.resize(newline + 1 + len);
            sb_ += ',';
            remaining -= len + 2;
            continue;
          }
          if (len < start_columns) {
            sb_ += ',';
            remaining = start_columns - len - 1;
            continue;
          }
        }
        sb_.resize(is);
      }
      format(o, indent + 1, 0, multi_line, f);
      sb_ += ',';
      remaining = 0;
    }
    sb_ += '\n';
    tabs(indent);
    sb_ += '}';
    return Status::Ok;
  }

  static constexpr int kMaxDepth = 512;
  std::string& sb_;
  int depth_ = 0;
};

}  // namespace

std::string format_object(const Object& obj, const FormatOptions& options) {
  std::string out;
  Formatter f(out);
  size_t multi = options.columns ? options.columns : 1;
  f.format(obj, 0, options.columns, multi, flags_of(options));
  return out;
}

std::string escape_c_string(const std::string& bytes) {
  std::string out;
  for (char c : bytes) append_char(static_cast<unsigned char>(c), false, true, out);
  return out;
}

}  // namespace kdive
