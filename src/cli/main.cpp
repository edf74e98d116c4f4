// kdive's command-line entry point: argument parsing (CLI11) and dispatch — a one-shot
// command, -e/-x in order, a script file, the REPL, a Python script or console (exec'd
// Python, python_launcher.h), or the command server. Exit codes: 0 ok, 1 error, 2 usage.
#include <algorithm>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "base/interrupt.h"
#include "base/progress_line.h"
#include "cli/command_interpreter.h"
#include "cli/python_launcher.h"
#include "cli/repl.h"
#include "kdive/error.h"
#include "program/program.h"

namespace {

int report(const kdive::Error& e) {
  // 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
  if (dynamic_cast<const kdive::InterruptedError*>(&e)) {
    std::cerr << "kdive: interrupted\n";
    return 130;
  }
  std::cerr << "kdive: " << kdive::error_kind_name(e.kind()) << ": " << e.what() << "\n";
  return e.kind() == kdive::ErrorKind::Usage ? 2 : 1;
}

std::string join(const std::vector<std::string>& v, size_t from) {
  std::string s;
  for (size_t i = from; i < v.size(); ++i) s += (i > from ? " " : "") + v[i];
  return s;
}

// A command's own options (`kdive oops --intel REPORT --modules DIR`, `dmesg -C`) are
// not kdive's: from the first word naming a command on, every argument goes to the
// command, except kdive's own options (-c/-s/-e/-x with their values, --json,
// --allow-build-id-mismatch, --no-debug-info, --no-debuginfod), which may come anywhere. Before it, "--" ends the
// scan and the rest is parsed as before. A Python script (SCRIPT.py, or a #! python/drgn
// file) takes every argument after it, options included, as drgn's CLI does.
void split_command_line(int argc, char** argv, std::vector<std::string>* global,
                        std::vector<std::string>* command, std::vector<std::string>* python_script) {
  auto takes_value = [](const std::string& a) {
    return a == "-c" || a == "--core" || a == "-p" || a == "--pid" || a == "-s" || a == "--symbols" || a == "-e" || a == "--eval" ||
           a == "-x" || a == "--execute" || a == "--drgn-path";
  };
  auto is_global_flag = [](const std::string& a) {
    return a == "--json" || a == "--allow-build-id-mismatch" || a == "--python" || a == "--command-server" ||
           a == "--no-debug-info" || a == "--no-debuginfod" || a == "-q" || a == "--quiet" ||
           a.rfind("--drgn-path=", 0) == 0 || a.rfind("--core=", 0) == 0 || a.rfind("--pid=", 0) == 0 ||
           a.rfind("--symbols=", 0) == 0 || a.rfind("--eval=", 0) == 0 || a.rfind("--execute=", 0) == 0;
  };
  bool in_command = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (takes_value(a) && i + 1 < argc) {
      global->push_back(a);
      global->push_back(argv[++i]);
    } else if (is_global_flag(a)) {
      global->push_back(a);
    } else if (in_command) {
      command->push_back(a);
    } else if (a == "--") {
      for (; i < argc; ++i) global->push_back(argv[i]);
    } else if (!a.empty() && a[0] != '-' && !kdive::CommandInterpreter::is_command(a) &&
               kdive::is_python_script(a)) {
      for (; i < argc; ++i) python_script->push_back(argv[i]);
    } else if (a.empty() || a[0] == '-' || !kdive::CommandInterpreter::is_command(a)) {
      global->push_back(a);
    } else {
      in_command = true;
      command->push_back(a);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kdive: a fast, programmable debugger for Linux kernel crash dumps and core dumps"};
  app.set_version_flag("--version", "kdive 0.1.0");
  std::string core;
  std::vector<std::string> symbols;
  std::vector<std::string> evals, commands;
  std::vector<std::string> args;
  bool json = false, allow_mismatch = false, no_debug_info = false, no_debuginfod = false, quiet = false;
  app.add_option("-c,--core", core, "crash dump or core file (vmcore, kdump-compressed, ELF core, /proc/kcore)");
  int pid = 0;
  auto* pid_opt = app.add_option("-p,--pid", pid, "a running process (read through /proc/PID/mem)");
  pid_opt->excludes(app.get_option("--core"));
  // One value per -s, so that a script file after `-s vmlinux` stays a script.
  app.add_option("-s,--symbols", symbols, "vmlinux, .ko, executable, or a directory of them (repeatable)")
      ->allow_extra_args(false);
  auto* e_opt = app.add_option("-e,--eval", evals, "evaluate a C expression and print it (repeatable)")
      ->allow_extra_args(false);
  auto* x_opt = app.add_option("-x,--execute", commands, "run a command (repeatable, in order with -e)")
      ->allow_extra_args(false);
  app.add_flag("--json", json, "print records as JSON");
  app.add_flag("--allow-build-id-mismatch", allow_mismatch, "open even if vmlinux does not match the dump");
  app.add_flag("--no-debug-info", no_debug_info,
               "ignore debug files: symbols, types and unwind tables from the dump itself (kallsyms, BTF, ORC)");
  app.add_flag("--no-debuginfod", no_debuginfod, "never fetch missing debug files from $DEBUGINFOD_URLS");
  app.add_flag("-q,--quiet", quiet, "no progress lines on stderr");
  bool python_console = false, command_server = false;
  std::string drgn_path;
  app.add_flag("--python", python_console, "interactive Python console (drgn's API, `prog`; %CMD runs a kdive command)");
  app.add_option("--drgn-path", drgn_path, "drgn's pure-Python package directory for helpers kdive lacks (KDIVE_DRGN_PATH)");
  // For kdive.commands (Python): one command per stdin line, each answer ended by "\x1e<status>".
  app.add_flag("--command-server", command_server)->group("");
  app.add_option("args", args, "COMMAND [ARGS...] (print, ptype, sizeof, offsetof, member-at, read, info, ...), a SCRIPT file of commands, or a Python SCRIPT.py [ARGS...] (drgn API, `prog`)");
  app.positionals_at_end(false);
  std::vector<std::string> global_args, command_args, python_script;
  split_command_line(argc, argv, &global_args, &command_args, &python_script);
  try {
    std::vector<std::string> reversed(global_args.rbegin(), global_args.rend());  // CLI11 takes them reversed
    app.parse(reversed);
    if (!command_args.empty()) args.insert(args.begin(), command_args.begin(), command_args.end());
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  // `kdive -c CORE -- SCRIPT.py ARGS`: the script came through CLI11's positionals.
  if (python_script.empty() && !args.empty() && !kdive::CommandInterpreter::is_command(args[0]) &&
      kdive::is_python_script(args[0])) {
    python_script.swap(args);
  }
  if (!python_script.empty() || python_console) {
    if (!evals.empty() || !commands.empty() || !args.empty() || (python_console && !python_script.empty())) {
      std::cerr << "kdive: UsageError: a Python script or --python takes no -e/-x, command or second script\n";
      return 2;
    }
    if (!python_script.empty() && access(python_script[0].c_str(), R_OK) != 0) {
      std::cerr << "kdive: UsageError: cannot read script '" << python_script[0] << "': " << std::strerror(errno) << "\n";
      return 2;
    }
    kdive::PythonSession session{core, pid, symbols, allow_mismatch, drgn_path, no_debug_info};
    try {
      return kdive::exec_python(session, python_console ? std::vector<std::string>{"--console"} : python_script);
    } catch (const kdive::Error& e) {
      return report(e);
    }
  }
  // `kdive triage --fleet PATH...`: many dumps, each triaged by its own kdive child on
  // Dask workers (python/kdive/fleet.py); -s, --json and -q apply to every dump.
  if (!args.empty() && args[0] == "triage" && std::find(args.begin(), args.end(), "--fleet") != args.end()) {
    if (!core.empty() || pid || !evals.empty() || !commands.empty()) {
      std::cerr << "kdive: UsageError: triage --fleet takes its dumps as arguments, not -c/-p/-e/-x\n";
      return 2;
    }
    std::vector<std::string> fleet(args.begin() + 1, args.end());
    for (const std::string& s : symbols) fleet.insert(fleet.end(), {"-s", s});
    if (json) fleet.push_back("--json");
    if (quiet) fleet.push_back("-q");
    try {
      return kdive::exec_python_module({core, pid, symbols, allow_mismatch, drgn_path, no_debug_info}, "kdive.fleet", fleet);
    } catch (const kdive::Error& e) {
      return report(e);
    }
  }
  // `kdive triage --serve [--db FILE] [--host H] [--port N]`: a web view of the fleet's
  // database, grouped by signature (python/kdive/triage_web.py).
  if (!args.empty() && args[0] == "triage" && std::find(args.begin(), args.end(), "--serve") != args.end()) {
    if (!core.empty() || pid || !symbols.empty() || !evals.empty() || !commands.empty()) {
      std::cerr << "kdive: UsageError: triage --serve takes no -c/-p/-s/-e/-x\n";
      return 2;
    }
    std::vector<std::string> serve{"serve"};
    for (size_t i = 1; i < args.size(); ++i)
      if (args[i] != "--serve") serve.push_back(args[i]);
    try {
      return kdive::exec_python_module({core, pid, symbols, allow_mismatch, drgn_path, no_debug_info}, "kdive.triage_web", serve);
    } catch (const kdive::Error& e) {
      return report(e);
    }
  }
  // `kdive triage CORE --html` (or `kdive -c CORE triage --html`): one dump's report as a
  // self-contained HTML page, from a `kdive triage --json` child (python/kdive/triage_web.py).
  if (!args.empty() && args[0] == "triage" && std::find(args.begin(), args.end(), "--html") != args.end()) {
    if (pid || !evals.empty() || !commands.empty()) {
      std::cerr << "kdive: UsageError: triage --html takes one dump (CORE or -c CORE), not -p/-e/-x\n";
      return 2;
    }
    std::vector<std::string> html{"report"};
    if (!core.empty()) html.push_back(core);
    for (size_t i = 1; i < args.size(); ++i)
      if (args[i] != "--html") html.push_back(args[i]);
    for (const std::string& s : symbols) html.insert(html.end(), {"-s", s});
    if (allow_mismatch) html.push_back("--allow-build-id-mismatch");
    if (no_debug_info) html.push_back("--no-debug-info");
    if (no_debuginfod) html.push_back("--no-debuginfod");
    try {
      return kdive::exec_python_module({core, pid, symbols, allow_mismatch, drgn_path, no_debug_info}, "kdive.triage_web", html);
    } catch (const kdive::Error& e) {
      return report(e);
    }
  }
  if (!drgn_path.empty()) setenv("KDIVE_DRGN_PATH", drgn_path.c_str(), 1);
  if (core.empty() && !pid && symbols.empty() && args.empty()) {
    std::cerr << "kdive: UsageError: nothing to open: give a dump (-c CORE), a process (-p PID) "
                 "or debug info (-s FILE)\n";
    return 2;
  }
  // Progress lines go to stderr when it is a terminal; Ctrl-C stops the step that runs
  // (opening included) and is reported as "interrupted".
  if (!quiet && isatty(STDERR_FILENO)) kdive::ProgressLine::enable(STDERR_FILENO);
  kdive::ProgressLine::set_stdout_is_terminal(isatty(STDOUT_FILENO));
  try {
    kdive::ProgramOptions options;
    options.debug_paths = symbols;
    options.allow_build_id_mismatch = allow_mismatch;
    options.no_debug_info = no_debug_info;
    options.use_debuginfod = !no_debuginfod;
    options.show_progress = !quiet;
    // Without -c, commands that need only debug info or text (layout, oops, dis)
    // still work; the rest say that they need a dump.
    auto program = [&] {
      kdive::InterruptScope interruptible;
      return pid ? kdive::Program::open_live_process(pid, options)
             : core.empty() ? kdive::Program::open_debug_info(options)
                            : kdive::Program::open(core, options);
    }();
    if (!quiet)
      for (const std::string& n : program->notices()) std::cerr << "kdive: warning: " << n << "\n";
    kdive::CommandInterpreter interpreter(*program, std::cout, json);
    kdive::set_python_session({core, pid, symbols, allow_mismatch, drgn_path, no_debug_info});

    // -e and -x run in the order given.
    std::vector<std::pair<bool, std::string>> steps;
    size_t ei = 0, xi = 0;
    for (CLI::Option* o : app.parse_order()) {
      if (o == e_opt && ei < evals.size()) steps.emplace_back(true, evals[ei++]);
      else if (o == x_opt && xi < commands.size()) steps.emplace_back(false, commands[xi++]);
    }
    int rc = 0;
    auto run = [&](bool is_expr, const std::string& text) {
      kdive::InterruptScope interruptible;
      try {
        if (is_expr) interpreter.print_expression(text);
        else interpreter.run_line(text);
      } catch (const kdive::Error& e) {
        std::cout.flush();
        rc = report(e);
      }
    };
    for (auto& [is_expr, text] : steps) run(is_expr, text);
    if (command_server) {
      // One answer per line; the end mark goes to stdout after the command's output
      // (its error, if any, went to stderr).
      for (std::string line; std::getline(std::cin, line);) {
        rc = 0;
        try {
          run(false, line);
        } catch (const std::exception& e) {
          std::cerr << "kdive: error: " << e.what() << "\n";
          rc = 1;
        }
        std::cout << "\x1e" << rc << "\n" << std::flush;
      }
      rc = 0;
    } else if (!args.empty()) {
      if (kdive::CommandInterpreter::is_command(args[0])) {
        run(false, join(args, 0));
      } else if (args.size() == 1 && access(args[0].c_str(), R_OK) == 0) {
        std::ifstream script(args[0]);
        for (std::string line; std::getline(script, line);) run(false, line);
      } else {
        std::cerr << "kdive: UsageError: unknown command or script '" << args[0] << "'\n";
        return 2;
      }
    } else if (steps.empty()) {
      if (isatty(STDIN_FILENO)) {
        kdive::run_repl(interpreter, *program);
      } else {
        for (std::string line; std::getline(std::cin, line);) run(false, line);
      }
    }
    // Tearing down the debug info (millions of small objects) costs more than many
    // commands: output is flushed and the process ends without running destructors.
    // Sanitizer builds keep the orderly exit so that the teardown is checked too.
#if !defined(__SANITIZE_ADDRESS__)
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    _exit(rc);
#endif
    return rc;
  } catch (const kdive::Error& e) {
    return report(e);
  } catch (const std::exception& e) {
    std::cerr << "kdive: error: " << e.what() << "\n";
    return 1;
  }
}
