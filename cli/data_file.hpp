// Payload files of encode --data-file and verify --expect-file.
#pragma once

#include <string>

namespace viscode::cli {

// --data-file and --expect-file: a QR code holds at most 2,953 bytes, so a larger file is a
// mistake (or /dev/zero), refused before it is read.
std::string read_data_file(const std::string& path, const std::string& flag = "--data-file");

}  // namespace viscode::cli
