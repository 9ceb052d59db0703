// viscode decode: the codes in image files, as text or JSON lines.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace viscode::cli {

struct DecodeArgs {
  std::vector<std::string> files;
  bool json = false;
  double max_megapixels = 100;
};

CLI::App* add_decode_command(CLI::App& app, DecodeArgs& a);
// Exit 3 when a file could not be read, else 4 when a file gave no code, else 0.
int run_decode_command(const DecodeArgs& a);

}  // namespace viscode::cli
