// StructLayoutPrinter implementation: a re-statement of the formatting rules of pahole
// 1.24 (dwarves_fprintf.c), learnt from its output and source, over our LayoutModel and
// LayoutType nodes, so that DIEs and Types print by the same code. Owns the type column
// and the lines of members, nested structs/unions, enums, typedefs, function types and
// cacheline boundaries; the hole comments between member lines and the closing size
// summary of a struct are StructSummary's (struct_summary.h).
// Column widths are pahole's: type column 26 and name column 23 (21 at the top of a union,
// 55 with -E), each nesting level of an inline struct/union taking 8 off the type column.
// Spacing depends on how many characters a member line has printed so far, so every
// routine appends to one string and measures what it appended.
#include "layout/struct_layout_printer.h"

#include <dwarf.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <optional>

#include "debuginfo/debug_info.h"
#include "kdive/error.h"
#include "layout/layout_model.h"
#include "layout/struct_summary.h"

namespace kdive {

namespace {

constexpr uint32_t kCachelineSize = 64;  // for the boundary comments; the summary has its own
constexpr int kMaxTabs = 16;
constexpr int kMaxDepth = 1024;  // nesting of printed types; only corrupt DWARF goes deeper

// printf-style append: pahole's columns are printf widths (%-*s, %5u, %#5x), so the
// same conversions give the same bytes, including C's "%#x" of 0 printing "0".
[[gnu::format(printf, 2, 3)]] void appendf(std::string& out, const char* format, ...) {
  char small[256];
  va_list ap;
  va_start(ap, format);
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(small, sizeof small, format, ap);
  va_end(ap);
  if (n < 0) {
    va_end(ap2);
    return;
  }
  if (static_cast<size_t>(n) < sizeof small) {
    out.append(small, static_cast<size_t>(n));
  } else {
    std::string big(static_cast<size_t>(n) + 1, '\0');
    std::vsnprintf(big.data(), big.size(), format, ap2);
    big.resize(static_cast<size_t>(n));
    out += big;
  }
  va_end(ap2);
}

void tabs(std::string& out, int n) { out.append(static_cast<size_t>(std::clamp(n, 0, kMaxTabs)), '\t'); }

// "%*s" of " ": at least one space, |width| in all.
void spaces(std::string& out, int width) {
  int w = width < 0 ? -width : width;
  out.append(static_cast<size_t>(w < 1 ? 1 : w), ' ');
}

int tag_of(const std::optional<LayoutType>& t) { return t ? t->tag() : 0; }

const char* name_of(const std::optional<LayoutType>& t) { return t ? t->name() : nullptr; }

bool is_struct(int tag) { return tag == DW_TAG_structure_type || tag == DW_TAG_class_type; }
bool is_struct_like(int tag) {
  return is_struct(tag) || tag == DW_TAG_union_type || tag == DW_TAG_enumeration_type;
}

// pahole's conf_fprintf: the state handed down while printing nested types.
struct Conf {
  int type_spacing = 26;
  int name_spacing = 23;
  int indent = 0;
  const char* prefix = nullptr;
  std::optional<std::string> suffix;
  bool emit_stats = true;
  bool suppress_offset_comment = false;
  bool rel_offset = false;
  uint32_t base_offset = 0;
  uint32_t* cachelinep = nullptr;  // shared by nested types: boundaries print once
  bool union_member = false;
  bool first_member = false;
  bool last_member = false;
  bool expand_types = false;
  bool hex = false;
};

class Printer {
 public:
  Printer(LayoutModel& model, std::string& out) : model_(model), out_(out) {}

  void top_level(const LayoutType& type, const LayoutOptions& options);

 private:
  std::string tag_name(const std::optional<LayoutType>& type);
  std::string pointer_name(const LayoutType& pointer, const char* suffix);
  std::string function_type_name(const LayoutType& ftype);

  void type(std::optional<LayoutType> type, const char* name, const Conf& conf);
  void array(const LayoutType& array, const char* name, const Conf& conf);
  void function_type(const LayoutType& ftype, const char* name, bool inlined, bool is_pointer,
                     int type_spacing, bool is_prototype, const Conf& conf);
  void parameters(const LayoutType& ftype, const Conf& conf);
  void compound(LayoutClass& c, const Conf& conf);
  void union_type(LayoutClass& c, const Conf& conf);
  void enumeration(const LayoutType& e, const Conf& conf);
  void typedef_type(const LayoutType& t, const Conf& conf);
  void member(LayoutMember& m, bool union_member, const LayoutType& mtype, Conf& conf);
  void cacheline_boundary(const Conf& conf, uint32_t offset);

