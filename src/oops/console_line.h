// ConsoleLine: the prefix of one console or dmesg line — `[  12.345678]` timestamp, the
// `[T123]`/`[C1]` caller of CONFIG_PRINTK_CALLER, `<6>` levels, `** N printk messages
// dropped **`, a `login:` prompt glued in front — and the `?` mark of unreliable frames.
//
//   ConsoleLine l = ConsoleLine::parse("[   5.1][ T42]  ? foo+0x1/0x2");
//   l.context == "[ T42]";  l.text == " foo+0x1/0x2";  l.questionable == true;
#pragma once

#include <string_view>

namespace kdive {

struct ConsoleLine {
  // Where the line came from, used to keep interleaved output of other tasks apart:
  // "" when the line has no timestamp, "console" when it has one but no caller id,
  // else the caller id as printed ("[T123]", "[ C1]").
  std::string_view context;
  std::string_view timestamp;  // "12.345678", or "" when there is none
  // The message: the line after its prefix (after the first "] "), and for a `?`
  // frame after the `?` (keeping one leading space).
  std::string_view text;
  // A stack frame the unwinder marked unreliable (" ? func+..." or "(unreliable)").
  // Only decided for lines with a context, as syzkaller does: without timestamps
  // such lines keep their " ? " and simply do not parse as frames.
  bool questionable = false;

  static ConsoleLine parse(std::string_view line);
  bool is_task_context() const;  // "[T123]"
  bool is_cpu_context() const;   // "[C1]"
};

inline constexpr std::string_view kConsoleContext = "console";

}  // namespace kdive
