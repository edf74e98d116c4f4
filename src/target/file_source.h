// FileSource: a dump file opened read-only. Regular files are mmap'ed (reads are a
// memcpy, no system call); files that cannot be mapped (/proc/kcore, pipes' leftovers,
// files whose size stat does not report) are read with pread.
//
//   FileSource f("/var/crash/vmcore");          // throws OsError naming the path
//   const uint8_t* p = f.data();                // non-null when mapped
#pragma once

#include <string>

#include "target/byte_source.h"

namespace kdive {

class FileSource : public ByteSource {
 public:
  enum class Mode { Auto, Pread };
  explicit FileSource(const std::string& path, Mode mode = Mode::Auto);
  ~FileSource() override;
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  const std::string& name() const override { return path_; }
  uint64_t size() const override { return size_; }
  const uint8_t* data() const override { return map_; }
  size_t read_at(uint64_t offset, void* buf, size_t n) const override;
  bool mapped() const { return map_ != nullptr; }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  const uint8_t* map_ = nullptr;
};

}  // namespace kdive
