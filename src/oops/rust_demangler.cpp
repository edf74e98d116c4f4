// Rust demangling (see rust_demangler.h). The v0 decoder is a recursive-descent parser
// over the grammar of RFC 2603; what it prints (and what it rejects) follows the Go
// demangler syzkaller uses, so that kdive's crash titles name the same functions.
#include "oops/rust_demangler.h"

#include <cstdint>
#include <functional>
#include <limits>

namespace kdive {
namespace {

// A malformed symbol; caught at the entry points.
struct BadSymbol {};

constexpr int kMaxDepth = 200;          // nesting of paths and types
constexpr size_t kMaxOutput = 4096;     // a frame name longer than this is garbage
constexpr int kMaxBackrefs = 1000;      // backreferences followed per symbol

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// RFC 3492 decoding as Rust uses it: "basic_encoded" splits at the last '_', the basic
// code points first; the digits are a-z (0-25) and 0-9 (26-35), either case.
std::string expand_punycode(std::string_view s) {
  constexpr int64_t kBase = 36, kTmin = 1, kTmax = 26, kSkew = 38, kDamp = 700;
  std::u32string output;
  std::string_view encoding = s;
  if (size_t us = s.rfind('_'); us != std::string_view::npos) {
    for (char c : s.substr(0, us)) output.push_back(static_cast<unsigned char>(c));
    encoding = s.substr(us + 1);
  }
  int64_t i = 0, n = 128, bias = 72;
  size_t pos = 0;
  while (pos < encoding.size()) {
    int64_t old_i = i, w = 1;
    for (int64_t k = kBase;; k += kBase) {
      if (pos == encoding.size()) throw BadSymbol{};
      char d = encoding[pos++];
      int64_t digit;
      if (is_digit(d)) digit = d - '0' + 26;
      else if (is_upper(d)) digit = d - 'A';
      else if (is_lower(d)) digit = d - 'a';
      else throw BadSymbol{};
      i += digit * w;
      int64_t t = k <= bias ? kTmin : k > bias + kTmax ? kTmax : k - bias;
      if (digit < t) break;
      if (w >= std::numeric_limits<int32_t>::max() / kBase) throw BadSymbol{};
      w *= kBase - t;
    }
    int64_t points = static_cast<int64_t>(output.size()) + 1;
    int64_t delta = i - old_i;
    delta = old_i == 0 ? delta / kDamp : delta / 2;
    delta += delta / points;
    int64_t k = 0;
    while (delta > ((kBase - kTmin) * kTmax) / 2) {
      delta /= kBase - kTmin;
      k += kBase;
    }
    bias = k + ((kBase - kTmin + 1) * delta) / (delta + kSkew);
    n += i / points;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw BadSymbol{};
    i %= points;
    output.insert(output.begin() + i, static_cast<char32_t>(n));
    ++i;
  }
  std::string utf8;
  for (char32_t cp : output) append_utf8(&utf8, cp);
  return utf8;
}

// The v0 decoder. `text_` is the symbol after "_R" (backreference offsets count from
// there); `pos_` the read position; output goes to `out_` unless `skip_` is set
// (impl paths and the instantiating crate are parsed but not printed).
class V0Parser {
 public:
  explicit V0Parser(std::string_view text) : text_(text), end_(text.size()) {}

  std::string run() {
    if (text_.empty() || is_digit(text_[0])) throw BadSymbol{};  // encoding versions
    path(true);
    if (!at_end()) {
      skip_ = true;
      path(false);
    }
    if (!at_end()) throw BadSymbol{};
    return out_;
  }

 private:
  struct Depth {
    explicit Depth(V0Parser* p) : p_(p) {
      if (++p_->depth_ > kMaxDepth) throw BadSymbol{};
    }
    ~Depth() { --p_->depth_; }
    V0Parser* p_;
  };
  struct SkipScope {
    SkipScope(V0Parser* p, bool skip) : p_(p), saved_(p->skip_) { p->skip_ = skip || saved_; }
    ~SkipScope() { p_->skip_ = saved_; }
    V0Parser* p_;
    bool saved_;
  };

  bool at_end() const { return pos_ >= end_; }
  size_t left() const { return at_end() ? 0 : end_ - pos_; }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  char next() {
    if (at_end()) throw BadSymbol{};
    return text_[pos_++];
  }
  void expect(char c) {
    if (peek() != c || at_end()) throw BadSymbol{};
    ++pos_;
  }
  void write(std::string_view s) {
    if (skip_ || s.empty()) return;
    if (out_.size() + s.size() > kMaxOutput) throw BadSymbol{};
    out_.append(s);
    last_ = s.back();
  }
  void write(char c) { write(std::string_view(&c, 1)); }