  void enter(const LayoutType& type) {
    if (++depth_ > kMaxDepth) model_.fail(type, "type nesting too deep");
  }

  LayoutModel& model_;
  std::string& out_;
  int depth_ = 0;
};

std::string Printer::function_type_name(const LayoutType& ftype) {
  std::string saved;
  saved.swap(out_);
  function_type(ftype, nullptr, false, false, 0, true, Conf{});
  saved.swap(out_);
  return saved;
}

std::string Printer::pointer_name(const LayoutType& pointer, const char* suffix) {
  std::optional<LayoutType> target = pointer.target();
  if (!target) return std::string("void ") + suffix;
  const char* const_pointer = "";
  if (tag_of(target) == DW_TAG_const_type) {
    std::optional<LayoutType> next = target->target();
    if (next && tag_of(next) == DW_TAG_pointer_type) {
      const_pointer = "const ";
      target = next;
    }
  }
  return tag_name(target) + " " + const_pointer + suffix;
}

// pahole's __tag__name: how a type is spelt in a member line's type column.
std::string Printer::tag_name(const std::optional<LayoutType>& type) {
  if (!type) return "void";
  enter(*type);
  std::string s;
  const char* n = name_of(type);
  switch (tag_of(type)) {
    case DW_TAG_base_type: s = n ? n : "nameless base type!"; break;
    case DW_TAG_pointer_type: s = pointer_name(*type, "*"); break;
    case DW_TAG_reference_type: s = pointer_name(*type, "&"); break;
    case DW_TAG_const_type: case DW_TAG_volatile_type: case DW_TAG_restrict_type: {
      int tag = tag_of(type);
      const char* prefix = tag == DW_TAG_const_type ? "const " : tag == DW_TAG_volatile_type ? "volatile " : "";
      const char* suffix = tag == DW_TAG_restrict_type ? " restrict" : "";
      s = std::string(prefix) + tag_name(type->target()) + suffix + " ";
      break;
    }
    case DW_TAG_array_type: s = tag_name(type->target()); break;
    case DW_TAG_subroutine_type: s = function_type_name(*type); break;
    case DW_TAG_structure_type: s = std::string("struct ") + (n ? n : ""); break;
    case DW_TAG_class_type: s = std::string("class ") + (n ? n : ""); break;
    case DW_TAG_union_type: s = std::string("union ") + (n ? n : ""); break;
    case DW_TAG_enumeration_type: s = std::string("enum ") + (n ? n : ""); break;
    default: s = n ? n : ""; break;
  }
  --depth_;
  return s;
}

void Printer::function_type(const LayoutType& ftype, const char* name, bool inlined, bool is_pointer,
                            int type_spacing, bool is_prototype, const Conf& conf) {
  std::string ret = tag_name(ftype.target());
  appendf(out_, "%s%-*s %s%s%s%s", inlined ? "inline " : "", type_spacing, ret.c_str(),
          is_prototype ? "(" : "", is_pointer ? "*" : "", name ? name : "", is_prototype ? ")" : "");
  parameters(ftype, conf);
}

void Printer::parameters(const LayoutType& ftype, const Conf& conf) {
  out_ += "(";
  bool first = true, unspecified = false;
  for (const LayoutType::Parameter& p : ftype.parameters(unspecified)) {
    if (!first) out_ += ", ";
    first = false;
    if (tag_of(p.type) == DW_TAG_pointer_type) {
      std::optional<LayoutType> target = p.type->target();
      if (target && tag_of(target) == DW_TAG_subroutine_type) {
        function_type(*target, p.name, false, true, 0, true, conf);
        continue;
      }
    } else if (tag_of(p.type) == DW_TAG_subroutine_type) {
      function_type(*p.type, p.name, true, false, 0, false, conf);
      continue;
    }
    std::string t = tag_name(p.type);
    appendf(out_, "%s%s%s", t.c_str(), p.name ? " " : "", p.name ? p.name : "");
  }
  if (first) {
    out_ += "void)";
  } else if (unspecified) {
    out_ += ", ...)";
  } else {
    out_ += ")";
  }
}

void Printer::array(const LayoutType& array, const char* name, const Conf& conf) {
  std::optional<LayoutType> element = array.target();
  std::vector<uint32_t> dims = array.array_dimensions();
  // A flexible array of const elements loses its const, as pahole prints it.
  if (!dims.empty() && dims[0] == 0 && tag_of(element) == DW_TAG_const_type) {
    element = element->target();
  }
  type(element, name, conf);
  bool vector = array.is_vector();
  uint64_t flat = 0;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (vector) {
      if (dims[i] == 0 && i == 0) break;
      flat = flat ? flat * dims[i] : dims[i];
    } else {
      bool single_member = conf.last_member && conf.first_member;
      if (dims[i] != 0 || !conf.last_member || single_member || conf.union_member) {
        appendf(out_, "[%u]", dims[i]);
      } else {
        out_ += "[]";
      }
    }
  }
  if (vector) {
    // Sized by the element after typedefs.
    std::optional<LayoutType> e = array.target();
    for (int i = 0; e && tag_of(e) == DW_TAG_typedef && i < kMaxDepth; ++i) e = e->target();
    appendf(out_, " __attribute__ ((__vector_size__ (%llu)))",
            static_cast<unsigned long long>((flat ? flat : 1) * model_.type_size(e)));
  }
}

// pahole's type__fprintf: a member's type column and name.
void Printer::type(std::optional<LayoutType> t, const char* name, const Conf& conf) {
  if (!t) {
    appendf(out_, "%-*s%s> %s", conf.type_spacing, "<ERROR", "", name ? name : "");
    return;
  }
  enter(*t);
  bool expand_types = conf.expand_types;
  if (expand_types) {
    bool expanded = false;
    while (tag_of(t) == DW_TAG_typedef) {
      const char* n = name_of(t);
      appendf(out_, expanded ? " -> %s" : "/* typedef %s", n ? n : "");
      expanded = true;
      t = t->target();
      if (!t) {
        appendf(out_, "%-*s%s> %s", conf.type_spacing, "<ERROR", "", name ? name : "");
        --depth_;
        return;
      }
    }
    if (expanded) out_ += " */ ";
  }

  Conf tconf = conf;
  std::string pointer_name;  // "* name" for a pointer to an inline struct
  auto inner_struct = [&] {
    tconf.prefix = nullptr;
    tconf.suffix = name ? std::optional<std::string>(name) : std::nullopt;
    tconf.emit_stats = false;
    tconf.suppress_offset_comment = conf.suppress_offset_comment;
  };
  if (is_struct_like(tag_of(t))) inner_struct();

  for (;;) {
    int tag = tag_of(t);
    const char* tname = name_of(t);
    if (tag == DW_TAG_pointer_type) {
      std::optional<LayoutType> target = t->target();
      if (target && tag_of(target) == DW_TAG_subroutine_type) {
        function_type(*target, name, false, true, tconf.type_spacing, true, tconf);
        break;
      }
      if (target && is_struct_like(tag_of(target)) && !name_of(target) && pointer_name.empty()) {
        pointer_name = std::string("* ") + (name ? name : "");
        name = pointer_name.c_str();
        tconf.rel_offset = true;
        t = target;
        tconf.type_spacing -= 8;
        inner_struct();
        continue;
      }
    }
    if (tag == DW_TAG_subroutine_type) {
      function_type(*t, name, false, false, tconf.type_spacing, true, tconf);
    } else if (tag == DW_TAG_const_type) {
      out_ += "const ";
      tconf.type_spacing -= 6;
      std::optional<LayoutType> next = t->target();
      if (next) {
        t = next;
        continue;
      }
      std::string n = tag_name(t);
      appendf(out_, "%-*s %s", tconf.type_spacing, n.c_str(), name ? name : "");
    } else if (tag == DW_TAG_array_type) {
      array(*t, name, tconf);
    } else if (is_struct(tag)) {
      if (tname && !expand_types) {
        appendf(out_, "%s %-*s %s", tag == DW_TAG_class_type ? "class" : "struct", tconf.type_spacing - 7,
                tname, name ? name : "");
      } else {
        LayoutClass& c = model_.compound(*t);
        model_.find_holes(c);
        tconf.type_spacing -= 8;
        compound(c, tconf);
      }
    } else if (tag == DW_TAG_union_type) {
      if (tname && !expand_types) {
        appendf(out_, "union %-*s %s", tconf.type_spacing - 6, tname, name ? name : "");
      } else {
        tconf.type_spacing -= 8;
        union_type(model_.compound(*t), tconf);
      }
    } else if (tag == DW_TAG_enumeration_type) {
      if (tname) {
        appendf(out_, "enum %-*s %s", tconf.type_spacing - 5, tname, name ? name : "");
      } else {
        enumeration(*t, tconf);
      }
    } else {
      std::string n = tag_name(t);
      appendf(out_, "%-*s %s", tconf.type_spacing, n.c_str(), name ? name : "");
    }
    break;
  }
  --depth_;
}

void Printer::cacheline_boundary(const Conf& conf, uint32_t offset) {
  uint32_t cacheline = offset / kCachelineSize;
  if (cacheline <= *conf.cachelinep) return;
  uint32_t pos = offset % kCachelineSize;
  if (pos == 0) {
    appendf(out_, "/* --- cacheline %u boundary (%u bytes) --- */\n", cacheline, offset - pos);
  } else {
    appendf(out_, "/* --- cacheline %u boundary (%u bytes) was %u byte%s ago --- */\n", cacheline,
            offset - pos, pos, pos > 1 ? "s" : "");
  }
  tabs(out_, conf.indent);
  *conf.cachelinep = cacheline;
}

// pahole's class_member__fprintf: one member line (or an inline struct/union ending in
// "} name;") with its offset comment.
void Printer::member(LayoutMember& m, bool union_member, const LayoutType& mtype, Conf& conf) {
  Conf sconf = conf;
  uint32_t offset = m.byte_offset;
  if (!sconf.rel_offset) {
    offset += sconf.base_offset;
    if (!union_member) sconf.base_offset = offset;
  }
  cacheline_boundary(conf, offset);
  size_t start = out_.size();
  if (m.is_static) out_ += "static ";
  int tag = tag_of(mtype);
  const char* type_name = name_of(mtype);
  if (is_struct_like(tag)) {
    type(mtype, nullptr, sconf);
    if (m.name) {
      if (!type_name) out_ += " ";
      out_ += m.name;
    }
  } else {
    type(mtype, m.name, sconf);
  }
  if (!m.is_static && m.bitfield_size != 0) appendf(out_, ":%u", m.bitfield_size);
  int alignment_printed = 0;
  if (m.alignment != 0) {
    size_t before = out_.size();
    appendf(out_, " __attribute__((__aligned__(%u)))", m.alignment);
    alignment_printed = static_cast<int>(out_.size() - before);
  }
  out_ += ";";
  if (sconf.suppress_offset_comment) return;

  int size = static_cast<int>(m.byte_size);
  if (is_struct_like(tag) && !type_name) {
    // An inline type: the comment lines up from the closing brace.
    int slen = alignment_printed + (m.name ? static_cast<int>(std::strlen(m.name)) : -1);
    if (is_struct(tag) && model_.compound(mtype).is_packed) {
      slen += static_cast<int>(sizeof("__attribute__((__packed__))"));
    }
    spaces(out_, sconf.type_spacing + sconf.name_spacing - slen - 3);
  } else {
    int printed = static_cast<int>(out_.size() - start);
    int spacing = sconf.type_spacing + sconf.name_spacing - printed;
    spaces(out_, spacing > 0 ? spacing : 0);
  }
  appendf(out_, sconf.hex ? "/* %#5x" : "/* %5u", offset);
  int size_spacing = 5;
  if (m.bitfield_size != 0) {
    appendf(out_, sconf.hex ? ":%#2x" : ":%2u", static_cast<unsigned>(m.bitfield_offset));
    size_spacing -= 3;
  }
  appendf(out_, sconf.hex ? " %#*x */" : " %*u */", size_spacing, size);
}

void Printer::union_type(LayoutClass& c, const Conf& conf) {
  int indent = std::min(conf.indent, kMaxTabs);
  if (conf.prefix) appendf(out_, "%s ", conf.prefix);
  appendf(out_, "union%s%s {\n", c.name ? " " : "", c.name ? c.name : "");
  Conf uconf = conf;
  uconf.indent = indent + 1;
  model_.infer_union_packed(c);
  uint32_t cacheline = 0;
  if (!uconf.cachelinep) uconf.cachelinep = &cacheline;
  // Every member of a union starts over from the union's cacheline.
  uint32_t initial = *uconf.cachelinep;
  for (LayoutMember& m : c.members) {
    if (!m.type) {
      tabs(out_, uconf.indent);
      out_ += "<ERROR: type not found>\n";
      continue;
    }
    uconf.union_member = true;
    tabs(out_, uconf.indent);
    member(m, true, *m.type, uconf);
    out_ += "\n";
    *uconf.cachelinep = initial;
  }
  tabs(out_, indent);
  appendf(out_, "}%s%s", conf.suffix ? " " : "", conf.suffix ? conf.suffix->c_str() : "");
}

void Printer::enumeration(const LayoutType& e, const Conf& conf) {
  const char* name = e.name();
  appendf(out_, "enum%s%s", name ? " " : "", name ? name : "");
  int indent = std::min(conf.indent, kMaxTabs);
  bool is_signed = false;
  std::vector<LayoutType::Enumerator> values = e.enumerators(is_signed);
  int max_len = 0;
  for (const LayoutType::Enumerator& v : values) max_len = std::max(max_len, static_cast<int>(std::strlen(v.name)));
  if (values.empty()) return;
  out_ += " {\n";
  for (const LayoutType::Enumerator& v : values) {
    tabs(out_, indent);
    appendf(out_, "\t%-*s = ", max_len, v.name);
    if (conf.hex) {
      appendf(out_, "%#llx", static_cast<unsigned long long>(v.value));
    } else if (is_signed) {
      appendf(out_, "%lld", static_cast<long long>(v.value));
    } else {
      appendf(out_, "%llu", static_cast<unsigned long long>(v.value));
    }
    out_ += ",\n";
  }
  tabs(out_, indent);
  out_ += "}";
  uint64_t size = e.byte_size();
  if ((size ? size : 4) != 4) out_ += " __attribute__((__packed__))";
  if (conf.suffix) appendf(out_, " %s", conf.suffix->c_str());
}

void Printer::typedef_type(const LayoutType& t, const Conf& conf) {
  const char* name = name_of(t);
  if (!name) name = "";
  std::optional<LayoutType> target = t.target();
  if (!target) {
    appendf(out_, "typedef void %s", name);
    return;
  }
  int tag = tag_of(target);
  bool is_pointer = false;
  if (tag == DW_TAG_array_type) {
    out_ += "typedef ";
    array(*target, name, conf);
    return;
  }
  if (tag == DW_TAG_pointer_type) {
    std::optional<LayoutType> pointee = target->target();
    if (pointee && tag_of(pointee) == DW_TAG_subroutine_type) {
      target = pointee;
      tag = DW_TAG_subroutine_type;
      is_pointer = true;
    }
  }
  if (tag == DW_TAG_subroutine_type) {
    out_ += "typedef ";
    function_type(*target, name, false, is_pointer, 0, true, conf);
    return;
  }
  const char* target_name = name_of(target);
  if (is_struct(tag)) {
    if (target_name) {
      appendf(out_, "typedef struct %s %s", target_name, name);
      return;
    }
    Conf tconf = conf;
    tconf.suffix = name;
    out_ += "typedef ";
    compound(model_.compound(*target), tconf);
    return;
  }
  if (tag == DW_TAG_enumeration_type) {
    if (target_name) {
      appendf(out_, "typedef enum %s %s", target_name, name);
      return;
    }
    Conf tconf = conf;
    tconf.suffix = name;
    out_ += "typedef ";
    enumeration(*target, tconf);
    return;
  }
  std::string n = tag_name(target);
  appendf(out_, "typedef %s %s", n.c_str(), name);
}

namespace {
bool is_power_of_2(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }
}  // namespace

// pahole's __class__fprintf: a struct with its members; the hole comments and the
// closing summary are StructSummary's (struct_summary.h).
void Printer::compound(LayoutClass& c, const Conf& conf) {
  enter(c.node);
  Conf cconf = conf;
  appendf(out_, "%s%s%s%s%s", cconf.prefix ? cconf.prefix : "", cconf.prefix ? " " : "",
          c.tag == DW_TAG_class_type ? "class" : "struct", c.name ? " " : "", c.name ? c.name : "");
  int indent = std::min(cconf.indent, kMaxTabs);
  uint32_t cacheline = 0;
  if (!cconf.cachelinep) cconf.cachelinep = &cacheline;
  cconf.indent = indent + 1;
  model_.infer_packed(c);
  out_ += " {\n";

  std::string member_indent;
  tabs(member_indent, cconf.indent);
  StructSummary summary(out_, member_indent);
  summary.leading_holes(c);

  LayoutMember* last = nullptr;
  uint64_t last_size = 0;
  for (size_t i = 0; i < c.members.size(); ++i) {
    LayoutMember& pos = c.members[i];
    if (pos.alignment != 0) summary.forced_alignment(last ? last->hole : c.pre_hole);
    if (last && last_size != 0) {
      if (last->bit_hole != 0 && pos.bitfield_size) {
        // Spell out the unnamed bit field that forced the next storage unit.
        unsigned bitfield_size = last->bit_hole;
        if (last->byte_offset != pos.byte_offset) {
          out_ += "\n";
          tabs(out_, cconf.indent);
          out_ += "/* Force alignment to the next boundary: */\n";
          bitfield_size = 0;
        }
        tabs(out_, cconf.indent);
        type(pos.type, "", cconf);
        appendf(out_, ":%u;\n", bitfield_size);
      }
      if (pos.byte_offset < last->byte_offset ||
          (pos.byte_offset == last->byte_offset && last->bitfield_size == 0 && pos.bitfield_size != 0)) {
        summary.comment_line("/* Bitfield combined with previous fields */");
      } else {
        int64_t cc_last_size = static_cast<int64_t>(pos.byte_offset) - static_cast<int64_t>(last->byte_offset);
        if (cc_last_size > 0 && static_cast<uint64_t>(cc_last_size) < last_size) {
          summary.comment_line("/* Bitfield combined with next fields */");
        }
      }
    }
    summary.end_comments();
    if (!pos.type) {
      tabs(out_, cconf.indent);
      out_ += "<ERROR: type not found>\n";
      continue;
    }
    cconf.last_member = i + 1 == c.members.size();
    cconf.first_member = last == nullptr;
    uint64_t size = pos.byte_size;
    tabs(out_, cconf.indent);
    member(pos, false, *pos.type, cconf);

    uint16_t struct_padding = 0;
    if (is_struct(tag_of(pos.type))) {
      LayoutClass& inner = model_.compound(*pos.type);
      model_.find_holes(inner);
      model_.infer_packed(inner);
      struct_padding = inner.padding;
    }
    summary.after_member(pos, struct_padding);

    if (last == nullptr || last_size == 0 || last->byte_offset != pos.byte_offset) {
      last_size = size;
    } else if (last->bitfield_size == 0 && pos.bitfield_size != 0) {
      last_size = size;
    }
    last = &pos;
  }

  // DWARF gives alignment information, so trailing padding the last member's type could
  // fill is shown as explicit bit fields; with inferred alignments (BTF) it is not.
  if (c.padding != 0 && c.alignment == 0 && model_.has_alignment_info() && last != nullptr) {
    uint64_t size = model_.type_size(last->type);
    if (is_power_of_2(size) && c.padding > model_.address_size()) {
      out_ += "\n";
      tabs(out_, cconf.indent);
      out_ += "/* Force padding: */\n";
      for (uint64_t added = 0; added < c.padding; added += size) {
        tabs(out_, cconf.indent);
        type(last->type, "", cconf);
        appendf(out_, ":%u;\n", static_cast<unsigned>(size * 8));
      }
    }
  }

  if (cconf.emit_stats) summary.close(c, model_.type_size(c.node), cconf.base_offset);
  tabs(out_, indent);
  out_ += "}";
  if (c.is_packed) out_ += " __attribute__((__packed__))";
  if (cconf.suffix) appendf(out_, " %s", cconf.suffix->c_str());
  if (c.alignment != 0 && !c.is_packed) appendf(out_, " __attribute__((__aligned__(%u)))", c.alignment);
  --depth_;
}

void Printer::top_level(const LayoutType& type, const LayoutOptions& options) {
  Conf conf;
  conf.expand_types = options.expand;
  conf.hex = options.hex;
  int tag = type.tag();
  conf.name_spacing = options.expand ? 55 : tag == DW_TAG_union_type ? 21 : 23;
  switch (tag) {
    case DW_TAG_structure_type: case DW_TAG_class_type: {
      LayoutClass& c = model_.compound(type);
      model_.find_holes(c);
      compound(c, conf);
      break;
    }
    case DW_TAG_union_type: union_type(model_.compound(type), conf); break;
    case DW_TAG_enumeration_type: enumeration(type, conf); break;
    case DW_TAG_typedef: typedef_type(type, conf); break;
    default: throw TypeError("layout: not a struct, union, enum or typedef");
  }
  out_ += ";\n";
}

}  // namespace

