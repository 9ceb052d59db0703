#include "decode_command.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "exit_codes.hpp"
#include "json.hpp"
#include "option_flags.hpp"
#include "shown_text.hpp"
#include "viscode/viscode.hpp"

namespace viscode::cli {
namespace {

std::string json_line(const std::string& file, const std::vector<viscode::Decoded>& codes,
                      const std::string& error) {
  using viscode::cli::json_string;
  std::string line = "{\"file\": " + json_string(file) + ", \"codes\": [";
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const viscode::Decoded& d = codes[i];
    if (i > 0) line += ", ";
    line += "{\"text\": " + json_string(d.text) +
            ", \"bytes_base64\": " + viscode::cli::json_base64(d.bytes) +
            ", \"charset\": " + json_string(d.charset) +
            ", \"charset_guessed\": " + (d.charset_guessed ? "true" : "false") + ", \"corners\": [";
    for (std::size_t k = 0; k < d.corners.size(); ++k) {
      line += fmt::format("{}[{:.1f}, {:.1f}]", k > 0 ? ", " : "", d.corners[k].x, d.corners[k].y);
    }
    line += fmt::format(
        "], \"version\": {}, \"ec\": \"{}\", \"mask\": {}, \"errors_corrected\": {}, "
        "\"error_capacity\": {}",
        d.version, viscode::to_char(d.ec), d.mask, d.errors_corrected(), d.error_capacity());
    // Only the rare old Model 1 codes say so: Model 2 output stays as it always was.
    line += d.model == 1 ? ", \"model\": 1}" : "}";
  }
  line += "]";
  if (!error.empty()) line += ", \"error\": " + json_string(error);
  return line + "}";
}

}  // namespace

CLI::App* add_decode_command(CLI::App& app, DecodeArgs& a) {
  CLI::App* dec = app.add_subcommand(
      "decode",
      "Read QR codes (designer codes included) from images with viscode's own detector.\n"
      "Plain output shows a payload's control characters as \\xNN; --json has the exact text.\n"
      "Exit codes: 0 every file gave a code, 4 some gave none, 3 some could not be read.");
  dec->add_option("files", a.files,
                  "Image files (PNG, JPEG, WebP, ...; SVG and PDF rasterised at 600 dpi)")
      ->required();
  dec->add_flag("--json", a.json,
                "One JSON object per file and line: file, codes (text, bytes_base64: the "
                "payload's exact bytes, charset and charset_guessed: the character set the "
                "text was decoded from and whether it was guessed, corners, version, ec, mask, "
                "errors_corrected, error_capacity), and error for an unreadable file");
  dec->add_option("--max-megapixels", a.max_megapixels,
                  "Refuse larger images before decoding them (above 0, at most 1000)")
      ->capture_default_str();
  return dec;
}

int run_decode_command(const DecodeArgs& a) {
  viscode::ReadOptions options;
  options.max_megapixels = a.max_megapixels;
  bool unreadable = false, empty = false;
  for (const std::string& file : a.files) {
    std::vector<viscode::Decoded> codes;
    std::string error;
    try {
      codes = viscode::read_codes(viscode::read_image(file, options), options);
    } catch (const viscode::Error& e) {
      // A bad option is no fault of the file: it stops the command (exit 2).
      if (e.category() == viscode::ErrorCategory::usage) throw;
      error = viscode::cli::with_flags(e.what());
      unreadable = true;
    }
    if (error.empty() && codes.empty()) empty = true;
    if (a.json) {
      fmt::print("{}\n", json_line(file, codes, error));
      std::fflush(stdout);
      continue;
    }
    if (!error.empty()) {
      std::fprintf(stderr, "viscode: %s\n", error.c_str());
    } else if (codes.empty()) {
      std::fprintf(stderr, "viscode: no code found in '%s'\n", file.c_str());
    }
    for (const viscode::Decoded& d : codes) {
      if (a.files.size() > 1) {
        fmt::print("{}: {}\n", file, viscode::cli::shown_text(d.text));
      } else {
        fmt::print("{}\n", viscode::cli::shown_text(d.text));
      }
    }
  }
  return unreadable ? viscode::cli::kInput : empty ? viscode::cli::kCannotCode : viscode::cli::kOk;
}

}  // namespace viscode::cli
