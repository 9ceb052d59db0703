// Writing output files: whole or not at all.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

namespace viscode::detail {

// Writes all of data to fd, retrying short writes and EINTR. 0, or the errno of the
// failure (ENOSPC for a write that makes no progress).
int write_fully(int fd, const std::uint8_t* data, std::size_t size);
// Throws Error(input) when file's directory does not exist, or is a file; the message
// names flag.
void check_directory(const std::filesystem::path& file, std::string_view flag);
// bytes to file through a temporary beside it, renamed when complete, so a failure never
// leaves a partial file. Throws Error(input) naming the file (and flag, the way out).
void write_atomically(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes,
                      std::string_view flag);

}  // namespace viscode::detail
