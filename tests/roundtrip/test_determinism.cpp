// Same inputs, same output: print workflows diff and cache files, so a code must not change
// between runs, nor depend on what else the process rendered before it.
#include <catch2/catch.hpp>
#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "roundtrip_util.hpp"
#include "viscode/enum_names.hpp"

using namespace viscode;
using namespace viscode::roundtrip;

namespace {

// A raster and a vector logo: SVG/PDF output embeds the first as an image and keeps the
// second vector, two different cairo paths with their own id counters.
const NamedLogo& raster_logo() {
  return test_and_sample_logos()[0];
}
const NamedLogo& vector_logo() {
  return test_and_sample_logos().back();
}

bool same_pixels(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

PrintOptions small_print() {
  PrintOptions p;
  p.dpi = 300;
  p.size_mm = 20;  // small files keep the byte comparison quick
  return p;
}

void check_file_determinism(Format format) {
  EncodeOptions eo;
  RenderOptions ro;
  const std::string payload = "https://brand.example/p/000123";
  REQUIRE(vector_logo().logo.is_vector());
  for (const NamedLogo* logo : {&raster_logo(), &vector_logo()}) {
    for (const Style style : {Style::halftone, Style::dots, Style::center, Style::plain}) {
      ro.style = style;
      const Symbol symbol = design_symbol(payload, &logo->logo, eo, ro);
      INFO(describe(symbol, ro, logo->name) << ", format " << enum_name(format));
      const auto first = render_file(symbol, &logo->logo, ro, small_print(), format);
      const auto second = render_file(symbol, &logo->logo, ro, small_print(), format);
      REQUIRE(!first.empty());
      CHECK(first == second);
      // Another code in between advances cairo's process-global counters (SVG surface, clip,
      // pattern ids); the output must not show it.
      const Symbol other = design_symbol("SN-4F7A-99C2-11DE", &vector_logo().logo, eo, ro);
      (void)render_file(other, &vector_logo().logo, ro, small_print(), format);
      (void)render_file(other, &raster_logo().logo, ro, small_print(), format);
      const auto third = render_file(symbol, &logo->logo, ro, small_print(), format);
      CHECK(first == third);
      if (format == Format::png) {
        const cv::Mat decoded = cv::imdecode(first, cv::IMREAD_UNCHANGED);
        check_reads(decoded, total_modules(symbol, ro), test::Capture::pristine, payload,
                    describe(symbol, ro, logo->name) + ", PNG file");
      }
    }
  }
}

}  // namespace

TEST_CASE("determinism: render() twice gives identical pixels", "[roundtrip][determinism]") {
  EncodeOptions eo;
  const std::string payload = "https://brand.example/p/000123";
  for (const auto& logo : test_and_sample_logos()) {
    for (const Style style : {Style::halftone, Style::dots, Style::center, Style::plain}) {
      RenderOptions ro;
      ro.style = style;
      const Symbol a = design_symbol(payload, &logo.logo, eo, ro);
      const Symbol b = design_symbol(payload, &logo.logo, eo, ro);
      INFO(describe(a, ro, logo.name));
      CHECK(a.mask == b.mask);
      CHECK(a.dark == b.dark);
      const cv::Mat image = render(a, &logo.logo, ro, 6);
      CHECK(same_pixels(image, render(b, &logo.logo, ro, 6)));
      check_reads(image, total_modules(a, ro), test::Capture::pristine, payload,
                  describe(a, ro, logo.name));
    }
  }
}

TEST_CASE("determinism: PNG files are byte-identical across renders", "[roundtrip][determinism]") {
  check_file_determinism(Format::png);
}

TEST_CASE("determinism: SVG files are byte-identical across renders", "[roundtrip][determinism]") {
  check_file_determinism(Format::svg);
}

TEST_CASE("determinism: PDF files are byte-identical across renders", "[roundtrip][determinism]") {
  check_file_determinism(Format::pdf);
}
