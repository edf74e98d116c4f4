// debuginfod on the real fixtures, against real servers on 127.0.0.1:
// - the build ID the dump holds for each loaded test module (read from its notes in
//   kernel memory) is the .ko file's, and VMCOREINFO's BUILD-ID is vmlinux's;
// - Debian's `debuginfod`, started here over the fixture vmlinux and kdive_fixture.ko
//   files: the first fetch downloads (into a private cache), the second is answered
//   from the cache with the server stopped; an unknown build ID is "not found";
// - a port with no server, a tiny HTTP server of this test answering junk or another
//   module's file, and one that never answers: each gives its error text and leaves
//   nothing usable in the cache.
// The client sees only the environment set here (DEBUGINFOD_URLS, _CACHE_PATH, ...),
// never the machine's. Deadlines are generous bounds, not timings under test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "debuginfo/debug_file_probe.h"
#include "debuginfo/debuginfod_client.h"
#include "debuginfo/elf_file.h"
#include "integration/fixture_manifest.h"
#include "program/kernel_debug_files.h"
#include "program/module_build_id.h"
#include "program/program.h"

extern char** environ;

namespace kdive {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr auto kServerDeadline = std::chrono::seconds(600);

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A directory removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "kdive-debuginfod-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

using EnvVars = std::map<std::string, std::optional<std::string>>;

// Sets the client's environment and restores the previous one. Variables that would
// change libdebuginfod's behaviour (progress, verbosity, limits) are cleared.
class ScopedEnv {
 public:
  explicit ScopedEnv(const EnvVars& vars) {
    EnvVars all = {
        {"DEBUGINFOD_PROGRESS", std::nullopt},   {"DEBUGINFOD_VERBOSE", std::nullopt},
        {"DEBUGINFOD_MAXSIZE", std::nullopt},    {"DEBUGINFOD_MAXTIME", std::nullopt},
        {"DEBUGINFOD_RETRY_LIMIT", std::nullopt}, {"DEBUGINFOD_HEADERS_FILE", std::nullopt},
        {"DEBUGINFOD_TIMEOUT", std::nullopt}};
    for (const auto& [k, v] : vars) all[k] = v;
    for (const auto& [k, v] : all) {
      const char* old = std::getenv(k.c_str());
      saved_[k] = old ? std::optional<std::string>(old) : std::nullopt;
      v ? setenv(k.c_str(), v->c_str(), 1) : unsetenv(k.c_str());
    }
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : saved_) v ? setenv(k.c_str(), v->c_str(), 1) : unsetenv(k.c_str());
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it after).
int unused_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("cannot bind a port on 127.0.0.1");
  close(fd);
  return ntohs(a.sin_port);
}

int connect_local(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// The status code of GET `path` (-1: no connection or no answer). Reads only the
// status line: a 600 MB vmlinux is not downloaded to learn that it is there.
int http_status(int port, const std::string& path) {
  int fd = connect_local(port);
  if (fd < 0) return -1;
  std::string req = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", path);
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    close(fd);
    return -1;
  }
  std::string head;
  char buf[256];
  while (head.find("\r\n") == std::string::npos && head.size() < 4096) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  int code = -1;
  if (sscanf(head.c_str(), "HTTP/%*s %d", &code) != 1) return -1;
  return code;
}

