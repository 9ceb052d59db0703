// What the --strength dial promises, per logo: at the default strength the halftone and dots
// styles read after a typical phone capture; at 1.0 they read after a small, far capture.
// Every test logo and both sample files, three payload shapes, EC H.
#include <catch2/catch.hpp>
#include <stdexcept>
#include <string>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

// Print resolution: the captures resample from here to 6 (typical) or 4 (small) px/module.
constexpr int kModulePx = 14;

const std::string kPayloads[] = {
    "https://brand.example/p/000123",  // URL (byte mode)
    "SN-4F7A-99C2-11DE",               // serial (alphanumeric mode)
    "0123456789012345678901234567",    // numeric mode
};

const NamedLogo& logo_named(const std::string& name) {
  for (const auto& l : test_and_sample_logos()) {
    if (l.name == name) return l;
  }
  throw std::invalid_argument("no logo named " + name);
}

void check_strength(Style style, double strength, const std::string& logo_name,
                    std::initializer_list<test::Capture> captures) {
  const NamedLogo& logo = logo_named(logo_name);
  RenderOptions ro;
  ro.style = style;
  ro.strength = strength;
  EncodeOptions eo;
  eo.ec = EcLevel::H;
  for (const std::string& payload : kPayloads) {
    const Symbol symbol = design_symbol(payload, &logo.logo, eo, ro);
    const cv::Mat image = render(symbol, &logo.logo, ro, kModulePx);
    for (const test::Capture kind : captures) {
      check_reads(image, total_modules(symbol, ro), kind, payload, describe(symbol, ro, logo.name));
    }
  }
}

}  // namespace

#define VISCODE_STRENGTH_CASES(STYLE, LOGO)                                                        \
  TEST_CASE("default strength, pristine and typical: " #STYLE " " LOGO, "[roundtrip][strength]") { \
    check_strength(Style::STYLE, kDefaultStrength, LOGO,                                           \
                   {test::Capture::pristine, test::Capture::typical});                             \
  }                                                                                                \
  TEST_CASE("strength 1, small: " #STYLE " " LOGO, "[roundtrip][strength]") {                      \
    check_strength(Style::STYLE, 1.0, LOGO, {test::Capture::small});                               \
  }

#define VISCODE_STRENGTH_CASES_ALL_LOGOS(STYLE)      \
  VISCODE_STRENGTH_CASES(STYLE, "photo")             \
  VISCODE_STRENGTH_CASES(STYLE, "flat_brand")        \
  VISCODE_STRENGTH_CASES(STYLE, "very_dark")         \
  VISCODE_STRENGTH_CASES(STYLE, "very_light")        \
  VISCODE_STRENGTH_CASES(STYLE, "low_contrast")      \
  VISCODE_STRENGTH_CASES(STYLE, "transparent")       \
  VISCODE_STRENGTH_CASES(STYLE, "colour_photo")      \
  VISCODE_STRENGTH_CASES(STYLE, "samples/brand.png") \
  VISCODE_STRENGTH_CASES(STYLE, "samples/brand.svg")

VISCODE_STRENGTH_CASES_ALL_LOGOS(halftone)
VISCODE_STRENGTH_CASES_ALL_LOGOS(dots)

TEST_CASE("strength: the logo list the cases name is the generated one", "[roundtrip][strength]") {
  // The cases above name logos literally (ctest lists them); this catches a renamed logo.
  std::vector<std::string> names;
  for (const auto& l : test_and_sample_logos()) names.push_back(l.name);
  CHECK(names == std::vector<std::string>{"photo", "flat_brand", "very_dark", "very_light",
                                          "low_contrast", "transparent", "colour_photo",
                                          "samples/brand.png", "samples/brand.svg"});
}
