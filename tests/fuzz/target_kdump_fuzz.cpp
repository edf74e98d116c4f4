// libFuzzer target: kdump-compressed headers, sub header, bitmaps, notes, page
// descriptors and decompression, in both the plain and the flattened layout.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "kdive/error.h"
#include "target/flattened_source.h"
#include "target/kdump_file.h"
#include "target/memory_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  try {
    std::shared_ptr<const ByteSource> src =
        std::make_shared<MemorySource>(std::vector<uint8_t>(data, data + size), "fuzz");
    bool flat = FlattenedSource::sniff({data, size});
    if (flat) src = std::make_shared<FlattenedSource>(src);
    KdumpFile::Options options;
    options.cache_pages = 4;
    KdumpFile dump(src, flat, options);
    (void)dump.description();
    uint8_t buf[64];
    size_t n = 0;
    for (const AddressRange& r : dump.physical_ranges()) {
      if (++n > 16) break;
      try {
        dump.physical_memory()->read(r.start, buf, sizeof buf);
      } catch (const FaultError&) {
      }
    }
    for (uint64_t pfn = 0; pfn < 8; ++pfn) {
      try {
        dump.physical_memory()->read(pfn * dump.page_size(), buf, sizeof buf);
      } catch (const FaultError&) {
      }
    }
  } catch (const Error&) {
  }
  return 0;
}
