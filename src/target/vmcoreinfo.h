// Vmcoreinfo: the kernel's VMCOREINFO text (kernel/crash_core.c: one KEY=VALUE per
// line) with typed lookups. SYMBOL() and KERNELOFFSET are hex without 0x; NUMBER()
// is signed decimal; SIZE(), OFFSET(), LENGTH(), PAGESIZE and CRASHTIME are decimal.
//
//   Vmcoreinfo vi = Vmcoreinfo::parse(*core->notes().vmcoreinfo);
//   vi.osrelease();                     // "6.1.0-26-cloud-amd64"
//   vi.symbol("swapper_pg_dir");        // std::optional<uint64_t>
//   vi.offset("task_struct.tasks");     // OFFSET(task_struct.tasks)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kdive {

class Vmcoreinfo {
 public:
  // Parses `text`; malformed lines (no '=') are skipped and listed in warnings().
  static Vmcoreinfo parse(std::string_view text);

  const std::string& text() const { return text_; }
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The raw value of `key` (e.g. "SYMBOL(init_task)"), the last one if repeated.
  std::optional<std::string_view> get(std::string_view key) const;

  std::string osrelease() const;  // OSRELEASE, "" when absent
  std::string build_id() const;   // BUILD-ID (hex), "" when absent
  std::optional<uint64_t> page_size() const;      // PAGESIZE
  std::optional<uint64_t> kernel_offset() const;  // KERNELOFFSET (KASLR slide)
  std::optional<int64_t> crash_time() const;      // CRASHTIME (seconds since epoch)
  std::optional<uint64_t> symbol(std::string_view name) const;  // SYMBOL(name)
  std::optional<int64_t> number(std::string_view name) const;   // NUMBER(name)
  std::optional<uint64_t> size(std::string_view name) const;    // SIZE(name)
  std::optional<uint64_t> offset(std::string_view name) const;  // OFFSET(name)
  std::optional<uint64_t> length(std::string_view name) const;  // LENGTH(name)

  // Set when the text was found by scanning memory rather than read from a note.
  bool found_by_scan = false;
  uint64_t scan_address = 0;  // physical address where the scan found it

 private:
  std::optional<uint64_t> hex(std::string_view key) const;
  std::optional<uint64_t> unsigned_decimal(std::string_view key) const;

  std::string text_;
  std::vector<std::pair<std::string, std::string>> entries_;
  std::vector<std::string> warnings_;
};

}  // namespace kdive
