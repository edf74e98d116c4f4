// The Python launcher: finds the interpreter and kdive's Python directories (build tree
// first, then the install tree), builds the environment and execs or spawns
// `python -m kdive.run`. Also the `py` command of kdive's REPL.
#include "cli/python_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "kdive/error.h"

extern char** environ;

#ifndef KDIVE_PYTHON_BUILD_DIR
#define KDIVE_PYTHON_BUILD_DIR ""
#endif
#ifndef KDIVE_PYTHON_SOURCE_DIR
#define KDIVE_PYTHON_SOURCE_DIR ""
#endif
#ifndef KDIVE_PYTHON_INSTALL_DIR
#define KDIVE_PYTHON_INSTALL_DIR ""
#endif
#ifndef KDIVE_PYTHON_EXECUTABLE
#define KDIVE_PYTHON_EXECUTABLE "/usr/bin/python3"
#endif
#ifndef KDIVE_PYTHON_VERSION
#define KDIVE_PYTHON_VERSION "3"
#endif

namespace kdive {

namespace fs = std::filesystem;

namespace {

PythonSession g_session;

bool has_extension_module(const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) return false;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("_drgn", 0) == 0 && name.ends_with(".so")) return true;
  }
  return false;
}

// Where `_drgn` and the `drgn`/`kdive` packages are: the build tree (module in
// build/python, packages in the source tree's python/) while it exists, else the
// install tree (both in lib/kdive/python). KDIVE_PYTHON_BUILD_DIR in the environment
// names another build's module directory (the tests point it at theirs).
std::vector<std::string> python_path_dirs() {
  const char* env_build = std::getenv("KDIVE_PYTHON_BUILD_DIR");
  for (std::string build : {std::string(env_build ? env_build : ""), std::string(KDIVE_PYTHON_BUILD_DIR)}) {
    if (has_extension_module(build) && fs::is_directory(std::string(KDIVE_PYTHON_SOURCE_DIR) + "/kdive"))
      return {build, KDIVE_PYTHON_SOURCE_DIR};
  }
  if (has_extension_module(KDIVE_PYTHON_INSTALL_DIR)) return {KDIVE_PYTHON_INSTALL_DIR};
  throw Error(ErrorKind::Os, std::string("kdive's Python module (_drgn) is in neither the build tree (") +
                                 KDIVE_PYTHON_BUILD_DIR + ") nor the install tree (" + KDIVE_PYTHON_INSTALL_DIR +
                                 "): build the kdive_python target or install kdive");
}

// The interpreter: $KDIVE_PYTHON, else the system interpreter of the version the module
// was built for (a pyenv shim, which CMake may have found, picks its version from the
// working directory), else the interpreter CMake found.
std::string python_executable() {
  if (const char* env = std::getenv("KDIVE_PYTHON"); env && *env) return env;
  for (std::string p : {std::string("/usr/bin/python") + KDIVE_PYTHON_VERSION, std::string(KDIVE_PYTHON_EXECUTABLE),
                        std::string("/usr/bin/python3")})
    if (access(p.c_str(), X_OK) == 0) return p;
  throw Error(ErrorKind::Os, "no Python 3 interpreter found (set KDIVE_PYTHON)");
}

std::string self_executable() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

struct PythonCommand {
  std::vector<std::string> argv;
  std::vector<std::string> env;
};

