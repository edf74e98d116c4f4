// MemorySource: a ByteSource over bytes already in memory — dumps built by tests,
// fuzz inputs, or a dump handed over from Python as a bytes object.
//
//   auto src = std::make_shared<MemorySource>(std::move(bytes), "<fuzz input>");
//   ElfCoreFile core(src);
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "target/byte_source.h"

namespace kdive {

class MemorySource : public ByteSource {
 public:
  explicit MemorySource(std::vector<uint8_t> bytes, std::string name = "<memory>");

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return bytes_.size(); }
  const uint8_t* data() const override { return bytes_.data(); }
  size_t read_at(uint64_t offset, void* buf, size_t n) const override;

 private:
  std::vector<uint8_t> bytes_;
  std::string name_;
};

}  // namespace kdive
