// Every style at every EC level and versions 1-10, plus a large version, read back at
// pristine resolution by both readers. Payloads fill the forced version to capacity, so
// every data and EC module carries real codewords and the renderer has no slack.
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

constexpr int kModulePx = 6;  // pristine reads need no more, and small images keep this fast
constexpr int kLargeVersion = 25;

// Lower case keeps it in byte mode; no digits, because libqrencode may split digit runs into
// segments that cost more than byte mode (see test_capacity.cpp).
std::string byte_mode_payload(EcLevel ec, int version) {
  return payload_filling(ec, version, "abcdefghijkmnopqrstuvwxyz-_./");
}

void check_version(Style style, EcLevel ec, int version, const NamedLogo& logo) {
  const std::string payload = byte_mode_payload(ec, version);
  EncodeOptions eo;
  eo.ec = ec;
  eo.min_version = eo.max_version = version;
  RenderOptions ro;
  ro.style = style;
  INFO("style " << to_string(style) << ", EC " << to_char(ec) << ", version " << version
                << ", logo " << logo.name << ", payload of " << payload.size() << " bytes");
  // The center style refuses, rather than silently dropping the logo, where the EC budget
  // leaves no 3x3-module patch: at EC L, versions 1 and 2.
  if (style == Style::center && ec == EcLevel::L && version <= 2) {
    try {
      (void)design_symbol(payload, &logo.logo, eo, ro);
      FAIL_CHECK("the center style accepted a symbol with no room for the logo");
    } catch (const Error& e) {
      CHECK(e.category() == ErrorCategory::encode);
      CHECK(std::string(e.what()).rfind("the center style has no room for a logo in a version-" +
                                            std::to_string(version) + " symbol at EC L",
                                        0) == 0);
    }
    return;
  }
  // One combination throwing must not hide the rest of the case's combinations.
  try {
    const Symbol symbol = design_symbol(payload, &logo.logo, eo, ro);
    REQUIRE(symbol.version == version);
    REQUIRE(symbol.ec == ec);
    const cv::Mat image = render(symbol, &logo.logo, ro, kModulePx);
    // Known ZBar failure: ZBar 0.23 misses some center-style codes of versions 7 and up
    // even pristine (EC L-Q, photo, flat_brand and very_dark logos) where zxing-cpp, WeChat
    // and viscode read them. Their patch covers central alignment patterns, the likely
    // cause; fixing it is open work of issue 15.
    const bool zbar = !(style == Style::center && version >= 7);
    check_reads(image, total_modules(symbol, ro), test::Capture::pristine, payload,
                describe(symbol, ro, logo.name), zbar);
  } catch (const Error& e) {
    FAIL_CHECK("viscode threw: " << e.what());
  }
}

void check_style_level(Style style, EcLevel ec) {
  const auto& logos = test_logos();
  const std::size_t offset = static_cast<std::size_t>(style) + static_cast<std::size_t>(ec);
  // Ten consecutive versions rotate through all seven logos, so each style meets every logo
  // at every level; the offset varies which logo lands on which version across cases.
  for (int v = 1; v <= 10; ++v) {
    check_version(style, ec, v, logos[(static_cast<std::size_t>(v - 1) + offset) % logos.size()]);
  }
  for (const auto& logo : logos) check_version(style, ec, kLargeVersion, logo);
}

}  // namespace

#define VISCODE_STYLE_LEVEL_CASE(STYLE, EC)                                                  \
  TEST_CASE("versions 1-10 and 25, pristine: " #STYLE " EC " #EC, "[roundtrip][versions]") { \
    check_style_level(Style::STYLE, EcLevel::EC);                                            \
  }

VISCODE_STYLE_LEVEL_CASE(halftone, L)
VISCODE_STYLE_LEVEL_CASE(halftone, M)
VISCODE_STYLE_LEVEL_CASE(halftone, Q)
VISCODE_STYLE_LEVEL_CASE(halftone, H)
VISCODE_STYLE_LEVEL_CASE(dots, L)
VISCODE_STYLE_LEVEL_CASE(dots, M)
VISCODE_STYLE_LEVEL_CASE(dots, Q)
VISCODE_STYLE_LEVEL_CASE(dots, H)
VISCODE_STYLE_LEVEL_CASE(center, L)
VISCODE_STYLE_LEVEL_CASE(center, M)
VISCODE_STYLE_LEVEL_CASE(center, Q)
VISCODE_STYLE_LEVEL_CASE(center, H)
VISCODE_STYLE_LEVEL_CASE(plain, L)
VISCODE_STYLE_LEVEL_CASE(plain, M)
VISCODE_STYLE_LEVEL_CASE(plain, Q)
VISCODE_STYLE_LEVEL_CASE(plain, H)
