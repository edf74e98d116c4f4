// Layout queries: sizeof/alignof, member lookup through anonymous members, offsetof
// designators and member_at_offset. Error texts follow drgn 0.0.22 (libdrgn/type.c,
// language_c.c) and member_at_offset follows drgn.helpers.common.type so that answers
// diff equal against drgn.
#include "types/type_layout.h"

#include <cctype>
#include <fmt/format.h>

#include <memory>
#include <vector>

#include "kdive/error.h"
#include "types/type_printer.h"

namespace kdive {
namespace {

// Bound for walking nested types (typedef chains, arrays of arrays, anonymous members):
// only corrupt debug info nests deeper.
constexpr int kMaxDepth = 1000;

bool is_complete(const Type* t) {
  QualifiedType u = underlying_type({t, 0});
  return u.type && u.type->is_complete() && u.type->kind() != TypeKind::Void;
}

bool has_members(const Type* t) { return t && t->is_compound(); }

uint64_t sizeof_impl(const Type* type, int depth) {
  if (!type) throw TypeError("missing type");
  if (depth > kMaxDepth) throw TypeError("type is too deeply nested");
  TypeKind kind = type->kind();
  if (kind == TypeKind::Function) throw TypeError("cannot get size of function type");
  if (!is_complete(type))
    throw TypeError(fmt::format("cannot get size of incomplete {} type", type_kind_name(kind)));
  switch (kind) {
    case TypeKind::Typedef:
    case TypeKind::Enum:
      return sizeof_impl(type->target().type, depth + 1);
    case TypeKind::Array: {
      uint64_t element = sizeof_impl(type->target().type, depth + 1);
      uint64_t total;
      if (__builtin_mul_overflow(element, type->length().value_or(0), &total))
        throw TypeError("type size is too large");
      return total;
    }
    default:
      return type->size();
  }
}

uint64_t alignof_impl(const Type* type, int depth) {
  if (!type) throw TypeError("missing type");
  if (depth > kMaxDepth) throw TypeError("type is too deeply nested");
  switch (type->kind()) {
    case TypeKind::Void: throw TypeError("cannot get alignment of incomplete void type");
    case TypeKind::Function: throw TypeError("cannot get alignment of function type");
    case TypeKind::Typedef:
    case TypeKind::Enum:
    case TypeKind::Array:
      if (!is_complete(type) && type->kind() != TypeKind::Array)
        throw TypeError(fmt::format("cannot get alignment of incomplete {} type",
                                    type_kind_name(type->kind())));
      return alignof_impl(type->target().type, depth + 1);
    case TypeKind::Struct:
    case TypeKind::Union:
    case TypeKind::Class: {
      if (!type->is_complete())
        throw TypeError(fmt::format("cannot get alignment of incomplete {} type",
                                    type_kind_name(type->kind())));
      uint64_t align = 1;
      for (const TypeMember& m : type->members()) {
        uint64_t a = alignof_impl(m.type.get().type, depth + 1);
        if (a > align) align = a;
      }
      return align;
    }
    default: {
      // Scalars: their natural alignment is their size (x86-64 psABI; long double
      // is 16 bytes and 16-aligned), capped at 16.
      uint64_t size = type->size();
      if (size == 0) return 1;
      uint64_t align = 1;
      while (align < size && align < 16) align <<= 1;
      return align;
    }
  }
}

// Depth-first search for `name`, descending into anonymous compound members.
bool find_member_impl(const Type* compound, std::string_view name, uint64_t base,
                      FoundMember& out, int depth) {
  if (depth > kMaxDepth) return false;
  for (const TypeMember& m : compound->members()) {
    if (!m.name.empty()) {
      if (m.name == name) {
        out.type = m.type.get();
        out.bit_offset = base + m.bit_offset;
        out.bit_field_size = m.bit_field_size;
        return true;
      }
      continue;
    }
    const Type* inner = underlying_type(m.type.get()).type;
    if (has_members(inner) && find_member_impl(inner, name, base + m.bit_offset, out, depth + 1))
      return true;
  }
  return false;
}

// A tokenizer for member designators with drgn's error texts.
struct DesignatorLexer {
  std::string_view s;
  size_t pos = 0;
  enum Kind { End, Ident, Number, Dot, LBracket, RBracket };
  Kind kind = End;
  std::string_view text;
  size_t start = 0;

