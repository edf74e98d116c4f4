// KernelVirtualMemory: split reads at 4 KiB boundaries (a translation covers at least
// one 4 KiB page), translate, read physical, and re-address physical faults to the
// virtual address the caller asked for.
#include "target/kernel_virtual_memory.h"

#include "kdive/error.h"

namespace kdive {

KernelVirtualMemory::KernelVirtualMemory(const MemoryReader& physical, PageTableWalker walker)
    : physical_(physical), walker_(std::move(walker)) {}

void KernelVirtualMemory::read(uint64_t address, void* buf, size_t size,
                               AddressSpace space) const {
  if (space == AddressSpace::Physical) {
    physical_.read(address, buf, size, AddressSpace::Physical);
    return;
  }
  auto* out = static_cast<uint8_t*>(buf);
  while (size > 0) {
    Translation t = walker_.translate(address);
    // Stay within the translated page (at least the 4 KiB one holding `address`).
    uint64_t page_left = t.page_size - (t.physical & (t.page_size - 1));
    size_t chunk = page_left < size ? static_cast<size_t>(page_left) : size;
    try {
      physical_.read(t.physical, out, chunk, AddressSpace::Physical);
    } catch (const FaultError& e) {
      throw FaultError(address + (e.address() - t.physical), e.reason());
    }
    out += chunk;
    size -= chunk;
    address += chunk;
  }
}

}  // namespace kdive
