// viscode::Design: a prepared design must make exactly the codes the free functions make,
// analyse its logo once per symbol size, and serve many threads at once.
#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_logos.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;

namespace {

Logo photo_logo() {
  for (const test::TestLogo& t : test::test_logos()) {
    if (t.name == "photo") return Logo::from_image(t.image);
  }
  throw std::runtime_error("no photo test logo");
}

std::string serial_url(int i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "https://v.brand.example/a/%016d", i * 7919);
  return buf;
}

}  // namespace

TEST_CASE("design: the same symbols and bytes as the free functions, every style", "[design]") {
  const Logo logo = photo_logo();
  for (const Style style : {Style::halftone, Style::dots, Style::center, Style::plain}) {
    RenderOptions ro;
    ro.style = style;
    EncodeOptions eo;
    eo.ec = EcLevel::H;
    const Design design(logo, eo, ro);
    const Logo* l = style == Style::plain ? nullptr : &logo;
    const PrintOptions print{.dpi = 300, .size_mm = 0, .module_px = 4};
    for (int i = 0; i < 3; ++i) {
      const std::string payload = serial_url(i);
      INFO(to_string(style) << " " << payload);
      const Symbol expected = design_symbol(payload, l, eo, ro);
      const Symbol got = design.symbol(payload);
      CHECK(got.version == expected.version);
      CHECK(got.mask == expected.mask);
      CHECK(got.dark == expected.dark);
      for (const Format f : {Format::png, Format::svg, Format::pdf}) {
        CHECK(design.render_file(got, print, f) == render_file(expected, l, ro, print, f));
      }
      CHECK(cv::norm(design.render(got, 5), render(expected, l, ro, 5), cv::NORM_INF) == 0);
    }
  }
}

TEST_CASE("design: the logo is analysed once per symbol size", "[design]") {
  const Design design(photo_logo(), EncodeOptions{.ec = EcLevel::H}, RenderOptions{});
  CHECK(design.analysed_sizes() == 0);
  for (int i = 0; i < 5; ++i) (void)design.render(design.symbol(serial_url(i)), 4);
  CHECK(design.analysed_sizes() == 1);  // serials of one length: one version
  (void)design.symbol(serial_url(1) + "/with/a/much/longer/path/that/needs/a/bigger/version");
  CHECK(design.analysed_sizes() == 2);
  const Design plain(std::nullopt, EncodeOptions{}, RenderOptions{});
  CHECK(plain.render_options().style == Style::plain);
  (void)plain.render(plain.symbol("x"), 4);
  CHECK(plain.analysed_sizes() == 0);
}

TEST_CASE("design: one design serves several threads, with the serial results", "[design]") {
  const Design design(photo_logo(), EncodeOptions{.ec = EcLevel::H}, RenderOptions{});
  const PrintOptions print{.dpi = 300, .size_mm = 0, .module_px = 3};
  constexpr int kThreads = 4, kEach = 6;
  std::vector<std::vector<std::uint8_t>> parallel(kThreads * kEach);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kEach; ++k) {
        const int i = t * kEach + k;
        parallel[static_cast<std::size_t>(i)] =
            design.render_file(design.symbol(serial_url(i)), print, Format::png);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  const Design fresh(*design.logo(), design.encode_options(), design.render_options());
  for (int i = 0; i < kThreads * kEach; ++i) {
    INFO("code " << i);
    CHECK(parallel[static_cast<std::size_t>(i)] ==
          fresh.render_file(fresh.symbol(serial_url(i)), print, Format::png));
  }
}

TEST_CASE("design: options are checked when the design is made", "[design]") {
  RenderOptions ro;
  ro.strength = 2;
  CHECK_THROWS_AS(Design(std::nullopt, EncodeOptions{}, ro), Error);
}
