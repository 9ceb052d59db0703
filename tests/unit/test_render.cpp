// Render stage: options, geometry, golden properties of the halftone, output bytes.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "encode/function_patterns.hpp"
#include "render/center_patch.hpp"
#include "render/color.hpp"
#include "render/frame.hpp"
#include "render/halftone.hpp"
#include "temp_dir.hpp"
#include "test_error_util.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using test::message_of;
namespace fs = std::filesystem;

namespace {

using TempDir = viscode::test::TempDir;

cv::Mat flat(cv::Scalar bgr) {
  return cv::Mat(64, 64, CV_8UC3, bgr);
}

cv::Vec3b pixel_at_module(const cv::Mat& img, int px, int quiet, int x, int y, double fx = 0.5,
                          double fy = 0.5) {
  return img.at<cv::Vec3b>(static_cast<int>((y + quiet + fy) * px),
                           static_cast<int>((x + quiet + fx) * px));
}

}  // namespace

TEST_CASE("colours parse from hex and report contrast", "[render][options]") {
  CHECK(parse_color("#1a2B3c") == Rgb{0x1a, 0x2b, 0x3c});
  CHECK(parse_color("fff") == Rgb{255, 255, 255});
  CHECK(to_hex(Rgb{1, 2, 255}) == "#0102ff");
  CHECK(contrast_ratio(Rgb{0, 0, 0}, Rgb{255, 255, 255}) == Approx(21.0));
  CHECK(contrast_ratio(Rgb{255, 255, 255}, Rgb{255, 255, 255}) == Approx(1.0));
  CHECK(message_of([] { parse_color("zz"); }, ErrorCategory::usage) ==
        "colour 'zz' is not a hex colour: use #RRGGBB or #RGB, e.g. #1a2b3c");
  CHECK(message_of([] { parse_color("#12345g"); }, ErrorCategory::usage) ==
        "colour '#12345g' is not a hex colour: use #RRGGBB or #RGB, e.g. #1a2b3c");
}

TEST_CASE("render options are validated with the flag and the fix", "[render][options]") {
  RenderOptions o;
  o.strength = 1.5;
  CHECK(message_of([&] { validate(o); }, ErrorCategory::usage) ==
        "RenderOptions.strength must be between 0 and 1 (0 shows the most of the image, 1 scans "
        "best)");
  o = {};
  o.quiet = 41;
  CHECK(message_of([&] { validate(o); }, ErrorCategory::usage) ==
        "RenderOptions.quiet 41 is out of range: use 0..40 modules (4 is standard)");
  o = {};
  o.dark = parse_color("#777777");
  o.light = parse_color("#888888");
  CHECK(message_of([&] { validate(o); }, ErrorCategory::usage) ==
        "RenderOptions.dark #777777 and RenderOptions.light #888888 have a contrast ratio of "
        "1.3:1, below the 4.5:1 "
        "readers need: darken RenderOptions.dark or lighten RenderOptions.light");
  o = {};
  o.dark = Rgb{255, 255, 255};
  o.light = Rgb{0, 0, 0};
  CHECK(message_of([&] { validate(o); }, ErrorCategory::usage) ==
        "RenderOptions.dark #ffffff is lighter than RenderOptions.light #000000: swap them");
  // A brand navy on cream is allowed.
  o.dark = parse_color("#1a237e");
  o.light = parse_color("#fff8e1");
  CHECK_NOTHROW(validate(o));
  CHECK(parse_style("dots") == Style::dots);
  CHECK(message_of([] { parse_style("wavy"); }, ErrorCategory::usage) ==
        "RenderOptions.style wavy is not a style: use halftone, dots, center or plain");
}

TEST_CASE("lengths and output formats parse", "[render][options]") {
  CHECK(parse_length_mm("25mm") == Approx(25));
  CHECK(parse_length_mm("2.5cm") == Approx(25));
  CHECK(parse_length_mm("1in") == Approx(25.4));
  CHECK(parse_length_mm("30") == Approx(30));
  CHECK(message_of([] { parse_length_mm("10furlongs"); }, ErrorCategory::usage) ==
        "size '10furlongs' is not a length: use e.g. 25mm, 2.5cm or 1in");
  CHECK(message_of([] { parse_length_mm("0mm"); }, ErrorCategory::usage) ==
        "size '0mm' is out of range: use a length above 0 and at most 2000mm");
  CHECK(format_from_path("a/B.PNG") == Format::png);
  CHECK(format_from_path("x.svg") == Format::svg);
  CHECK(format_from_path("x.pdf") == Format::pdf);
  CHECK(message_of([] { format_from_path("code.gif"); }, ErrorCategory::usage) ==
        "output 'code.gif' has the unknown extension '.gif': use .png, .svg or .pdf");
  CHECK(message_of([] { format_from_path("code"); }, ErrorCategory::usage) ==
        "output 'code' has no extension: use .png, .svg or .pdf");
}