  // <base-62-number> = {<0-9a-zA-Z>} "_"   ("_" is 0, "N_" is N+1)
  uint64_t base62() {
    if (peek() == '_' && !at_end()) {
      ++pos_;
      return 0;
    }
    uint64_t v = 0;
    for (;;) {
      char c = next();
      if (c == '_') {
        if (v == std::numeric_limits<uint64_t>::max()) throw BadSymbol{};
        return v + 1;
      }
      uint64_t d;
      if (is_digit(c)) d = static_cast<uint64_t>(c - '0');
      else if (is_lower(c)) d = static_cast<uint64_t>(c - 'a' + 10);
      else if (is_upper(c)) d = static_cast<uint64_t>(c - 'A' + 36);
      else throw BadSymbol{};
      if (v > (std::numeric_limits<uint64_t>::max() - d) / 62) throw BadSymbol{};
      v = v * 62 + d;
    }
  }

  // A run of decimal digits (possibly none: then 0, as the Go demangler reads it).
  size_t decimal() {
    if (at_end()) throw BadSymbol{};
    size_t v = 0;
    while (!at_end() && is_digit(peek())) {
      size_t add = static_cast<size_t>(next() - '0');
      if (v >= static_cast<size_t>(std::numeric_limits<int32_t>::max()) / 10 - add) throw BadSymbol{};
      v = v * 10 + add;
    }
    return v;
  }

  // <disambiguator> = "s" <base-62-number>, optional; the value is only printed for
  // closures and shims.
  uint64_t disambiguator() {
    if (peek() != 's' || at_end()) return 0;
    ++pos_;
    return base62() + 1;
  }

  // <undisambiguated-identifier> = ["u"] <decimal-number> ["_"] <bytes>
  std::string identifier_bytes(bool* punycode = nullptr) {
    bool puny = false;
    if (peek() == 'u' && !at_end()) {
      ++pos_;
      puny = true;
    }
    size_t len = decimal();
    if (peek() == '_' && !at_end()) ++pos_;
    if (left() < len) throw BadSymbol{};
    std::string_view id = text_.substr(pos_, len);
    pos_ += len;
    for (char c : id) {
      if (!is_digit(c) && !is_lower(c) && !is_upper(c) && c != '_') throw BadSymbol{};
    }
    if (punycode) *punycode = puny;
    return puny ? expand_punycode(id) : std::string(id);
  }

  // <backref> = "B" <base-62-number>: re-parse the text between an earlier offset and
  // this backreference. Not followed while skipping (nothing would be printed).
  void backref(const std::function<void()>& parse) {
    size_t at = pos_;
    expect('B');
    uint64_t target = base62();
    if (skip_) return;
    if (target >= at) throw BadSymbol{};
    if (++backrefs_ > kMaxBackrefs) throw BadSymbol{};
    size_t saved_pos = pos_, saved_end = end_;
    pos_ = static_cast<size_t>(target);
    end_ = at;
    parse();
    pos_ = saved_pos;
    end_ = saved_end;
  }

  void path(bool needs_separator) {
    Depth guard(this);
    char c = next();
    switch (c) {
      case 'C': {  // crate root
        disambiguator();
        write(identifier_bytes());
        break;
      }
      case 'M':  // <T> (inherent impl)
      case 'X': {  // <T as Trait>
        {
          SkipScope hide(this, true);  // the impl's own path is not printed
          disambiguator();
          path(false);
        }
        write('<');
        type();
        if (c == 'X') {
          write(" as ");
          path(false);
        }
        write('>');
        break;
      }
      case 'Y': {  // <T as Trait> (trait definition)
        write('<');
        type();
        write(" as ");
        path(false);
        write('>');
        break;
      }
      case 'N': {  // nested path
        char ns = next();
        if (!is_lower(ns) && !is_upper(ns)) throw BadSymbol{};
        path(needs_separator);
        uint64_t dis = disambiguator();
        std::string ident = identifier_bytes();
        if (is_upper(ns)) {
          write("::{");
          if (ns == 'C') write("closure");
          else if (ns == 'S') write("shim");
          else write(ns);
          if (!ident.empty()) {
            write(':');
            write(ident);
          }
          write("#" + std::to_string(dis) + "}");
        } else {
          write("::");
          write(ident);
        }
        break;
      }
      case 'I': {  // generic arguments
        path(needs_separator);
        if (needs_separator) write("::");
        write('<');
        generic_args();
        write('>');
        expect('E');
        break;
      }
      case 'B': {
        --pos_;
        backref([&] { path(needs_separator); });
        break;
      }
      default: throw BadSymbol{};
    }
  }

