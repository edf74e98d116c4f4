// StructSummary implementation (struct_summary.h): pahole 1.24's __class__fprintf
// counters and comments, its printf conversions (%d, %u, %zd of the same integer
// types) written with fmt, which prints the same digits.
#include "layout/struct_summary.h"

#include <sys/types.h>

#include <iterator>

#include <fmt/format.h>

namespace kdive {

namespace {
constexpr uint32_t kCachelineSize = 64;
}  // namespace

void StructSummary::blank_once() {
  if (!newline_++) out_ += "\n";
}

void StructSummary::hole_comment(unsigned size, const char* unit, bool leading) {
  blank_once();
  if (!leading) out_ += "\n";
  out_ += indent_;
  fmt::format_to(std::back_inserter(out_), "/* XXX {} {}{} hole, try to pack */", size, unit, size != 1 ? "s" : "");
  if (leading) out_ += "\n";
}

void StructSummary::comment_line(std::string_view text) {
  blank_once();
  out_ += indent_;
  out_ += text;
  out_ += "\n";
}

void StructSummary::leading_holes(const LayoutClass& c) {
  if (c.pre_bit_hole > 0) {
    hole_comment(c.pre_bit_hole, "bit", true);
    sum_bit_holes_ += c.pre_bit_hole;
  }
  if (c.pre_hole > 0) {
    hole_comment(c.pre_hole, "byte", true);
    sum_holes_ += c.pre_hole;
  }
}

void StructSummary::forced_alignment(uint32_t hole_before) {
  if (hole_before != 0) {
    ++nr_forced_alignment_holes_;
    sum_forced_alignment_holes_ += hole_before;
  }
  ++nr_forced_alignments_;
}

void StructSummary::end_comments() {
  if (newline_) {
    out_ += "\n";
    newline_ = 0;
  }
}

void StructSummary::after_member(const LayoutMember& m, uint16_t struct_padding) {
  if (struct_padding > 0) {
    ++nr_paddings_;
    sum_paddings_ += struct_padding;
    blank_once();
    out_ += "\n";
    out_ += indent_;
    fmt::format_to(std::back_inserter(out_), "/* XXX last struct has {} byte{} of padding */", struct_padding,
                   struct_padding != 1 ? "s" : "");
  }
  if (m.bit_hole != 0) {
    hole_comment(m.bit_hole, "bit", false);
    sum_bit_holes_ += m.bit_hole;
  }
  if (m.hole > 0) {
    hole_comment(m.hole, "byte", false);
    sum_holes_ += m.hole;
  }
  out_ += "\n";
  if (m.bitfield_size) {
    sum_bits_ += m.bitfield_size;
  } else {
    sum_bytes_ += static_cast<uint32_t>(m.byte_size);
  }
}

void StructSummary::close(const LayoutClass& c, uint64_t sized, uint32_t base_offset) {
  auto out = std::back_inserter(out_);
  auto line = [&]() -> decltype(out) {
    out_ += indent_;
    return out;
  };
  out_ += "\n";
  fmt::format_to(line(), "/* size: {}, cachelines: {}, members: {} */\n", static_cast<int>(c.size),
                 static_cast<ssize_t>((sized + kCachelineSize - 1) / kCachelineSize), unsigned{c.nr_members});
  if (sum_holes_ > 0 || sum_bit_holes_ > 0) {
    if (sum_bytes_ > 0) {
      fmt::format_to(line(), "/* sum members: {}", sum_bytes_);
      if (sum_holes_ > 0) fmt::format_to(out, ", holes: {}, sum holes: {}", int{c.nr_holes}, sum_holes_);
      out_ += " */\n";
    }
    if (sum_bits_ > 0) {
      fmt::format_to(line(), "/* sum bitfield members: {} bits", sum_bits_);
      if (sum_bit_holes_ > 0) {
        fmt::format_to(out, ", bit holes: {}, sum bit holes: {} bits", int{c.nr_bit_holes}, sum_bit_holes_);
      } else {
        fmt::format_to(out, " ({} bytes)", sum_bits_ / 8);
      }
      out_ += " */\n";
    }
  }
  if (c.padding > 0) fmt::format_to(line(), "/* padding: {} */\n", unsigned{c.padding});
  if (nr_paddings_ > 0) {
    fmt::format_to(line(), "/* paddings: {}, sum paddings: {} */\n", unsigned{nr_paddings_}, sum_paddings_);
  }
  if (c.bit_padding > 0) fmt::format_to(line(), "/* bit_padding: {} bits */\n", unsigned{c.bit_padding});
  if (nr_forced_alignments_ != 0) {
    fmt::format_to(line(), "/* forced alignments: {}", unsigned{nr_forced_alignments_});
    if (nr_forced_alignment_holes_ != 0) {
      fmt::format_to(out, ", forced holes: {}, sum forced holes: {}", unsigned{nr_forced_alignment_holes_},
                     sum_forced_alignment_holes_);
    }
    out_ += " */\n";
  }
  uint32_t last_cacheline = (base_offset + c.size) % kCachelineSize;
  if (last_cacheline != 0) fmt::format_to(line(), "/* last cacheline: {} bytes */\n", last_cacheline);
  int size_diff = static_cast<int>(c.size * 8 - (sum_bytes_ * 8 + sum_bits_ + sum_holes_ * 8 + sum_bit_holes_ +
                                                 c.padding * 8u + c.bit_padding));
  if (size_diff && c.nr_members != 0) {
    out_ += "\n";
    fmt::format_to(line(),
                   "/* BRAIN FART ALERT! {} bytes != {} (member bytes) + {} (member bits) + {} (byte holes) + "
                   "{} (bit holes), diff = {} bits */\n",
                   static_cast<int>(c.size), sum_bytes_, sum_bits_, sum_holes_, sum_bit_holes_, size_diff);
  }
}

}  // namespace kdive
