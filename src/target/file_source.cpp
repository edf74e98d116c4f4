// FileSource: open + fstat + mmap(PROT_READ, MAP_PRIVATE), with pread as the fallback
// for files the kernel does not let us map (/proc/kcore reports a huge st_size and
// refuses mmap; procfs files report size 0).
#include "target/file_source.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kdive/error.h"

namespace kdive {

FileSource::FileSource(const std::string& path, Mode mode) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw OsError(errno, path);
  struct stat st;
  if (fstat(fd_, &st) != 0) {
    int e = errno;
    ::close(fd_);
    throw OsError(e, path);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw OsError(EISDIR, path);
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (mode == Mode::Auto && S_ISREG(st.st_mode) && size_ > 0 &&
      size_ <= static_cast<uint64_t>(SIZE_MAX)) {
    void* m = mmap(nullptr, static_cast<size_t>(size_), PROT_READ, MAP_PRIVATE, fd_, 0);
    if (m != MAP_FAILED) map_ = static_cast<const uint8_t*>(m);
  }
  // Procfs files opened for pread report st_size 0 (kcore: the size of the address
  // space); pread then decides where the data ends. An empty regular file stays empty.
  if (mode == Mode::Pread && size_ == 0) size_ = UINT64_MAX;
}

FileSource::~FileSource() {
  if (map_) munmap(const_cast<uint8_t*>(map_), static_cast<size_t>(size_));
  if (fd_ >= 0) ::close(fd_);
}

size_t FileSource::read_at(uint64_t offset, void* buf, size_t n) const {
  if (offset >= size_) return 0;
  if (n > size_ - offset) n = static_cast<size_t>(size_ - offset);
  if (map_) {
    std::memcpy(buf, map_ + offset, n);
    return n;
  }
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, static_cast<uint8_t*>(buf) + done, n - done,
                        static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      throw OsError(errno, path_);
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

}  // namespace kdive