TEST_CASE("print geometry keeps modules on whole device pixels", "[render][output]") {
  const Symbol s = encode("HELLO", EncodeOptions{.ec = EcLevel::L, .min_version = 1});
  REQUIRE(s.size == 21);
  PrintOptions p;
  p.size_mm = 25;
  p.dpi = 600;
  // 25 mm at 600 dpi is 590.55 px over 29 modules: 20 px each, 580 px, 24.55 mm.
  OutputInfo info = plan_output(s, RenderOptions{}, p, Format::png);
  CHECK(info.module_px == 20);
  CHECK(info.image_px == 580);
  CHECK(info.size_mm == Approx(580 / 600.0 * 25.4));
  CHECK(info.size_mm <= 25.0);
  p = {};
  p.module_px = 7;
  info = plan_output(s, RenderOptions{}, p, Format::svg);
  CHECK(info.image_px == 29 * 7);
  CHECK(info.module_mm == Approx(7 / 600.0 * 25.4));
  p = {};
  p.size_mm = 2;
  CHECK(
      message_of([&] { plan_output(s, RenderOptions{}, p, Format::png); }, ErrorCategory::usage) ==
      "PrintOptions.size_mm 2.00mm at 600.00 dpi leaves under 2 pixels per module for this "
      "29-module "
      "code: use at least 2.46mm or a higher PrintOptions.dpi");
  p = {};
  p.dpi = 50;
  CHECK(message_of([&] { plan_output(s, RenderOptions{}, p, Format::png); },
                   ErrorCategory::usage) == "PrintOptions.dpi 50.00 is out of range: use 72..4800");
}

TEST_CASE("function patterns and module centres carry the symbol exactly", "[render][golden]") {
  // A mid-tone photo-like gradient: the image shows everywhere, the bits must still be exact.
  cv::Mat logo(200, 200, CV_8UC3);
  for (int y = 0; y < 200; ++y)
    for (int x = 0; x < 200; ++x) logo.at<cv::Vec3b>(y, x) = cv::Vec3b(x, (x + y) / 2, 255 - y);
  const Logo l = Logo::from_image(logo);
  for (Style style : {Style::halftone, Style::dots, Style::center, Style::plain}) {
    RenderOptions o;
    o.style = style;
    o.dark = parse_color("#101060");
    o.light = parse_color("#fffaf0");
    const Symbol s = design_symbol("https://brand.example/p/1", &l, EncodeOptions{}, o);
    const int px = 12;
    const cv::Mat img = render(s, &l, o, px);
    REQUIRE(img.cols == (s.size + 2 * o.quiet) * px);
    const cv::Vec3b dark(0x60, 0x10, 0x10), light(0xf0, 0xfa, 0xff);
    int checked = 0;
    for (int y = 0; y < s.size; ++y) {
      for (int x = 0; x < s.size; ++x) {
        const bool in_patch = style == Style::center && std::abs(x - s.size / 2) <= s.size / 4 &&
                              std::abs(y - s.size / 2) <= s.size / 4;
        if (in_patch) continue;  // the centre style's logo patch is checked elsewhere
        const cv::Vec3b want = s.is_dark(x, y) ? dark : light;
        INFO(to_string(style) << " module " << x << "," << y << " role "
                              << to_string(s.role(x, y)));
        if (style == Style::plain && !s.is_dark(x, y)) {
          CHECK(pixel_at_module(img, px, o.quiet, x, y) == light);
        } else if (s.is_function(x, y) || style != Style::halftone) {
          if (s.is_function(x, y) || style == Style::dots || s.is_dark(x, y)) {
            CHECK(pixel_at_module(img, px, o.quiet, x, y) == want);
          }
        } else {
          CHECK(pixel_at_module(img, px, o.quiet, x, y) == want);
        }
        if (s.is_function(x, y)) {
          // Whole function modules, corner to corner.
          CHECK(pixel_at_module(img, px, o.quiet, x, y, 0.05, 0.05) == want);
          CHECK(pixel_at_module(img, px, o.quiet, x, y, 0.95, 0.95) == want);
        }
        ++checked;
      }
    }
    CHECK(checked > s.size * s.size / 2);
    // Quiet zone: the light colour (logo area "symbol").
    CHECK(img.at<cv::Vec3b>(1, 1) == light);
  }
}