// Debian's debuginfod serving the ELF files under `dir` (symlinks followed), with its
// database in `work`.
class DebuginfodServer {
 public:
  DebuginfodServer(const std::string& dir, const std::string& work) : log_(work + "/debuginfod.log") {
    for (int attempt = 0; attempt < 5 && pid_ < 0; ++attempt) {
      port_ = unused_port();
      std::string port = std::to_string(port_), db = work + "/debuginfod-" + port + ".sqlite";
      std::vector<std::string> args = {"debuginfod", "-F", "-L", "--disable-source-scan", "-t", "0", "-g", "0",
                                       "-p", port, "-d", db, dir};
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      posix_spawn_file_actions_t fa;
      posix_spawn_file_actions_init(&fa);
      posix_spawn_file_actions_addopen(&fa, 1, log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      posix_spawn_file_actions_adddup2(&fa, 1, 2);
      pid_t pid = -1;
      int rc = posix_spawnp(&pid, "debuginfod", &fa, nullptr, argv.data(), environ);
      posix_spawn_file_actions_destroy(&fa);
      if (rc != 0) throw std::runtime_error(std::string("cannot run debuginfod: ") + strerror(rc));
      // Up when /metrics answers; gone (say, the port was taken meanwhile): next port.
      Clock::time_point start = Clock::now();
      while (Clock::now() - start < kServerDeadline) {
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        if (http_status(port_, "/metrics") == 200) {
          pid_ = pid;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (pid_ < 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    if (pid_ < 0) throw std::runtime_error("debuginfod did not start; see " + log_ + ":\n" + log());
  }
  ~DebuginfodServer() { stop(); }

  int port() const { return port_; }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  // Waits until the server answers 200 for every build ID (it has indexed the files).
  bool wait_indexed(const std::vector<std::string>& ids) {
    Clock::time_point start = Clock::now();
    for (const std::string& id : ids)
      while (http_status(port_, "/buildid/" + id + "/debuginfo") != 200) {
        if (Clock::now() - start > kServerDeadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    return true;
  }

  void stop() {
    if (pid_ < 0) return;
    kill(pid_, SIGTERM);
    Clock::time_point start = Clock::now();
    while (waitpid(pid_, nullptr, WNOHANG) != pid_) {
      if (Clock::now() - start > std::chrono::seconds(60)) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    pid_ = -1;
  }

 private:
  std::string log_;
  int port_ = 0;
  pid_t pid_ = -1;
};

// A tiny HTTP server on 127.0.0.1: answers every request with 200 and `body`, or, when
// `silent`, accepts and never answers (until it is destroyed).
class FakeHttpServer {
 public:
  FakeHttpServer(std::string body, bool silent) : body_(std::move(body)), silent_(silent) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 16) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("fake server: cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeHttpServer() {
    stop_ = true;
    thread_.join();
    for (int c : held_) close(c);
    close(fd_);
  }
  std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  int requests() const { return requests_; }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++requests_;
      if (silent_) {
        held_.push_back(c);
        continue;
      }
      // The request's headers, then the answer; the client's request is not checked.
      std::string req;
      char buf[1024];
      timeval tv{30, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      while (req.find("\r\n\r\n") == std::string::npos && req.size() < 65536) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      std::string reply = fmt::format("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                                      "Content-Length: {}\r\nConnection: close\r\n\r\n",
                                      body_.size()) + body_;
      for (size_t done = 0; done < reply.size();) {
        ssize_t n = send(c, reply.data() + done, reply.size() - done, MSG_NOSIGNAL);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      close(c);
    }
  }

  std::string body_;
  bool silent_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::vector<int> held_;
  std::thread thread_;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct KernelFiles {
  std::string name;
  std::string vmlinux;
  std::string module;  // kdive_fixture.ko
  std::string vmlinux_id;
  std::string module_id;
};

// The kernels under test with their vmlinux and kdive_fixture.ko and those files'
// build IDs (that the dumps hold the same IDs is checked by the first test).
std::vector<KernelFiles> kernel_files() {
  std::vector<KernelFiles> out;
  for (const json& k : testing::fixture_kernels()) {
    KernelFiles f{k["name"].get<std::string>(), k["vmlinux"].get<std::string>(), "", "", ""};
    for (const json& m : k.value("modules", json::array()))
      if (m.get<std::string>().ends_with("/kdive_fixture.ko")) f.module = m.get<std::string>();
    f.vmlinux_id = probe_debug_file(f.vmlinux).build_id;
    if (!f.module.empty()) f.module_id = probe_debug_file(f.module).build_id;
    out.push_back(f);
  }
  return out;
}

// A directory of symlinks <kernel>/vmlinux, <kernel>/kdive_fixture.ko for debuginfod.
void link_files(const std::string& dir, const std::vector<KernelFiles>& kernels, bool with_vmlinux) {
  for (const KernelFiles& k : kernels) {
    fs::create_directories(dir + "/" + k.name);
    if (with_vmlinux) fs::create_symlink(k.vmlinux, dir + "/" + k.name + "/vmlinux");
    fs::create_symlink(k.module, dir + "/" + k.name + "/kdive_fixture.ko");
  }
}


TEST(ModuleBuildId, TheDumpsBuildIdsAreTheDebugFilesOnEveryKernel) {
  auto dumps = testing::sysrq_dump_per_kernel();
  ASSERT_FALSE(dumps.empty());
  for (const json& d : dumps) {
    SCOPED_TRACE(d["name"].get<std::string>());
    ProgramOptions opts;
    opts.use_debuginfod = false;
    opts.debug_paths.push_back(d["vmlinux"].get<std::string>());
    std::map<std::string, std::string> ko_ids;  // module name → the .ko file's build ID
    for (const auto& m : d.value("modules", json::array())) {
      opts.debug_paths.push_back(m.get<std::string>());
      ko_ids[kernel_module_name_of_file(m.get<std::string>())] = ElfFile(m.get<std::string>()).build_id();
    }
    std::unique_ptr<Program> prog = Program::open(d["path"].get<std::string>(), opts);
    EXPECT_EQ(prog->vmcoreinfo()->build_id(), ElfFile(d["vmlinux"].get<std::string>()).build_id());

    QualifiedType module_type = prog->find_type("struct module");
    size_t checked = 0;
    for (const LoadedKernelModule& m : prog->loaded_modules()) {
      SCOPED_TRACE(m.name);
      auto ko = ko_ids.find(m.name);
      if (ko == ko_ids.end()) continue;
      ASSERT_EQ(ko->second.size(), 40u);
      Object mod = Object::reference(prog->object_env(), module_type, m.address);
      EXPECT_EQ(module_build_id(mod), ko->second);
      // The fallback without notes_attrs: the .note.gnu.build-id section, sized by its
      // own header.
      ASSERT_TRUE(m.sections.count(".note.gnu.build-id"));
      EXPECT_EQ(build_id_in_memory_notes(prog->memory(), m.sections.at(".note.gnu.build-id"), 0, m.name), ko->second);
      ++checked;
    }
    EXPECT_EQ(checked, ko_ids.size()) << "kdive_fixture and qemu_fw_cfg are loaded in every dump";
    std::vector<std::string> warnings;
    std::vector<ModuleBuildId> ids = loaded_module_build_ids(*prog, prog->loaded_modules(), warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front();
    ASSERT_EQ(ids.size(), prog->loaded_modules().size());
    for (const ModuleBuildId& b : ids)
      if (ko_ids.count(b.name)) {
        EXPECT_EQ(b.build_id, ko_ids[b.name]) << b.name;
      }
  }
}

TEST(Debuginfod, DownloadsEveryKernelsFilesThenAnswersFromTheCache) {
  std::vector<KernelFiles> kernels = kernel_files();
  ASSERT_FALSE(kernels.empty());
  TempDir tmp;
  std::string served = tmp.path() + "/served", cache = tmp.path() + "/cache";
  link_files(served, kernels, /*with_vmlinux=*/true);
  std::vector<std::string> ids, descriptions;
  for (const KernelFiles& k : kernels) {
    ASSERT_EQ(k.vmlinux_id.size(), 40u) << k.vmlinux;
    ASSERT_EQ(k.module_id.size(), 40u) << k.name;
    ids.insert(ids.end(), {k.vmlinux_id, k.module_id});
    descriptions.insert(descriptions.end(), {k.name + " vmlinux", k.name + " module kdive_fixture"});
  }
  const std::string unknown(40, '0');

  Clock::time_point t = Clock::now();
  DebuginfodServer server(served, tmp.path());
  ASSERT_TRUE(server.wait_indexed(ids)) << server.log();
  std::cout << fmt::format("debuginfod indexed {} kernels in {:.1f} s\n", kernels.size(), seconds_since(t));
  ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", server.url()}, {"DEBUGINFOD_CACHE_PATH", cache}});
  DebuginfodClient client = DebuginfodClient::from_environment(false);
  ASSERT_TRUE(client.enabled());
  EXPECT_EQ(client.urls(), server.url());
  EXPECT_EQ(client.cache_path(), cache);
  EXPECT_EQ(client.timeout(), DebuginfodClient::kDefaultTimeout);

  // First: downloads, all kernels at once.
  std::vector<std::string> with_unknown = ids, described = descriptions;
  with_unknown.push_back(unknown);
  described.push_back("nothing");
  t = Clock::now();
  std::vector<DebuginfodResult> first = client.fetch_debuginfo(with_unknown, described);
  std::cout << fmt::format("first fetch (download) of {} files: {:.1f} s\n", ids.size(), seconds_since(t));
  ASSERT_EQ(first.size(), with_unknown.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    SCOPED_TRACE(descriptions[i]);
    const DebuginfodResult& r = first[i];
    EXPECT_EQ(r.build_id, ids[i]);
    ASSERT_EQ(r.error, "");
    EXPECT_EQ(r.path, cache + "/" + ids[i] + "/debuginfo");
    EXPECT_FALSE(r.from_cache);
    DebugFileProbe p = probe_debug_file(r.path);
    EXPECT_EQ(p.build_id, ids[i]);
    EXPECT_TRUE(p.has_dwarf);
  }
  EXPECT_EQ(first.back().path, "");
  EXPECT_EQ(first.back().error, fmt::format("nothing (build ID {}): debuginfod: not found on {}", unknown, server.url()));

  // Second: the server is gone, the cache answers (and remembers the miss).
  server.stop();
  t = Clock::now();
  std::vector<DebuginfodResult> second = client.fetch_debuginfo(with_unknown, described);
  std::cout << fmt::format("second fetch (cache) of {} files: {:.3f} s\n", ids.size(), seconds_since(t));
  for (size_t i = 0; i < ids.size(); ++i) {
    SCOPED_TRACE(descriptions[i]);
    EXPECT_EQ(second[i].error, "");
    EXPECT_EQ(second[i].path, first[i].path);
    EXPECT_TRUE(second[i].from_cache);
  }
  EXPECT_EQ(second.back().error,
            fmt::format("nothing (build ID {}): debuginfod: not found (libdebuginfod remembers a miss for 10 "
                        "minutes: see {}/cache_miss_s)", unknown, cache));

  // What a Program does with it: a kernel whose files were not found locally gets
  // them from the cache, the module under its own name.
  const KernelFiles& k = kernels.front();
  KernelDebugFiles files;
  EXPECT_TRUE(fetch_missing_kernel_debug_files(client, files, k.vmlinux_id, {}).empty());
  EXPECT_EQ(files.vmlinux, cache + "/" + k.vmlinux_id + "/debuginfo");
  std::vector<std::string> warnings = fetch_missing_kernel_debug_files(
      client, files, k.vmlinux_id, {{"kdive_fixture", k.module_id}, {"no_build_id", ""}, {"gone", unknown}});
  EXPECT_EQ(files.module_file("kdive_fixture"), cache + "/" + k.module_id + "/debuginfo");
  EXPECT_EQ(files.module_file("gone"), "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], fmt::format("module gone (build ID {}): debuginfod: not found (libdebuginfod remembers a miss "
                                     "for 10 minutes: see {}/cache_miss_s)", unknown, cache));
  // A local file with DWARF and the right build ID is kept: nothing is asked.
  KernelDebugFiles local;
  local.vmlinux = k.vmlinux;
  local.modules = {k.module};
  EXPECT_TRUE(fetch_missing_kernel_debug_files(client, local, k.vmlinux_id, {{"kdive_fixture", k.module_id}}).empty());
  EXPECT_EQ(local.vmlinux, k.vmlinux);
  EXPECT_EQ(local.module_file("kdive_fixture"), k.module);
}

TEST(Debuginfod, ShowsTheSizeAndProgressOnATerminal) {
  std::vector<KernelFiles> kernels = kernel_files();
  ASSERT_FALSE(kernels.empty());
  const KernelFiles& k = kernels.front();
  TempDir tmp;
  std::string served = tmp.path() + "/served", cache = tmp.path() + "/cache";
  link_files(served, {k}, /*with_vmlinux=*/true);
  DebuginfodServer server(served, tmp.path());
  ASSERT_TRUE(server.wait_indexed({k.vmlinux_id})) << server.log();
  ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", server.url()}, {"DEBUGINFOD_CACHE_PATH", cache}});

  // A real terminal: the pty's other side is drained while the download runs.
  int master = -1, slave = -1;
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
  std::string shown;
  std::mutex shown_mu;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    char buf[4096];
    while (true) {
      pollfd p{master, POLLIN, 0};
      int r = poll(&p, 1, 100);
      if (r > 0) {
        ssize_t n = read(master, buf, sizeof buf);
        if (n <= 0) break;
        std::lock_guard lock(shown_mu);
        shown.append(buf, static_cast<size_t>(n));
      } else if (done) {
        break;
      }
    }
  });
  DebuginfodClient client = DebuginfodClient::from_environment(true, slave);
  Clock::time_point t = Clock::now();
  std::vector<DebuginfodResult> r = client.fetch_debuginfo({k.vmlinux_id}, {"vmlinux"});
  double download = seconds_since(t);
  t = Clock::now();
  std::vector<DebuginfodResult> again = client.fetch_debuginfo({k.vmlinux_id}, {"vmlinux"});
  double cached = seconds_since(t);
  std::cout << fmt::format("{} vmlinux ({:.1f} MiB): download {:.2f} s, from the cache {:.3f} s\n", k.name,
                           static_cast<double>(fs::file_size(k.vmlinux)) / (1 << 20), download, cached);
  done = true;
  reader.join();
  close(slave);
  close(master);
  ASSERT_EQ(r[0].error, "");
  EXPECT_FALSE(r[0].from_cache);
  EXPECT_TRUE(again[0].from_cache);
  // The size line ends there (the terminal may turn "\n" into "\r\n").
  std::string size_line = fmt::format("debuginfod: downloading vmlinux: {:.1f} MiB from {}",
                                      static_cast<double>(fs::file_size(k.vmlinux)) / (1 << 20), server.url());
  size_t at = shown.find(size_line);
  ASSERT_NE(at, std::string::npos) << shown;
  EXPECT_TRUE(shown.substr(at + size_line.size()).starts_with("\r\n") ||
              shown.substr(at + size_line.size()).starts_with("\n")) << shown;
  // The progress line is erased at the end.
  EXPECT_TRUE(shown.ends_with("\r\033[K")) << shown;

  // Not a terminal: nothing, even with progress wanted.
  int pipe_fds[2];
  ASSERT_EQ(pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC), 0);
  TempDir other_cache;
  ScopedEnv env2(EnvVars{{"DEBUGINFOD_URLS", server.url()}, {"DEBUGINFOD_CACHE_PATH", other_cache.path()}});
  DebuginfodClient quiet = DebuginfodClient::from_environment(true, pipe_fds[1]);
  ASSERT_EQ(quiet.fetch_debuginfo({k.module_id}, {"module"})[0].error, "");
  char c;
  EXPECT_EQ(read(pipe_fds[0], &c, 1), -1);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST(Debuginfod, ServerDownIsAClearError) {
  std::vector<KernelFiles> kernels = kernel_files();
  ASSERT_FALSE(kernels.empty());
  TempDir tmp;
  std::string url = fmt::format("http://127.0.0.1:{}", unused_port());
  ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", url}, {"DEBUGINFOD_CACHE_PATH", tmp.path()}});
  DebuginfodClient client = DebuginfodClient::from_environment(false);
  for (const KernelFiles& k : kernels) {
    SCOPED_TRACE(k.name);
    KernelDebugFiles files;
    std::vector<std::string> warnings =
        fetch_missing_kernel_debug_files(client, files, k.vmlinux_id, {{"kdive_fixture", k.module_id}});
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(warnings[0], fmt::format("vmlinux (build ID {}): debuginfod: cannot connect to {}: Connection refused "
                                       "(is the server up?)", k.vmlinux_id, url));
    EXPECT_EQ(warnings[1], fmt::format("module kdive_fixture (build ID {}): debuginfod: cannot connect to {}: "
                                       "Connection refused (is the server up?)", k.module_id, url));
    EXPECT_EQ(files.vmlinux, "");
    EXPECT_EQ(files.module_file("kdive_fixture"), "");
    EXPECT_FALSE(fs::exists(tmp.path() + "/" + k.vmlinux_id + "/debuginfo"));
  }
  // Without DEBUGINFOD_URLS nothing is asked and nothing is said.
  ScopedEnv none(EnvVars{{"DEBUGINFOD_URLS", ""}});
  DebuginfodClient off = DebuginfodClient::from_environment(false);
  EXPECT_FALSE(off.enabled());
  KernelDebugFiles files;
  EXPECT_TRUE(fetch_missing_kernel_debug_files(off, files, kernels.front().vmlinux_id, {}).empty());
  EXPECT_EQ(off.fetch_debuginfo({kernels.front().vmlinux_id}, {"vmlinux"})[0].error,
            fmt::format("vmlinux (build ID {}): debuginfod: DEBUGINFOD_URLS is not set", kernels.front().vmlinux_id));
}

TEST(Debuginfod, AGarbageAnswerIsRejectedAndRemoved) {
  std::vector<KernelFiles> kernels = kernel_files();
  ASSERT_FALSE(kernels.empty());
  for (const KernelFiles& k : kernels) {
    SCOPED_TRACE(k.name);
    TempDir tmp;
    std::string cached = tmp.path() + "/" + k.module_id + "/debuginfo";
    {
      FakeHttpServer junk(std::string(4096, 'x') + "<html>not found</html>", false);
      ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", junk.url()}, {"DEBUGINFOD_CACHE_PATH", tmp.path()}});
      DebuginfodClient client = DebuginfodClient::from_environment(false);
      KernelDebugFiles files;
      std::vector<std::string> warnings = fetch_missing_kernel_debug_files(client, files, "", {{"kdive_fixture", k.module_id}});
      ASSERT_EQ(warnings.size(), 1u);
      EXPECT_EQ(warnings[0], fmt::format("module kdive_fixture (build ID {}): debuginfod: {} sent a file that is not "
                                         "an ELF file; removed it from the cache", k.module_id, junk.url()));
      EXPECT_EQ(files.module_file("kdive_fixture"), "");
      EXPECT_FALSE(fs::exists(cached));
      EXPECT_GE(junk.requests(), 1);
    }
    {
      // A real ELF file, but another one: qemu_fw_cfg.ko for kdive_fixture's build ID.
      std::string other = fs::path(k.module).parent_path() / "debug" / "qemu_fw_cfg.ko";
      if (!fs::exists(other)) other = k.vmlinux;
      std::string other_id = probe_debug_file(other).build_id;
      FakeHttpServer wrong(read_file(other), false);
      ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", wrong.url()}, {"DEBUGINFOD_CACHE_PATH", tmp.path()}});
      DebuginfodClient client = DebuginfodClient::from_environment(false);
      std::vector<DebuginfodResult> r = client.fetch_debuginfo({k.module_id}, {"module kdive_fixture"});
      EXPECT_EQ(r[0].path, "");
      EXPECT_EQ(r[0].error, fmt::format("module kdive_fixture (build ID {}): debuginfod: {} sent a file with build ID "
                                        "{}, not {}; removed it from the cache", k.module_id, wrong.url(), other_id,
                                        k.module_id));
      EXPECT_FALSE(fs::exists(cached));
    }
    {
      // Junk some other program left in the cache is not used either (no server asked).
      fs::create_directories(fs::path(cached).parent_path());
      std::ofstream(cached) << "junk";
      ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", fmt::format("http://127.0.0.1:{}", unused_port())},
                            {"DEBUGINFOD_CACHE_PATH", tmp.path()}});
      DebuginfodClient client = DebuginfodClient::from_environment(false);
      std::vector<DebuginfodResult> r = client.fetch_debuginfo({k.module_id}, {"module kdive_fixture"});
      EXPECT_EQ(r[0].error, fmt::format("module kdive_fixture (build ID {}): debuginfod: the cache held a file that "
                                        "is not an ELF file; removed it from the cache", k.module_id));
      EXPECT_FALSE(fs::exists(cached));
    }
  }
}

TEST(Debuginfod, ASilentServerTimesOut) {
  std::vector<KernelFiles> kernels = kernel_files();
  ASSERT_FALSE(kernels.empty());
  const KernelFiles& k = kernels.front();
  TempDir tmp;
  FakeHttpServer silent("", /*silent=*/true);
  ScopedEnv env(EnvVars{{"DEBUGINFOD_URLS", silent.url()}, {"DEBUGINFOD_CACHE_PATH", tmp.path()}, {"DEBUGINFOD_TIMEOUT", "2"}});
  DebuginfodClient client = DebuginfodClient::from_environment(false);
  EXPECT_EQ(client.timeout(), std::chrono::seconds(2));
  std::vector<DebuginfodResult> r = client.fetch_debuginfo({k.vmlinux_id}, {"vmlinux"});
  EXPECT_EQ(r[0].path, "");
  EXPECT_EQ(r[0].error, fmt::format("vmlinux (build ID {}): debuginfod: no answer from {} within 2 s "
                                    "(DEBUGINFOD_TIMEOUT)", k.vmlinux_id, silent.url()));
  // A timeout is not remembered as a miss: the next run asks again.
  EXPECT_FALSE(fs::exists(tmp.path() + "/" + k.vmlinux_id + "/debuginfo"));
}

}  // namespace
}  // namespace kdive
