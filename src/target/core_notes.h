// CoreNotes: the notes of a core dump decoded into typed records — per-CPU or
// per-thread registers (NT_PRSTATUS), the process (NT_PRPSINFO), the auxiliary vector
// (NT_AUXV), file mappings (NT_FILE), the kernel's VMCOREINFO text and QEMU's per-CPU
// state (QEMUCPUState, which carries cr0..cr4). x86-64 layouts only, as DESIGN §5.8
// wants architectures as data: the offsets below are the x86-64 ABI's.
//
//   CoreNotes n = decode_core_notes(parse_elf_notes(bytes, path, off), path);
//   uint64_t rip = n.prstatus[0].regs.rip;   n.qemu_cpus[0].cr[3];
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "target/elf_notes.h"

namespace kdive {

// x86-64 `struct user_regs_struct` (arch/x86/include/asm/user_64.h), in that order.
struct X86_64Regs {
  uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8, rax, rcx, rdx, rsi, rdi,
      orig_rax, rip, cs, eflags, rsp, ss, fs_base, gs_base, ds, es, fs, gs;

  // Registers 0..16 in DWARF numbering for x86-64 (System V psABI, Figure 3.36):
  // rax rdx rcx rbx rsi rdi rbp rsp r8..r15, then 16 = the return address (rip).
  std::array<uint64_t, 17> dwarf() const;
};

// NT_PRSTATUS (`struct elf_prstatus`, 336 bytes on x86-64). For a kernel dump one per
// CPU, with pid = the task running there (QEMU writes CPU index + 1 instead).
struct PrStatus {
  int32_t signal = 0;  // pr_cursig
  int32_t pid = 0;
  int32_t ppid = 0;
  X86_64Regs regs{};
};

// NT_PRPSINFO (`struct elf_prpsinfo`, 136 bytes on x86-64).
struct PrPsInfo {
  char state = 0;  // pr_sname: R, S, D, T, Z...
  uint32_t uid = 0, gid = 0;
  int32_t pid = 0, ppid = 0, pgrp = 0, sid = 0;
  uint64_t flag = 0;
  std::string fname;   // pr_fname, up to 16 bytes
  std::string psargs;  // pr_psargs, up to 80 bytes
};

struct AuxvEntry {
  uint64_t type = 0;
  uint64_t value = 0;
};

// One NT_FILE entry: [start, end) of the process maps `path` at byte `file_offset`.
struct FileMapping {
  uint64_t start = 0;
  uint64_t end = 0;
  uint64_t file_offset = 0;
  std::string path;
};

// QEMU's "QEMU" note (target/i386/arch_dump.c, QEMUCPUState): the CPU's full state,
// including control registers; cr[3] is the CPU's page-table root, cr[4] bit 12 (LA57)
// says 5-level paging.
struct QemuSegment {
  uint32_t selector = 0, limit = 0, flags = 0;
  uint64_t base = 0;
};
struct QemuCpuState {
  uint32_t version = 0;
  uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rip, rflags;
  QemuSegment cs, ds, es, fs, gs, ss, ldt, tr, gdt, idt;
  std::array<uint64_t, 5> cr{};
  std::optional<uint64_t> kernel_gs_base;  // present when the note is long enough

  std::array<uint64_t, 17> dwarf() const;  // same numbering as X86_64Regs::dwarf
};

struct CoreNotes {
  std::vector<PrStatus> prstatus;  // in note order (= CPU order for kernel dumps)
  std::optional<PrPsInfo> prpsinfo;
  std::vector<AuxvEntry> auxv;
  uint64_t file_page_size = 0;     // NT_FILE's page size
  std::vector<FileMapping> files;  // NT_FILE
  std::optional<std::string> vmcoreinfo;  // text of the "VMCOREINFO" note, NULs trimmed
  std::vector<QemuCpuState> qemu_cpus;    // in note order
  std::vector<std::string> warnings;      // notes that were malformed and skipped
};

// Decodes the notes it knows; a malformed one is skipped with a warning (one bad
// PRSTATUS must not make the dump unusable). `file` names the dump in warnings.
CoreNotes decode_core_notes(const std::vector<ElfNote>& notes, const std::string& file);

// Each decoder on its own (throw BadDataError on malformed input).
PrStatus decode_prstatus(const ElfNote& note, const std::string& file);
PrPsInfo decode_prpsinfo(const ElfNote& note, const std::string& file);
std::vector<AuxvEntry> decode_auxv(const ElfNote& note, const std::string& file);
std::vector<FileMapping> decode_nt_file(const ElfNote& note, const std::string& file,
                                        uint64_t* page_size);
QemuCpuState decode_qemu_cpu_state(const ElfNote& note, const std::string& file);

}  // namespace kdive
