// A target memory for the linux/ walker tests: a few mapped byte ranges that tests
// fill with crafted kernel structures (list nodes, rb_nodes, xa_nodes), and that fault
// with the reason "not in test memory" anywhere else.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <vector>

#include "kdive/error.h"
#include "kdive/memory_reader.h"

namespace kdive::testing {

class ByteBufferMemory : public MemoryReader {
 public:
  void map(uint64_t base, size_t size) { ranges_[base].assign(size, 0); }
  void put64(uint64_t address, uint64_t value) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(value >> (8 * i));
    write(address, b, 8);
  }
  void put8(uint64_t address, uint8_t value) { write(address, &value, 1); }
  void write(uint64_t address, const void* data, size_t size) {
    uint8_t* p = find(address, size);
    if (!p) throw FaultError(address, "test write outside mapped memory");
    std::memcpy(p, data, size);
  }
  void read(uint64_t address, void* buf, size_t size, AddressSpace) const override {
    ++reads;
    const uint8_t* p = const_cast<ByteBufferMemory*>(this)->find(address, size);
    if (!p) throw FaultError(address, "not in test memory");
    std::memcpy(buf, p, size);
  }
  mutable size_t reads = 0;

 private:
  uint8_t* find(uint64_t address, size_t size) {
    auto it = ranges_.upper_bound(address);
    if (it == ranges_.begin()) return nullptr;
    --it;
    if (address - it->first + size > it->second.size()) return nullptr;
    return it->second.data() + (address - it->first);
  }
  std::map<uint64_t, std::vector<uint8_t>> ranges_;
};

}  // namespace kdive::testing
