// Test helpers that write small dump files field by field: an ELF core builder, a
// kdump-compressed builder (with a flattened-format converter) and an in-memory
// ByteSource. Every field written carries a comment naming it in the format.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "target/memory_source.h"

namespace kdive::testing {

// Little-endian byte buffer with positional writes.
struct Blob {
  std::vector<uint8_t> b;
  size_t size() const { return b.size(); }
  void u8(uint8_t v) { b.push_back(v); }
  void u16(uint16_t v) { for (int i = 0; i < 2; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }
  void u32(uint32_t v) { for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }
  void u64(uint64_t v) { for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }
  void be64(uint64_t v) { for (int i = 7; i >= 0; --i) b.push_back(static_cast<uint8_t>(v >> (8 * i))); }
  void bytes(const void* p, size_t n) { auto* c = static_cast<const uint8_t*>(p); b.insert(b.end(), c, c + n); }
  void str(const std::string& s, size_t field) { std::string t = s; t.resize(field, '\0'); bytes(t.data(), field); }
  void zeros(size_t n) { b.insert(b.end(), n, 0); }
  void pad_to(size_t n) { if (b.size() < n) b.resize(n, 0); }
  void align(size_t a) { pad_to((b.size() + a - 1) / a * a); }
  void put64(size_t at, uint64_t v) { for (int i = 0; i < 8; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i)); }
  void put32(size_t at, uint32_t v) { for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i)); }
};

// An ELF note: namesz, descsz, type, name (NUL, padded to 4), desc (padded to 4).
inline std::vector<uint8_t> note(const std::string& name, uint32_t type, const std::vector<uint8_t>& desc) {
  Blob n;
  n.u32(static_cast<uint32_t>(name.size() + 1));  // n_namesz, including the NUL
  n.u32(static_cast<uint32_t>(desc.size()));      // n_descsz
  n.u32(type);                                    // n_type
  n.bytes(name.c_str(), name.size() + 1);         // name
  n.align(4);
  n.bytes(desc.data(), desc.size());              // desc
  n.align(4);
  return n.b;
}

// x86-64 elf_prstatus (336 bytes) with pid, signal and rip/rsp set.
inline std::vector<uint8_t> prstatus(int32_t pid, uint64_t rip, uint64_t rsp, uint16_t sig = 0) {
  Blob p;
  p.zeros(12);       // pr_info {si_signo, si_code, si_errno}
  p.u16(sig);        // pr_cursig
  p.zeros(2);        // padding
  p.u64(0);          // pr_sigpend
  p.u64(0);          // pr_sighold
  p.u32(static_cast<uint32_t>(pid));  // pr_pid
  p.u32(1);          // pr_ppid
  p.u32(0);          // pr_pgrp
  p.u32(0);          // pr_sid
  p.zeros(64);       // pr_utime, pr_stime, pr_cutime, pr_cstime
  // pr_reg: user_regs_struct r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi
  //         orig_rax rip cs eflags rsp ss fs_base gs_base ds es fs gs
  for (int i = 0; i < 27; ++i) {
    uint64_t v = 0x1000 + static_cast<uint64_t>(i);  // distinct filler per register
    if (i == 16) v = rip;
    if (i == 19) v = rsp;
    p.u64(v);
  }
  p.u32(0);          // pr_fpvalid
  p.zeros(4);        // padding to 336
  return p.b;
}

// QEMUCPUState (target/i386/arch_dump.c) with rip and control registers set.
inline std::vector<uint8_t> qemu_cpu_state(uint64_t rip, uint64_t cr3, uint64_t cr4) {
  Blob q;
  q.u32(1);    // version
  q.u32(440);  // size
  for (int i = 0; i < 16; ++i) q.u64(0x2000 + static_cast<uint64_t>(i));  // rax..r15
  q.u64(rip);  // rip
  q.u64(0x246);  // rflags
  for (int s = 0; s < 10; ++s) {  // cs ds es fs gs ss ldt tr gdt idt
    q.u32(0x10);  // selector
    q.u32(0xffffffff);  // limit
    q.u32(0);     // flags
    q.u32(0);     // pad
    q.u64(0);     // base
  }
  q.u64(0x80050033);  // cr0
  q.u64(0);           // cr1
  q.u64(0x1234);      // cr2
  q.u64(cr3);         // cr3
  q.u64(cr4);         // cr4
  q.u64(0xffff888007a00000);  // kernel_gs_base
  return q.b;
}

struct ElfSegment {
  uint64_t vaddr, paddr;
  std::vector<uint8_t> data;  // p_filesz bytes
  uint64_t memsz;
  uint32_t flags = 4;
};

