// The kernel log: records read from the lockless printk ring buffer (`prb`, 5.10+:
// a descriptor ring, an info array and a text data ring whose blocks wrap around) or,
// when there is no `prb`, from the older `log_buf` of `struct printk_log` records —
// told apart by which symbol exists. Layouts come from DWARF; the descriptor state
// encoding (top two bits of state_var; committed = 1, finalized = 2) is read from the
// `desc_committed`/`desc_finalized` enumerators.
//
// format_dmesg() prints records as the kernel's console does (record_print_text()):
// "[%5lu.%06lu] " before every line of a record, so a multi-line record prints as
// several prefixed lines — which is what the serial console shows. (drgn's get_dmesg()
// prefixes only the first line.) Options add the caller ID ("[    T42]", as with
// CONFIG_PRINTK_CALLER) or the syslog prefix "<level>" as `dmesg -r` does.
//
//   PrintkLog log = read_printk_log(program);
//   std::string text = format_dmesg(log.records, {});
//   std::optional<std::string> msg = panic_message(log.records);   // "Fatal exception"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kdive {

class Program;

struct PrintkRecord {
  uint64_t seq = 0;
  uint64_t ts_nsec = 0;
  uint8_t level = 0;     // 0 (KERN_EMERG) .. 7 (KERN_DEBUG)
  uint8_t facility = 0;  // syslog facility (0 = kernel)
  uint8_t flags = 0;     // LOG_NEWLINE, LOG_CONT (the kernel's enum printk_info_flags)
  uint32_t caller_id = 0;  // thread id, or CPU | 0x80000000 when not in task context
  bool has_caller_id = false;
  bool continuation = false;  // flags has LOG_CONT
  std::string text;           // without the trailing newline; may contain '\n'
  std::string subsystem, device;  // dev_printk_info, when set
};

struct PrintkLog {
  std::vector<PrintkRecord> records;
  std::string source;    // "printk ring buffer" or "log_buf"
  uint64_t dropped = 0;  // descriptors skipped (reserved, reused, or inconsistent)
  std::vector<std::string> warnings;
};

// Reads every committed record, oldest first. Throws LookupError when the kernel has
// neither `prb` nor `log_buf`; problems with single records are counted in `dropped`.
PrintkLog read_printk_log(Program& program);

struct DmesgOptions {
  bool timestamps = true;   // "[    2.712350] "
  bool caller = false;      // "[    T42] " / "[     C1] " after the timestamp
  bool raw_level = false;   // "<6>" syslog prefix (facility << 3 | level) first
  // Only records with level < max_level (the console's loglevel filter); 8 = all.
  int max_level = 8;
};

// One record as the console prints it: every line prefixed, lines joined by '\n', no
// trailing newline.
std::string format_dmesg_record(const PrintkRecord& record, const DmesgOptions& options);
// All records, each line ending in '\n'.
std::string format_dmesg(const std::vector<PrintkRecord>& records, const DmesgOptions& options);

// The text after "Kernel panic - not syncing: " in the last record that starts with it.
std::optional<std::string> panic_message(const std::vector<PrintkRecord>& records);

// The console loglevel the dumped kernel booted with: "loglevel=N", "debug" or "quiet"
// from saved_command_line, else default_console_loglevel. (console_printk[0] itself is
// 15 after an oops: console_verbose() raised it.)
std::optional<int> console_loglevel(Program& program);

}  // namespace kdive
