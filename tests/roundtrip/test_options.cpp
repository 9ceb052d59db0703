// Layout and colour options change what sits under and around the modules; each must still
// read with both readers, at print resolution and after a typical phone capture.
#include <catch2/catch.hpp>
#include <string>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

constexpr int kModulePx = 14;  // print resolution; the typical capture resamples to 6 px/module
const std::string kPayload = "https://brand.example/p/000123";

RenderOptions with_full_area(RenderOptions ro) {
  ro.logo_area = LogoArea::full;
  return ro;
}
RenderOptions with_contain(RenderOptions ro) {
  ro.fit = Fit::contain;
  return ro;
}
RenderOptions with_brand_colours(RenderOptions ro) {
  ro.dark = parse_color("#1a237e");   // navy
  ro.light = parse_color("#fff8e1");  // cream
  return ro;
}

void check_option(Style style, RenderOptions (*apply)(RenderOptions), const char* option) {
  RenderOptions base;
  base.style = style;
  const RenderOptions ro = apply(base);
  EncodeOptions eo;
  for (const auto& logo : test_and_sample_logos()) {
    const Symbol symbol = design_symbol(kPayload, &logo.logo, eo, ro);
    const cv::Mat image = render(symbol, &logo.logo, ro, kModulePx);
    const std::string what = describe(symbol, ro, logo.name) + ", option " + option;
    check_reads(image, total_modules(symbol, ro), test::Capture::pristine, kPayload, what);
    check_reads(image, total_modules(symbol, ro), test::Capture::typical, kPayload, what);
  }
}

RenderOptions all_together(RenderOptions ro) {
  return with_brand_colours(with_contain(with_full_area(ro)));
}

}  // namespace

#define VISCODE_OPTION_CASES(STYLE)                                                              \
  TEST_CASE("options: logo_area full, " #STYLE, "[roundtrip][options]") {                        \
    check_option(Style::STYLE, with_full_area, "logo_area full");                                \
  }                                                                                              \
  TEST_CASE("options: fit contain, " #STYLE, "[roundtrip][options]") {                           \
    check_option(Style::STYLE, with_contain, "fit contain");                                     \
  }                                                                                              \
  TEST_CASE("options: navy on cream, " #STYLE, "[roundtrip][options]") {                         \
    check_option(Style::STYLE, with_brand_colours, "dark #1a237e light #fff8e1");                \
  }                                                                                              \
  TEST_CASE("options: full, contain, navy on cream together, " #STYLE, "[roundtrip][options]") { \
    check_option(Style::STYLE, all_together, "full + contain + navy/cream");                     \
  }

VISCODE_OPTION_CASES(halftone)
VISCODE_OPTION_CASES(dots)
VISCODE_OPTION_CASES(center)