// ELF64 core: header, PT_NOTE, PT_LOADs, notes, segment data.
inline std::vector<uint8_t> elf_core(const std::vector<std::vector<uint8_t>>& notes,
                                     const std::vector<ElfSegment>& segs) {
  Blob e;
  const uint16_t phnum = static_cast<uint16_t>(1 + segs.size());
  e.bytes("\x7f" "ELF", 4);  // EI_MAG
  e.u8(2);                   // EI_CLASS = ELFCLASS64
  e.u8(1);                   // EI_DATA = ELFDATA2LSB
  e.u8(1);                   // EI_VERSION
  e.zeros(9);                // EI_OSABI, EI_ABIVERSION, padding
  e.u16(4);                  // e_type = ET_CORE
  e.u16(62);                 // e_machine = EM_X86_64
  e.u32(1);                  // e_version
  e.u64(0);                  // e_entry
  e.u64(64);                 // e_phoff
  e.u64(0);                  // e_shoff
  e.u32(0);                  // e_flags
  e.u16(64);                 // e_ehsize
  e.u16(56);                 // e_phentsize
  e.u16(phnum);              // e_phnum
  e.u16(0);                  // e_shentsize
  e.u16(0);                  // e_shnum
  e.u16(0);                  // e_shstrndx
  std::vector<uint8_t> note_bytes;
  for (const auto& n : notes) note_bytes.insert(note_bytes.end(), n.begin(), n.end());
  uint64_t off = 64 + 56ull * phnum;
  auto phdr = [&](uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t paddr,
                  uint64_t filesz, uint64_t memsz) {
    e.u32(type);    // p_type
    e.u32(flags);   // p_flags
    e.u64(offset);  // p_offset
    e.u64(vaddr);   // p_vaddr
    e.u64(paddr);   // p_paddr
    e.u64(filesz);  // p_filesz
    e.u64(memsz);   // p_memsz
    e.u64(0);       // p_align
  };
  phdr(4, 0, off, 0, 0, note_bytes.size(), 0);  // PT_NOTE
  uint64_t data_off = off + note_bytes.size();
  for (const auto& s : segs) {
    phdr(1, s.flags, data_off, s.vaddr, s.paddr, s.data.size(), s.memsz);  // PT_LOAD
    data_off += s.data.size();
  }
  e.bytes(note_bytes.data(), note_bytes.size());
  for (const auto& s : segs) e.bytes(s.data.data(), s.data.size());
  return e.b;
}

// A page of `size` bytes whose every 8-byte word is `seed + index`.
inline std::vector<uint8_t> pattern(size_t size, uint64_t seed) {
  std::vector<uint8_t> v(size);
  for (size_t i = 0; i + 8 <= size; i += 8) {
    uint64_t w = seed + i / 8;
    std::memcpy(&v[i], &w, 8);
  }
  return v;
}

// kdump-compressed file (header version 6, 4 KiB blocks).
struct KdumpPage {
  enum Kind { NotRam, Filtered, Raw, Zlib, Lzo, Snappy, Zstd, BadFlags } kind;
  std::vector<uint8_t> data;  // 4096 bytes for dumped pages
};

inline std::vector<uint8_t> compress_page(KdumpPage::Kind k, const std::vector<uint8_t>& in, uint32_t* flags) {
  std::vector<uint8_t> out;
  switch (k) {
    case KdumpPage::Zlib: {
      uLongf n = compressBound(in.size());
      out.resize(n);
      compress2(out.data(), &n, in.data(), in.size(), 6);
      out.resize(n);
      *flags = 0x1;
      break;
    }
    case KdumpPage::Lzo: {
      lzo_init();
      std::vector<uint8_t> wrk(LZO1X_1_MEM_COMPRESS);
      out.resize(in.size() + in.size() / 16 + 64 + 3);
      lzo_uint n = out.size();
      lzo1x_1_compress(in.data(), in.size(), out.data(), &n, wrk.data());
      out.resize(n);
      *flags = 0x2;
      break;
    }
    case KdumpPage::Snappy: {
      size_t n = snappy_max_compressed_length(in.size());
      out.resize(n);
      snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                      reinterpret_cast<char*>(out.data()), &n);
      out.resize(n);
      *flags = 0x4;
      break;
    }
    case KdumpPage::Zstd: {
      size_t n = ZSTD_compressBound(in.size());
      out.resize(n);
      n = ZSTD_compress(out.data(), n, in.data(), in.size(), 3);
      out.resize(n);
      *flags = 0x20;
      break;
    }
    case KdumpPage::BadFlags:
      out = in;
      *flags = 0x40;
      break;
    default:
      out = in;
      *flags = 0;
  }
  return out;
}

