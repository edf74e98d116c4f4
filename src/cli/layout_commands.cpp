// The commands for struct layout in pahole's format (`layout`).
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/command_interpreter.h"
#include "kdive/error.h"
#include "layout/struct_layout_printer.h"

namespace kdive {

namespace {

// "[--hex] [--expand|-E] NAME": options first, the rest is the type spec ("struct foo").
std::pair<LayoutOptions, std::string> parse_layout_args(std::string_view arg) {
  LayoutOptions options;
  std::string_view rest = trim_text(arg);
  while (!rest.empty() && rest.front() == '-') {
    size_t end = rest.find_first_of(" \t");
    std::string_view word = rest.substr(0, end);
    if (word == "--hex") {
      options.hex = true;
    } else if (word == "--expand" || word == "-E") {
      options.expand = true;
    } else {
      throw UsageError("layout: unknown option '" + std::string(word) + "' (expected --hex, --expand)");
    }
    rest = end == std::string_view::npos ? std::string_view{} : trim_text(rest.substr(end));
  }
  if (rest.empty()) throw UsageError("layout: expected a struct, union or typedef name");
  return {options, std::string(rest)};
}

}  // namespace

void register_layout_commands(CommandTable& table) {
  table["layout"] = Command{
      "layout", "layout [--hex] [--expand] STRUCT",
      "a struct's layout as pahole -C prints it (offsets, holes, cachelines); STRUCT: foo, struct foo, union foo, a typedef",
      [](CommandContext& ctx, std::string_view arg) {
        auto [options, spec] = parse_layout_args(arg);
        std::string text = layout_of(ctx.program.debug_info(), spec, options);
        if (ctx.json) {
          ctx.out << nlohmann::json{{"type", spec}, {"layout", text}}.dump() << "\n";
        } else {
          ctx.out << text;
        }
      }};
}

}  // namespace kdive