TEST_CASE("the halftone moves the image only where the bit disagrees", "[render][golden]") {
  // On a white image, light modules already agree: their surround stays white, while at full
  // strength every dark data module's surround is darkened. On black, the reverse. (At low
  // strengths the surround may stay on the wrong side: the centre alone carries the bit.)
  const Symbol s = encode("https://brand.example/p/1");
  RenderOptions o;
  o.strength = 1.0;
  for (const bool white : {true, false}) {
    const Logo l = Logo::from_image(flat(white ? cv::Scalar::all(255) : cv::Scalar::all(0)));
    const detail::ImageStats stats = detail::analyse_image(l, o, s.size);
    const detail::Halftone h = detail::halftone(s, stats, detail::dial(o), o);
    int agree = 0, moved = 0;
    for (int y = 0; y < s.size; ++y) {
      for (int x = 0; x < s.size; ++x) {
        if (s.is_function(x, y)) continue;
        const float shift = h.shifts.at<float>(y + o.quiet, x + o.quiet);
        if (s.is_dark(x, y) != white) {
          CHECK(shift == 0);
          ++agree;
        } else {
          CHECK((white ? shift < -1 : shift > 1));
          ++moved;
        }
      }
    }
    CHECK(agree > 100);
    CHECK(moved > 100);
  }
}

TEST_CASE("strength moves the image further from the logo", "[render][golden]") {
  const Symbol s = encode("https://brand.example/p/1");
  cv::Mat logo(128, 128, CV_8UC3);
  cv::randu(logo, 0, 255);
  cv::GaussianBlur(logo, logo, cv::Size(0, 0), 8);
  const Logo l = Logo::from_image(logo);
  double previous = -1;
  for (double strength : {0.0, 0.3, 0.6, 1.0}) {
    RenderOptions o;
    o.strength = strength;
    const detail::Dial d = detail::dial(o);
    const detail::Halftone h = detail::halftone(s, detail::analyse_image(l, o, s.size), d, o);
    const double total = cv::sum(cv::abs(h.shifts))[0];
    INFO("strength " << strength);
    CHECK(total > previous);
    previous = total;
  }
  CHECK(detail::dial(RenderOptions{.strength = 1.0}).centre >
        detail::dial(RenderOptions{.strength = 0.0}).centre);
}

TEST_CASE("the centre style's patch stays within the error-correction budget", "[render][center]") {
  for (EcLevel ec : {EcLevel::M, EcLevel::Q, EcLevel::H}) {
    for (int v : {2, 5, 10, 20}) {
      const Symbol s =
          encode("https://brand.example/p/1", EncodeOptions{.ec = ec, .min_version = v});
      const cv::Rect patch = detail::center_patch(s, 1.0, kDefaultStrength);
      const BlockLayout layout = block_layout(s.version, s.ec);
      const int allowed =
          static_cast<int>((1 - detail::kCenterReserve) * (layout.ec_per_block / 2));
      INFO("version " << v << " EC " << to_char(ec));
      REQUIRE_FALSE(patch.empty());
      CHECK(patch.width % 2 == 1);
      CHECK(patch.x * 2 + patch.width == s.size);  // centred
      for (int touched : detail::codewords_touched(s, patch)) CHECK(touched <= allowed);
      // One module more on each side would exceed the budget somewhere (or leave the symbol).
      const cv::Rect bigger(patch.x - 1, patch.y - 1, patch.width + 2, patch.height + 2);
      bool over = false;
      for (int touched : detail::codewords_touched(s, bigger)) over = over || touched > allowed;
      CHECK(over);
    }
  }
  // Wide logos get wide patches.
  const Symbol s = encode("https://brand.example/p/1", EncodeOptions{.min_version = 10});
  const cv::Rect wide = detail::center_patch(s, 3.0, kDefaultStrength);
  CHECK(wide.width > 2 * wide.height);
}

