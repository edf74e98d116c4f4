// SegmentedMemory: segments are flattened into disjoint pieces at registration so that
// a read is a binary search (plus a last-hit shortcut, since reads cluster) and a copy.
#include "target/segmented_memory.h"

#include <algorithm>
#include <cstring>

#include "kdive/error.h"

namespace kdive {

SegmentedMemory::SegmentedMemory(std::string name) : name_(std::move(name)) {}

void SegmentedMemory::add(Segment segment) {
  if (segment.size == 0) return;
  // Clamp so that the last byte is representable.
  uint64_t max_size = (UINT64_MAX - segment.start) + 1;  // 0 means 2^64
  if (max_size != 0 && segment.size > max_size) segment.size = max_size;
  if (segment.backed_size > segment.size) segment.backed_size = segment.size;
  const uint64_t seg_start = segment.start;
  const uint64_t seg_last = segment.start + (segment.size - 1);
  segments_.push_back(std::make_unique<Segment>(std::move(segment)));
  const Segment* seg = segments_.back().get();

  // Walk the existing pieces that overlap [seg_start, seg_last] and fill the gaps.
  std::vector<Piece> fresh;
  uint64_t cursor = seg_start;
  bool done = false;
  auto it = index_.upper_bound(seg_start);
  if (it != index_.begin() && std::prev(it)->second.last >= seg_start) --it;
  for (; it != index_.end() && !done && it->second.start <= seg_last; ++it) {
    const Piece& p = it->second;
    if (p.start > cursor) fresh.push_back({cursor, p.start - 1, cursor - seg_start, seg});
    if (p.last >= seg_last) {
      done = true;
    } else if (p.last + 1 > cursor) {
      cursor = p.last + 1;
    }
  }
  if (!done) fresh.push_back({cursor, seg_last, cursor - seg_start, seg});
  for (const Piece& p : fresh) index_.emplace(p.start, p);
  pieces_stale_.store(true, std::memory_order_release);
}

const std::vector<SegmentedMemory::Piece>& SegmentedMemory::flat() const {
  if (pieces_stale_.load(std::memory_order_acquire)) {
    std::lock_guard lock(pieces_mutex_);
    if (pieces_stale_.load(std::memory_order_relaxed)) {
      pieces_.clear();
      pieces_.reserve(index_.size());
      for (const auto& [start, p] : index_) pieces_.push_back(p);
      last_hit_.store(0, std::memory_order_relaxed);
      pieces_stale_.store(false, std::memory_order_release);
    }
  }
  return pieces_;
}

const SegmentedMemory::Piece* SegmentedMemory::find(uint64_t address) const {
  const std::vector<Piece>& pieces = flat();
  if (pieces.empty()) return nullptr;
  size_t hint = last_hit_.load(std::memory_order_relaxed);
  if (hint < pieces.size()) {
    const Piece& p = pieces[hint];
    if (address >= p.start && address <= p.last) return &p;
  }
  auto it = std::upper_bound(pieces.begin(), pieces.end(), address,
                             [](uint64_t a, const Piece& p) { return a < p.start; });
  if (it == pieces.begin()) return nullptr;
  --it;
  if (address > it->last) return nullptr;
  last_hit_.store(static_cast<size_t>(it - pieces.begin()), std::memory_order_relaxed);
  return &*it;
}

void SegmentedMemory::read(uint64_t address, void* buf, size_t size, AddressSpace) const {
  auto* out = static_cast<uint8_t*>(buf);
  while (size > 0) {
    const Piece* p = find(address);
    if (!p) throw FaultError(address, kReasonNotInDump);
    uint64_t in_piece = p->last - address;  // bytes after this one in the piece
    size_t chunk = in_piece >= size - 1 ? size : static_cast<size_t>(in_piece + 1);
    const Segment& s = *p->segment;
    uint64_t offset = p->segment_offset + (address - p->start);
    if (offset < s.backed_size) {
      uint64_t backed_left = s.backed_size - offset;
      if (chunk > backed_left) chunk = static_cast<size_t>(backed_left);
      if (s.data) {
        std::memcpy(out, s.data + offset, chunk);
      } else {
        s.read(address, offset, out, chunk);
      }
    } else if (s.tail == Tail::Zeros) {
      std::memset(out, 0, chunk);
    } else {
      throw FaultError(address, s.tail_reason);
    }
    out += chunk;
    size -= chunk;
    address += chunk;  // wraps only when size reached 0
  }
}

bool SegmentedMemory::contains(uint64_t address, uint64_t size) const {
  while (size > 0) {
    const Piece* p = find(address);
    if (!p) return false;
    uint64_t avail = p->last - address;  // minus one
    if (avail >= size - 1) return true;
    size -= avail + 1;
    address += avail + 1;
  }
  return true;
}

std::vector<AddressRange> SegmentedMemory::ranges() const {
  std::vector<AddressRange> out;
  for (const auto& [start, p] : index_) {
    uint64_t sz = p.last - p.start + 1;  // 0 when the piece is the whole 2^64 space
    if (!out.empty() && out.back().start + out.back().size == p.start && out.back().size != 0) {
      out.back().size += sz;
    } else {
      out.push_back({p.start, sz});
    }
  }
  return out;
}

}  // namespace kdive
