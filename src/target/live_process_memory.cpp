// LiveProcessMemory: /proc/PID/mem returns EIO for unmapped addresses and short reads
// at the end of a mapping; both become a FaultError at the first unreadable byte.
#include "target/live_process_memory.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include "kdive/error.h"

namespace kdive {

LiveProcessMemory::LiveProcessMemory(pid_t pid)
    : pid_(pid), path_("/proc/" + std::to_string(pid) + "/mem") {
  fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw OsError(errno, path_);
}

LiveProcessMemory::~LiveProcessMemory() {
  if (fd_ >= 0) ::close(fd_);
}

void LiveProcessMemory::read(uint64_t address, void* buf, size_t size, AddressSpace) const {
  auto* out = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < size) {
    // pread's offset is signed: addresses in the upper half are not reachable.
    uint64_t at = address + done;
    if (at > static_cast<uint64_t>(INT64_MAX)) throw FaultError(at, "not mapped in process");
    ssize_t r = ::pread(fd_, out + done, size - done, static_cast<off_t>(at));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      if (r < 0 && errno == ESRCH) throw FaultError(at, "process has exited");
      throw FaultError(at, "not mapped in process");
    }
    done += static_cast<size_t>(r);
  }
}

}  // namespace kdive
