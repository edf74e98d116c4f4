// CompiledProgram: compiles a C source string with the system gcc at test time (tests
// build their inputs from real compilers rather than hand-made DWARF) and cleans up.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

namespace kdive::testing {

class CompiledProgram {
 public:
  // `flags` e.g. "-g -O0 -c" (object file) or "-g -O2" (executable).
  CompiledProgram(const std::string& source, const std::string& flags, const std::string& suffix = ".c") {
    char tmpl[] = "/tmp/kdive-test-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    std::string src = dir_ + "/prog" + suffix;
    std::ofstream(src) << source;
    path_ = dir_ + "/prog.out";
    std::string compiler = suffix == ".c" ? "gcc" : "g++";
    std::string cmd = compiler + " " + flags + " -o " + path_ + " " + src + " 2>" + dir_ + "/cc.log";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("compile failed: " + cmd);
  }
  ~CompiledProgram() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_;
  std::string path_;
};

}  // namespace kdive::testing
