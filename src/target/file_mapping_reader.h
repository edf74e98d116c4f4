// FileMappingReader: the bytes of a user core's file-backed mappings that the kernel
// did not dump (read-only text and rodata of the executable and its libraries), read
// from the mapped files themselves, as NT_FILE describes them. Files are opened on
// first use and kept mapped; a file that cannot be opened faults every read with a
// reason naming it.
//
//   FileMappingReader files(core_path);
//   files.read(mapping, address, buf, n);   // FaultError(address, "mapped file /lib/... : ...")
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "target/core_notes.h"
#include "target/file_source.h"

namespace kdive {

class FileMappingReader {
 public:
  // `resolve` maps a path recorded in the core to the path to open on this machine
  // (e.g. a sysroot prefix); identity when empty.
  explicit FileMappingReader(std::function<std::string(const std::string&)> resolve = {});

  // Reads `n` bytes at `address`, which lies in `mapping`, from the mapped file.
  // Bytes past the end of the file read as zeros (the kernel maps the partial last
  // page zero-filled).
  void read(const FileMapping& mapping, uint64_t address, void* buf, size_t n) const;

 private:
  struct Entry {
    std::unique_ptr<FileSource> source;  // null when opening failed
    std::string error;
  };
  const Entry& get(const std::string& path) const;

  std::function<std::string(const std::string&)> resolve_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Entry> files_;
};

}  // namespace kdive
