// StructSummary: what `pahole -C NAME` says about a struct's use of space, as its
// __class__fprintf keeps count while the members print — the running sums of member
// bytes and bits, byte and bit holes, paddings of struct-typed members and forced
// alignments; the comments between member lines ("XXX 4 bytes hole, try to pack",
// "XXX last struct has 4 bytes of padding") with the one-blank-line rule they share; and
// the closing block ("size: 40, cachelines: 1, members: 5", sums, padding, "last
// cacheline"). The member lines themselves are StructLayoutPrinter's
// (struct_layout_printer.cpp), which drives this in pahole's order:
//
//   StructSummary summary(out, "\t");   // appends to `out`; "\t": the members' indent
//   summary.leading_holes(c);
//   for each member: summary.forced_alignment(hole) (DW_AT_alignment members),
//                    summary.comment_line("/* Bitfield combined with next fields */"),
//                    summary.end_comments(), the member line, summary.after_member(m, padding)
//   summary.close(c, sizeof_c, base_offset);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "layout/layout_model.h"

namespace kdive {

class StructSummary {
 public:
  // Appends to `out`, each comment and summary line indented by `indent` (tabs).
  StructSummary(std::string& out, std::string indent) : out_(out), indent_(std::move(indent)) {}

  // Counts the holes before the first member and prints them (the struct's pre_bit_hole
  // and pre_hole), each on a comment line.
  void leading_holes(const LayoutClass& c);
  // A comment line of its own ("/* Bitfield combined with next fields */"), after one
  // blank line unless a comment since the last member line already had it.
  void comment_line(std::string_view text);
  // A member with DW_AT_alignment; `hole_before` is the byte hole it forced (0: none).
  void forced_alignment(uint32_t hole_before);
  // Before a member line: the blank line that closes the comments since the last one.
  void end_comments();
  // After member `m`'s line (its offset comment printed, no newline yet): the padding of
  // its struct type (`struct_padding`, 0 when none or not a struct), its bit and byte
  // holes, each as a comment; then the newline. Adds `m` to the sums.
  void after_member(const LayoutMember& m, uint16_t struct_padding);
  // The closing block of struct `c` of `sized` bytes at `base_offset` in the outermost
  // struct (the "last cacheline" is counted from there).
  void close(const LayoutClass& c, uint64_t sized, uint32_t base_offset);

 private:
  void blank_once();
  // "XXX 4 bytes hole, try to pack": on a line of its own before the first member
  // (`leading`), else on a new line after the member line that left the hole.
  void hole_comment(unsigned size, const char* unit, bool leading);

  std::string& out_;
  std::string indent_;
  uint8_t newline_ = 0;  // pahole's 8-bit counter of comments since the last blank line
  uint32_t sum_bytes_ = 0, sum_bits_ = 0, sum_holes_ = 0, sum_paddings_ = 0, sum_bit_holes_ = 0;
  uint16_t nr_paddings_ = 0, nr_forced_alignments_ = 0, nr_forced_alignment_holes_ = 0;
  uint32_t sum_forced_alignment_holes_ = 0;
};

}  // namespace kdive