TEST_CASE("the centre style's strength sets the patch's share of the budget", "[render][center]") {
  CHECK(detail::center_reserve(kDefaultStrength) == detail::kCenterReserve);
  CHECK(detail::center_reserve(0.0) == 0.0);
  CHECK(detail::center_reserve(1.0) == Approx(0.9));
  const Symbol s =
      encode("https://brand.example/p/1", EncodeOptions{.ec = EcLevel::H, .min_version = 10});
  int last = s.size;
  for (const double strength : {0.0, 0.3, 0.6, 1.0}) {
    const cv::Rect patch = detail::center_patch(s, 1.0, strength);
    INFO("strength " << strength << ": " << patch.width << " modules");
    CHECK(patch.width <= last);
    last = patch.width;
    const BlockLayout layout = block_layout(s.version, s.ec);
    const int allowed =
        static_cast<int>((1 - detail::center_reserve(strength)) * (layout.ec_per_block / 2));
    for (int touched : detail::codewords_touched(s, patch)) CHECK(touched <= allowed);
  }
  CHECK(detail::center_patch(s, 1.0, 1.0).width < detail::center_patch(s, 1.0, 0.0).width);
}

TEST_CASE("the image-aware mask is the eligible mask the image agrees with best",
          "[render][mask]") {
  cv::Mat logo(256, 256, CV_8UC3);
  cv::randu(logo, 0, 255);
  cv::GaussianBlur(logo, logo, cv::Size(0, 0), 12);
  cv::normalize(logo, logo, 0, 255, cv::NORM_MINMAX);
  const Logo l = Logo::from_image(logo);
  RenderOptions o;
  const Symbol base = encode("https://v.brand.example/a/7KQ2M9X4PZ8R3T6W");
  const Symbol chosen = choose_mask(base, l, o);
  const auto stats = detail::analyse_image(l, o, base.size);
  const auto cost = detail::disagreement(chosen, stats, detail::dial(o), o);
  int best_n3 = 1 << 30;
  for (int m = 0; m < 8; ++m) best_n3 = std::min(best_n3, penalty(with_mask(base, m)).n3);
  CHECK(penalty(chosen).n3 <= best_n3 + 80);
  for (int m = 0; m < 8; ++m) {
    const Symbol other = with_mask(base, m);
    if (penalty(other).n3 > best_n3 + 80) continue;
    INFO("mask " << m);
    CHECK(cost.modules <= detail::disagreement(other, stats, detail::dial(o), o).modules);
  }
  // A forced mask is kept.
  const Symbol forced = design_symbol("https://brand.example/p/1", &l, EncodeOptions{.mask = 3}, o);
  CHECK(forced.mask == 3);
}

TEST_CASE("output files carry their format, DPI and identical bytes", "[render][output]") {
  const Logo l = Logo::from_image(flat(cv::Scalar(40, 120, 200)));
  RenderOptions o;
  const Symbol s = design_symbol("https://brand.example/p/1", &l, EncodeOptions{}, o);
  const Symbol other = design_symbol("https://brand.example/p/2", &l, EncodeOptions{}, o);
  PrintOptions p;
  p.size_mm = 25;
  p.dpi = 600;
  const auto png = render_file(s, &l, o, p, Format::png);
  REQUIRE(png.size() > 100);
  CHECK(std::memcmp(png.data(), "\x89PNG", 4) == 0);
  // pHYs right after IHDR: 600 dpi = 23622 px/m, unit metre.
  CHECK(std::memcmp(png.data() + 37, "pHYs", 4) == 0);
  const std::uint32_t ppm = (png[41] << 24) | (png[42] << 16) | (png[43] << 8) | png[44];
  CHECK(ppm == 23622);
  CHECK(png[49] == 1);
  const cv::Mat decoded = cv::imdecode(png, cv::IMREAD_COLOR);
  CHECK(decoded.cols == plan_output(s, o, p, Format::png).image_px);

  for (Format f : {Format::png, Format::svg, Format::pdf}) {
    const auto first = render_file(s, &l, o, p, f);
    (void)render_file(other, &l, o, p, f);  // Cairo's counters move on in between
    const auto again = render_file(s, &l, o, p, f);
    CHECK(first == again);
  }
  const auto svg = render_file(s, &l, o, p, Format::svg);
  const std::string svg_text(svg.begin(), svg.end());
  CHECK(svg_text.rfind("<?xml", 0) == 0);
  CHECK(svg_text.find("width=\"") != std::string::npos);
  // Same physical size as the PNG: 580 px at 600 dpi... in points.
  const OutputInfo info = plan_output(s, o, p, Format::svg);
  char size[64];
  std::snprintf(size, sizeof size, "width=\"%gpt\"", info.size_mm / 25.4 * 72);
  CHECK(svg_text.find(size) != std::string::npos);
  // The image is embedded once.
  std::size_t images = 0;
  for (std::size_t at = 0; (at = svg_text.find("<image", at)) != std::string::npos; ++at) ++images;
  CHECK(images == 1);
  const auto pdf = render_file(s, &l, o, p, Format::pdf);
  CHECK(std::memcmp(pdf.data(), "%PDF", 4) == 0);
}

