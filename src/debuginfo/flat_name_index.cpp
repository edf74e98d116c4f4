// FlatNameIndex implementation. Image layout (all little-endian, as the host; the cache
// is per machine):
//   header   kHeaderSize bytes: magic, version, slot count (log2), key, stats, counts
//   slots    2^k × {u32 name number + 1 (0 = empty), u32 high half of the name's hash}
//   names    n × {u32 blob offset, u32 length, u32 first entry, u32 entry count}
//   entries  m × IndexEntry (the in-memory struct itself, so lookups return spans)
//   blob     the name bytes, back to back
#include "debuginfo/flat_name_index.h"

#include <cstddef>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

namespace {

constexpr char kMagic[8] = {'K', 'D', 'I', 'V', 'E', 'I', 'X', '\n'};
// Bumped whenever the image layout or what the scanner indexes changes (2: C++ namespaces).
constexpr uint32_t kFlatIndexVersion = 2;
constexpr size_t kHeaderSize = 96;
constexpr size_t kSlotSize = 8;
constexpr size_t kNameSize = 16;

static_assert(std::is_trivially_copyable_v<IndexEntry> && std::is_standard_layout_v<IndexEntry>);
static_assert(sizeof(IndexEntry) == 24 && alignof(IndexEntry) == 8);

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t slot_bits;
  uint64_t file_size;
  uint64_t debug_info_size;
  uint64_t units;
  uint64_t dies_visited;
  uint64_t name_count;
  uint64_t entry_count;
  uint64_t blob_size;
  uint64_t entry_record_size;
  uint64_t mtime_ns;
  uint64_t reserved;
};
static_assert(sizeof(Header) == kHeaderSize);

size_t align8(size_t n) { return (n + 7) & ~size_t{7}; }

struct Layout {
  size_t slots, names, entries, blob, end;
};

Layout layout_of(uint64_t slot_count, uint64_t names, uint64_t entries, uint64_t blob) {
  Layout l;
  l.slots = kHeaderSize;
  l.names = l.slots + slot_count * kSlotSize;
  l.entries = align8(l.names + names * kNameSize);
  l.blob = l.entries + entries * sizeof(IndexEntry);
  l.end = l.blob + blob;
  return l;
}

uint32_t load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

void store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

}  // namespace

std::vector<uint8_t> FlatNameIndex::serialize(const NameMap& map, const FlatIndexKey& key,
                                              const FlatIndexStats& stats) {
  uint64_t names = map.size();
  uint64_t entries = 0, blob = 0;
  map.for_each([&](std::string_view name, const std::vector<IndexEntry>& v) {
    entries += v.size();
    blob += name.size();
  });
  if (names >= UINT32_MAX || entries >= UINT32_MAX || blob >= UINT32_MAX)
    throw BadDataError("index cache", "index too large to store", 0);
  uint32_t bits = 4;
  while ((uint64_t{1} << bits) < names * 2) ++bits;  // load factor at most 1/2
  uint64_t slot_count = uint64_t{1} << bits;
  Layout l = layout_of(slot_count, names, entries, blob);
  std::vector<uint8_t> image(l.end, 0);

  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kFlatIndexVersion;
  h.slot_bits = bits;
  h.file_size = key.file_size;
  h.debug_info_size = key.debug_info_size;
  h.units = stats.units;
  h.dies_visited = stats.dies_visited;
  h.name_count = names;
  h.entry_count = entries;
  h.blob_size = blob;
  h.entry_record_size = sizeof(IndexEntry);
  h.mtime_ns = key.mtime_ns;
  std::memcpy(image.data(), &h, sizeof h);

  uint32_t n = 0, e = 0, b = 0;
  uint64_t mask = slot_count - 1;
  map.for_each([&](std::string_view name, const std::vector<IndexEntry>& v) {
    uint64_t hash = name_hash(name);
    uint64_t i = hash & mask;
    while (load32(image.data() + l.slots + i * kSlotSize) != 0) i = (i + 1) & mask;
    uint8_t* slot = image.data() + l.slots + i * kSlotSize;
    store32(slot, n + 1);
    store32(slot + 4, static_cast<uint32_t>(hash >> 32));
    uint8_t* rec = image.data() + l.names + uint64_t{n} * kNameSize;
    store32(rec, b);
    store32(rec + 4, static_cast<uint32_t>(name.size()));
    store32(rec + 8, e);
    store32(rec + 12, static_cast<uint32_t>(v.size()));
    std::memcpy(image.data() + l.blob + b, name.data(), name.size());
    for (const IndexEntry& entry : v) {
      // Field by field into zeroed bytes, so padding is deterministic.
      uint8_t* out = image.data() + l.entries + uint64_t{e} * sizeof(IndexEntry);
      std::memcpy(out + offsetof(IndexEntry, die_offset), &entry.die_offset, 8);
      std::memcpy(out + offsetof(IndexEntry, parent_offset), &entry.parent_offset, 8);
      out[offsetof(IndexEntry, tag)] = static_cast<uint8_t>(entry.tag);
      out[offsetof(IndexEntry, is_declaration)] = entry.is_declaration;
      out[offsetof(IndexEntry, has_address)] = entry.has_address;
      ++e;
    }
    b += static_cast<uint32_t>(name.size());
    ++n;
  });
  return image;
}

