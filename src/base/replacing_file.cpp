// ReplacingFile: PATH.kdive-tmp-PID, then rename(2) onto PATH (atomic within a file
// system, which the temporary name beside PATH guarantees).
#include "base/replacing_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "kdive/error.h"

namespace kdive {

ReplacingFile::ReplacingFile(std::string path)
    : path_(std::move(path)), tmp_(fmt::format("{}.kdive-tmp-{}", path_, ::getpid())) {
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw OsError(errno, path_);
}

ReplacingFile::~ReplacingFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(tmp_.c_str());
}

void ReplacingFile::write(const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size) {
    ssize_t n = ::write(fd_, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw OsError(n < 0 ? errno : EIO, path_);
    p += n;
    size -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void ReplacingFile::commit() {
  if (::fsync(fd_) != 0) throw OsError(errno, path_);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) throw OsError(errno, path_);
  if (::rename(tmp_.c_str(), path_.c_str()) != 0) throw OsError(errno, path_);
  committed_ = true;
}

}  // namespace kdive