TEST_CASE("write() is atomic and names a missing directory", "[render][output]") {
  TempDir dir;
  const Symbol s = encode("hello");
  const fs::path out = dir.path / "code.png";
  const OutputInfo info =
      write(s, nullptr, RenderOptions{.style = Style::plain}, PrintOptions{}, out);
  CHECK(fs::exists(out));
  CHECK(info.format == Format::png);
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path)) files += e.is_regular_file();
  CHECK(files == 1);  // no temporary left beside it
  const fs::path missing = dir.path / "nope" / "code.png";
  CHECK(message_of([&] { write(s, nullptr, RenderOptions{}, PrintOptions{}, missing); },
                   ErrorCategory::input) ==
        "output directory '" + (dir.path / "nope").string() +
            "' does not exist: create it or choose another write(file)");
  CHECK_FALSE(fs::exists(missing));
}

TEST_CASE("bad logo files give one clear message each", "[render][logo]") {
  TempDir dir;
  const auto file = [&](const std::string& name, const std::string& bytes) {
    const fs::path p = dir.path / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  };
  const fs::path none = dir.path / "none.png";
  CHECK(message_of([&] { Logo::load(none); }, ErrorCategory::input) ==
        "logo file '" + none.string() +
            "' does not exist: check the path given to Logo::load(file)");
  CHECK(message_of([&] { Logo::load(dir.path); }, ErrorCategory::input) ==
        "logo '" + dir.path.string() + "' is a directory: give an image file to Logo::load(file)");
  const fs::path empty = file("empty.png", "");
  CHECK(message_of([&] { Logo::load(empty); }, ErrorCategory::input) ==
        "logo file '" + empty.string() + "' is empty: export the logo again (PNG, JPEG or SVG)");
  const fs::path corrupt = file("corrupt.png", "\x89PNG\r\n\x1a\nthis is not a png at all");
  CHECK(message_of([&] { Logo::load(corrupt); }, ErrorCategory::input) ==
        "logo file '" + corrupt.string() +
            "' is not a readable image (corrupt or unsupported format): use PNG, JPEG or SVG");
  const fs::path bad_svg = file("bad.svg", "not xml at all");
  const std::string m = message_of([&] { Logo::load(bad_svg); }, ErrorCategory::input);
  CHECK(m.rfind("logo file '" + bad_svg.string() + "' is not a readable SVG (", 0) == 0);
  CHECK(m.find("): fix the file or export it as PNG") != std::string::npos);

  const fs::path good = file("good.svg",
                             "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 20 10'>"
                             "<rect width='20' height='10' fill='#c00'/></svg>");
  const Logo l = Logo::load(good);
  CHECK(l.is_vector());
  CHECK(l.width() == 2 * l.height());
  const cv::Mat r = l.raster(40, 20);
  CHECK(r.at<cv::Vec4b>(10, 20) == cv::Vec4b(0, 0, 0xcc, 255));
}

