// Flags that set a code's look and print size, shared by encode and batch.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "viscode/viscode.hpp"

namespace viscode::cli {

// The look and print size of a code: shared by encode and batch.
struct DesignArgs {
  std::string logo;
  std::string style = "halftone", ec, mask = "auto", fit = "cover", logo_area = "symbol";
  std::string dark = "#000000", light = "#ffffff", size;
  std::string ink = "rgb", icc, bleed;
  double strength = viscode::kDefaultStrength;
  double picture_ec = viscode::kDefaultPictureErrors;
  double dpi = 600;
  int min_version = 1, max_version = 40, quiet = 4, module_px = 0;
  CLI::Option* style_option = nullptr;
};

struct DesignOptions {
  viscode::RenderOptions render;
  viscode::EncodeOptions encode;
  viscode::PrintOptions print;
};

void add_design_options(CLI::App* app, DesignArgs& a);
// Throws viscode::Error(usage) naming the flag of a bad value.
DesignOptions design_options(const DesignArgs& a);

}  // namespace viscode::cli
