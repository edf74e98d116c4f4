// ReplacingFile: an output file written under a temporary name beside its path and
// renamed onto it only when complete (commit(): fsync, close, rename), so a reader never
// sees half a file and a failed write leaves the old file as it was; an abandoned one is
// removed. Errors name the path.
//
//   ReplacingFile f("/tmp/crash.dat");
//   f.write(bytes.data(), bytes.size());   // or hand f.fd() to libelf
//   f.commit();
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kdive {

class ReplacingFile {
 public:
  // OsError (naming `path`) when the temporary file cannot be created.
  explicit ReplacingFile(std::string path);
  ~ReplacingFile();
  ReplacingFile(const ReplacingFile&) = delete;
  ReplacingFile& operator=(const ReplacingFile&) = delete;

  int fd() const { return fd_; }
  // Writes all of it (retrying short writes); OsError naming the path.
  void write(const void* data, size_t size);
  // Bytes written through write().
  uint64_t written() const { return written_; }
  // Flushes, closes and renames the file onto its path.
  void commit();

 private:
  std::string path_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
  uint64_t written_ = 0;
};

}  // namespace kdive
