// Writing output files: whole or not at all.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace viscode::detail {

// Throws Error(input) when file's directory does not exist; the message names flag.
void check_directory(const std::filesystem::path& file, std::string_view flag);
// bytes to file through a temporary beside it, renamed when complete, so a failure never
// leaves a partial file. Throws Error(input) naming the file (and flag, the way out).
void write_atomically(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes,
                      std::string_view flag);

}  // namespace viscode::detail
