// FlattenedSource: one pass over the record headers builds a sorted, disjoint index.
// Writers (QEMU, makedumpfile) interleave the page-descriptor and page-data regions and
// may rewrite a region (the header is written again at the end), so records are sorted
// and, only if some overlap, replayed in stream order with later writes winning.
#include "target/flattened_source.h"

#include <algorithm>
#include <cstring>
#include <map>

#include <fmt/format.h>

#include "base/byte_cursor.h"
#include "kdive/error.h"

namespace kdive {

namespace {
constexpr char kSignature[] = "makedumpfile";  // padded with NULs to 16 bytes
}

bool FlattenedSource::sniff(std::span<const uint8_t> bytes) {
  if (bytes.size() < 16) return false;
  return std::memcmp(bytes.data(), kSignature, sizeof kSignature) == 0;  // incl. NUL
}

FlattenedSource::FlattenedSource(std::shared_ptr<const ByteSource> stream)
    : stream_(std::move(stream)) {
  const std::string& file = stream_->name();
  const uint64_t total = stream_->size();
  std::vector<uint8_t> scratch;
  auto head = stream_->view(0, 32, scratch);
  if (!sniff(head)) throw BadDataError(file, "no makedumpfile flattened-format signature", 0);
  ByteCursor hc(head, file, "flattened header", /*little_endian=*/false);
  hc.seek(16);
  int64_t type = hc.s64();
  int64_t version = hc.s64();
  if (type != 1 || version != 1) {
    throw BadDataError(file, fmt::format("flattened header type {} version {} (expected 1, 1)",
                                         type, version), 16);
  }

  struct Seq {
    Record r;
    uint64_t seq;
  };
  std::vector<Seq> recs;
  const uint8_t* whole = stream_->contiguous(0, total);
  uint64_t pos = kHeaderSize;
  bool ended = false;
  while (pos < total) {
    if (total - pos < 16) {
      truncated_ = true;
      break;
    }
    int64_t off, size;
    {
      uint8_t hdr[16];
      std::span<const uint8_t> bytes;
      if (whole) {
        bytes = {whole + pos, 16};
      } else {
        stream_->read_at(pos, hdr, 16);
        bytes = {hdr, 16};
      }
      ByteCursor c(bytes, file, "flattened record", false, pos);
      off = c.s64();
      size = c.s64();
    }
    if (off == -1 && size == -1) {
      ended = true;
      break;
    }
    if (off < 0 || size < 0 ||
        static_cast<uint64_t>(size) > UINT64_MAX - static_cast<uint64_t>(off)) {
      throw BadDataError(file, fmt::format("flattened record with offset {} size {}", off, size), pos);
    }
    uint64_t data_pos = pos + 16;
    uint64_t usize = static_cast<uint64_t>(size);
    if (usize > total - data_pos) {
      usize = total - data_pos;  // stream cut off: keep what is there
      truncated_ = true;
    }
    if (usize > 0) recs.push_back({{static_cast<uint64_t>(off), usize, data_pos}, recs.size()});
    if (truncated_) break;
    pos = data_pos + usize;
  }
  if (!ended) truncated_ = true;

  std::stable_sort(recs.begin(), recs.end(),
                   [](const Seq& a, const Seq& b) { return a.r.offset < b.r.offset; });
  bool overlap = false;
  for (size_t i = 1; i < recs.size() && !overlap; ++i) {
    overlap = recs[i].r.offset < recs[i - 1].r.offset + recs[i - 1].r.size;
  }
  if (!overlap) {
    records_.reserve(recs.size());
    for (const Seq& s : recs) records_.push_back(s.r);
  } else {
    std::sort(recs.begin(), recs.end(), [](const Seq& a, const Seq& b) { return a.seq < b.seq; });
    std::map<uint64_t, Record> m;
    for (const Seq& s : recs) {
      const Record& r = s.r;
      uint64_t end = r.offset + r.size;
      auto it = m.lower_bound(r.offset);
      if (it != m.begin() && std::prev(it)->second.offset + std::prev(it)->second.size > r.offset) --it;
      while (it != m.end() && it->second.offset < end) {
        Record old = it->second;
        it = m.erase(it);
        uint64_t old_end = old.offset + old.size;
        if (old.offset < r.offset) m.emplace(old.offset, Record{old.offset, r.offset - old.offset, old.stream_pos});
        if (old_end > end) m.emplace(end, Record{end, old_end - end, old.stream_pos + (end - old.offset)});
      }
      m.emplace(r.offset, r);
    }
    records_.reserve(m.size());
    for (auto& [k, r] : m) records_.push_back(r);
  }
  for (const Record& r : records_) size_ = std::max(size_, r.offset + r.size);
}

const FlattenedSource::Record* FlattenedSource::find(uint64_t offset) const {
  auto it = std::upper_bound(records_.begin(), records_.end(), offset,
                             [](uint64_t o, const Record& r) { return o < r.offset; });
  if (it == records_.begin()) return nullptr;
  --it;
  return offset < it->offset + it->size ? &*it : nullptr;
}

const uint8_t* FlattenedSource::contiguous(uint64_t offset, size_t n) const {
  const Record* r = find(offset);
  if (!r || n > r->offset + r->size - offset) return nullptr;
  return stream_->contiguous(r->stream_pos + (offset - r->offset), n);
}

size_t FlattenedSource::read_at(uint64_t offset, void* buf, size_t n) const {
  if (offset >= size_) return 0;
  if (n > size_ - offset) n = static_cast<size_t>(size_ - offset);
  auto* out = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < n) {
    uint64_t at = offset + done;
    auto it = std::upper_bound(records_.begin(), records_.end(), at,
                               [](uint64_t o, const Record& r) { return o < r.offset; });
    size_t chunk;
    if (it != records_.begin() && at < std::prev(it)->offset + std::prev(it)->size) {
      const Record& r = *std::prev(it);
      chunk = static_cast<size_t>(std::min<uint64_t>(n - done, r.offset + r.size - at));
      size_t got = stream_->read_at(r.stream_pos + (at - r.offset), out + done, chunk);
      if (got < chunk) std::memset(out + done + got, 0, chunk - got);
    } else {
      // A hole the writer never wrote reads as zeros, as in the rearranged file.
      uint64_t next = it == records_.end() ? size_ : it->offset;
      chunk = static_cast<size_t>(std::min<uint64_t>(n - done, next - at));
      std::memset(out + done, 0, chunk);
    }
    done += chunk;
  }
  return n;
}

}  // namespace kdive
