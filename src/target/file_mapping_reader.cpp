// FileMappingReader: NT_FILE read-through. The file offset of an address is the
// mapping's page offset (NT_FILE pgoff × page size) plus the distance from the
// mapping's start, as mmap(2) defines it.
#include "target/file_mapping_reader.h"

#include <cstring>

#include "kdive/error.h"

namespace kdive {

FileMappingReader::FileMappingReader(std::function<std::string(const std::string&)> resolve)
    : resolve_(std::move(resolve)) {}

const FileMappingReader::Entry& FileMappingReader::get(const std::string& path) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) return it->second;
  Entry e;
  std::string real = resolve_ ? resolve_(path) : path;
  try {
    e.source = std::make_unique<FileSource>(real);
  } catch (const OsError& err) {
    e.error = err.what();
  }
  return files_.emplace(path, std::move(e)).first->second;
}

void FileMappingReader::read(const FileMapping& mapping, uint64_t address, void* buf,
                             size_t n) const {
  const Entry& e = get(mapping.path);
  if (!e.source) throw FaultError(address, "mapped file not readable: " + e.error);
  uint64_t offset = mapping.file_offset + (address - mapping.start);
  size_t got = offset < mapping.file_offset ? 0 : e.source->read_at(offset, buf, n);
  if (got < n) std::memset(static_cast<uint8_t*>(buf) + got, 0, n - got);
}

}  // namespace kdive
