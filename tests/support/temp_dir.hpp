// A fresh directory under the system's temporary directory for one test, removed with its
// contents when the test ends (also when it fails). The one TempDir of the tests.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace viscode::test {

class TempDir {
 public:
  // prefix names the directory (viscode-<prefix>-XXXXXX), to tell leftovers apart.
  explicit TempDir(const std::string& prefix = "test") {
    std::string t =
        (std::filesystem::temp_directory_path() / ("viscode-" + prefix + "-XXXXXX")).string();
    if (mkdtemp(t.data()) == nullptr) throw std::runtime_error("cannot make a directory " + t);
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::filesystem::path path;
};

}  // namespace viscode::test