  void next() {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
    start = pos;
    if (pos >= s.size()) {
      kind = End;
      text = {};
      return;
    }
    char c = s[pos];
    if (c == '.') { kind = Dot; ++pos; }
    else if (c == '[') { kind = LBracket; ++pos; }
    else if (c == ']') { kind = RBracket; ++pos; }
    else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      while (pos < s.size() && (std::isalnum(static_cast<unsigned char>(s[pos])) || s[pos] == '_'))
        ++pos;
      kind = Ident;
    } else if (c >= '0' && c <= '9') {
      if (c == '0' && pos + 1 < s.size() && (s[pos + 1] == 'x' || s[pos + 1] == 'X')) {
        pos += 2;
        size_t digits = pos;
        while (pos < s.size() && std::isxdigit(static_cast<unsigned char>(s[pos]))) ++pos;
        if (pos == digits) throw SyntaxError("invalid number", start + 1);
      } else {
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      }
      if (pos < s.size() && (std::isalpha(static_cast<unsigned char>(s[pos])) || s[pos] == '_'))
        throw SyntaxError("invalid number", start + 1);
      kind = Number;
    } else {
      throw SyntaxError(fmt::format("invalid character \\x{:02x}", static_cast<unsigned char>(c)),
                        start + 1);
    }
    text = s.substr(start, pos - start);
  }

  uint64_t number() const {
    uint64_t v = 0;
    bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    unsigned base = hex ? 16 : 10;
    for (size_t i = hex ? 2 : 0; i < text.size(); ++i) {
      char c = text[i];
      unsigned d = c >= '0' && c <= '9' ? c - '0' : (std::tolower(c) - 'a' + 10);
      if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
        throw SyntaxError("number is too large", start + 1);
    }
    return v;
  }
};

}  // namespace

bool type_has_size(QualifiedType type) {
  const Type* t = type.type;
  return t && t->kind() != TypeKind::Function && is_complete(t);
}

uint64_t type_sizeof(QualifiedType type) { return sizeof_impl(type.type, 0); }

uint64_t type_alignof(QualifiedType type) { return alignof_impl(type.type, 0); }

namespace {

// Fewer direct members than this: comparing names is as fast as hashing one.
constexpr size_t kIndexedMemberCount = 12;

void index_members(const Type* compound, uint64_t base, MemberIndex& index, int depth) {
  if (depth > kMaxDepth) return;
  for (const TypeMember& m : compound->members()) {
    if (!m.name.empty()) {
      index.by_name.try_emplace(m.name, MemberIndex::Entry{&m, base});
      continue;
    }
    const Type* inner = underlying_type(m.type.get()).type;
    if (has_members(inner)) index_members(inner, base + m.bit_offset, index, depth + 1);
  }
}

}  // namespace

const MemberIndex* member_index_of(const Type* compound) {
  const MemberIndex* index = compound->member_index_.load(std::memory_order_acquire);
  if (index || compound->members().size() < kIndexedMemberCount) return index;
  auto built = std::make_unique<MemberIndex>();
  built->by_name.reserve(compound->members().size());
  index_members(compound, 0, *built, 0);
  const MemberIndex* expected = nullptr;
  if (compound->member_index_.compare_exchange_strong(expected, built.get(), std::memory_order_acq_rel))
    return built.release();
  return expected;  // another thread built it first
}

std::optional<FoundMember> find_member(QualifiedType type, std::string_view name) {
  const Type* u = underlying_type(type).type;
  if (!has_members(u))
    throw TypeError(fmt::format("'{}' is not a structure, union, or class",
                                type_name({type.type, 0})));
  FoundMember out;
  if (const MemberIndex* index = member_index_of(u)) {
    auto it = index->by_name.find(name);
    if (it == index->by_name.end()) return std::nullopt;
    const TypeMember& m = *it->second.member;
    out.type = m.type.get();
    out.bit_offset = it->second.base_bit_offset + m.bit_offset;
    out.bit_field_size = m.bit_field_size;
    return out;
  }
  if (find_member_impl(u, name, 0, out, 0)) return out;
  return std::nullopt;
}

FoundMember member_of(QualifiedType type, std::string_view name) {
  auto found = find_member(type, name);
  if (!found)
    throw LookupError(fmt::format("'{}' has no member '{}'", type_name({type.type, 0}), name));
  return *found;
}

