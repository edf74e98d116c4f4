// ByteCursor: the one checked reader of untrusted bytes (file headers, notes, DWARF,
// ORC, dump pages). Every read is bounds- and overflow-checked, honours the data's
// byte order, and failures name the source and the offset.
//
//   ByteCursor c(bytes, "vmcore", "ELF header", /*little_endian=*/true);
//   uint16_t type = c.u16();  c.skip(6);  uint64_t entry = c.u64();
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace kdive {

class ByteCursor {
 public:
  // `source` names the file (or dump), `part` the structure being read; both appear
  // in errors. `base_offset` is the position of bytes[0] within the source.
  ByteCursor(std::span<const uint8_t> bytes, std::string source, std::string part,
             bool little_endian = true, uint64_t base_offset = 0);

  size_t position() const { return pos_; }
  size_t size() const { return bytes_.size(); }
  size_t remaining() const { return bytes_.size() - pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }
  bool little_endian() const { return little_endian_; }
  void set_little_endian(bool le) { little_endian_ = le; }

  void seek(size_t pos);
  void skip(size_t n);

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  int8_t s8() { return static_cast<int8_t>(u8()); }
  int16_t s16() { return static_cast<int16_t>(u16()); }
  int32_t s32() { return static_cast<int32_t>(u32()); }
  int64_t s64() { return static_cast<int64_t>(u64()); }
  // Unsigned integer of 1, 2, 4 or 8 bytes.
  uint64_t unsigned_of_size(size_t size);
  uint64_t uleb128();
  int64_t sleb128();
  // NUL-terminated string; the NUL is consumed and not returned.
  std::string_view cstring();
  std::span<const uint8_t> bytes(size_t n);

  // Throws BadDataError "<source>: <part>: <what> at offset <abs offset>".
  [[noreturn]] void fail(const std::string& what) const;

  // A cursor over [pos, pos+n) of this one, sharing source and byte order.
  ByteCursor sub(size_t pos, size_t n, std::string part) const;

 private:
  void need(size_t n) const;
  template <typename T>
  T read_fixed();

  std::span<const uint8_t> bytes_;
  std::string source_;
  std::string part_;
  bool little_endian_;
  uint64_t base_offset_;
  size_t pos_ = 0;
};

// Loads a T from possibly unaligned memory in host byte order (for hot paths that
// have already bounds-checked, e.g. page-table entries within a read page).
template <typename T>
inline T load_unaligned(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

}  // namespace kdive
