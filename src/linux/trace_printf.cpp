// The kernel printf over dump data (trace_printf.h). One formatter walks the format
// string; where the arguments come from — a vbin_printf() buffer or evaluated
// print_fmt arguments — is an ArgSource. Rendering of each conversion uses the C
// library's snprintf with a rebuilt, checked specification, so flags, width and
// precision behave exactly as in C (which is what the kernel's vsnprintf implements
// for these conversions).
#include "linux/trace_printf.h"

#include <cctype>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

namespace {

struct Spec {
  std::string flags;
  int width = -1, precision = -1;
  bool width_star = false, precision_star = false;
  std::string length;  // "", "hh", "h", "l", "ll", "z", "t", "j", "L"
  char conv = 0;
  std::string ext;  // %p<ext>
};

// Size in bytes of an integer conversion's argument, as format_decode() classifies it.
size_t int_size(const Spec& s) {
  if (s.conv == 'c') return 1;
  if (s.conv == 'p') return 8;
  if (s.length == "hh") return 1;
  if (s.length == "h") return 2;
  if (s.length.empty()) return 4;
  return 8;  // l, ll, L, q, z, Z, t, j on x86-64
}

bool is_signed_conv(char c) { return c == 'd' || c == 'i'; }

// The vsprintf pointer extensions that vbin_printf() keeps as a pointer (lib/vsprintf.c
// vbin_printf(): 'S', 's', 'x', 'K', 'e', and plain %p); every other alphanumeric
// extension was rendered to a string in the buffer.
bool pointer_kept(const std::string& ext) {
  if (ext.empty()) return true;
  char c = ext[0];
  return c == 'S' || c == 's' || c == 'x' || c == 'K' || c == 'e';
}

class ArgSource {
 public:
  virtual ~ArgSource() = default;
  virtual uint64_t integer(size_t size, bool is_signed) = 0;
  virtual std::string string() = 0;
};

class PackedArgs : public ArgSource {
 public:
  PackedArgs(std::span<const uint8_t> b, BinaryPrintfLayout layout) : b_(b), layout_(layout) {}
  uint64_t integer(size_t size, bool is_signed) override {
    // The reworked vsprintf saves every integer conversion up to int size as an int
    // (the value truncated to the conversion's size when printed).
    size_t stored = layout_.small_ints_as_int && size < 4 && !char_next_ ? 4 : size;
    char_next_ = false;
    uint64_t v = stored_integer(stored, is_signed);
    if (stored != size) {
      v &= (uint64_t(1) << (8 * size)) - 1;
      if (is_signed && (v >> (8 * size - 1)) & 1) v |= ~uint64_t(0) << (8 * size);
    }
    return v;
  }
  // %c stays one byte in both layouts.
  void next_is_char() { char_next_ = true; }

 private:
  uint64_t stored_integer(size_t size, bool is_signed) {
    // 8-byte values are stored as two u32 halves at a 4-byte boundary.
    size_t align = size == 8 ? 4 : size;
    pos_ = (pos_ + align - 1) / align * align;
    if (pos_ + size > b_.size()) throw BadDataError("trace_printk arguments end before the format's conversions do");
    uint64_t v = 0;
    for (size_t i = 0; i < size; ++i) v |= uint64_t(b_[pos_ + i]) << (8 * i);
    pos_ += size;
    if (is_signed && size < 8 && (v >> (8 * size - 1)) & 1) v |= ~uint64_t(0) << (8 * size);
    return v;
  }

 public:
  std::string string() override {
    size_t start = pos_;
    while (pos_ < b_.size() && b_[pos_]) ++pos_;
    if (pos_ >= b_.size()) throw BadDataError("trace_printk string argument is not terminated");
    std::string s(reinterpret_cast<const char*>(b_.data() + start), pos_ - start);
    ++pos_;
    return s;
  }

 private:
  std::span<const uint8_t> b_;
  BinaryPrintfLayout layout_;
  bool char_next_ = false;
  size_t pos_ = 0;
};

class ListArgs : public ArgSource {
 public:
  explicit ListArgs(const std::vector<PrintfArg>& a) : a_(a) {}
  const PrintfArg& next() {
    if (i_ >= a_.size()) throw BadDataError("print_fmt has more conversions than arguments");
    return a_[i_++];
  }
  uint64_t integer(size_t size, bool is_signed) override {
    const PrintfArg& a = next();
    if (a.is_string) throw BadDataError("print_fmt passes a string to an integer conversion");
    uint64_t v = a.value;
    if (size < 8) {
      v &= (uint64_t(1) << (8 * size)) - 1;
      if (is_signed && (v >> (8 * size - 1)) & 1) v |= ~uint64_t(0) << (8 * size);
    }
    return v;
  }
  std::string string() override {
    const PrintfArg& a = next();
    if (!a.is_string) throw BadDataError("print_fmt passes an integer to %s");
    return a.text;
  }

