// viscode verify: does a code still scan after print and camera, and from what size.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace viscode::cli {

struct VerifyArgs {
  std::string file, expect, expect_file, severity = "moderate", heatmap;
  std::vector<std::string> readers;
  int seeds = 20;
  double min_rate = 0.95, camera_px_per_mm = 10;
  bool json = false, no_min_size = false;
};

CLI::App* add_verify_command(CLI::App& app, VerifyArgs& a);
int run_verify_command(const VerifyArgs& a);

}  // namespace viscode::cli