  void generic_args() {
    bool first = true;
    while (!at_end() && peek() != 'E') {
      if (!first) write(", ");
      first = false;
      generic_arg();
    }
  }

  void generic_arg() {
    if (peek() == 'L' && !at_end()) {
      ++pos_;
      lifetime(base62());
    } else if (peek() == 'K' && !at_end()) {
      ++pos_;
      constant();
    } else {
      type();
    }
  }

  void lifetime(uint64_t index) {
    write('\'');
    if (index == 0) {
      write('_');
      return;
    }
    if (index > bound_lifetimes_) throw BadSymbol{};
    uint64_t depth = bound_lifetimes_ - index;
    if (depth < 26) {
      write(static_cast<char>('a' + depth));
    } else {
      write('z');
      write(std::to_string(depth - 26 + 1));
    }
  }

  // <binder> = "G" <base-62-number>, optional: "for<'a, 'b> "
  void binder() {
    if (peek() != 'G' || at_end()) return;
    ++pos_;
    uint64_t count = base62() + 1;
    // Every bound lifetime is used later, so there cannot be more than bytes left.
    if (count + bound_lifetimes_ >= left()) throw BadSymbol{};
    write("for<");
    for (uint64_t i = 0; i < count; ++i) {
      if (i > 0) write(", ");
      ++bound_lifetimes_;
      lifetime(1);
    }
    write("> ");
  }

  void type() {
    Depth guard(this);
    char c = peek();
    if (at_end()) throw BadSymbol{};
    if (is_lower(c)) {
      basic_type();
      return;
    }
    switch (c) {
      case 'C': case 'M': case 'X': case 'Y': case 'N': case 'I': path(false); return;
      case 'A':
      case 'S': {
        ++pos_;
        write('[');
        type();
        if (c == 'A') {
          write("; ");
          constant();
        }
        write(']');
        return;
      }
      case 'T': {
        ++pos_;
        write('(');
        int count = 0;
        while (!at_end() && peek() != 'E') {
          if (count++ > 0) write(", ");
          type();
        }
        if (count == 1) write(',');
        write(')');
        expect('E');
        return;
      }
      case 'R':
      case 'Q': {
        ++pos_;
        write('&');
        if (peek() == 'L' && !at_end()) {
          ++pos_;
          if (uint64_t lt = base62(); lt > 0) {
            lifetime(lt);
            write(' ');
          }
        }
        if (c == 'Q') write("mut ");
        type();
        return;
      }
      case 'P': ++pos_; write("*const "); type(); return;
      case 'O': ++pos_; write("*mut "); type(); return;
      case 'F': {
        ++pos_;
        uint64_t saved = bound_lifetimes_;
        fn_sig();
        bound_lifetimes_ = saved;
        return;
      }
      case 'D': {
        ++pos_;
        uint64_t saved = bound_lifetimes_;
        dyn_bounds();
        bound_lifetimes_ = saved;
        expect('L');
        if (uint64_t lt = base62(); lt > 0) {
          if (last_ != ' ') write(' ');
          write("+ ");
          lifetime(lt);
        }
        return;
      }
      case 'B': backref([&] { type(); }); return;
      default: throw BadSymbol{};
    }
  }

  void basic_type() {
    static constexpr std::string_view kNames[26] = {
        "i8", "bool", "char", "f64", "str", "f32", "", "u8", "isize", "usize", "", "i32", "u32",
        "i128", "u128", "_", "", "", "i16", "u16", "()", "...", "", "i64", "u64", "!"};
    std::string_view name = kNames[next() - 'a'];
    if (name.empty()) throw BadSymbol{};
    write(name);
  }

