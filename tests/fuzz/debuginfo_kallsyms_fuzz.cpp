// libFuzzer target: KallsymsTable::read over a fake kernel memory made of the input
// (the tables at fixed offsets into it), so every table may be garbage or truncated.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "debuginfo/kallsyms_table.h"
#include "kdive/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace kdive;
  if (size < 16) return 0;
  constexpr uint64_t kBase = 0xffffffff81000000;
  auto read = [&](uint64_t a, std::span<uint8_t> out) {
    if (a < kBase || a - kBase > size || out.size() > size - (a - kBase))
      throw FaultError(a, "outside fuzz input");
    std::copy_n(data + (a - kBase), out.size(), out.begin());
  };
  KallsymsLocations loc;
  loc.num_syms = kBase;
  loc.token_index = kBase + 4;
  loc.token_table = kBase + 4 + 512;
  loc.names = kBase + size / 2;
  loc.offsets = kBase + size / 4;
  loc.relative_base = (data[4] & 1) ? kBase + 8 : 0;
  loc.stext = kBase;
  try {
    (void)KallsymsTable::read(loc, read);
  } catch (const Error&) {
  }
  return 0;
}
