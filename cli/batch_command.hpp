// viscode batch: the command-line face of run_batch().
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "design_args.hpp"

namespace viscode::cli {

struct BatchArgs {
  DesignArgs d;
  std::string sign_key, product;  // signed serials (docs/authenticate.md)
  std::string template_text, serials, column, out_dir, format, sheet, gap = "3mm", margin = "10mm";
  std::size_t count = 0;
  int serial_length = 16, jobs = 0, pages_per_file = 50;
  std::string alphabet{viscode::kCrockfordBase32};
  bool crop_marks = false, labels = false, resume = false, check = false, lines = false;
  std::vector<std::string> check_scan;  // scanned sheet pages to check against the manifest
  CLI::Option* format_option = nullptr;
};

CLI::App* add_batch_command(CLI::App& app, BatchArgs& a);
int run_batch_command(const BatchArgs& a);

}  // namespace viscode::cli