FoundMember resolve_designator(QualifiedType type, std::string_view designator) {
  DesignatorLexer lex;
  lex.s = designator;
  FoundMember cur{{type.type, 0}, 0, 0};
  // States as drgn's c_family_bit_offset: start, after '.', after identifier or ']',
  // after '[', after number.
  enum State { Start, AfterDot, AfterIdent, AfterRBracket, AfterLBracket, AfterNumber };
  State state = Start;
  for (int steps = 0;; ++steps) {
    lex.next();
    switch (state) {
      case Start:
      case AfterDot: {
        if (lex.kind != DesignatorLexer::Ident) {
          throw SyntaxError(state == AfterDot ? "expected identifier after '.'"
                                              : "expected identifier",
                            lex.start + 1);
        }
        FoundMember m = member_of(cur.type, lex.text);
        if (__builtin_add_overflow(cur.bit_offset, m.bit_offset, &cur.bit_offset))
          throw TypeError("offset is too large");
        cur.type = m.type;
        cur.bit_field_size = m.bit_field_size;
        state = AfterIdent;
        break;
      }
      case AfterIdent:
      case AfterRBracket:
        if (lex.kind == DesignatorLexer::End) return cur;
        if (lex.kind == DesignatorLexer::Dot) {
          state = AfterDot;
        } else if (lex.kind == DesignatorLexer::LBracket) {
          state = AfterLBracket;
        } else {
          throw SyntaxError(state == AfterIdent ? "expected '.' or '[' after identifier"
                                                : "expected '.' or '[' after ']'",
                            lex.start + 1);
        }
        break;
      case AfterLBracket: {
        if (lex.kind != DesignatorLexer::Number)
          throw SyntaxError("expected number after '['", lex.start + 1);
        uint64_t index = lex.number();
        const Type* u = underlying_type(cur.type).type;
        if (!u || u->kind() != TypeKind::Array)
          throw TypeError(fmt::format("'{}' is not an array", type_name({cur.type.type, 0})));
        QualifiedType element = u->target();
        uint64_t bits = type_sizeof(element) * 8, off;
        if (__builtin_mul_overflow(index, bits, &off) ||
            __builtin_add_overflow(cur.bit_offset, off, &cur.bit_offset))
          throw TypeError("offset is too large");
        cur.type = element;
        cur.bit_field_size = 0;
        state = AfterNumber;
        break;
      }
      case AfterNumber:
        if (lex.kind != DesignatorLexer::RBracket)
          throw SyntaxError("expected ']' after number", lex.start + 1);
        state = AfterRBracket;
        break;
    }
  }
}

uint64_t bit_offset_of(QualifiedType type, std::string_view designator) {
  return resolve_designator(type, designator).bit_offset;
}

uint64_t offset_of(QualifiedType type, std::string_view designator) {
  uint64_t bits = bit_offset_of(type, designator);
  if (bits % 8) throw TypeError("member is not byte-aligned");
  return bits / 8;
}

