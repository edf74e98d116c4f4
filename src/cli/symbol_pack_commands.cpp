// `symbols --export OUT VMLINUX`: writes a symbol pack (debuginfo/symbol_pack.h) of a
// vmlinux — its symbols, BTF and build ID in a few MiB — for opening dumps of kernels
// whose VMCOREINFO lists no kallsyms (Linux < 6.0) without the full debug file.
#include <ostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "debuginfo/symbol_pack.h"
#include "kdive/error.h"

namespace kdive {

namespace {

void symbols_command(CommandContext& ctx, std::string_view arg) {
  std::vector<std::string> words = split_words(arg);
  if (words.size() != 3 || words[0] != "--export")
    throw UsageError("symbols: expected --export OUT.kdsym VMLINUX");
  const std::string& out_path = words[1];
  ElfFile vmlinux(words[2]);
  SymbolPackSummary s = write_symbol_pack(vmlinux, out_path);
  double percent = s.source_bytes ? 100.0 * static_cast<double>(s.file_bytes) / static_cast<double>(s.source_bytes) : 0;
  if (ctx.json) {
    ctx.out << nlohmann::json{{"pack", out_path},         {"from", words[2]},          {"bytes", s.file_bytes},
                              {"from_bytes", s.source_bytes}, {"symbols", s.symbols}, {"btf_bytes", s.btf_bytes},
                              {"build_id", s.build_id}}
                   .dump()
            << "\n";
    return;
  }
  ctx.out << fmt::format("wrote {}: {} symbols, {} bytes of BTF, build ID {}\n", out_path, s.symbols, s.btf_bytes,
                         s.build_id);
  ctx.out << fmt::format("size: {} bytes ({:.1f}% of {}, {} bytes)\n", s.file_bytes, percent, words[2],
                         s.source_bytes);
  ctx.out << fmt::format("use: kdive -c VMCORE -s {} ...\n", out_path);
}

}  // namespace

void register_symbol_pack_commands(CommandTable& t) {
  add_command(t, "symbols", "symbols --export OUT.kdsym VMLINUX",
              "write a symbol pack of VMLINUX (symbols, BTF, build ID; no DWARF): a few MiB that open dumps "
              "of that kernel with -s OUT.kdsym; needs no dump",
              symbols_command);
}

}  // namespace kdive
