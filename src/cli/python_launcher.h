// Running Python from kdive: `kdive ... SCRIPT.py ARGS`, `kdive ... --python` and the
// REPL's `py` command start a Python interpreter on kdive's `_drgn` and `drgn` packages
// (python -m kdive.run) with the same target as kdive's -c/-p/-s.
#pragma once

#include <string>
#include <vector>

#include "cli/command_interpreter.h"

namespace kdive {

// The target and environment of the Python side, from kdive's own options.
struct PythonSession {
  std::string core;                  // -c
  int pid = 0;                       // -p
  std::vector<std::string> symbols;  // -s, in order
  bool allow_build_id_mismatch = false;
  std::string drgn_path;  // --drgn-path: KDIVE_DRGN_PATH for the helper package's fallback
  bool no_debug_info = false;  // --no-debug-info
};

// True when `path` names a Python program: a `.py` file name, or a readable file whose
// first line is a `#!` line naming python or drgn (drgn's contrib scripts).
bool is_python_script(const std::string& path);

// The runner's arguments for a session: -c/-p/-s/... (without the mode).
std::vector<std::string> python_runner_target_args(const PythonSession& session);

// Replaces this process with `python -m kdive.run TARGET MODE_ARGS...`; returns only on
// failure, with an exit status (the error is printed).
int exec_python(const PythonSession& session, const std::vector<std::string>& mode_args);

// Replaces this process with `python -m MODULE ARGS...` in the same environment
// (`kdive triage --fleet` runs kdive.fleet, `--serve` and `--html` kdive.triage_web);
// returns only on failure.
int exec_python_module(const PythonSession& session, const std::string& module, const std::vector<std::string>& args);

// The session the REPL's `py` command uses (set by main before commands run).
void set_python_session(const PythonSession& session);

// `py EXPR_OR_STATEMENT` and `py FILE.py [ARGS]`, run by one Python child kept for the
// session (names bound by one `py` line stay for the next).
void register_python_commands(CommandTable& table);

}  // namespace kdive
