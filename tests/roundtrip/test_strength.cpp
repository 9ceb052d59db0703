// What the --strength dial promises, per logo: at the default strength the halftone and dots
// styles read in every pristine and mild capture and in >= 97% of arm's-length (moderate)
// captures, with each reference reader (zxing-cpp, WeChat, ZBar) and with viscode's own
// detector; at strength 1 they also read far and hurried (hard) captures. Every test logo and
// both sample files, payloads of versions 2, 5 and 8, EC H, the library's capture presets (the
// captures `viscode verify` makes).
#include <catch2/catch.hpp>
#include <map>
#include <stdexcept>
#include <string>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

// Artwork px per module, as `viscode verify` rectifies a code; printed at 0.5 mm per module.
constexpr int kModulePx = 10;
// Moderate captures per payload: 3 payloads x 20 = 60 per logo and reader.
constexpr int kModerateSeeds = 20;
constexpr double kModerateRate = 0.97;
// viscode's own detector reads fewer designer codes at arm's length than the reference readers
// (docs/detector.md; raising it to them is issue 19's work): held to what it reads today on
// the thinnest logos (55 of 60 on thin_icon), so that it cannot fall further unnoticed.
constexpr double kOursModerateRate = 0.9;
// Strength 1 at the hard capture (4 px per module, blur, motion, tilt up to 0.25, JPEG 70):
// measured on the looks-vs-scans bench, every reader reads at least nine in ten.
constexpr double kHardRate = 0.9;

const std::string kPayloads[] = {
    "SN-4F7A-99C2-11DE",                                                      // version 2
    "https://v.brand.example/a/7KQ2M9X4PZ8R3T6W",                             // version 5
    "https://www.brand-example.com/products/sparkling-water/lot/2026-11/A7",  // version 8
};

const NamedLogo& logo_named(const std::string& name) {
  for (const auto& l : test_and_sample_logos()) {
    if (l.name == name) return l;
  }
  throw std::invalid_argument("no logo named " + name);
}

struct Count {
  int read = 0, trials = 0;
  double rate() const { return trials ? static_cast<double>(read) / trials : 0; }
};

// Reads of each reader ("ours" for viscode's detector) over `seeds` captures of a severity.
void tally(const cv::Mat& image, const std::string& payload, Severity severity, int seeds,
           std::map<std::string, Count>& counts) {
  for (int k = 0; k < seeds; ++k) {
    const auto seed = static_cast<std::uint64_t>(1000 * static_cast<int>(severity) + k + 1);
    CaptureOptions co = capture_preset(severity, seed);
    co.input_module_px = kModulePx;
    const cv::Mat shot = simulate_capture(image, co, seed);
    for (const test::Reader reader : test::all_readers()) {
      Count& c = counts[std::string(test::to_string(reader))];
      ++c.trials;
      c.read += test::reads(reader, shot, payload) ? 1 : 0;
    }
    Count& ours = counts["ours"];
    ++ours.trials;
    for (const Decoded& d : read_codes(shot)) {
      if (d.text == payload) {
        ++ours.read;
        break;
      }
    }
  }
}

void check_default(Style style, const std::string& logo_name) {
  const NamedLogo& logo = logo_named(logo_name);
  RenderOptions ro;
  ro.style = style;
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  std::map<std::string, Count> sharp, moderate;
  for (const std::string& payload : kPayloads) {
    const Symbol symbol = design_symbol(payload, &logo.logo, eo, ro);
    const cv::Mat image = render(symbol, &logo.logo, ro, kModulePx);
    tally(image, payload, Severity::pristine, 1, sharp);
    tally(image, payload, Severity::mild, 3, sharp);
    tally(image, payload, Severity::moderate, kModerateSeeds, moderate);
  }
  for (const auto& [reader, c] : sharp) {
    INFO(to_string(style) << " at the default strength, logo " << logo_name << ", reader " << reader
                          << ": pristine and mild captures read " << c.read << " of " << c.trials);
    CHECK(c.read == c.trials);
  }
  for (const auto& [reader, c] : moderate) {
    INFO(to_string(style) << " at the default strength, logo " << logo_name << ", reader " << reader
                          << ": moderate captures read " << c.read << " of " << c.trials);
    CHECK(c.rate() >= (reader == "ours" ? kOursModerateRate : kModerateRate));
  }
}

void check_strength_one(Style style, const std::string& logo_name) {
  const NamedLogo& logo = logo_named(logo_name);
  RenderOptions ro;
  ro.style = style;
  ro.strength = 1;
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  std::map<std::string, Count> hard;
  for (const std::string& payload : kPayloads) {
    const Symbol symbol = design_symbol(payload, &logo.logo, eo, ro);
    tally(render(symbol, &logo.logo, ro, kModulePx), payload, Severity::hard, 4, hard);
  }
  for (const auto& [reader, c] : hard) {
    INFO(to_string(style) << " at strength 1, logo " << logo_name << ", reader " << reader
                          << ": hard captures read " << c.read << " of " << c.trials);
    CHECK(c.rate() >= kHardRate);
  }
}

}  // namespace

#define VISCODE_STRENGTH_CASES(STYLE, LOGO)                                            \
  TEST_CASE("default strength, moderate: " #STYLE " " LOGO, "[roundtrip][strength]") { \
    check_default(Style::STYLE, LOGO);                                                 \
  }                                                                                    \
  TEST_CASE("strength 1, hard: " #STYLE " " LOGO, "[roundtrip][strength]") {           \
    check_strength_one(Style::STYLE, LOGO);                                            \
  }

#define VISCODE_STRENGTH_CASES_ALL_LOGOS(STYLE)      \
  VISCODE_STRENGTH_CASES(STYLE, "photo")             \
  VISCODE_STRENGTH_CASES(STYLE, "flat_brand")        \
  VISCODE_STRENGTH_CASES(STYLE, "very_dark")         \
  VISCODE_STRENGTH_CASES(STYLE, "very_light")        \
  VISCODE_STRENGTH_CASES(STYLE, "low_contrast")      \
  VISCODE_STRENGTH_CASES(STYLE, "transparent")       \
  VISCODE_STRENGTH_CASES(STYLE, "colour_photo")      \
  VISCODE_STRENGTH_CASES(STYLE, "wordmark")          \
  VISCODE_STRENGTH_CASES(STYLE, "thin_icon")         \
  VISCODE_STRENGTH_CASES(STYLE, "mid_grey")          \
  VISCODE_STRENGTH_CASES(STYLE, "samples/brand.png") \
  VISCODE_STRENGTH_CASES(STYLE, "samples/brand.svg")

VISCODE_STRENGTH_CASES_ALL_LOGOS(halftone)
VISCODE_STRENGTH_CASES_ALL_LOGOS(dots)

TEST_CASE("strength: the logo list the cases name is the generated one", "[roundtrip][strength]") {
  // The cases above name logos literally (ctest lists them); this catches a renamed logo.
  std::vector<std::string> names;
  for (const auto& l : test_and_sample_logos()) names.push_back(l.name);
  CHECK(names == std::vector<std::string>{"photo", "flat_brand", "very_dark", "very_light",
                                          "low_contrast", "transparent", "colour_photo", "wordmark",
                                          "thin_icon", "mid_grey", "samples/brand.png",
                                          "samples/brand.svg"});
}