inline std::vector<uint8_t> kdump_file(const std::vector<KdumpPage>& pages, const std::string& vmcoreinfo,
                                       const std::vector<std::vector<uint8_t>>& notes,
                                       uint64_t phys_base = 0x1000000, int dump_level = 31) {
  constexpr uint32_t kBlock = 4096;
  Blob f;
  f.bytes("KDUMP   ", 8);        // signature
  f.u32(6);                      // header_version
  f.str("Linux", 65);            // utsname.sysname
  f.str("testhost", 65);         // utsname.nodename
  f.str("6.1.0-test", 65);       // utsname.release
  f.str("#1 SMP", 65);           // utsname.version
  f.str("x86_64", 65);           // utsname.machine
  f.str("", 65);                 // utsname.domainname
  f.zeros(6);                    // padding to 8
  f.u64(1700000000);             // timestamp.tv_sec
  f.u64(0);                      // timestamp.tv_usec
  f.u32(0);                      // status
  f.u32(kBlock);                 // block_size
  f.u32(1);                      // sub_hdr_size (blocks)
  const uint64_t nbits_bytes = (pages.size() + 7) / 8;
  const uint32_t bitmap_blocks = static_cast<uint32_t>(2 * ((nbits_bytes + kBlock - 1) / kBlock));
  f.u32(bitmap_blocks);          // bitmap_blocks
  f.u32(static_cast<uint32_t>(pages.size()));  // max_mapnr (32-bit)
  f.u32(0);                      // total_ram_blocks
  f.u32(0);                      // device_blocks
  f.u32(0);                      // written_blocks
  f.u32(0);                      // current_cpu
  f.u32(static_cast<uint32_t>(notes.size()));  // nr_cpus
  f.pad_to(kBlock);
  // Sub header at block 1; notes and VMCOREINFO placed right after it (block 1 is the
  // whole sub header area, so they live in the same block after the fixed fields).
  std::vector<uint8_t> note_bytes;
  for (const auto& n : notes) note_bytes.insert(note_bytes.end(), n.begin(), n.end());
  const uint64_t off_vmcoreinfo = kBlock + 104;
  const uint64_t off_note = off_vmcoreinfo + vmcoreinfo.size();
  f.u64(phys_base);              // phys_base
  f.u32(static_cast<uint32_t>(dump_level));  // dump_level
  f.u32(0);                      // split
  f.u64(0);                      // start_pfn
  f.u64(0);                      // end_pfn
  f.u64(off_vmcoreinfo);         // offset_vmcoreinfo
  f.u64(vmcoreinfo.size());      // size_vmcoreinfo
  f.u64(off_note);               // offset_note
  f.u64(note_bytes.size());      // size_note
  f.u64(0);                      // offset_eraseinfo
  f.u64(0);                      // size_eraseinfo
  f.u64(0);                      // start_pfn_64
  f.u64(pages.size());           // end_pfn_64
  f.u64(pages.size());           // max_mapnr_64
  f.bytes(vmcoreinfo.data(), vmcoreinfo.size());
  f.bytes(note_bytes.data(), note_bytes.size());
  f.pad_to(2 * kBlock);
  // Bitmaps: bitmap 1 (in RAM), bitmap 2 (dumped), LSB-first bit per pfn.
  const size_t half = bitmap_blocks / 2 * kBlock;
  const size_t bm = f.size();
  f.zeros(2 * half);
  size_t dumped = 0;
  for (size_t pfn = 0; pfn < pages.size(); ++pfn) {
    if (pages[pfn].kind != KdumpPage::NotRam) f.b[bm + pfn / 8] |= static_cast<uint8_t>(1u << (pfn % 8));
    if (pages[pfn].kind != KdumpPage::NotRam && pages[pfn].kind != KdumpPage::Filtered) {
      f.b[bm + half + pfn / 8] |= static_cast<uint8_t>(1u << (pfn % 8));
      ++dumped;
    }
  }
  // Page descriptors, then data.
  const size_t desc = f.size();
  f.zeros(24 * dumped);
  size_t i = 0;
  for (const KdumpPage& p : pages) {
    if (p.kind == KdumpPage::NotRam || p.kind == KdumpPage::Filtered) continue;
    uint32_t flags = 0;
    std::vector<uint8_t> data = compress_page(p.kind, p.data, &flags);
    f.put64(desc + 24 * i, f.size());                                 // offset
    f.put32(desc + 24 * i + 8, static_cast<uint32_t>(data.size()));  // size
    f.put32(desc + 24 * i + 12, flags);                               // flags
    // page_flags (8 bytes) stay 0
    f.bytes(data.data(), data.size());
    ++i;
  }
  return f.b;
}

// The same file in makedumpfile's flattened layout: a 4 KiB header, then records
// {offset, size} (big-endian) + data, cut into `chunk`-byte pieces written in reverse
// order, plus a rewrite of the first 16 bytes at the end, and the end marker.
inline std::vector<uint8_t> flatten(const std::vector<uint8_t>& file, size_t chunk) {
  Blob f;
  f.str("makedumpfile", 16);  // signature
  f.be64(1);                  // type = TYPE_FLAT_HEADER
  f.be64(1);                  // version = VERSION_FLAT_HEADER
  f.pad_to(4096);
  std::vector<size_t> starts;
  for (size_t o = 0; o < file.size(); o += chunk) starts.push_back(o);
  for (auto it = starts.rbegin(); it != starts.rend(); ++it) {
    size_t n = std::min(chunk, file.size() - *it);
    f.be64(*it);  // offset in the rearranged file
    f.be64(n);    // buf_size
    f.bytes(file.data() + *it, n);
  }
  f.be64(0);   // a rewrite of [0, 16): same bytes, later record wins
  f.be64(16);
  f.bytes(file.data(), 16);
  f.be64(~uint64_t{0});  // end marker offset = -1
  f.be64(~uint64_t{0});  // end marker size = -1
  return f.b;
}

// A temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "kdive-target-XXXXXX").string();
    path_ = mkdtemp(t.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kdive::testing
