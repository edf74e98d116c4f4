// Decoders of core-dump notes. Layouts (x86-64):
//  elf_prstatus (include/linux/elfcore.h): elf_siginfo{signo,code,errno} (12), cursig (2)
//    + pad (2), sigpend (8), sighold (8), pid/ppid/pgrp/sid (4 each, at 32), four
//    timevals (16 each, at 48), pr_reg (27 * 8 at 112), pr_fpvalid (4 at 328) → 336.
//  elf_prpsinfo: state/sname/zomb/nice (1 each), pad (4), flag (8 at 8), uid/gid (4 at
//    16), pid/ppid/pgrp/sid (4 at 24), fname[16] at 40, psargs[80] at 56 → 136.
//  NT_FILE (fs/binfmt_elf.c fill_files_note): count, page_size, count × {start, end,
//    pgoff}, then count NUL-terminated names.
//  QEMUCPUState (QEMU target/i386/arch_dump.c): version, size (u32), rax..r15, rip,
//    rflags (u64), 10 segments {selector, limit, flags, pad (u32); base (u64)}, cr[5],
//    and since version 1 kernel_gs_base.
#include "target/core_notes.h"

#include "base/byte_cursor.h"
#include "kdive/error.h"

namespace kdive {

namespace {

ByteCursor note_cursor(const ElfNote& note, const std::string& file, const char* what) {
  return ByteCursor(note.desc, file, what, true, note.offset);
}

std::string fixed_string(std::span<const uint8_t> b) {
  size_t n = 0;
  while (n < b.size() && b[n] != 0) ++n;
  return std::string(reinterpret_cast<const char*>(b.data()), n);
}

std::array<uint64_t, 17> dwarf_order(uint64_t rax, uint64_t rdx, uint64_t rcx, uint64_t rbx,
                                     uint64_t rsi, uint64_t rdi, uint64_t rbp, uint64_t rsp,
                                     const uint64_t (&r8_15)[8], uint64_t rip) {
  return {rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, r8_15[0], r8_15[1], r8_15[2],
          r8_15[3], r8_15[4], r8_15[5], r8_15[6], r8_15[7], rip};
}

}  // namespace

std::array<uint64_t, 17> X86_64Regs::dwarf() const {
  const uint64_t hi[8] = {r8, r9, r10, r11, r12, r13, r14, r15};
  return dwarf_order(rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, hi, rip);
}

std::array<uint64_t, 17> QemuCpuState::dwarf() const {
  const uint64_t hi[8] = {r8, r9, r10, r11, r12, r13, r14, r15};
  return dwarf_order(rax, rdx, rcx, rbx, rsi, rdi, rbp, rsp, hi, rip);
}

PrStatus decode_prstatus(const ElfNote& note, const std::string& file) {
  ByteCursor c = note_cursor(note, file, "NT_PRSTATUS");
  if (c.size() < 328) c.fail("descriptor is " + std::to_string(c.size()) +
                             " bytes, expected 336 (x86-64 elf_prstatus)");
  PrStatus s;
  c.seek(12);
  s.signal = c.s16();
  c.seek(32);
  s.pid = c.s32();
  s.ppid = c.s32();
  c.seek(112);
  X86_64Regs& g = s.regs;
  for (uint64_t* field : {&g.r15, &g.r14, &g.r13, &g.r12, &g.rbp, &g.rbx, &g.r11, &g.r10,
                          &g.r9, &g.r8, &g.rax, &g.rcx, &g.rdx, &g.rsi, &g.rdi, &g.orig_rax,
                          &g.rip, &g.cs, &g.eflags, &g.rsp, &g.ss, &g.fs_base, &g.gs_base,
                          &g.ds, &g.es, &g.fs, &g.gs}) {
    *field = c.u64();
  }
  return s;
}

PrPsInfo decode_prpsinfo(const ElfNote& note, const std::string& file) {
  ByteCursor c = note_cursor(note, file, "NT_PRPSINFO");
  if (c.size() < 136) c.fail("descriptor is " + std::to_string(c.size()) +
                             " bytes, expected 136 (x86-64 elf_prpsinfo)");
  PrPsInfo p;
  c.seek(1);
  p.state = static_cast<char>(c.u8());
  c.seek(8);
  p.flag = c.u64();
  p.uid = c.u32();
  p.gid = c.u32();
  p.pid = c.s32();
  p.ppid = c.s32();
  p.pgrp = c.s32();
  p.sid = c.s32();
  p.fname = fixed_string(c.bytes(16));
  p.psargs = fixed_string(c.bytes(80));
  return p;
}

std::vector<AuxvEntry> decode_auxv(const ElfNote& note, const std::string& file) {
  ByteCursor c = note_cursor(note, file, "NT_AUXV");
  std::vector<AuxvEntry> out;
  while (c.remaining() >= 16) {
    AuxvEntry e{c.u64(), c.u64()};
    if (e.type == 0) break;  // AT_NULL
    out.push_back(e);
  }
  return out;
}

std::vector<FileMapping> decode_nt_file(const ElfNote& note, const std::string& file,
                                        uint64_t* page_size) {
  ByteCursor c = note_cursor(note, file, "NT_FILE");
  uint64_t count = c.u64();
  uint64_t psize = c.u64();
  // Each entry needs 24 bytes plus at least a NUL for its name.
  if (count > c.remaining() / 25) c.fail("entry count " + std::to_string(count) +
                                         " does not fit the descriptor");
  std::vector<FileMapping> out(static_cast<size_t>(count));
  for (FileMapping& m : out) {
    m.start = c.u64();
    m.end = c.u64();
    uint64_t pgoff = c.u64();
    if (psize != 0 && pgoff > UINT64_MAX / psize) c.fail("page offset overflows");
    m.file_offset = pgoff * psize;
    if (m.end < m.start) c.fail("mapping ends before it starts");
  }
  for (FileMapping& m : out) m.path = std::string(c.cstring());
  if (page_size) *page_size = psize;
  return out;
}

QemuCpuState decode_qemu_cpu_state(const ElfNote& note, const std::string& file) {
  ByteCursor c = note_cursor(note, file, "QEMU CPU state");
  QemuCpuState s{};
  s.version = c.u32();
  uint32_t size = c.u32();
  // Fixed part through cr[5]: 8 + 18 * 8 + 10 * 24 + 5 * 8 = 432 bytes.
  if (c.size() < 432) c.fail("descriptor is " + std::to_string(c.size()) +
                             " bytes, QEMUCPUState needs at least 432");
  for (uint64_t* f : {&s.rax, &s.rbx, &s.rcx, &s.rdx, &s.rsi, &s.rdi, &s.rsp, &s.rbp, &s.r8,
                      &s.r9, &s.r10, &s.r11, &s.r12, &s.r13, &s.r14, &s.r15, &s.rip,
                      &s.rflags}) {
    *f = c.u64();
  }
  for (QemuSegment* seg :
       {&s.cs, &s.ds, &s.es, &s.fs, &s.gs, &s.ss, &s.ldt, &s.tr, &s.gdt, &s.idt}) {
    seg->selector = c.u32();
    seg->limit = c.u32();
    seg->flags = c.u32();
    c.skip(4);
    seg->base = c.u64();
  }
  for (uint64_t& cr : s.cr) cr = c.u64();
  if (size >= 440 && c.remaining() >= 8) s.kernel_gs_base = c.u64();
  return s;
}

CoreNotes decode_core_notes(const std::vector<ElfNote>& notes, const std::string& file) {
  CoreNotes out;
  for (const ElfNote& n : notes) {
    try {
      if (n.name == "VMCOREINFO") {
        std::string text(reinterpret_cast<const char*>(n.desc.data()), n.desc.size());
        while (!text.empty() && text.back() == '\0') text.pop_back();
        out.vmcoreinfo = std::move(text);
      } else if (n.name == "QEMU") {
        out.qemu_cpus.push_back(decode_qemu_cpu_state(n, file));
      } else if (n.name == "CORE") {
        switch (n.type) {
          case kNtPrstatus: out.prstatus.push_back(decode_prstatus(n, file)); break;
          case kNtPrpsinfo: out.prpsinfo = decode_prpsinfo(n, file); break;
          case kNtAuxv: out.auxv = decode_auxv(n, file); break;
          case kNtFile: out.files = decode_nt_file(n, file, &out.file_page_size); break;
          default: break;
        }
      }
    } catch (const BadDataError& e) {
      out.warnings.push_back(e.what());
    }
  }
  return out;
}

}  // namespace kdive
