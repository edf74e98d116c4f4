// MemorySearch: a cursor over the readable ranges of one address space, read a chunk at
// a time; byte and integer matching on the chunks, with the tail of a chunk carried
// into the next when they are contiguous so that matches across the seam are found.
#include "program/memory_search.h"

#include <algorithm>
#include <cstring>

#include "kdive/error.h"
#include "program/program.h"
#include "target/kernel_virtual_memory.h"
#include "target/segmented_memory.h"

namespace kdive {

namespace {

constexpr uint64_t kPage = 4096;

uint64_t load_le(const char* p, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= uint64_t{static_cast<uint8_t>(p[i])} << (8 * i);
  return v;
}

}  // namespace

bool IntegerPattern::matches(uint64_t v) const {
  for (uint64_t want : values)
    if ((v & ~ignore_mask) == (want & ~ignore_mask)) return true;
  for (const auto& [lo, hi] : ranges)
    if (v >= lo && v <= hi) return true;
  return false;
}

MemorySearch::MemorySearch(const Program& program, AddressSpace space, uint64_t min, uint64_t max)
    : program_(program), space_(space), min_(min), max_(max) {}

void MemorySearch::find_ranges() {
  have_ranges_ = true;
  auto add = [&](uint64_t start, uint64_t size) {
    if (size == 0) return;
    uint64_t last = start + (size - 1);
    if (last < start) last = UINT64_MAX;  // wraps: up to the top of the space
    if (last < min_ || start > max_) return;
    ranges_.push_back({std::max(start, min_), std::min(last, max_)});
  };
  if (min_ > max_) return;
  if (space_ == AddressSpace::Physical) {
    if (program_.has_core())
      for (const AddressRange& r : program_.core().physical_ranges()) add(r.start, r.size);
  } else if (const KernelVirtualMemory* kernel = program_.kernel_memory()) {
    for (const VirtualRange& r : kernel->walker().mapped_ranges(min_, max_)) add(r.start, r.size);
  } else if (program_.has_core() && program_.core().virtual_segments()) {
    for (const AddressRange& r : program_.core().virtual_segments()->ranges()) add(r.start, r.size);
  }
  std::sort(ranges_.begin(), ranges_.end(), [](const Range& a, const Range& b) { return a.start < b.start; });
  if (!ranges_.empty()) cursor_ = ranges_[0].start;
}

bool MemorySearch::read_next(size_t size, Chunk& out) {
  if (!have_ranges_) find_ranges();
  out.bytes.clear();
  while (range_index_ < ranges_.size()) {
    const Range& r = ranges_[range_index_];
    if (cursor_ < r.start) cursor_ = r.start;
    uint64_t left = r.last - cursor_;  // bytes left - 1 (never overflows)
    size_t n = left >= size - 1 ? size : static_cast<size_t>(left + 1);
    out.address = cursor_;
    out.continues = cursor_contiguous_;
    out.bytes.resize(n);
    bool whole = true;
    try {
      program_.memory().read(cursor_, out.bytes.data(), n, space_);
    } catch (const FaultError&) {
      whole = false;
    }
    if (whole) {
      if (n == left + 1) {
        ++range_index_;
        cursor_contiguous_ = false;
      } else {
        cursor_ += n;
        cursor_contiguous_ = true;
      }
      if (check_) check_();
      return true;
    }
    // Some page in the chunk is missing (filtered out of the dump, or unmapped since
    // the tables were walked): keep the readable pages before it, then skip it.
    size_t readable = 0;
    size_t piece = 0;
    bool faulted = false;
    while (readable < n) {
      uint64_t at = cursor_ + readable;
      piece = static_cast<size_t>(std::min<uint64_t>(kPage - at % kPage, n - readable));
      try {
        program_.memory().read(at, out.bytes.data() + readable, piece, space_);
      } catch (const FaultError&) {
        faulted = true;
        break;
      }
      readable += piece;
    }
    uint64_t consumed = readable + (faulted ? piece : 0);  // <= n
    if (consumed == left + 1) {
      ++range_index_;
    } else {
      cursor_ += consumed;
    }
    cursor_contiguous_ = false;
    if (check_) check_();
    if (readable > 0) {
      out.bytes.resize(readable);
      return true;
    }
  }
  return false;
}

bool MemorySearch::advance(size_t keep, size_t size) {
  Chunk next;
  if (!read_next(size, next)) return false;
  if (next.continues && chunk_valid_ && keep > 0) {
    size_t k = std::min(keep, chunk_.bytes.size());
    std::string joined = chunk_.bytes.substr(chunk_.bytes.size() - k);
    joined += next.bytes;
    next.address -= k;
    next.bytes = std::move(joined);
  }
  chunk_ = std::move(next);
  chunk_valid_ = true;
  return true;
}

std::optional<uint64_t> MemorySearch::next_bytes(std::string_view needle, uint64_t alignment) {
  if (needle.empty() || alignment == 0) return std::nullopt;
  for (;;) {
    if (chunk_valid_) {
      std::string_view hay = chunk_.bytes;
      size_t pos = scan_from_ > chunk_.address ? static_cast<size_t>(std::min<uint64_t>(scan_from_ - chunk_.address, hay.size())) : 0;
      while ((pos = hay.find(needle, pos)) != std::string_view::npos) {
        uint64_t address = chunk_.address + pos;
        if (address % alignment == 0) {
          scan_from_ = address + needle.size();
          return address;
        }
        ++pos;
      }
      // Positions from here on were not seen whole: the carried tail covers them.
      if (hay.size() >= needle.size()) scan_from_ = std::max(scan_from_, chunk_.address + hay.size() - (needle.size() - 1));
    }
    if (!advance(needle.size() - 1, kChunkSize)) return std::nullopt;
  }
}

std::optional<std::pair<uint64_t, uint64_t>> MemorySearch::next_integer(const IntegerPattern& pattern) {
  const unsigned w = pattern.width;
  for (;;) {
    if (chunk_valid_) {
      uint64_t end = chunk_.address + chunk_.bytes.size();
      uint64_t from = std::max(scan_from_, chunk_.address);
      uint64_t address = (from + (w - 1)) & ~uint64_t{w - 1};
      for (; address >= from && address + w <= end && address + w > address; address += w) {
        uint64_t v = load_le(chunk_.bytes.data() + (address - chunk_.address), w);
        if (pattern.matches(v)) {
          scan_from_ = address + w;
          return std::pair{address, v};
        }
      }
      scan_from_ = std::max(scan_from_, address);
    }
    if (!advance(w - 1, kChunkSize)) return std::nullopt;
  }
}

std::optional<MemorySearch::Chunk> MemorySearch::next_chunk(size_t size, size_t overlap) {
  if (size <= overlap) size = overlap + 1;
  if (!advance(overlap, size)) return std::nullopt;
  return chunk_;
}

}  // namespace kdive
