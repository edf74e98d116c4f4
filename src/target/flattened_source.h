// FlattenedSource: makedumpfile's *flattened* format (what `makedumpfile -F` and QEMU's
// `dump-guest-memory -z/-l/-s` write to a pipe) seen as the ordinary file it encodes.
// The stream is a 4 KiB header ("makedumpfile", type 1, version 1, big-endian) and
// records {offset, size} (big-endian int64) each followed by `size` bytes meant for
// `offset` of the real file, ended by offset = size = -1. We index the records once
// (offset → stream position) instead of rewriting the file (`makedumpfile -R`).
//
//   FlattenedSource flat(std::make_shared<FileSource>("dump.flat"));
//   flat.read_at(0, hdr, 464);  // the kdump header, wherever the stream put it
#pragma once

#include <memory>
#include <vector>

#include "target/byte_source.h"

namespace kdive {

class FlattenedSource : public ByteSource {
 public:
  static constexpr size_t kHeaderSize = 4096;
  // True when `bytes` (the file's start) carry the flattened-format signature.
  static bool sniff(std::span<const uint8_t> bytes);

  // Indexes the records; throws BadDataError on a malformed stream. A stream cut off
  // mid-record keeps the complete records (reads of the rest see zeros) and records a
  // warning.
  explicit FlattenedSource(std::shared_ptr<const ByteSource> stream);

  const std::string& name() const override { return stream_->name(); }
  uint64_t size() const override { return size_; }
  const uint8_t* contiguous(uint64_t offset, size_t n) const override;
  size_t read_at(uint64_t offset, void* buf, size_t n) const override;

  size_t record_count() const { return records_.size(); }
  bool truncated() const { return truncated_; }

 private:
  struct Record {
    uint64_t offset;  // logical offset in the rearranged file
    uint64_t size;
    uint64_t stream_pos;  // where its bytes are in the stream
  };
  void insert(Record r);
  const Record* find(uint64_t offset) const;

  std::shared_ptr<const ByteSource> stream_;
  std::vector<Record> records_;  // disjoint, sorted by offset
  uint64_t size_ = 0;
  bool truncated_ = false;
};

}  // namespace kdive