PythonCommand build_command(const PythonSession& session, const std::string& module,
                            const std::vector<std::string>& args) {
  PythonCommand c;
  c.argv = {python_executable(), "-m", module};
  for (auto& a : args) c.argv.push_back(a);

  std::string path;
  for (auto& d : python_path_dirs()) path += (path.empty() ? "" : ":") + d;
  const char* old_path = std::getenv("PYTHONPATH");
  if (old_path && *old_path) path += std::string(":") + old_path;  // the user's after kdive's
  for (char** e = environ; *e; ++e) {
    std::string_view kv = *e;
    if (kv.starts_with("PYTHONPATH=") || kv.starts_with("KDIVE_EXE=") ||
        (!session.drgn_path.empty() && kv.starts_with("KDIVE_DRGN_PATH=")))
      continue;
    c.env.emplace_back(kv);
  }
  c.env.push_back("PYTHONPATH=" + path);
  // kdive.commands starts this binary as a command server for `%CMD` in the console.
  if (std::string self = self_executable(); !self.empty()) c.env.push_back("KDIVE_EXE=" + self);
  if (!session.drgn_path.empty()) c.env.push_back("KDIVE_DRGN_PATH=" + session.drgn_path);
  return c;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

bool is_python_script(const std::string& path) {
  if (path.ends_with(".py")) return true;
  // Only the first line's first bytes: `path` may be a dump or a vmlinux.
  std::ifstream in(path, std::ios::binary);
  char head[128] = {};
  if (!in || !in.read(head, sizeof head - 1).gcount()) return false;
  std::string first(head, static_cast<size_t>(in.gcount()));
  if (!first.starts_with("#!")) return false;
  first = first.substr(0, first.find('\n'));
  return first.find("python") != std::string::npos || first.find("drgn") != std::string::npos;
}

std::vector<std::string> python_runner_target_args(const PythonSession& session) {
  std::vector<std::string> out;
  if (!session.core.empty()) {
    out = {"-c", session.core};
  } else if (session.pid) {
    out = {"-p", std::to_string(session.pid)};
  } else if (session.symbols.empty()) {
    out = {"-k"};  // nothing named: the running kernel, as drgn's CLI defaults to
  }
  for (auto& s : session.symbols) {
    out.push_back("-s");
    out.push_back(s);
  }
  if (session.allow_build_id_mismatch) out.push_back("--allow-build-id-mismatch");
  if (session.no_debug_info) out.push_back("--no-debug-info");
  return out;
}

int exec_python(const PythonSession& session, const std::vector<std::string>& mode_args) {
  std::vector<std::string> args = python_runner_target_args(session);
  args.insert(args.end(), mode_args.begin(), mode_args.end());
  return exec_python_module(session, "kdive.run", args);
}

int exec_python_module(const PythonSession& session, const std::string& module, const std::vector<std::string>& args) {
  PythonCommand c = build_command(session, module, args);
  std::cout.flush();
  std::cerr.flush();
  auto argv = c_strings(c.argv);
  auto envp = c_strings(c.env);
  execve(argv[0], argv.data(), envp.data());
  std::cerr << "kdive: OsError: cannot run " << c.argv[0] << ": " << std::strerror(errno) << "\n";
  return 1;
}

namespace {

// The REPL's Python: one `kdive.run --serve` child for the whole kdive session (names a
// `py` line binds stay for the next), started on the first `py`. Its stdout/stderr are
// kdive's; requests go down one pipe, each answer's status comes back up another.
class PythonServer {
 public:
  int run(const nlohmann::json& request) {
    if (pid_ <= 0 && !start()) throw Error(ErrorKind::Os, "cannot start Python: " + std::string(std::strerror(errno)));
    std::string payload = request.dump();
    std::string message = std::to_string(payload.size()) + "\n" + payload;
    std::cout.flush();
    std::cerr.flush();
    if (!write_all(req_, message)) {
      stop();
      throw Error(ErrorKind::Os, "the Python session ended; the next `py` starts a new one");
    }
    // Ctrl-C goes to the whole foreground group: Python turns it into KeyboardInterrupt
    // and answers; kdive waits on.
    struct sigaction ignore {}, old_int {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGINT, &ignore, &old_int);
    std::string line;
    char c;
    ssize_t n;
    while ((n = read(ack_, &c, 1)) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (c == '\n') break;
      line += c;
    }
    sigaction(SIGINT, &old_int, nullptr);
    if (line.empty()) {
      stop();
      throw Error(ErrorKind::Os, "the Python session ended; the next `py` starts a new one");
    }
    return std::atoi(line.c_str());
  }

 private:
  bool start() {
    int req[2], ack[2];
    if (pipe2(req, O_CLOEXEC) != 0) return false;
    if (pipe2(ack, O_CLOEXEC) != 0) {
      close(req[0]);
      close(req[1]);
      return false;
    }
    // The child's ends must survive exec: plain dups (no O_CLOEXEC) made in the child.
    pid_t child = fork();
    if (child == 0) {
      int r = dup(req[0]), a = dup(ack[1]);
      if (r < 0 || a < 0) _exit(127);
      exec_python(g_session, {"--serve", std::to_string(r), std::to_string(a)});
      _exit(127);
    }
    close(req[0]);
    close(ack[1]);
    if (child < 0) {
      close(req[1]);
      close(ack[0]);
      return false;
    }
    pid_ = child;
    req_ = req[1];
    ack_ = ack[0];
    return true;
  }

  void stop() {
    if (req_ >= 0) close(req_);
    if (ack_ >= 0) close(ack_);
    req_ = ack_ = -1;
    if (pid_ > 0) {
      int status;
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
    pid_ = -1;
  }

  static bool write_all(int fd, const std::string& s) {
    // A dead child must be an error here, not a SIGPIPE that ends kdive.
    struct sigaction ignore {}, old_pipe {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe);
    size_t done = 0;
    while (done < s.size()) {
      ssize_t n = write(fd, s.data() + done, s.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    sigaction(SIGPIPE, &old_pipe, nullptr);
    return done == s.size();
  }

  pid_t pid_ = -1;
  int req_ = -1, ack_ = -1;
};

PythonServer& python_server() {
  static PythonServer server;
  return server;
}

}  // namespace

void set_python_session(const PythonSession& session) { g_session = session; }

void register_python_commands(CommandTable& table) {
  add_command(table, "py", "py CODE | py FILE.py [ARGS]",
              "run a Python statement or script on this target (drgn's API; `prog` is the program)",
              [](CommandContext& ctx, std::string_view arg) {
                ctx.out.flush();
                std::string code(trim_text(arg));
                if (code.empty()) throw Error(ErrorKind::Usage, "usage: py CODE | py FILE.py [ARGS]");
                std::vector<std::string> words = split_words(code);
                nlohmann::json request;
                if (!words.empty() && is_python_script(words[0]) && access(words[0].c_str(), R_OK) == 0) {
                  request["script"] = words;
                } else if (!words.empty() && words[0].ends_with(".py")) {
                  throw Error(ErrorKind::Usage, "cannot read script '" + words[0] + "'");
                } else {
                  request["code"] = code;
                }
                int rc = python_server().run(request);
                if (rc != 0) throw Error(ErrorKind::Os, "py: the Python code failed (status " + std::to_string(rc) + ")");
              });
}

}  // namespace kdive
