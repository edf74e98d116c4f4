// Text patches: where the kernel's code in the dump differs from its files on disk
// (vmlinux, the .ko files), each difference explained — an ftrace call site, a kprobe's
// int3, an alternative, jump label, static call, retpoline/return thunk, paravirt, lock
// prefix, call thunk, sealed ENDBR, ftrace's own call sites — or marked "unexplained".
// A site whose bytes are not a shape its patcher writes (an ftrace site holding neither a
// NOP nor a call, ...) is unexplained too; an int3 over a site's first byte is a
// text_poke_bp() caught half-way. KASLR relocation of absolute addresses is not a patch
// and is only counted.
//
//   TextPatchOptions o; o.glob = "kdive_*";
//   TextPatchReport r = find_text_patches(program, o);
//   for (const TextPatch& p : r.patches) fmt::print("{:#x} {} {}\n", p.address, p.reason, p.detail);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "linux/ftrace_records.h"
#include "linux/kprobes.h"

namespace kdive {

class Program;

struct TextPatch {
  uint64_t address = 0;   // start of the patched site (an instruction boundary)
  uint32_t length = 0;    // bytes of the site
  std::string module;     // "vmlinux" or the module's name
  std::string function;   // "kernel_clone+0x4"
  // "ftrace" (a call site calling a tracer), "ftrace nop" (a site as ftrace_init() leaves
  // it), "kprobe", "optimized kprobe", "ftrace caller", "alternative", "jump label",
  // "static call", "static call trampoline", "retpoline", "return thunk", "paravirt",
  // "smp lock", "call thunk", "endbr seal", "unexplained".
  std::string reason;
  std::string detail;     // "call ftrace_regs_caller; flags=ENABLED|REGS refs=1"
  std::vector<uint8_t> original, current;  // the site's bytes on disk and in the dump
  std::string original_text, current_text;  // their instructions, "; "-separated
};

struct TextPatchOptions {
  std::string glob;  // functions to compare (fnmatch on the name); "" compares all text
};

struct TextPatchReport {
  std::vector<TextPatch> patches;  // by address
  uint64_t functions_compared = 0, bytes_compared = 0;
  // Fields that differ by exactly the KASLR offset (mem - file == ±offset) where the file
  // had no relocation to say so (a vmlinux without .rela.text): relocation, not patches.
  uint64_t relocations = 0;
  std::vector<TextPatch> relocation_sites;  // the first 1000 of them, reason "relocation"
  std::map<std::string, uint64_t> by_reason;  // patches per reason
  uint64_t functions_patched = 0;
  std::vector<std::string> problems;  // unreadable text, unreadable tables, ...
  FtraceRecords ftrace;
  KprobeTable kprobes;
};

// Compares and classifies; a progress line shows when it takes over a second.
TextPatchReport find_text_patches(Program& program, const TextPatchOptions& options);

}  // namespace kdive
