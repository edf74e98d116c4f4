// LiveProcessMemory: the memory of a running process, read with pread on
// /proc/PID/mem (needs ptrace access to it: our own child, same user with Yama
// scope 0, or CAP_SYS_PTRACE). Addresses are the process's virtual addresses.
//
//   LiveProcessMemory mem(pid);                 // OsError if /proc/PID/mem cannot open
//   mem.read(addr, buf, 16);                    // FaultError(addr, "not mapped in process")
#pragma once

#include <string>
#include <sys/types.h>

#include "kdive/memory_reader.h"

namespace kdive {

class LiveProcessMemory : public MemoryReader {
 public:
  explicit LiveProcessMemory(pid_t pid);
  ~LiveProcessMemory() override;
  LiveProcessMemory(const LiveProcessMemory&) = delete;
  LiveProcessMemory& operator=(const LiveProcessMemory&) = delete;

  // Reads exactly `size` bytes; `space` is ignored (a process has one space).
  void read(uint64_t address, void* buf, size_t size,
            AddressSpace space = AddressSpace::Virtual) const override;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace kdive