  // <fn-sig> = [<binder>] ["U"] ["K" <abi>] {<type>} "E" <type>
  void fn_sig() {
    binder();
    if (peek() == 'U' && !at_end()) {
      ++pos_;
      write("unsafe ");
    }
    if (peek() == 'K' && !at_end()) {
      ++pos_;
      if (peek() == 'C' && !at_end()) {
        ++pos_;
        write("extern \"C\" ");
      } else {
        bool puny = false;
        std::string abi = identifier_bytes(&puny);
        if (puny) throw BadSymbol{};
        for (char& ch : abi) ch = ch == '_' ? '-' : ch;
        write("extern \"");
        write(abi);
        write("\" ");
      }
    }
    write("fn(");
    bool first = true;
    while (!at_end() && peek() != 'E') {
      if (!first) write(", ");
      first = false;
      type();
    }
    expect('E');
    write(')');
    if (peek() == 'u' && !at_end()) {
      ++pos_;
    } else {
      write(" -> ");
      type();
    }
  }

  // <dyn-bounds> = [<binder>] {<dyn-trait>} "E"
  void dyn_bounds() {
    write("dyn ");
    binder();
    bool first = true;
    while (!at_end() && peek() != 'E') {
      if (!first) write(" + ");
      first = false;
      dyn_trait();
    }
    expect('E');
  }

  // <dyn-trait> = <path> {"p" <undisambiguated-identifier> <type>}
  void dyn_trait() {
    bool open = path_opening_generics();
    while (peek() == 'p' && !at_end()) {
      ++pos_;
      write(open ? ", " : "<");
      open = true;
      write(identifier_bytes());
      write(" = ");
      type();
    }
    if (open) write('>');
  }

  // A path whose final generic arguments are left open (associated-type bindings of
  // a dyn trait continue the list); returns whether they were.
  bool path_opening_generics() {
    Depth guard(this);
    if (peek() == 'I' && !at_end()) {
      ++pos_;
      path(false);
      write('<');
      generic_args();
      expect('E');
      return true;
    }
    if (peek() == 'B' && !at_end()) {
      bool open = false;
      backref([&] { open = path_opening_generics(); });
      return open;
    }
    path(false);
    return false;
  }

  // <const> = <type> <const-data> | "p" | <backref>;  <const-data> = ["n"] {<hex>} "_"
  void constant() {
    Depth guard(this);
    if (peek() == 'B' && !at_end()) {
      backref([&] { constant(); });
      return;
    }
    if (peek() == 'p' && !at_end()) {
      ++pos_;
      write('_');
      return;
    }
    enum Kind { kSigned, kUnsigned, kBool, kChar } kind;
    switch (next()) {
      case 'a': case 's': case 'l': case 'x': case 'n': case 'i': kind = kSigned; break;
      case 'h': case 't': case 'm': case 'y': case 'o': case 'j': kind = kUnsigned; break;
      case 'b': kind = kBool; break;
      case 'c': kind = kChar; break;
      default: throw BadSymbol{};
    }
    if (kind == kSigned && peek() == 'n' && !at_end()) {
      ++pos_;
      write('-');
    }
    size_t start = pos_;
    size_t digits = 0;
    uint64_t value = 0;
    while (!at_end()) {
      char c = next();
      if (c == '_') break;
      uint64_t d;
      if (is_digit(c)) d = static_cast<uint64_t>(c - '0');
      else if (c >= 'a' && c <= 'f') d = static_cast<uint64_t>(c - 'a' + 10);
      else throw BadSymbol{};
      if (value == 0 && d == 0 && peek() != '_') throw BadSymbol{};  // leading zero
      value = value * 16 + d;
      ++digits;
    }
    if (digits == 0) throw BadSymbol{};
    switch (kind) {
      case kSigned:
      case kUnsigned:
        if (digits > 16) {
          write("0x");
          write(text_.substr(start, digits));
        } else {
          write(std::to_string(value));
        }
        break;
      case kBool:
        if (digits > 1 || value > 1) throw BadSymbol{};
        write(value ? "true" : "false");
        break;
      case kChar: {
        if (digits > 6) throw BadSymbol{};
        write('\'');
        switch (value) {
          case '\t': write("\\t"); break;
          case '\r': write("\\r"); break;
          case '\n': write("\\n"); break;
          case '\\': write("\\\\"); break;
          case '\'': write("\\'"); break;
          default: {
            if (value >= ' ' && value <= '~') {
              write(static_cast<char>(value));
            } else {
              static constexpr char kHex[] = "0123456789abcdef";
              std::string hex;
              for (uint64_t v = value; v; v >>= 4) hex.insert(hex.begin(), kHex[v & 15]);
              write("\\u{" + (hex.empty() ? std::string("0") : hex) + "}");
            }
          }
        }
        write('\'');
        break;
      }
    }
  }

