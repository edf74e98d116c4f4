// FixtureManifest: the real fixtures made by scripts/fixtures/build-all.sh, read from
// $KDIVE_FIXTURES/manifest.json (default ~/.cache/kdive/fixtures). Integration tests
// iterate it instead of keeping lists of dumps; a missing manifest is a test failure.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kdive::testing {

inline std::string fixtures_dir() {
  if (const char* env = std::getenv("KDIVE_FIXTURES"); env && *env) return env;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.cache/kdive/fixtures";
}

// The whole manifest, or a null json when it is missing or unreadable.
inline const nlohmann::json& fixture_manifest() {
  static const nlohmann::json m = [] {
    std::ifstream in(fixtures_dir() + "/manifest.json");
    if (!in) return nlohmann::json();
    try {
      return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      return nlohmann::json();
    }
  }();
  return m;
}

// Entries of manifest["dumps"] whose "kind" is `kind` ("kernel" or "user").
inline std::vector<nlohmann::json> fixture_dumps(const std::string& kind) {
  std::vector<nlohmann::json> out;
  const nlohmann::json& m = fixture_manifest();
  if (m.is_object() && m.contains("dumps"))
    for (const auto& d : m["dumps"])
      if (d.value("kind", "") == kind) out.push_back(d);
  return out;
}

inline nlohmann::json load_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nlohmann::json();
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

}  // namespace kdive::testing
