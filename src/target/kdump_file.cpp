// KdumpFile: makedumpfile's diskdump layout (makedumpfile's diskdump_mod.h; QEMU's
// dump.c writes the same), 64-bit flavour:
//   block 0: disk_dump_header — signature "KDUMP   " (0), header_version (8), utsname
//     (6 × 65 bytes at 12; release at 142), pad, timestamp (408), status (424),
//     block_size (428), sub_hdr_size in blocks (432), bitmap_blocks (436),
//     max_mapnr (440, 32-bit), ..., nr_cpus (460).
//   block 1: kdump_sub_header — phys_base (0), dump_level (8), split (12), start_pfn
//     (16), end_pfn (24), [v3] offset/size_vmcoreinfo (32/40), [v4] offset/size_note
//     (48/56), [v5] eraseinfo (64/72), [v6] start/end_pfn_64 (80/88), max_mapnr_64 (96).
//   then bitmap_blocks blocks: bitmap 1 (page in RAM) and bitmap 2 (page dumped), one
//     bit per pfn, LSB first; then one 24-byte page_desc {offset, size, flags,
//     page_flags} per dumped page in pfn order; then the page data.
// Hand-written instead of libkdumpfile: Debian's drgn is built without it, it is not
// packaged for the build, and a page read here is a bitmap rank plus one memcpy or one
// decompression — nothing a library would make faster.
#include "target/kdump_file.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"
#include "target/elf_notes.h"
#include "target/file_source.h"
#include "target/flattened_source.h"

namespace kdive {

namespace {
constexpr size_t kHeaderSize = 464;
constexpr size_t kDescSize = 24;
constexpr uint64_t kRankBlock = 512;  // pages per rank_ entry
constexpr uint64_t kMaxNotesBytes = 64u << 20;
constexpr uint32_t kStatusIncomplete = 0x8;  // DUMP_DH_COMPRESSED_INCOMPLETE

inline uint64_t le64(const uint8_t* p) {
  uint64_t v = load_unaligned<uint64_t>(p);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
  return v;
}
inline uint32_t le32(const uint8_t* p) {
  uint32_t v = load_unaligned<uint32_t>(p);
  if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap32(v);
  return v;
}
}  // namespace

class KdumpFile::Physical : public MemoryReader {
 public:
  explicit Physical(const KdumpFile& f) : f_(f) {}
  void read(uint64_t address, void* buf, size_t size, AddressSpace) const override {
    auto* out = static_cast<uint8_t*>(buf);
    while (size > 0) {
      uint64_t pfn = address >> f_.page_shift_;
      size_t in_page = static_cast<size_t>(address & (f_.page_size_ - 1));
      size_t chunk = std::min<size_t>(size, f_.page_size_ - in_page);
      f_.read_page(pfn, in_page, out, chunk);
      out += chunk;
      size -= chunk;
      address += chunk;
    }
  }

