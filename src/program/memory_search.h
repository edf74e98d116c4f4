// MemorySearch: drgn's Program.search_memory* over what a program can read — the
// kernel's mapped virtual ranges (from its page tables), a dump's physical ranges, a
// user core's segments — read in chunks, skipping pages the dump lacks.
//
//   MemorySearch s(program, AddressSpace::Virtual, 0, UINT64_MAX);
//   while (auto hit = s.next_bytes("VMCOREINFO", 1)) use(*hit);
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kdive/memory_reader.h"

namespace kdive {

class Program;

// Integer search: `width`-byte naturally aligned little-endian values equal to one of
// `values` outside `ignore_mask`'s bits, or inside one of `ranges` (inclusive).
struct IntegerPattern {
  unsigned width = 8;  // 2, 4 or 8
  std::vector<uint64_t> values;
  uint64_t ignore_mask = 0;
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  bool matches(uint64_t v) const;
};

class MemorySearch {
 public:
  // Searches [min, max] (inclusive) of `space`. The readable ranges are found on the
  // first call of a next_*() (walking the kernel's page tables takes a while).
  MemorySearch(const Program& program, AddressSpace space, uint64_t min, uint64_t max);

  // The next non-overlapping occurrence of `needle` at an address aligned to
  // `alignment` (a power of two), in address order; nullopt at the end.
  std::optional<uint64_t> next_bytes(std::string_view needle, uint64_t alignment);
  // The next matching integer and its value.
  std::optional<std::pair<uint64_t, uint64_t>> next_integer(const IntegerPattern& pattern);
  // The next chunk of readable memory, at most `size` bytes; a chunk that continues
  // the previous one's range starts `overlap` bytes before that one's end (so a
  // pattern up to `overlap` bytes long is seen whole in one chunk).
  struct Chunk {
    uint64_t address = 0;
    std::string bytes;
    bool continues = false;  // contiguous with (and overlapping) the previous chunk
  };
  std::optional<Chunk> next_chunk(size_t size, size_t overlap);

  // Called after each chunk is read (a long search's chance to stop: Ctrl-C).
  void set_progress_check(std::function<void()> check) { check_ = std::move(check); }

 private:
  static constexpr size_t kChunkSize = size_t{1} << 20;
  struct Range {
    uint64_t start, last;  // inclusive
  };
  void find_ranges();
  // Reads the next at most `size` readable bytes from the cursor into `out` (replacing
  // it); false at the end. Pages that fault are skipped, which ends the run.
  bool read_next(size_t size, Chunk& out);
  // Replaces chunk_ by the next one, keeping the last `keep` bytes of the old chunk in
  // front when the new one continues it; false at the end.
  bool advance(size_t keep, size_t size);

  const Program& program_;
  AddressSpace space_;
  uint64_t min_, max_;
  bool have_ranges_ = false;
  std::vector<Range> ranges_;
  size_t range_index_ = 0;
  uint64_t cursor_ = 0;        // next address to read within ranges_[range_index_]
  bool cursor_contiguous_ = false;  // cursor_ directly follows the last byte read

  // State of next_bytes / next_integer: the current chunk and where to look next.
  Chunk chunk_;
  bool chunk_valid_ = false;
  uint64_t scan_from_ = 0;  // address from which the next match may start
  std::function<void()> check_;
};

}  // namespace kdive
