// PatchSiteTables: the places the kernel rewrites in its own text at boot or module load,
// as the ELF files list them — alternatives, jump labels, static calls, retpoline and
// return-thunk sites, paravirt, SMP lock prefixes, call thunks, sealed ENDBRs, mcount —
// read from vmlinux (between its __start/__stop symbols) and each .ko (its sections, with
// relocations giving the addresses), placed at run-time addresses.
//
//   PatchSiteTables t;
//   t.add(program, text_image);                 // one per TextImage (vmlinux, each .ko)
//   for (const PatchSite* s : t.covering(addr)) patch_site_kind_name(s->kind);
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kdive {

class KernelLayout;
class Program;
class TextImage;

enum class PatchSiteKind : uint8_t {
  Alternative,  // .altinstructions (struct alt_instr): apply_alternatives()
  JumpLabel,    // __jump_table (struct jump_entry): static keys
  StaticCall,   // .static_call_sites (struct static_call_site)
  Retpoline,    // .retpoline_sites: apply_retpolines()
  ReturnThunk,  // .return_sites: apply_returns()
  Paravirt,     // .parainstructions (struct paravirt_patch_site): apply_paravirt()
  SmpLock,      // .smp_locks: LOCK prefixes, DS on a uniprocessor
  CallThunk,    // .call_sites: call depth tracking's callthunks_patch_builtin_calls()
  EndbrSeal,    // .ibt_endbr_seal: apply_seal_endbr()
  Mcount,       // __mcount_loc: the `call __fentry__` ftrace turns into a NOP
  RuntimeConst, // runtime_ptr_*/runtime_shift_* (6.11+): runtime_const_init() immediates
};
const char* patch_site_kind_name(PatchSiteKind kind);  // "alternative", "jump label", ...

struct PatchSite {
  uint64_t address = 0;  // run-time address of the instruction
  uint32_t length = 0;   // bytes the kernel may rewrite
  PatchSiteKind kind = PatchSiteKind::Alternative;
  // Alternative: the CPU feature word (alt_instr.cpuid / ft_flags); JumpLabel /
  // StaticCall: the key's address (jump labels: flag bits cleared); 0 otherwise.
  uint64_t detail = 0;
};

class PatchSiteTables {
 public:
  // Reads every table of `image`'s file. Problems (a table absent from this kernel is not
  // one) go to problems().
  void add(Program& program, KernelLayout& layout, const TextImage& image);
  // Sites whose [address, address + length) contains `address`.
  std::vector<const PatchSite*> covering(uint64_t address) const;
  size_t size() const { return sites_.size(); }
  // Sites per kind, over every file added.
  std::map<PatchSiteKind, size_t> counts() const;
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void add_runtime_consts(const TextImage& image);
  void finish();
  std::vector<PatchSite> sites_;  // by address once finished
  uint32_t max_length_ = 0;
  std::vector<std::string> problems_;
};

}  // namespace kdive