 private:
  const std::vector<PrintfArg>& a_;
  size_t i_ = 0;
};

// Parses the conversion after '%' at fmt[i]; on return i is past it.
Spec parse_spec(std::string_view fmt, size_t& i) {
  Spec s;
  while (i < fmt.size() && std::strchr("-+ #0", fmt[i])) s.flags += fmt[i++];
  if (i < fmt.size() && fmt[i] == '*') {
    s.width_star = true;
    ++i;
  } else {
    while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i])))
      s.width = std::max(s.width, 0) * 10 + (fmt[i++] - '0');
  }
  if (i < fmt.size() && fmt[i] == '.') {
    ++i;
    s.precision = 0;
    if (i < fmt.size() && fmt[i] == '*') {
      s.precision_star = true;
      ++i;
    } else {
      while (i < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[i]))) s.precision = s.precision * 10 + (fmt[i++] - '0');
    }
  }
  while (i < fmt.size() && std::strchr("hlLqzZtj", fmt[i])) s.length += fmt[i++];
  if (s.length == "q" || s.length == "L") s.length = "ll";
  if (s.length == "Z") s.length = "z";
  if (i >= fmt.size()) throw BadDataError(fmt::format("format \"{}\" ends inside a conversion", fmt));
  s.conv = fmt[i++];
  if (s.conv == 'p')
    while (i < fmt.size() && std::isalnum(static_cast<unsigned char>(fmt[i]))) s.ext += fmt[i++];
  if (s.width > 4096 || s.precision > 4096) throw BadDataError("printf width or precision is implausible");
  return s;
}

std::string c_format(const Spec& s, const char* conv_with_length, auto value) {
  // Flags C leaves undefined for a conversion ('#' on d/c/s, '0' on c/s) are dropped,
  // as the kernel's vsnprintf ignores them.
  char conv = conv_with_length[std::strlen(conv_with_length) - 1];
  std::string flags;
  for (char f : s.flags) {
    if (f == '#' && conv != 'x' && conv != 'X' && conv != 'o') continue;
    if ((f == '0' || f == '+' || f == ' ') && (conv == 'c' || conv == 's')) continue;
    flags += f;
  }
  std::string spec = "%" + flags;
  if (s.width >= 0) spec += std::to_string(s.width);
  if (s.precision >= 0) spec += "." + std::to_string(s.precision);
  spec += conv_with_length;
  int n = std::snprintf(nullptr, 0, spec.c_str(), value);
  if (n < 0) return {};
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), spec.c_str(), value);
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string pad(const Spec& s, std::string text) {
  if (s.width > 0 && text.size() < static_cast<size_t>(s.width)) {
    std::string fill(static_cast<size_t>(s.width) - text.size(), ' ');
    text = s.flags.find('-') != std::string::npos ? text + fill : fill + text;
  }
  return text;
}

std::string render(std::string_view fmt, ArgSource& args, const TraceSymbolLookup& symbols, bool packed) {
  std::string out;
  for (size_t i = 0; i < fmt.size();) {
    char ch = fmt[i++];
    if (ch != '%') {
      out += ch;
      continue;
    }
    if (i < fmt.size() && fmt[i] == '%') {
      out += '%';
      ++i;
      continue;
    }
    Spec s = parse_spec(fmt, i);
    if (s.width_star) {
      int64_t w = static_cast<int64_t>(args.integer(4, true));
      if (w < 0) s.flags += '-';
      s.width = static_cast<int>(std::min<int64_t>(std::llabs(w), 4096));
    }
    if (s.precision_star) s.precision = static_cast<int>(std::clamp<int64_t>(static_cast<int64_t>(args.integer(4, true)), -1, 4096));
    switch (s.conv) {
      case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': {
        size_t size = int_size(s);
        uint64_t v = args.integer(size, is_signed_conv(s.conv));
        if (is_signed_conv(s.conv)) {
          out += c_format(s, "lld", static_cast<long long>(v));
        } else {
          if (size < 8) v &= (uint64_t(1) << (8 * size)) - 1;
          char conv[4] = {'l', 'l', s.conv, 0};
          out += c_format(s, conv, static_cast<unsigned long long>(v));
        }
        break;
      }
      case 'c':
        if (auto* p = dynamic_cast<PackedArgs*>(&args)) p->next_is_char();
        out += c_format(s, "c", static_cast<int>(args.integer(1, false) & 0xff));
        break;
      case 's': {
        std::string str = args.string();
        out += c_format(s, "s", str.c_str());
        break;
      }
      case 'p': {
        if (packed && !pointer_kept(s.ext)) {
          out += pad(s, args.string());  // rendered by the kernel at trace time
          break;
        }
        uint64_t v = args.integer(8, false);
        char e = s.ext.empty() ? 0 : s.ext[0];
        if (e == 'S' || e == 'B' || e == 'F') out += pad(s, format_symbol(v, true, symbols));
        else if (e == 's' || e == 'f') out += pad(s, format_symbol(v, false, symbols));
        else out += pad(s, fmt::format("{:016x}", v));  // %px, %pK, and %p unhashed
        break;
      }
      case 'n':
        break;
      default:
        throw BadDataError(fmt::format("format \"{}\": unsupported conversion '%{}'", fmt, s.conv));
    }
  }
  return out;
}

}  // namespace

std::string format_symbol(uint64_t address, bool with_offset, const TraceSymbolLookup& symbols) {
  std::string s = symbols ? symbols(address, with_offset) : std::string();
  return s.empty() ? fmt::format("{:#x}", address) : s;
}

std::string format_binary_printf(std::string_view fmt, std::span<const uint8_t> packed, const TraceSymbolLookup& symbols,
                                 BinaryPrintfLayout layout) {
  PackedArgs args(packed, layout);
  return render(fmt, args, symbols, true);
}

std::string format_printf(std::string_view fmt, const std::vector<PrintfArg>& args, const TraceSymbolLookup& symbols) {
  ListArgs a(args);
  return render(fmt, a, symbols, false);
}

}  // namespace kdive