 private:
  const KdumpFile& f_;
};

std::unique_ptr<KdumpFile> KdumpFile::open(const std::string& path, Options options) {
  std::shared_ptr<const ByteSource> src = std::make_shared<FileSource>(path);
  std::vector<uint8_t> scratch;
  bool flat = FlattenedSource::sniff(src->view(0, 16, scratch));
  if (flat) src = std::make_shared<FlattenedSource>(src);
  return std::make_unique<KdumpFile>(std::move(src), flat, options);
}

KdumpFile::KdumpFile(std::shared_ptr<const ByteSource> source, bool flattened, Options options)
    : source_(std::move(source)), flattened_(flattened), options_(options) {
  parse();
  cache_ = std::make_unique<PageCache>(page_size_, options_.cache_pages);
  decompressor_ = std::make_unique<PageDecompressor>();
  physical_ = std::make_unique<Physical>(*this);
}

KdumpFile::~KdumpFile() = default;

void KdumpFile::parse() {
  const std::string& file = source_->name();
  const uint64_t fsize = source_->size();
  std::vector<uint8_t> scratch;
  auto hb = source_->view(0, kHeaderSize, scratch);
  if (hb.size() >= 8 && std::memcmp(hb.data(), "DISKDUMP", 8) == 0) {
    throw BadDataError(file, "old diskdump format (signature DISKDUMP) is not supported", 0);
  }
  if (hb.size() < 8 || std::memcmp(hb.data(), "KDUMP   ", 8) != 0) {
    throw BadDataError(file, "not a kdump-compressed file (no \"KDUMP   \" signature)", 0);
  }
  if (hb.size() < kHeaderSize) {
    throw BadDataError(file, fmt::format("kdump header truncated ({} of {} bytes)", hb.size(),
                                         kHeaderSize), 0);
  }
  ByteCursor h(hb, file, "kdump header");
  h.seek(8);
  header_version_ = h.s32();
  h.seek(142);
  {
    auto rel = h.bytes(65);
    size_t n = 0;
    while (n < rel.size() && rel[n]) ++n;
    if (n) release_ = std::string(reinterpret_cast<const char*>(rel.data()), n);
  }
  h.seek(424);
  status_ = h.u32();
  int32_t block_size = h.s32();
  int32_t sub_hdr_size = h.s32();
  uint32_t bitmap_blocks = h.u32();
  uint64_t max_mapnr = h.u32();
  h.seek(460);
  nr_cpus_ = h.s32();
  if (block_size < 512 || block_size > (1 << 20) || (block_size & (block_size - 1)) != 0) {
    throw BadDataError(file, fmt::format("kdump header: block size {} is not a power of two "
                                         "between 512 and 1 MiB", block_size), 428);
  }
  if (header_version_ < 1) {
    throw BadDataError(file, fmt::format("kdump header version {} is not supported", header_version_), 8);
  }
  if (sub_hdr_size < 0) throw BadDataError(file, "kdump header: negative sub header size", 432);
  page_size_ = static_cast<uint64_t>(block_size);
  page_shift_ = static_cast<unsigned>(std::countr_zero(page_size_));

  // Sub header.
  uint64_t sub_off = page_size_;
  uint64_t sub_len = static_cast<uint64_t>(sub_hdr_size) * page_size_;
  size_t need = header_version_ >= 6 ? 104 : header_version_ >= 5 ? 80
              : header_version_ >= 4 ? 64 : header_version_ >= 3 ? 48 : header_version_ >= 2 ? 32 : 12;
  if (sub_len < need) {
    throw BadDataError(file, fmt::format("kdump sub header of {} bytes is too small for version {}",
                                         sub_len, header_version_), 432);
  }
  std::vector<uint8_t> sub_scratch;
  auto sb = source_->view(sub_off, need, sub_scratch);
  if (sb.size() < need) throw BadDataError(file, "kdump sub header truncated", sub_off);
  ByteCursor s(sb, file, "kdump sub header", true, sub_off);
  phys_base_ = s.u64();
  dump_level_ = s.s32();
  const int32_t split = header_version_ >= 2 ? s.s32() : 0;
  if (split) {
    warnings_.push_back(file + ": one part of a split dump (makedumpfile --split); pages of "
                               "the other parts read as not in dump");
  }
  uint64_t off_vmcoreinfo = 0, size_vmcoreinfo = 0, off_note = 0, size_note = 0;
  if (header_version_ >= 3) {
    s.seek(32);
    off_vmcoreinfo = s.u64();
    size_vmcoreinfo = s.u64();
  }
  if (header_version_ >= 4) {
    off_note = s.u64();
    size_note = s.u64();
  }
  if (header_version_ >= 6) {
    s.seek(96);
    max_mapnr = s.u64();
  }

  // Bitmaps.
  uint64_t bm_off = page_size_ * (1 + static_cast<uint64_t>(sub_hdr_size));
  uint64_t bm_len = static_cast<uint64_t>(bitmap_blocks) * page_size_;
  if (bm_len == 0 || bm_off > fsize || bm_len > fsize - bm_off) {
    throw BadDataError(file, fmt::format("kdump bitmaps ({} blocks) extend past end of file",
                                         bitmap_blocks), bm_off);
  }
  uint64_t half = bm_len / 2;
  if (max_mapnr > half * 8) {
    warnings_.push_back(fmt::format("{}: max_mapnr {} exceeds the bitmap's {} pages; clamped",
                                    file, max_mapnr, half * 8));
    max_mapnr = half * 8;
  }
  max_mapnr_ = max_mapnr;
  if (const uint8_t* p = source_->contiguous(bm_off, static_cast<size_t>(bm_len))) {
    bitmap1_ = p;
  } else {
    bitmap_storage_.resize(static_cast<size_t>(bm_len));
    source_->read_at(bm_off, bitmap_storage_.data(), bitmap_storage_.size());
    bitmap1_ = bitmap_storage_.data();
  }
  bitmap2_ = bitmap1_ + half;
  desc_offset_ = bm_off + bm_len;

  // Rank index over bitmap 2: dumped pages before each 512-page block.
  uint64_t blocks = (max_mapnr_ + kRankBlock - 1) / kRankBlock;
  rank_.resize(static_cast<size_t>(blocks) + 1);
  uint64_t count = 0;
  for (uint64_t b = 0; b < blocks; ++b) {
    rank_[static_cast<size_t>(b)] = count;
    for (uint64_t w = 0; w < kRankBlock / 64; ++w) {
      uint64_t byte = (b * kRankBlock) / 8 + w * 8;
      if (byte + 8 > half) break;
      count += static_cast<uint64_t>(std::popcount(le64(bitmap2_ + byte)));
    }
  }
  rank_[static_cast<size_t>(blocks)] = count;

  // Notes and VMCOREINFO.
  auto read_region = [&](uint64_t off, uint64_t len, const char* what) -> std::vector<uint8_t> {
    if (len > kMaxNotesBytes) {
      throw BadDataError(file, fmt::format("kdump {} of {} bytes is implausible", what, len), sub_off);
    }
    std::vector<uint8_t> bytes(static_cast<size_t>(len));
    if (off > fsize || source_->read_at(off, bytes.data(), bytes.size()) != bytes.size()) {
      throw BadDataError(file, fmt::format("kdump {} extends past end of file", what), off);
    }
    return bytes;
  };
  if (size_note > 0) {
    std::vector<uint8_t> nb = read_region(off_note, size_note, "notes");
    notes_ = decode_core_notes(parse_elf_notes(nb, file, off_note), file);
    for (const std::string& w : notes_.warnings) warnings_.push_back(w);
  }
  if (size_vmcoreinfo > 0) {
    std::vector<uint8_t> vb = read_region(off_vmcoreinfo, size_vmcoreinfo, "VMCOREINFO");
    std::string text(vb.begin(), vb.end());
    while (!text.empty() && text.back() == '\0') text.pop_back();
    notes_.vmcoreinfo = std::move(text);
  }
  if (status_ & kStatusIncomplete) {
    warnings_.push_back(file + ": the dump is marked incomplete; some pages are missing");
  }
}

bool KdumpFile::bit(const uint8_t* bitmap, uint64_t pfn) const {
  return (bitmap[pfn >> 3] >> (pfn & 7)) & 1;
}

bool KdumpFile::page_in_ram(uint64_t pfn) const { return pfn < max_mapnr_ && bit(bitmap1_, pfn); }
bool KdumpFile::page_dumped(uint64_t pfn) const { return pfn < max_mapnr_ && bit(bitmap2_, pfn); }

uint64_t KdumpFile::rank2(uint64_t pfn) const {
  uint64_t block = pfn / kRankBlock;
  uint64_t r = rank_[static_cast<size_t>(block)];
  uint64_t word = (block * kRankBlock) / 64;
  uint64_t last_word = pfn / 64;
  for (; word < last_word; ++word) r += static_cast<uint64_t>(std::popcount(le64(bitmap2_ + word * 8)));
  uint64_t bits = pfn & 63;
  if (bits) {
    uint64_t w = le64(bitmap2_ + last_word * 8);
    r += static_cast<uint64_t>(std::popcount(w & ((uint64_t{1} << bits) - 1)));
  }
  return r;
}

void KdumpFile::read_page(uint64_t pfn, size_t offset, void* buf, size_t n) const {
  const uint64_t address = (pfn << page_shift_) + offset;
  if (pfn >= max_mapnr_ || !bit(bitmap1_, pfn)) throw FaultError(address, kReasonNotInDump);
  if (!bit(bitmap2_, pfn)) throw FaultError(address, kReasonFiltered);
  // A cached page needs no descriptor lookup (a random access into the file).
  if (cache_->try_read(pfn, offset, buf, n)) return;
  const uint64_t desc_pos = desc_offset_ + rank2(pfn) * kDescSize;
  uint8_t local[kDescSize];
  const uint8_t* d = source_->contiguous(desc_pos, kDescSize);
  if (!d) {
    if (source_->read_at(desc_pos, local, kDescSize) != kDescSize) {
      throw FaultError(address, kReasonTruncated);
    }
    d = local;
  }
  // page_desc, already bounds-checked: offset (u64), size (u32), flags (u32).
  const uint64_t data_off = le64(d);
  const uint32_t data_size = le32(d + 8);
  const uint32_t flags = le32(d + 12);
  const uint64_t fsize = source_->size();
  if (data_off < desc_offset_ || data_off > fsize || data_size > fsize - data_off) {
    // Unwritten descriptors of an incomplete dump are zero; others point past EOF.
    throw FaultError(address, kReasonTruncated);
  }
  if ((flags & kKdumpCompressionMask) == 0) {
    if (flags & ~0x18u) {
      throw FaultError(address, fmt::format("unknown page compression flags {:#x}", flags));
    }
    if (data_size != page_size_) {
      throw FaultError(address, fmt::format("corrupt page descriptor (uncompressed size {})", data_size));
    }
    if (const uint8_t* p = source_->contiguous(data_off + offset, n)) {
      std::memcpy(buf, p, n);
      return;
    }
  } else if (data_size > 2 * page_size_ || data_size == 0) {
    throw FaultError(address, fmt::format("corrupt page descriptor (compressed size {})", data_size));
  }
  cache_->read(pfn, offset, buf, n, [&](uint8_t* page) {
    std::span<const uint8_t> in;
    if (const uint8_t* p = source_->contiguous(data_off, data_size)) {
      in = {p, data_size};
    } else {
      compressed_scratch_.resize(data_size);
      if (source_->read_at(data_off, compressed_scratch_.data(), data_size) != data_size) {
        throw FaultError(address, kReasonTruncated);
      }
      in = {compressed_scratch_.data(), data_size};
    }
    if ((flags & kKdumpCompressionMask) == 0) {
      std::memcpy(page, in.data(), page_size_);
      return;
    }
    if (auto err = decompressor_->decompress(flags, in, page, page_size_)) {
      throw FaultError(address, *err);
    }
  });
}

const MemoryReader* KdumpFile::physical_memory() const { return physical_.get(); }

std::vector<AddressRange> KdumpFile::physical_ranges() const {
  std::vector<AddressRange> out;
  uint64_t pfn = 0;
  while (pfn < max_mapnr_) {
    // Skip whole empty bytes quickly.
    if ((pfn & 7) == 0 && bitmap2_[pfn >> 3] == 0) {
      pfn += 8;
      continue;
    }
    if (!bit(bitmap2_, pfn)) {
      ++pfn;
      continue;
    }
    uint64_t start = pfn;
    while (pfn < max_mapnr_ && bit(bitmap2_, pfn)) ++pfn;
    out.push_back({start << page_shift_, (pfn - start) << page_shift_});
  }
  return out;
}

std::string KdumpFile::compression() const {
  uint64_t dumped = rank_.back();
  for (uint64_t i = 0; i < dumped && i < 4096; ++i) {
    uint8_t d[kDescSize];
    if (source_->read_at(desc_offset_ + i * kDescSize, d, kDescSize) != kDescSize) break;
    uint32_t flags = le32(d + 12);
    if (flags & kKdumpZlib) return "zlib";
    if (flags & kKdumpLzo) return "lzo";
    if (flags & kKdumpSnappy) return "snappy";
    if (flags & kKdumpZstd) return "zstd";
  }
  return "none";
}

std::string KdumpFile::description() const {
  return fmt::format("kdump-compressed{} (makedumpfile, version {}, dump level {}, {}), {} CPUs",
                     flattened_ ? ", flattened" : "", header_version_, dump_level_,
                     compression(), notes_.prstatus.size());
}

}  // namespace kdive