std::string member_at_offset(QualifiedType type, uint64_t offset) {
  // A depth-first walk as drgn.helpers.common.type.member_at_offset: follow the member
  // (or array element) containing the offset; at a union, every member containing it is
  // a separate answer, explored in declaration order.
  if (offset > UINT64_MAX / 8) throw TypeError("offset is too large");
  uint64_t bit_offset = offset * 8;
  const Type* cur = underlying_type(type).type;
  if (!cur || !(cur->is_compound() || cur->kind() == TypeKind::Array))
    throw TypeError("must be compound type or array");

  struct Pending {
    const TypeMember* member;
    uint64_t parent_bit_offset;
    size_t chain_len;
  };
  std::string chain;
  std::vector<Pending> stack;
  std::vector<std::string> results;

  auto append_name = [&](const std::string& name) {
    if (!name.empty()) {
      if (!chain.empty()) chain += '.';
      chain += name;
    }
  };
  // Records the current chain; returns false when nothing remains to explore.
  auto emit_and_pop = [&]() -> bool {
    if (bit_offset) {
      if ((bit_offset & 7) == 0)
        chain += fmt::format("+{:#x}", bit_offset / 8);
      else
        chain += fmt::format("+{} bits", bit_offset);
    }
    results.push_back(chain);
    if (stack.empty()) return false;
    Pending p = stack.back();
    stack.pop_back();
    cur = underlying_type(p.member->type.get()).type;
    bit_offset = p.parent_bit_offset - p.member->bit_offset;
    chain.resize(p.chain_len);
    append_name(p.member->name);
    return true;
  };

  // Bounded: every step descends one level or emits one answer; only a self-containing
  // type from corrupt debug info needs more.
  bool done = false;
  for (size_t steps = 0; steps < 100000 && !done; ++steps) {
    if (!cur) {
      if (!emit_and_pop()) done = true;
      continue;
    }
    if (cur->kind() == TypeKind::Array) {
      const Type* element = cur->target().type;
      uint64_t element_bits = type_sizeof({element, 0}) * 8;
      const auto& length = cur->length();
      // Incomplete arrays are treated as infinitely long.
      bool inside = !length || (element_bits && *length <= UINT64_MAX / element_bits &&
                                bit_offset < *length * element_bits);
      if (inside && element_bits) {
        uint64_t i = bit_offset / element_bits;
        bit_offset -= i * element_bits;
        chain += fmt::format("[{}]", i);
        cur = underlying_type({element, 0}).type;
      } else {
        uint64_t total = length && element_bits ? *length * element_bits : 0;
        chain += bit_offset == total ? "<end>" : "<past end>";
        bit_offset = 0;
        if (!emit_and_pop()) done = true;
      }
      continue;
    }
    if (!cur->is_compound()) {
      if (!emit_and_pop()) done = true;
      continue;
    }

    const auto& members = cur->members();
    uint64_t orig_bit_offset = bit_offset;
    size_t orig_chain_len = chain.size();
    auto contains = [&](const TypeMember& m) {
      uint64_t bit_size = m.bit_field_size;
      if (!bit_size) {
        QualifiedType mt = m.type.get();
        if (type_has_size(mt)) {
          bit_size = type_sizeof(mt) * 8;
        } else {
          const Type* mu = underlying_type(mt).type;
          if (!mu || mu->kind() != TypeKind::Array) return false;  // ignored, as drgn
          // Incomplete array: treated as infinitely long.
          return m.bit_offset <= orig_bit_offset;
        }
      }
      return m.bit_offset <= orig_bit_offset && orig_bit_offset < m.bit_offset + bit_size;
    };
    size_t first = members.size();
    for (size_t i = 0; i < members.size(); ++i) {
      if (contains(members[i])) {
        first = i;
        break;
      }
    }
    if (first < members.size()) {
      const TypeMember& m = members[first];
      if (cur->kind() == TypeKind::Union) {
        // Later matches are explored after this one, in declaration order: push them
        // last-to-first so the stack pops the earliest first.
        for (size_t i = members.size(); i-- > first + 1;) {
          if (contains(members[i])) stack.push_back({&members[i], orig_bit_offset, orig_chain_len});
        }
      }
      bit_offset -= m.bit_offset;
      append_name(m.name);
      cur = underlying_type(m.type.get()).type;
      continue;
    }

    // No member contains the offset: padding, the end, or past it.
    uint64_t bit_size = type_sizeof({cur, 0}) * 8;
    if (bit_offset == bit_size) {
      chain += "<end>";
    } else if (bit_offset > bit_size) {
      chain += "<past end>";
    } else {
      const TypeMember* prev = nullptr;
      const TypeMember* next = nullptr;
      for (const TypeMember& m : members) {
        if (m.bit_offset < bit_offset) {
          if (!prev || m.bit_offset > prev->bit_offset) prev = &m;
        } else if (!next || m.bit_offset < next->bit_offset) {
          next = &m;
        }
      }
      if (!chain.empty()) chain += '.';
      auto label = [](const TypeMember* m) {
        return m->name.empty() ? std::string("<unnamed>") : m->name;
      };
      if (prev && next)
        chain += "<padding between " + label(prev) + " and " + label(next) + ">";
      else if (next)
        chain += "<padding at beginning>";
      else
        chain += "<padding at end>";
    }
    bit_offset = 0;
    if (!emit_and_pop()) done = true;
  }

  if (!done) throw TypeError("type is too deeply nested");
  std::string out;
  for (size_t i = 0; i < results.size(); ++i) {
    if (i) out += " or ";
    out += results[i];
  }
  return out;
}

}  // namespace kdive
