// The library names options by their field (or a call's argument); the CLI names flags
// (cli/option_flags.*). Both halves: what the library says, and that the CLI can say it
// back as a flag.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "option_flags.hpp"
#include "test_error_util.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using test::message_of;

TEST_CASE("option fields: library messages name the field, not a CLI flag", "[errors]") {
  CodeOptions strong;
  strong.render.strength = 2;
  CHECK(message_of([&] { (void)make_code("hello", strong); }, ErrorCategory::usage) ==
        "RenderOptions.strength must be between 0 and 1 (0 shows the most of the image, 1 "
        "scans best)");

  CodeOptions versions;
  versions.encode.min_version = 10;
  versions.encode.max_version = 5;
  CHECK(message_of([&] { (void)make_code("hello", versions); }, ErrorCategory::usage) ==
        "EncodeOptions.min_version 10 is above EncodeOptions.max_version 5: lower "
        "EncodeOptions.min_version or raise EncodeOptions.max_version");

  CodeOptions dpi;
  dpi.print.dpi = 50;
  CHECK(message_of([&] { (void)make_code("hello", dpi).info(Format::png); },
                   ErrorCategory::usage) == "PrintOptions.dpi 50.00 is out of range: use 72..4800");

  ReadOptions read;
  read.max_megapixels = 0;
  const cv::Mat white(40, 40, CV_8UC1, cv::Scalar(255));
  CHECK(message_of([&] { (void)read_codes(white, read); }, ErrorCategory::usage) ==
        "ReadOptions.max_megapixels 0 is out of range: use a number above 0 and at most 1000");

  BatchOptions batch;
  batch.serials = RandomSerials{.count = 1};
  batch.jobs = 300;
  const Design design(std::nullopt, EncodeOptions{}, RenderOptions{});
  CHECK(message_of([&] { (void)run_batch(design, batch); }, ErrorCategory::usage) ==
        "BatchOptions.jobs 300 is out of range: use 1..256");

  ServeOptions serve;
  serve.db = "ledger.db";
  serve.keys.push_back(generate_key().public_key());
  serve.threads = 0;
  CHECK(message_of([&] { check_serve_options(serve); }, ErrorCategory::usage) ==
        "ServeOptions.threads 0 is out of range: give 1 to 256 ledger workers");
}

TEST_CASE("option fields: the CLI says each field as its flag", "[errors]") {
  using cli::with_flags;
  CHECK(with_flags("RenderOptions.strength must be between 0 and 1") ==
        "--strength must be between 0 and 1");
  CHECK(with_flags("PrintOptions.size_mm 2mm at 600 dpi: use a higher PrintOptions.dpi") ==
        "--size 2mm at 600 dpi: use a higher --dpi");
  CHECK(with_flags("give an image file to Logo::load(file)") == "give an image file to --logo");
  CHECK(
      with_flags("RenderOptions.fit cover crops 75% of the logo: use RenderOptions.fit contain") ==
      "--fit cover crops 75% of the logo: use --fit contain");
  // A token starts a word; one the table does not know, or a field without a flag, stays.
  CHECK(with_flags("XRenderOptions.fit and RenderOptions.picture_pad") ==
        "XRenderOptions.fit and RenderOptions.picture_pad");
  CHECK(with_flags("over the 64 MiB limit for PrintOptions.iccs") ==
        "over the 64 MiB limit for --iccs");
  CHECK(with_flags("CaptureOptions.input_module_px of 0") == "CaptureOptions.input_module_px of 0");
  CHECK(with_flags("") == "");
  // The longest token wins wherever one token begins another.
  for (const cli::OptionFlag& a : cli::option_flags()) {
    for (const cli::OptionFlag& b : cli::option_flags()) {
      if (a.token == b.token || !b.token.starts_with(a.token)) continue;
      INFO(std::string(a.token) << " begins " << b.token);
      CHECK(with_flags(std::string(b.token) + " x") ==
            std::string(b.flag.empty() ? b.token : b.flag) + " x");
    }
  }
}

namespace {

// The contents of every string literal in the library's sources.
std::string library_literals() {
  const std::regex literal(R"re("((?:[^"\\\n]|\\.)*)")re");
  std::string all;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(VISCODE_SOURCE_DIR "/lib")) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".cpp" && ext != ".hpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string source = text.str();
    for (auto it = std::sregex_iterator(source.begin(), source.end(), literal);
         it != std::sregex_iterator(); ++it) {
      all += (*it)[1].str();
      all += '\n';
    }
  }
  return all;
}

}  // namespace

TEST_CASE("option fields: every field the library names is in the CLI's table", "[errors]") {
  const std::string literals = library_literals();
  std::set<std::string> table;
  for (const cli::OptionFlag& f : cli::option_flags()) table.insert(std::string(f.token));
  const std::regex field(
      R"(\b(?:[A-Z][A-Za-z]*Options|SerialFile|RandomSerials|ScanContext)\.[a-z_]+)");
  std::set<std::string> named;
  for (auto it = std::sregex_iterator(literals.begin(), literals.end(), field);
       it != std::sregex_iterator(); ++it) {
    named.insert(it->str());
  }
  CHECK(named.size() > 40);
  for (const std::string& token : named) {
    INFO(token << " is in a library message but not in cli/option_flags.cpp");
    CHECK(table.count(token) == 1);
  }
  // And the other way: a token no message uses any more is a stale row.
  for (const std::string& token : table) {
    INFO(token << " is in cli/option_flags.cpp but in no library message");
    CHECK(literals.find(token) != std::string::npos);
  }
}
