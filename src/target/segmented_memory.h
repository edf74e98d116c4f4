// SegmentedMemory: one address space (physical or virtual) of a target, made of
// segments `[start, start+size) → where the bytes come from`. Core-file readers only
// register segments here (DESIGN §5.5); reads spanning segments, holes and the part of
// a segment that has no bytes in the file are all handled in one place.
//
//   SegmentedMemory phys("vmcore");
//   phys.add({.start = 0x100000, .size = 0x7f00000, .backed_size = 0x7f00000,
//             .data = file_bytes + off});
//   phys.read(0x1000000, buf, 64);  // FaultError(0x..., "address not in dump") for holes
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kdive/memory_reader.h"

namespace kdive {

// The fault reasons of the target layer; their text is part of the contract with the
// layers above (tests and users match on them).
inline constexpr const char* kReasonNotInDump = "address not in dump";
inline constexpr const char* kReasonFiltered = "page filtered out by makedumpfile";
inline constexpr const char* kReasonNotMapped = "not mapped in page table";
inline constexpr const char* kReasonExcluded = "page excluded from dump";
inline constexpr const char* kReasonTruncated = "truncated dump";

// An address range [start, start+size).
struct AddressRange {
  uint64_t start = 0;
  uint64_t size = 0;
};

class SegmentedMemory : public MemoryReader {
 public:
  // Reads `n` bytes at byte `offset` of the segment's backed part (guaranteed
  // offset + n <= backed_size). `address` is the absolute address of the first byte,
  // for the FaultError it may throw.
  using ReadFn = std::function<void(uint64_t address, uint64_t offset, void* buf, size_t n)>;

  // What bytes in [start+backed_size, start+size) read as.
  enum class Tail : uint8_t { Zeros, Fault };

  struct Segment {
    uint64_t start = 0;
    uint64_t size = 0;         // clamped so that start + size does not pass 2^64
    uint64_t backed_size = 0;  // the first backed_size bytes come from data / read
    const uint8_t* data = nullptr;  // fast path: the backed bytes are here (a mapping)
    ReadFn read;                    // used when data is null
    Tail tail = Tail::Fault;
    std::string tail_reason = kReasonExcluded;  // FaultError reason for Tail::Fault
  };

  // `name` labels the space in messages (not used for the standard reasons).
  explicit SegmentedMemory(std::string name = {});
  SegmentedMemory(const SegmentedMemory&) = delete;
  SegmentedMemory& operator=(const SegmentedMemory&) = delete;

  // Registers a segment. Where it overlaps segments added before, those win (so add
  // the authoritative source first). Empty segments are ignored.
  void add(Segment segment);

  // Reads exactly `size` bytes or throws FaultError naming the first unreadable
  // address. This object is one address space: `space` is not consulted.
  void read(uint64_t address, void* buf, size_t size,
            AddressSpace space = AddressSpace::Virtual) const override;

  // True when [address, address+size) is entirely covered by segments (tails count).
  bool contains(uint64_t address, uint64_t size = 1) const;

  // The covered ranges, merged where adjacent, in address order.
  std::vector<AddressRange> ranges() const;
  size_t segment_count() const { return segments_.size(); }
  bool empty() const { return index_.empty(); }
  const std::string& name() const { return name_; }

 private:
  // A non-overlapping part of one registered segment; `last` is inclusive so a piece
  // may end at 2^64 - 1.
  struct Piece {
    uint64_t start;
    uint64_t last;
    uint64_t segment_offset;  // offset of `start` within the segment
    const Segment* segment;
  };
  const Piece* find(uint64_t address) const;
  const std::vector<Piece>& flat() const;

  std::string name_;
  std::vector<std::unique_ptr<Segment>> segments_;
  // Pieces by start, disjoint. A map, so that registering n segments in any order is
  // O(n log n): QEMU's paging dumps list tens of thousands of page-sized segments in
  // descending address order, which made sorted-vector inserts quadratic.
  std::map<uint64_t, Piece> index_;
  // The same pieces as a vector for reads (binary search, cache-friendly), rebuilt on
  // the first read after an add. add() is not concurrent with reads; reads are with
  // each other, hence the flag and the lock.
  mutable std::vector<Piece> pieces_;
  mutable std::atomic<bool> pieces_stale_{false};
  mutable std::mutex pieces_mutex_;
  mutable std::atomic<size_t> last_hit_{0};
};

}  // namespace kdive
