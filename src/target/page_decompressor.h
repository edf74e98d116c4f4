// PageDecompressor: decompresses one kdump page with the method its page descriptor
// names (makedumpfile DUMP_DH_COMPRESSED_*: zlib 0x1, lzo 0x2, snappy 0x4, zstd 0x20).
// Keeps the zlib stream and zstd context between pages so that a page costs no
// allocation. Not thread-safe: the owner serialises calls (PageCache does).
//
//   PageDecompressor d;
//   if (auto err = d.decompress(flags, in, page, 4096)) throw FaultError(addr, *err);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace kdive {

inline constexpr uint32_t kKdumpZlib = 0x1;
inline constexpr uint32_t kKdumpLzo = 0x2;
inline constexpr uint32_t kKdumpSnappy = 0x4;
inline constexpr uint32_t kKdumpZstd = 0x20;
inline constexpr uint32_t kKdumpCompressionMask = kKdumpZlib | kKdumpLzo | kKdumpSnappy | kKdumpZstd;

class PageDecompressor {
 public:
  PageDecompressor();
  ~PageDecompressor();
  PageDecompressor(const PageDecompressor&) = delete;
  PageDecompressor& operator=(const PageDecompressor&) = delete;

  // Decompresses `in` into exactly `page_size` bytes at `out`. Returns nullopt on
  // success, else a reason ("zlib data corrupt", "unknown page compression flags 0x40").
  std::optional<std::string> decompress(uint32_t flags, std::span<const uint8_t> in,
                                        uint8_t* out, size_t page_size);

 private:
  struct State;
  State* state_;
};

}  // namespace kdive
