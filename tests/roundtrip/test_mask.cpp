// The image-aware mask: among the eight masks of the same data, design_symbol() picks one
// whose modules agree with the logo, so the rendering has to fight the image less. Checked
// against libqrencode's penalty-only choice (what encode() returns).
#include <catch2/catch.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "roundtrip_util.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

constexpr int kModulePx = 8;
const std::string kPayloads[] = {"https://brand.example/p/000123", "SN-4F7A-99C2-11DE",
                                 "0123456789012345678901234567"};

// Data/EC modules whose bit contradicts the logo underneath: dark where the logo is light
// or light where it is dark. Measured here from the frame alone (the logo's mean grey over
// each module, split at the midpoint of the dark and light colours), independently of how
// the library scores masks.
int disagreement(const Symbol& symbol, const cv::Mat& frame, const RenderOptions& ro) {
  const int modules = total_modules(symbol, ro);
  cv::Mat per_module;
  cv::resize(test::to_grey(frame), per_module, cv::Size(modules, modules), 0, 0, cv::INTER_AREA);
  const auto grey = [](Rgb c) { return 0.299 * c.r + 0.587 * c.g + 0.114 * c.b; };
  const double split = (grey(ro.dark) + grey(ro.light)) / 2;
  int count = 0;
  for (int y = 0; y < symbol.size; ++y) {
    for (int x = 0; x < symbol.size; ++x) {
      if (symbol.is_function(x, y)) continue;
      const bool logo_dark = per_module.at<std::uint8_t>(y + ro.quiet, x + ro.quiet) < split;
      if (symbol.is_dark(x, y) != logo_dark) ++count;
    }
  }
  return count;
}

void check_image_aware_mask(Style style) {
  RenderOptions ro;
  ro.style = style;
  EncodeOptions eo;
  eo.ec = EcLevel::H;  // what design_symbol gives a logo; encode() alone would give M
  double fidelity_ours = 0, fidelity_qrencode = 0;
  int disagree_ours = 0, disagree_qrencode = 0, n = 0;
  for (const auto& logo : test_logos()) {
    for (const std::string& payload : kPayloads) {
      const Symbol ours = design_symbol(payload, &logo.logo, eo, ro);
      const Symbol qrencode = encode(payload, eo);
      REQUIRE(ours.version == qrencode.version);
      const cv::Mat frame = render_logo_frame(ours, logo.logo, ro, kModulePx);
      const int modules = total_modules(ours, ro);
      const cv::Mat ours_image = render(ours, &logo.logo, ro, kModulePx);
      const cv::Mat qrencode_image = render(qrencode, &logo.logo, ro, kModulePx);
      const double f_ours = test::fidelity(ours_image, frame, modules);
      const double f_qrencode = test::fidelity(qrencode_image, frame, modules);
      const int d_ours = disagreement(ours, frame, ro);
      const int d_qrencode = disagreement(qrencode, frame, ro);
      fidelity_ours += f_ours;
      fidelity_qrencode += f_qrencode;
      disagree_ours += d_ours;
      disagree_qrencode += d_qrencode;
      ++n;
      UNSCOPED_INFO(logo.name << " \"" << payload << "\": mask " << ours.mask << " vs "
                              << qrencode.mask << ", fidelity " << f_ours << " vs " << f_qrencode
                              << ", disagreeing modules " << d_ours << " vs " << d_qrencode);
      // The chosen mask must not cost readability.
      check_reads(ours_image, modules, test::Capture::pristine, payload,
                  describe(ours, ro, logo.name) + ", image-aware mask");
    }
  }
  INFO("style " << to_string(style) << ", over " << n << " codes: mean fidelity "
                << fidelity_ours / n << " (image-aware mask) vs " << fidelity_qrencode / n
                << " (libqrencode's mask); disagreeing data/EC modules " << disagree_ours << " vs "
                << disagree_qrencode);
  CHECK(fidelity_ours >= fidelity_qrencode);
  CHECK(disagree_ours <= disagree_qrencode);
}

}  // namespace

TEST_CASE("mask: image-aware choice beats libqrencode's, halftone", "[roundtrip][mask]") {
  check_image_aware_mask(Style::halftone);
}

TEST_CASE("mask: image-aware choice beats libqrencode's, dots", "[roundtrip][mask]") {
  check_image_aware_mask(Style::dots);
}

TEST_CASE("mask: a forced mask is respected with a logo", "[roundtrip][mask]") {
  const std::string payload = "https://brand.example/p/000123";
  EncodeOptions eo;
  eo.ec = EcLevel::H;  // what design_symbol gives a logo; encode() alone would give M
  eo.mask = 3;
  const Symbol expected = encode(payload, eo);
  REQUIRE(expected.mask == 3);
  const auto& logos = test_logos();
  for (const Style style : {Style::halftone, Style::dots, Style::center, Style::plain}) {
    for (const auto& logo : {logos[0], logos[1]}) {
      RenderOptions ro;
      ro.style = style;
      const Symbol symbol = design_symbol(payload, &logo.logo, eo, ro);
      INFO(describe(symbol, ro, logo.name));
      CHECK(symbol.mask == 3);
      // Picture pad changes the pad codewords (and their EC), never the mask.
      RenderOptions standard_pad = ro;
      standard_pad.picture_pad = false;
      CHECK(design_symbol(payload, &logo.logo, eo, standard_pad).dark == expected.dark);
      check_reads(render(symbol, &logo.logo, ro, 6), total_modules(symbol, ro),
                  test::Capture::pristine, payload, describe(symbol, ro, logo.name));
    }
  }
}