FlatNameIndex::FlatNameIndex(std::span<const uint8_t> image, std::string origin, const FlatIndexKey& key)
    : image_(image), origin_(std::move(origin)) {
  if (image.size() < kHeaderSize) throw BadDataError(origin_, "index image shorter than its header", 0);
  if (reinterpret_cast<uintptr_t>(image.data()) % 8 != 0)
    throw BadDataError(origin_, "index image not 8-byte aligned", 0);
  Header h;
  std::memcpy(&h, image.data(), sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) throw BadDataError(origin_, "not a kdive index image", 0);
  if (h.version != kFlatIndexVersion)
    throw BadDataError(origin_, fmt::format("index format version {} (this kdive reads {})", h.version, kFlatIndexVersion), 8);
  if (h.entry_record_size != sizeof(IndexEntry)) throw BadDataError(origin_, "index entry size differs", 0);
  if (FlatIndexKey{h.file_size, h.debug_info_size, h.mtime_ns} != key)
    throw BadDataError(origin_, "index image was built from a different file", 0);
  if (h.slot_bits > 40 || h.name_count >= UINT32_MAX || h.entry_count >= UINT32_MAX || h.blob_size >= UINT32_MAX ||
      h.name_count > (uint64_t{1} << h.slot_bits))
    throw BadDataError(origin_, "index header counts out of range", 0);
  Layout l = layout_of(uint64_t{1} << h.slot_bits, h.name_count, h.entry_count, h.blob_size);
  if (l.end != image.size())
    throw BadDataError(origin_, fmt::format("index image is {} bytes, its header says {}", image.size(), l.end), 0);
  stats_ = {h.units, h.dies_visited};
  slot_mask_ = (uint64_t{1} << h.slot_bits) - 1;
  name_count_ = h.name_count;
  entry_count_ = h.entry_count;
  slots_ = image.data() + l.slots;
  names_ = image.data() + l.names;
  entries_ = reinterpret_cast<const IndexEntry*>(image.data() + l.entries);
  blob_ = image.subspan(l.blob, h.blob_size);
}

std::pair<std::string_view, std::span<const IndexEntry>> FlatNameIndex::record(uint64_t name_index) const {
  const uint8_t* rec = names_ + name_index * kNameSize;
  uint64_t off = load32(rec), len = load32(rec + 4), first = load32(rec + 8), count = load32(rec + 12);
  if (off + len > blob_.size() || first + count > entry_count_)
    throw BadDataError(origin_, fmt::format("index name record {} out of bounds", name_index),
                       static_cast<uint64_t>(rec - image_.data()));
  // Check the bytes that become enums and bools before handing out IndexEntry objects.
  const uint8_t* raw = reinterpret_cast<const uint8_t*>(entries_ + first);
  for (uint64_t i = 0; i < count; ++i) {
    const uint8_t* r = raw + i * sizeof(IndexEntry);
    if (r[offsetof(IndexEntry, tag)] > static_cast<uint8_t>(IndexTag::Enumerator) ||
        r[offsetof(IndexEntry, is_declaration)] > 1 || r[offsetof(IndexEntry, has_address)] > 1)
      throw BadDataError(origin_, fmt::format("index entry {} is malformed", first + i),
                         static_cast<uint64_t>(r - image_.data()));
  }
  return {std::string_view(reinterpret_cast<const char*>(blob_.data() + off), len),
          std::span<const IndexEntry>(entries_ + first, count)};
}

std::span<const IndexEntry> FlatNameIndex::find(std::string_view name) const {
  if (!slots_) return {};
  uint64_t hash = name_hash(name);
  uint32_t high = static_cast<uint32_t>(hash >> 32);
  // At most every slot once: a damaged image without empty slots cannot loop forever.
  for (uint64_t i = hash & slot_mask_, probes = 0; probes <= slot_mask_; i = (i + 1) & slot_mask_, ++probes) {
    const uint8_t* slot = slots_ + i * kSlotSize;
    uint32_t n = load32(slot);
    if (n == 0) return {};
    if (load32(slot + 4) != high) continue;
    if (n - 1 >= name_count_)
      throw BadDataError(origin_, fmt::format("index slot names record {} of {}", n - 1, name_count_),
                         static_cast<uint64_t>(slot - image_.data()));
    auto [rec_name, entries] = record(n - 1);
    if (rec_name == name) return entries;
  }
  return {};
}

}  // namespace kdive
