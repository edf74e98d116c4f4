// KdumpFile: makedumpfile's kdump-compressed ("diskdump", signature "KDUMP   ") dumps,
// plain or flattened. Physical memory is read page by page through the two bitmaps
// (bitmap 1: the page exists in RAM; bitmap 2: the page was dumped) and the page
// descriptors; compressed pages (zlib, lzo, snappy, zstd) are decompressed into a
// bounded LRU PageCache. VMCOREINFO and NT_PRSTATUS notes come from the sub header.
//
//   auto dump = KdumpFile::open("vmcore.kdump");
//   dump->physical_memory()->read(0x1000000, buf, 8);  // "page filtered out by makedumpfile"
//   dump->notes().vmcoreinfo;   dump->header_phys_base();
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "target/byte_source.h"
#include "target/core_dump.h"
#include "target/page_cache.h"
#include "target/page_decompressor.h"

namespace kdive {

class KdumpFile : public CoreDump {
 public:
  struct Options {
    size_t cache_pages = 1024;  // decompressed pages kept (× page size bytes)
  };

  // Opens `path`; detects the flattened layout itself. Throws OsError / BadDataError.
  static std::unique_ptr<KdumpFile> open(const std::string& path, Options options);
  static std::unique_ptr<KdumpFile> open(const std::string& path) { return open(path, Options()); }
  // Parses a dump held by `source` (already un-flattened if it was flattened).
  KdumpFile(std::shared_ptr<const ByteSource> source, bool flattened, Options options);
  ~KdumpFile() override;

  const std::string& path() const override { return source_->name(); }
  CoreFormat format() const override {
    return flattened_ ? CoreFormat::KdumpFlattened : CoreFormat::Kdump;
  }
  std::string description() const override;
  const MemoryReader* physical_memory() const override;
  std::vector<AddressRange> physical_ranges() const override;
  const SegmentedMemory* virtual_segments() const override { return nullptr; }
  const CoreNotes& notes() const override { return notes_; }
  std::optional<uint64_t> header_phys_base() const override { return phys_base_; }
  std::optional<std::string> header_release() const override { return release_; }
  const std::vector<std::string>& warnings() const override { return warnings_; }

  int header_version() const { return header_version_; }
  int dump_level() const { return dump_level_; }
  uint64_t page_size() const { return page_size_; }
  uint64_t max_mapnr() const { return max_mapnr_; }
  int nr_cpus() const { return nr_cpus_; }
  // The compression of the first compressed page seen ("zlib", "lzo", "snappy",
  // "zstd", "none"); computed from the page descriptors on demand.
  std::string compression() const;
  // Page-state queries (pfn < max_mapnr()).
  bool page_in_ram(uint64_t pfn) const;
  bool page_dumped(uint64_t pfn) const;
  const PageCache& cache() const { return *cache_; }

  // Reads [offset, offset+n) of physical page `pfn`; throws FaultError.
  void read_page(uint64_t pfn, size_t offset, void* buf, size_t n) const;

 private:
  class Physical;
  void parse();
  bool bit(const uint8_t* bitmap, uint64_t pfn) const;
  uint64_t rank2(uint64_t pfn) const;  // dumped pages before pfn

  std::shared_ptr<const ByteSource> source_;
  bool flattened_;
  Options options_;
  int header_version_ = 0;
  int dump_level_ = 0;
  int nr_cpus_ = 0;
  uint32_t status_ = 0;
  uint64_t page_size_ = 0;
  unsigned page_shift_ = 0;
  uint64_t max_mapnr_ = 0;
  std::optional<uint64_t> phys_base_;
  std::optional<std::string> release_;
  uint64_t desc_offset_ = 0;  // file offset of page_desc[0]
  std::vector<uint8_t> bitmap_storage_;  // when the bitmaps could not be mapped
  const uint8_t* bitmap1_ = nullptr;
  const uint8_t* bitmap2_ = nullptr;
  std::vector<uint64_t> rank_;  // dumped pages before each 512-page block
  CoreNotes notes_;
  std::vector<std::string> warnings_;
  std::unique_ptr<PageCache> cache_;
  std::unique_ptr<PageDecompressor> decompressor_;  // used under the cache's lock
  mutable std::vector<uint8_t> compressed_scratch_;  // likewise
  std::unique_ptr<Physical> physical_;
};

}  // namespace kdive