TEST_CASE("render_logo_frame places the image where render() does", "[render][golden]") {
  const Symbol s = encode("hello");
  cv::Mat logo(50, 100, CV_8UC3, cv::Scalar(0, 0, 255));  // wide red
  const Logo l = Logo::from_image(logo);
  RenderOptions o;
  o.fit = Fit::contain;
  const int px = 4;
  const cv::Mat frame = render_logo_frame(s, l, o, px);
  const int side = (s.size + 2 * o.quiet) * px;
  REQUIRE(frame.cols == side);
  // Contained: red across the middle row of the symbol, light above the letterbox.
  CHECK(frame.at<cv::Vec3b>(side / 2, side / 2) == cv::Vec3b(0, 0, 255));
  CHECK(frame.at<cv::Vec3b>((o.quiet + 1) * px, side / 2) == cv::Vec3b(255, 255, 255));
  o.fit = Fit::cover;
  const cv::Mat covered = render_logo_frame(s, l, o, px);
  CHECK(covered.at<cv::Vec3b>((o.quiet + 1) * px, side / 2) == cv::Vec3b(0, 0, 255));
  CHECK(covered.at<cv::Vec3b>(1, 1) == cv::Vec3b(255, 255, 255));  // quiet zone
  o.logo_area = LogoArea::full;
  CHECK(render_logo_frame(s, l, o, px).at<cv::Vec3b>(1, 1) == cv::Vec3b(0, 0, 255));
}

// A contained wordmark spans the symbol; the timing column would cut through its letters.
TEST_CASE("contain keeps a wide logo off the function patterns where that keeps it large",
          "[render][golden]") {
  EncodeOptions eo;
  eo.min_version = 4;
  const Symbol s = encode("hello", eo);
  RenderOptions o;
  o.fit = Fit::contain;
  const Logo wide = Logo::from_image(cv::Mat(300, 1200, CV_8UC3, cv::Scalar(0, 0, 255)));
  const detail::Placement p = detail::place_image(wide, o, s.size);
  // Plain contain would give 33 x 8.25 modules; the clear box right of the timing column,
  // 26 x 6.5, is more than half of that.
  CHECK(p.image.width == Approx(26));
  CHECK(p.image.height == Approx(6.5));
  const std::vector<std::uint8_t> function = detail::function_mask(s.version);
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) {
      const cv::Rect2d cell(x + o.quiet, y + o.quiet, 1, 1);
      if (function[static_cast<std::size_t>(y * s.size + x)] == 0) continue;
      INFO("function module " << x << "," << y);
      CHECK((cell & p.image).area() < 1e-9);
    }
  }
  // Vertically centred in the symbol.
  CHECK(p.image.y + p.image.height / 2 == Approx(o.quiet + s.size / 2.0));

  // A square logo would shrink to a fifth of its size off the patterns: it stays whole.
  const Logo square = Logo::from_image(cv::Mat(100, 100, CV_8UC3, cv::Scalar(0, 0, 255)));
  const detail::Placement q = detail::place_image(square, o, s.size);
  CHECK(q.image == cv::Rect2d(o.quiet, o.quiet, s.size, s.size));
}

TEST_CASE("logo_cut_share counts the content a cover crop loses, not the margin",
          "[render][golden]") {
  const Symbol s = encode("hello");
  RenderOptions o;
  cv::Mat bars(300, 1200, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int k = 0; k < 12; ++k) {
    cv::rectangle(bars, cv::Rect(20 + 100 * k, 60, 60, 180), cv::Scalar(0, 0, 0), cv::FILLED);
  }
  CHECK(logo_cut_share(Logo::from_image(bars), o, s.size) == Approx(0.75).margin(0.01));
  o.fit = Fit::contain;
  CHECK(logo_cut_share(Logo::from_image(bars), o, s.size) == Approx(0).margin(1e-9));
  CHECK(design_warnings(nullptr, o, s.size).empty());
  // Wide white margins around a centred mark: cover cuts only white.
  o.fit = Fit::cover;
  cv::Mat mark(300, 1200, CV_8UC3, cv::Scalar(255, 255, 255));
  cv::circle(mark, cv::Point(600, 150), 100, cv::Scalar(0, 0, 0), cv::FILLED);
  CHECK(logo_cut_share(Logo::from_image(mark), o, s.size) == Approx(0).margin(1e-9));
  CHECK(design_warnings(nullptr, o, s.size).empty());
  const Logo mark_logo = Logo::from_image(mark);
  CHECK(design_warnings(&mark_logo, o, s.size).empty());
}
