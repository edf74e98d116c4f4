// OrcTable: decoding and sorting of ORC tables. vmlinux's table is sorted at build
// time, a module's is sorted when loaded; a .ko file's copy is not, so sort always
// (once per module, O(n log n) over ~100k entries for vmlinux).
#include "unwind/orc_table.h"

#include <algorithm>
#include <numeric>

#include "base/byte_cursor.h"

namespace kdive {

namespace {
constexpr size_t kOrcEntrySize = 6;
}

OrcTable::OrcTable(std::span<const uint8_t> ip_bytes, uint64_t ip_address,
                   std::span<const uint8_t> orc_bytes, const std::string& source, const OrcFormat& format)
    : format_(format) {
  size_t n = ip_bytes.size() / 4;
  if (ip_bytes.size() % 4 != 0 || orc_bytes.size() != n * kOrcEntrySize) {
    ByteCursor c(orc_bytes, source, ".orc_unwind");
    c.fail("ORC tables disagree (" + std::to_string(ip_bytes.size()) + " bytes of addresses, " +
           std::to_string(orc_bytes.size()) + " bytes of entries)");
  }
  std::vector<uint64_t> ips(n);
  std::vector<OrcEntry> entries(n);
  ByteCursor ipc(ip_bytes, source, ".orc_unwind_ip");
  ByteCursor oc(orc_bytes, source, ".orc_unwind");
  for (size_t i = 0; i < n; ++i) {
    int32_t rel = ipc.s32();
    ips[i] = ip_address + 4 * i + static_cast<uint64_t>(static_cast<int64_t>(rel));
    int16_t sp_offset = oc.s16();
    int16_t bp_offset = oc.s16();
    entries[i] = format.decode(sp_offset, bp_offset, oc.u16());
  }
  bool sorted = std::is_sorted(ips.begin(), ips.end());
  if (sorted) {
    ips_ = std::move(ips);
    entries_ = std::move(entries);
    return;
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return ips[a] < ips[b]; });
  ips_.reserve(n);
  entries_.reserve(n);
  for (size_t i : order) {
    ips_.push_back(ips[i]);
    entries_.push_back(entries[i]);
  }
}

const OrcEntry* OrcTable::find(uint64_t address) const {
  auto it = std::upper_bound(ips_.begin(), ips_.end(), address);
  if (it == ips_.begin()) return nullptr;
  return &entries_[static_cast<size_t>(it - ips_.begin()) - 1];
}

}  // namespace kdive