std::string StructLayoutPrinter::print(const Dwarf_Die& die) const {
  Dwarf_Die d = die;
  uint8_t address_size = 8, offset_size = 4;
  Dwarf_Die cu;
  if (!dwarf_diecu(&d, &cu, &address_size, &offset_size)) address_size = 8;
  LayoutModel model(file_, address_size, LayoutModel::kDwarf);
  std::string out;
  Printer(model, out).top_level(LayoutType(die), options_);
  return out;
}

std::string StructLayoutPrinter::print(QualifiedType type) const {
  std::optional<LayoutType> t = LayoutType::of(type);
  if (!t) throw TypeError("layout: not a struct, union, enum or typedef");
  // Pointers are 8 bytes: kdive's BTF types are x86-64's (btf_types.h).
  LayoutModel model(file_, 8, LayoutModel::kInferred);
  std::string out;
  Printer(model, out).top_level(*t, options_);
  return out;
}

std::string layout_of(DebugInfo& debug_info, std::string_view spec, const LayoutOptions& options) {
  std::string_view s = spec;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) throw UsageError("layout: expected a struct, union, enum or typedef name");
  std::optional<IndexTag> wanted;
  for (auto [word, tag] : {std::pair{"struct ", IndexTag::Struct}, std::pair{"union ", IndexTag::Union},
                           std::pair{"enum ", IndexTag::Enum}, std::pair{"class ", IndexTag::Class}}) {
    if (s.substr(0, std::strlen(word)) == word) {
      wanted = tag;
      s.remove_prefix(std::strlen(word));
      while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
      break;
    }
  }
  auto acceptable = [&](IndexTag t) {
    if (wanted) return t == *wanted;
    return t == IndexTag::Struct || t == IndexTag::Union || t == IndexTag::Class || t == IndexTag::Enum ||
           t == IndexTag::Typedef;
  };
  for (const auto& module : debug_info.modules()) {
    if (!module->has_dwarf()) continue;
    std::optional<uint64_t> best;
    for (const IndexEntry& e : module->index().find(s)) {
      if (e.is_declaration || !acceptable(e.tag)) continue;
      if (!best || e.die_offset < *best) best = e.die_offset;
    }
    if (!best) continue;
    Dwarf_Die die;
    if (!dwarf_offdie(module->elf().dwarf(), *best, &die)) {
      throw BadDataError(module->elf().path(), ".debug_info: bad DIE offset", *best);
    }
    return StructLayoutPrinter(module->elf().path(), options).print(die);
  }
  // No DWARF defines it: ask the program's types, which in no-debug-info mode come from
  // the dump's BTF. A bare name tries struct, union, enum, then typedef.
  std::vector<TypeKind> kinds;
  if (!wanted) {
    kinds = {TypeKind::Struct, TypeKind::Union, TypeKind::Enum, TypeKind::Typedef};
  } else {
    kinds.push_back(*wanted == IndexTag::Union ? TypeKind::Union
                    : *wanted == IndexTag::Enum ? TypeKind::Enum
                    : *wanted == IndexTag::Class ? TypeKind::Class : TypeKind::Struct);
  }
  for (TypeKind kind : kinds) {
    QualifiedType t = debug_info.find_type(kind, s);
    // A declaration (BTF's FWD, an enum without values) has no layout, as for pahole.
    if (!t.type || t.type->kind() != kind || !t.type->is_complete()) continue;
    return StructLayoutPrinter("BTF", options).print(t);
  }
  throw LookupError("type '" + std::string(s) + "' not found");
}

}  // namespace kdive
