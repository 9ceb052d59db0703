// viscode encode: one payload to one designer code (PNG, SVG or PDF).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "design_args.hpp"
#include "sign_commands.hpp"

namespace viscode::cli {

struct EncodeArgs {
  DesignArgs d;
  std::string data, data_file, output, ensure;
  bool no_size_check = false;
  SignArgs sign;
};

CLI::App* add_encode_command(CLI::App& app, EncodeArgs& a);
int run_encode_command(const EncodeArgs& a);

}  // namespace viscode::cli