  std::string_view text_;
  size_t end_;  // reads stop here (a backreference re-reads up to itself)
  size_t pos_ = 0;
  std::string out_;
  bool skip_ = false;
  char last_ = '\0';
  int depth_ = 0;
  int backrefs_ = 0;
  uint64_t bound_lifetimes_ = 0;
};

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// One legacy identifier with its "$..$" escapes and ".." separators decoded.
void append_legacy_identifier(std::string_view id, std::string* out) {
  if (id.size() >= 2 && id[0] == '_' && id[1] == '$') id.remove_prefix(1);
  while (!id.empty()) {
    char c = id[0];
    if (c == '$') {
      bool valid = false;
      if (id.size() > 2 && id[1] == 'C' && id[2] == '$') {
        out->push_back(',');
        id.remove_prefix(3);
        valid = true;
      } else if (id.size() > 4 && id[1] == 'u' && id[4] == '$') {
        int hi = hex_value(id[2]), lo = hex_value(id[3]);
        int v = hi * 16 + lo;
        if (hi >= 0 && lo >= 0 && hi <= 7 && v >= ' ') {
          out->push_back(static_cast<char>(v));
          id.remove_prefix(5);
          valid = true;
        }
      } else if (id.size() > 3 && id[3] == '$') {
        static constexpr std::pair<std::string_view, char> kCodes[] = {
            {"SP", '@'}, {"BP", '*'}, {"RF", '&'}, {"LT", '<'}, {"GT", '>'}, {"LP", '('}, {"RP", ')'}};
        for (const auto& [code, ch] : kCodes) {
          if (id.substr(1, 2) == code) {
            out->push_back(ch);
            id.remove_prefix(4);
            valid = true;
            break;
          }
        }
      }
      if (!valid) {  // an unknown escape is printed as it is, with the rest
        out->append(id);
        return;
      }
    } else if (c == '.' && id.size() > 1 && id[1] == '.') {
      out->append("::");
      id.remove_prefix(2);
    } else {
      out->push_back(c);
      id.remove_prefix(1);
    }
  }
}

}  // namespace

std::optional<std::string> demangle_rust_v0(std::string_view symbol) {
  if (symbol.substr(0, 2) != "_R") return std::nullopt;
  symbol.remove_prefix(2);
  if (size_t dot = symbol.find('.'); dot != std::string_view::npos) symbol = symbol.substr(0, dot);
  try {
    return V0Parser(symbol).run();
  } catch (const BadSymbol&) {
    return std::nullopt;
  }
}

std::optional<std::string> demangle_rust_legacy(std::string_view symbol) {
  if (symbol.substr(0, 3) != "_ZN") return std::nullopt;
  // An ".llvm.123"-style suffix after the final "E" is ignored.
  if (size_t e = symbol.rfind("E."); e != std::string_view::npos && e > 0) symbol = symbol.substr(0, e + 1);
  if (symbol.size() <= 23 || symbol.back() != 'E' || symbol.substr(symbol.size() - 20, 3) != "17h") {
    return std::nullopt;
  }
  std::string_view hash = symbol.substr(symbol.size() - 17, 16);
  unsigned seen = 0;
  for (char c : hash) {
    int v = hex_value(c);
    if (v < 0) return std::nullopt;
    seen |= 1u << v;
  }
  if (__builtin_popcount(seen) < 5) return std::nullopt;
  std::string_view rest = symbol.substr(3, symbol.size() - 3 - 20);
  std::string out;
  while (!rest.empty()) {
    if (out.size() > kMaxOutput) break;
    if (!is_digit(rest[0])) return std::nullopt;
    int64_t len = 0;
    while (!rest.empty() && is_digit(rest[0])) {
      int64_t add = rest[0] - '0';
      if (len >= std::numeric_limits<int32_t>::max() / 10 - add) return std::nullopt;
      len = len * 10 + add;
      rest.remove_prefix(1);
    }
    // A '_' may separate the length from an identifier that starts with a digit; it
    // counts towards the length.
    if (!rest.empty() && rest[0] == '_') {
      rest.remove_prefix(1);
      --len;
    }
    if (len < 0 || static_cast<size_t>(len) > rest.size()) return std::nullopt;
    if (!out.empty()) out.append("::");
    append_legacy_identifier(rest.substr(0, static_cast<size_t>(len)), &out);
    rest.remove_prefix(static_cast<size_t>(len));
  }
  if (out.size() > kMaxOutput) out.resize(kMaxOutput);
  return out;
}

}  // namespace kdive
