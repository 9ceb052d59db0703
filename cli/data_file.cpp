#include "data_file.hpp"

#include <filesystem>
#include <system_error>

#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode::cli {

std::string read_data_file(const std::string& path, const std::string& flag) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw viscode::Error(viscode::ErrorCategory::input,
                         "data file '" + path + "' is a directory: give a file to " + flag);
  }
  if (!std::filesystem::exists(path, ec)) {
    throw viscode::Error(
        viscode::ErrorCategory::input,
        "data file '" + path + "' cannot be read: check the path given to " + flag);
  }
  const std::string give = "give a file to " + flag;
  std::string bytes = viscode::read_payload_file(path, give);
  if (bytes.empty()) {
    throw viscode::Error(viscode::ErrorCategory::input,
                         "data file '" + path + "' is empty: put the payload in it");
  }
  return bytes;
}

}  // namespace viscode::cli
