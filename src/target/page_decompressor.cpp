// PageDecompressor: thin calls into zlib (inflate with a reused stream), liblzo2
// (lzo1x_decompress_safe), snappy's C API and libzstd (a reused ZSTD_DCtx). Each path
// checks that the output is exactly one page, as makedumpfile writes whole pages.
#include "target/page_decompressor.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <fmt/format.h>

namespace kdive {

struct PageDecompressor::State {
  z_stream zs{};
  bool zs_ready = false;
  ZSTD_DCtx* zstd = nullptr;
};

PageDecompressor::PageDecompressor() : state_(new State) {}

PageDecompressor::~PageDecompressor() {
  if (state_->zs_ready) inflateEnd(&state_->zs);
  if (state_->zstd) ZSTD_freeDCtx(state_->zstd);
  delete state_;
}

std::optional<std::string> PageDecompressor::decompress(uint32_t flags,
                                                        std::span<const uint8_t> in,
                                                        uint8_t* out, size_t page_size) {
  uint32_t method = flags & kKdumpCompressionMask;
  if (method == 0 || (method & (method - 1)) != 0 || (flags & ~(kKdumpCompressionMask | 0x18u))) {
    return fmt::format("unknown page compression flags {:#x}", flags);
  }
  if (method == kKdumpZlib) {
    z_stream& zs = state_->zs;
    if (!state_->zs_ready) {
      if (inflateInit(&zs) != Z_OK) return std::string("zlib initialisation failed");
      state_->zs_ready = true;
    } else if (inflateReset(&zs) != Z_OK) {
      return std::string("zlib reset failed");
    }
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out;
    zs.avail_out = static_cast<uInt>(page_size);
    int rc = inflate(&zs, Z_FINISH);
    if (rc != Z_STREAM_END || zs.total_out != page_size) {
      return fmt::format("zlib data corrupt ({})", zs.msg ? zs.msg : std::to_string(rc));
    }
    return std::nullopt;
  }
  if (method == kKdumpLzo) {
    static const bool lzo_ok = lzo_init() == LZO_E_OK;
    if (!lzo_ok) return std::string("lzo initialisation failed");
    lzo_uint out_len = page_size;
    int rc = lzo1x_decompress_safe(in.data(), in.size(), out, &out_len, nullptr);
    if (rc != LZO_E_OK || out_len != page_size) return fmt::format("lzo data corrupt ({})", rc);
    return std::nullopt;
  }
  if (method == kKdumpSnappy) {
    size_t len = 0;
    auto src = reinterpret_cast<const char*>(in.data());
    if (snappy_uncompressed_length(src, in.size(), &len) != SNAPPY_OK || len != page_size) {
      return std::string("snappy data corrupt (bad length)");
    }
    size_t out_len = page_size;
    if (snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out), &out_len) != SNAPPY_OK ||
        out_len != page_size) {
      return std::string("snappy data corrupt");
    }
    return std::nullopt;
  }
  // zstd
  if (!state_->zstd) state_->zstd = ZSTD_createDCtx();
  if (!state_->zstd) return std::string("zstd initialisation failed");
  size_t rc = ZSTD_decompressDCtx(state_->zstd, out, page_size, in.data(), in.size());
  if (ZSTD_isError(rc) || rc != page_size) {
    return fmt::format("zstd data corrupt ({})", ZSTD_isError(rc) ? ZSTD_getErrorName(rc) : "short");
  }
  return std::nullopt;
}

}  // namespace kdive
