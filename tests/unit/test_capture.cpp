// Capture simulation: each stage measured for its physical effect, the presets, the checks,
// and plain codes read back through the named severities.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <opencv2/imgproc.hpp>
#include <set>
#include <thread>

#include "capture/stages.hpp"
#include "test_error_util.hpp"
#include "viscode/capture.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using test::message_of;

namespace {

struct Artwork {
  Symbol symbol;
  cv::Mat art;  // 10 px per module, quiet zone 4
  int total = 0;
};

Artwork plain_code(const std::string& text, EcLevel ec, int version) {
  Artwork c;
  c.symbol = encode(text, {.ec = ec, .min_version = version, .max_version = version});
  RenderOptions ro;
  ro.style = Style::plain;
  c.art = render(c.symbol, nullptr, ro, 10);
  c.total = c.symbol.size + 8;
  return c;
}

// A white sheet of `modules` x `modules` at 10 px per module with black rectangles, given in
// modules (x, y, w, h).
cv::Mat sheet_with(int modules, const std::vector<cv::Rect>& dark) {
  cv::Mat art(modules * 10, modules * 10, CV_8UC3, cv::Scalar::all(255));
  for (const cv::Rect& r : dark) {
    art(cv::Rect(r.x * 10, r.y * 10, r.width * 10, r.height * 10)).setTo(cv::Scalar::all(0));
  }
  return art;
}

CaptureOptions sharp(double px_per_module) {
  CaptureOptions o;
  o.input_module_px = 10;
  o.px_per_module = px_per_module;
  return o;
}

double mean_side(const Decoded& d) {
  double side = 0;
  for (std::size_t i = 0; i < 4; ++i) side += cv::norm(d.corners[(i + 1) % 4] - d.corners[i]);
  return side / 4;
}

std::vector<double> grey_row(const cv::Mat& bgr, int y) {
  std::vector<double> v;
  for (int x = 0; x < bgr.cols; ++x) {
    const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
    v.push_back((p[0] + p[1] + p[2]) / 3.0);
  }
  return v;
}

std::vector<double> grey_column(const cv::Mat& bgr, int x) {
  std::vector<double> v;
  for (int y = 0; y < bgr.rows; ++y) {
    const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
    v.push_back((p[0] + p[1] + p[2]) / 3.0);
  }
  return v;
}

// Width, in samples, of the 10%-90% rise of the first falling edge from white (255) to
// black (0) at or after `from`, crossings interpolated linearly.
double edge_width(const std::vector<double>& v, std::size_t from) {
  auto crossing = [&](double level) {
    for (std::size_t i = from; i + 1 < v.size(); ++i) {
      if (v[i] >= level && v[i + 1] < level) {
        return static_cast<double>(i) + (v[i] - level) / (v[i] - v[i + 1]);
      }
    }
    return -1.0;
  };
  return crossing(0.1 * 255) - crossing(0.9 * 255);
}

// Ink along [x0, x1) of a row, in pixels of full density.
double ink(const std::vector<double>& v, int x0, int x1) {
  double sum = 0;
  for (int x = x0; x < x1; ++x) sum += 1.0 - v[static_cast<std::size_t>(x)] / 255.0;
  return sum;
}

// The outline of the light sheet on the grey surround, as a quadrilateral.
std::vector<cv::Point> outline(const cv::Mat& bgr) {
  cv::Mat grey, mask;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::threshold(grey, mask, 228, 255, cv::THRESH_BINARY);
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  REQUIRE(!contours.empty());
  const auto largest = std::max_element(
      contours.begin(), contours.end(),
      [](const auto& a, const auto& b) { return cv::contourArea(a) < cv::contourArea(b); });
  std::vector<cv::Point> quad;
  cv::approxPolyDP(*largest, quad, 0.02 * cv::arcLength(*largest, true), true);
  REQUIRE(quad.size() == 4);
  return quad;
}

// Length of the quadrilateral's edge whose two corners are extreme along `dir` (the two
// corners with the largest projection).
double edge_towards(const std::vector<cv::Point>& quad, cv::Point2d dir) {
  std::vector<cv::Point2d> p(quad.begin(), quad.end());
  std::sort(p.begin(), p.end(),
            [&](const cv::Point2d& a, const cv::Point2d& b) { return a.dot(dir) > b.dot(dir); });
  return cv::norm(p[0] - p[1]);
}

bool identical(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

const std::string kPayload = "https://viscode.example/p/0001";

}  // namespace

TEST_CASE("capture: the code spans px_per_module per module", "[capture][optics]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  for (const double px : {3.0, 4.5, 6.0, 7.3, 12.0}) {
    CAPTURE(px);
    const cv::Mat shot = simulate_capture(code.art, sharp(px), 1);
    const std::vector<Decoded> found = read_codes(shot);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == kPayload);
    CHECK(mean_side(found[0]) / code.symbol.size == Approx(px).epsilon(0.02));
    // The frame: the code and quiet zone plus 3 modules + 8 px of surround on each side.
    const double expected = code.total * px + 2 * (3 * px + 8);
    CHECK(std::abs(shot.cols - expected) <= 2);
    CHECK(std::abs(shot.rows - expected) <= 2);
    CHECK(shot.type() == CV_8UC3);
    CHECK(shot.at<cv::Vec3b>(0, 0) == cv::Vec3b(200, 200, 200));  // the pack
  }
}

TEST_CASE("capture: print puts module edges on the printer's dots", "[capture][print]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  const cv::Mat bgr = detail::artwork_bgr(code.art);
  // A row through the horizontal timing pattern: modules alternate along it.
  const int timing_row_module = 4 + 6;
  auto runs = [&](const detail::Sheet& sheet, double dots_per_module) {
    const int y = static_cast<int>((timing_row_module + 0.5) * dots_per_module);
    const std::vector<double> v = grey_row(sheet.image, y);
    std::vector<int> edges;  // dot index where the colour changes
    for (std::size_t x = 1; x < v.size(); ++x) {
      if (v[x] != v[x - 1]) edges.push_back(static_cast<int>(x));
    }
    return edges;
  };

  SECTION("0.5 mm at 600 dpi: 11.81 dots a module, 11 or 12 each") {
    const double dpm = 0.5 * 600 / 25.4;
    const detail::Sheet sheet = detail::print(bgr, 10, 0.5, 600);
    CHECK(sheet.dots_per_cell == 1);
    CHECK(sheet.image.cols == std::lround(code.total * dpm));
    CHECK(sheet.image.rows == std::lround(code.total * dpm));
    CHECK(sheet.modules_x == Approx(code.total).margin(0.05));
    // Every dot is ink or paper: nothing falls between.
    cv::Mat grey;
    cv::cvtColor(sheet.image, grey, cv::COLOR_BGR2GRAY);
    CHECK(cv::countNonZero((grey > 0) & (grey < 255)) == 0);
    // Timing modules 8..size-9 (between the finders' separators) alternate: every edge at
    // round(i * 11.81) dots, 11 or 12 apart.
    const std::vector<int> edges = runs(sheet, dpm);
    std::vector<int> expected;
    for (int m = 4 + 8; m <= 4 + code.symbol.size - 8; ++m) {
      expected.push_back(static_cast<int>(std::lround(m * dpm)));
    }
    std::vector<int> inner;
    for (const int e : edges) {
      if (e >= expected.front() && e <= expected.back()) inner.push_back(e);
    }
    CHECK(inner == expected);
    std::set<int> widths;
    for (std::size_t i = 1; i < inner.size(); ++i) widths.insert(inner[i] - inner[i - 1]);
    CHECK(widths == std::set<int>{11, 12});
  }

  SECTION("0.508 mm at 600 dpi: exactly 12 dots a module") {
    const detail::Sheet sheet = detail::print(bgr, 10, 0.508, 600);
    CHECK(sheet.image.cols == code.total * 12);
    const std::vector<int> edges = runs(sheet, 12);
    for (const int e : edges) CHECK(e % 12 == 0);
  }

  SECTION("a fine printer is averaged over cells of several dots") {
    // 2 mm at 2400 dpi is 189 dots a module: cells of 8 dots, 23.6 cells a module.
    const detail::Sheet sheet = detail::print(bgr, 10, 2, 2400);
    CHECK(sheet.dots_per_cell == 8);
    CHECK(sheet.cells_per_module() == Approx(2 * 2400 / 25.4 / 8).epsilon(0.01));
    CHECK(sheet.modules_x == Approx(code.total).margin(0.05));
  }

  SECTION("the printed code is read, at any module size") {
    for (const double mm : {0.25, 0.33, 0.5, 1.2}) {
      CAPTURE(mm);
      CaptureOptions o = sharp(5);
      o.print_module_mm = mm;
      const std::vector<Decoded> found = read_codes(simulate_capture(code.art, o, 1));
      REQUIRE(found.size() == 1);
      CHECK(found[0].text == kPayload);
      CHECK(mean_side(found[0]) / code.symbol.size == Approx(5).epsilon(0.02));
    }
  }
}

TEST_CASE("capture: area resampling keeps the mean and shows the surround", "[capture][print]") {
  // 3 input pixels of 30, 60, 90 onto 4 output pixels from -0.5 to 3.5: a quarter of the
  // first and last output pixels lies beyond the input, in the grey surround.
  const detail::Taps taps = detail::box_taps(3, {-0.5, 0.5, 1.5, 2.5, 3.5});
  REQUIRE(taps.size() == 4);
  cv::Mat row(1, 3, CV_8UC3);
  row.at<cv::Vec3b>(0, 0) = cv::Vec3b::all(30);
  row.at<cv::Vec3b>(0, 1) = cv::Vec3b::all(60);
  row.at<cv::Vec3b>(0, 2) = cv::Vec3b::all(90);
  const detail::Taps one = detail::box_taps(1, {0, 1});
  const cv::Mat out = detail::resample(row, taps, one);
  REQUIRE(out.size() == cv::Size(4, 1));
  CHECK(out.at<cv::Vec3b>(0, 0)[0] == 115);  // (200 + 30) / 2
  CHECK(out.at<cv::Vec3b>(0, 1)[0] == 45);
  CHECK(out.at<cv::Vec3b>(0, 2)[0] == 75);
  CHECK(out.at<cv::Vec3b>(0, 3)[0] == 145);  // (90 + 200) / 2
  // Composed: the same pixels through a 2x enlargement, then halved again.
  const detail::Taps twice = detail::box_taps(3, {0, 0.5, 1, 1.5, 2, 2.5, 3});
  const detail::Taps halve = detail::box_taps(6, {-1, 1, 3, 5, 7});
  const cv::Mat composed = detail::resample(row, detail::compose(twice, 3, halve), one);
  CHECK(identical(composed, out));
}

TEST_CASE("capture: ink spread grows dark areas by the spread on every edge", "[capture][ink]") {
  // A bar 3 modules wide and a light gap of 1 module beside a second bar.
  const cv::Mat art = sheet_with(24, {{6, 2, 3, 20}, {10, 2, 3, 20}});
  const cv::Mat bgr = detail::artwork_bgr(art);
  const std::vector<double> spreads = {0.0, 0.1, 0.17, 0.25};
  // At print resolution. The bar is a whole number of dots, round(6 * 11.81) to
  // round(9 * 11.81); ink adds spread of a module on each side.
  for (const double spread : spreads) {
    CAPTURE(spread);
    detail::Sheet sheet = detail::print(bgr, 10, 0.5, 600);
    detail::spread_ink(sheet, spread);
    const double cpm = sheet.cells_per_module();
    const std::vector<double> row = grey_row(sheet.image, sheet.image.rows / 2);
    const auto at = [&](double module) { return static_cast<int>(std::lround(module * cpm)); };
    // The first bar's ink (up to the middle of the gap).
    CHECK(ink(row, at(3), at(9.5)) / cpm ==
          Approx((at(9) - at(6)) / cpm + 2 * spread).margin(0.02));
    // The light gap loses spread on each side.
    CHECK((at(10) - at(9) - ink(row, at(9), at(10))) / cpm ==
          Approx((at(10) - at(9)) / cpm - 2 * spread).margin(0.02));
  }
  // Through a sharp camera at 10 px per module: the sheet starts at 3 modules + 8 px of
  // surround; the bar spans 30 px of it, 30-95 px takes it and half the gap.
  std::vector<double> bar;
  for (const double spread : spreads) {
    CaptureOptions o = sharp(10);
    o.ink_spread = spread;
    const std::vector<double> row = grey_row(simulate_capture(art, o, 1), 100);
    bar.push_back(ink(row, 38 + 30, 38 + 95) / 10);
  }
  for (std::size_t i = 0; i < spreads.size(); ++i) {
    CAPTURE(spreads[i]);
    CHECK(bar[i] - bar[0] == Approx(2 * spreads[i]).margin(0.02));
  }
  CHECK(bar[0] == Approx(3).margin(0.05));
}

TEST_CASE("capture: defocus widens edges with its sigma", "[capture][optics]") {
  const cv::Mat art = sheet_with(30, {{10, 10, 10, 10}});
  std::vector<double> widths;
  for (const double sigma : {0.0, 1.5, 3.0}) {
    CAPTURE(sigma);
    CaptureOptions o = sharp(10);
    o.defocus_sigma_px = sigma;
    const cv::Mat shot = simulate_capture(art, o, 1);
    // Row through the square's middle, from the sheet's left white into the square.
    const double w = edge_width(grey_row(shot, shot.rows / 2), 38 + 50);
    widths.push_back(w);
    if (sigma == 0) {
      CHECK(w < 1.5);
    } else {
      // A Gaussian's 10-90% width is 2.563 sigma (the pixels add a little).
      CHECK(w == Approx(2.563 * sigma).epsilon(0.15));
    }
  }
  CHECK(widths[0] < widths[1]);
  CHECK(widths[1] < widths[2]);
}

TEST_CASE("capture: motion blur smears along its angle and not across", "[capture][optics]") {
  const cv::Mat art = sheet_with(30, {{10, 10, 10, 10}});
  const int centre = 38 + 150;
  for (const double angle : {0.0, 90.0}) {
    CAPTURE(angle);
    CaptureOptions o = sharp(10);
    o.motion_px = 12;
    o.motion_angle_deg = angle;
    const cv::Mat shot = simulate_capture(art, o, 1);
    const double across_x = edge_width(grey_row(shot, centre), 38 + 50);     // left edge
    const double across_y = edge_width(grey_column(shot, centre), 38 + 50);  // top edge
    // A box smear of 12 px rises from 10% to 90% over 80% of its length.
    const double along = angle == 0 ? across_x : across_y;
    const double other = angle == 0 ? across_y : across_x;
    CHECK(along == Approx(0.8 * 12).margin(1.0));
    CHECK(other < 1.5);
  }
}

TEST_CASE("capture: tilt gives the far/near edge ratio asked and keeps the area",
          "[capture][optics]") {
  const cv::Mat art = sheet_with(30, {{12, 12, 6, 6}});  // a white sheet, 30 modules
  const double px = 8, side = 30 * px;
  struct Case {
    double tilt, angle;
    cv::Point2d far;
  };
  for (const Case c : {Case{0.0, 0, {1, 0}}, Case{0.3, 0, {1, 0}}, Case{0.3, 90, {0, 1}},
                       Case{0.5, 180, {-1, 0}}, Case{0.6, 270, {0, -1}}}) {
    CAPTURE(c.tilt, c.angle);
    CaptureOptions o = sharp(px);
    o.tilt = c.tilt;
    o.tilt_angle_deg = c.angle;
    const std::vector<cv::Point> quad = outline(simulate_capture(art, o, 1));
    const double far = edge_towards(quad, c.far), near = edge_towards(quad, -c.far);
    CHECK(far / near == Approx(1 - c.tilt).margin(0.02));
    CHECK(cv::contourArea(quad) == Approx(side * side).epsilon(0.02));
  }
}

TEST_CASE("capture: rotation turns the code counter-clockwise by the angle", "[capture][optics]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  for (const double angle : {0.0, 30.0, -75.0, 135.0, 180.0}) {
    CAPTURE(angle);
    CaptureOptions o = sharp(6);
    o.rotation_deg = angle;
    const std::vector<Decoded> found = read_codes(simulate_capture(code.art, o, 1));
    REQUIRE(found.size() == 1);
    CHECK(!found[0].mirrored);
    const cv::Point2f top = found[0].corners[1] - found[0].corners[0];  // along the top edge
    // Counter-clockwise as displayed: y grows downwards.
    const double seen = std::atan2(-top.y, top.x) * 180 / CV_PI;
    double diff = std::fmod(seen - angle + 540.0, 360.0) - 180.0;
    CHECK(std::abs(diff) < 1.0);
    CHECK(mean_side(found[0]) / code.symbol.size == Approx(6).epsilon(0.02));
  }
}

TEST_CASE("capture: the light gradient darkens one side by the fraction asked",
          "[capture][lighting]") {
  const cv::Mat art = sheet_with(20, {});
  for (const double angle : {0.0, 90.0, 180.0}) {
    CAPTURE(angle);
    CaptureOptions o = sharp(6);
    o.gradient = 0.4;
    o.gradient_angle_deg = angle;
    const cv::Mat shot = simulate_capture(art, o, 1);
    // The surround, lit as the pack is: 200 at the bright side, 200 * 0.6 at the dark one.
    const int w = shot.cols - 1, h = shot.rows - 1;
    const cv::Vec3b bright = angle == 0    ? shot.at<cv::Vec3b>(h / 2, 0)
                             : angle == 90 ? shot.at<cv::Vec3b>(0, w / 2)
                                           : shot.at<cv::Vec3b>(h / 2, w);
    const cv::Vec3b dark = angle == 0    ? shot.at<cv::Vec3b>(h / 2, w)
                           : angle == 90 ? shot.at<cv::Vec3b>(h, w / 2)
                                         : shot.at<cv::Vec3b>(h / 2, 0);
    for (int c = 0; c < 3; ++c) {
      CHECK(std::abs(bright[c] - 200) <= 1);
      CHECK(std::abs(dark[c] - 120) <= 1);
    }
  }
}

TEST_CASE("capture: a colour cast scales each channel", "[capture][lighting]") {
  const cv::Mat art = sheet_with(20, {{5, 5, 10, 10}});
  CaptureOptions o = sharp(6);
  o.colour_cast = {0.85, 0.95, 1.05};
  const cv::Mat shot = simulate_capture(art, o, 1);
  CHECK(shot.at<cv::Vec3b>(0, 0) == cv::Vec3b(170, 190, 210));  // the grey pack
  // White paper: red saturates, as a sensor clips.
  CHECK(shot.at<cv::Vec3b>(38 + 10, 38 + 10) == cv::Vec3b(217, 242, 255));
  CHECK(shot.at<cv::Vec3b>(shot.rows / 2, shot.cols / 2) == cv::Vec3b(0, 0, 0));  // ink
}

TEST_CASE("capture: sensor noise has the sigma asked", "[capture][sensor]") {
  const cv::Mat art = sheet_with(40, {});
  for (const double sigma : {3.0, 8.0}) {
    CAPTURE(sigma);
    CaptureOptions o = sharp(6);
    o.noise_sigma = sigma;
    const cv::Mat shot = simulate_capture(art, o, 7);
    // The surround above the sheet is flat grey 200.
    const cv::Mat band = shot(cv::Rect(0, 0, shot.cols, 24));
    cv::Scalar mean, stddev;
    cv::meanStdDev(band, mean, stddev);
    for (int c = 0; c < 3; ++c) {
      CHECK(mean[c] == Approx(200).margin(0.3));
      CHECK(stddev[c] == Approx(sigma).epsilon(0.05));
    }
  }
}

TEST_CASE("capture: JPEG changes the pixels, not the size", "[capture][sensor]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  CaptureOptions o = sharp(6);
  o.rotation_deg = 20;
  const cv::Mat raw = simulate_capture(code.art, o, 1);
  double previous = 0;
  for (const int quality : {95, 60, 20}) {
    CAPTURE(quality);
    o.jpeg_quality = quality;
    const cv::Mat shot = simulate_capture(code.art, o, 1);
    CHECK(shot.size() == raw.size());
    CHECK(shot.type() == CV_8UC3);
    const double error = cv::norm(shot, raw, cv::NORM_L1) / static_cast<double>(raw.total() * 3);
    CHECK(error > previous);  // lower quality, further from the raw frame
    CHECK(error < 6);
    previous = error;
  }
}

TEST_CASE("capture: deterministic, and the seed drives only the noise", "[capture]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  CaptureOptions o = capture_preset(Severity::hard, 5);
  o.input_module_px = 10;
  const cv::Mat a = simulate_capture(code.art, o, 11);
  CHECK(identical(a, simulate_capture(code.art, o, 11)));
  const cv::Mat b = simulate_capture(code.art, o, 12);
  CHECK(a.size() == b.size());
  CHECK(!identical(a, b));
  // Another seed differs by noise alone: on the pack (no clipping), without JPEG, the
  // difference of two captures is zero-mean with sqrt(2) times the noise's sigma.
  {
    CaptureOptions raw = o;
    raw.jpeg_quality = 0;
    cv::Mat d;
    cv::subtract(simulate_capture(code.art, raw, 11), simulate_capture(code.art, raw, 12), d,
                 cv::noArray(), CV_32F);
    cv::Scalar mean, stddev;
    const cv::Rect strip(0, 0, d.cols, 16);
    cv::meanStdDev(d(strip), mean, stddev);
    // Four standard errors of the mean of strip.area() differences.
    const double bound = 4 * std::sqrt(2.0) * o.noise_sigma / std::sqrt(strip.area());
    for (int c = 0; c < 3; ++c) {
      CHECK(std::abs(mean[c]) < bound);
      CHECK(stddev[c] == Approx(std::sqrt(2.0) * o.noise_sigma).epsilon(0.08));
    }
  }
  // Without noise the seed changes nothing.
  o.noise_sigma = 0;
  CHECK(identical(simulate_capture(code.art, o, 11), simulate_capture(code.art, o, 12)));
  // The same on several threads at once.
  o.noise_sigma = 8;
  std::vector<cv::Mat> shots(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < shots.size(); ++i) {
    threads.emplace_back([&, i] { shots[i] = simulate_capture(code.art, o, 11); });
  }
  for (std::thread& t : threads) t.join();
  for (const cv::Mat& s : shots) CHECK(identical(s, a));
}

TEST_CASE("capture: presets draw within their ranges, the same for a seed", "[capture][presets]") {
  for (const Severity s : all_severities()) {
    CAPTURE(std::string(to_string(s)));
    double min_rotation = 1e9, max_rotation = -1e9, max_tilt = 0, max_gradient = 0;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
      const CaptureOptions o = capture_preset(s, seed);
      const CaptureOptions again = capture_preset(s, seed);
      CHECK(o.rotation_deg == again.rotation_deg);
      CHECK(o.tilt == again.tilt);
      CHECK(o.tilt_angle_deg == again.tilt_angle_deg);
      CHECK(o.gradient == again.gradient);
      CHECK(o.gradient_angle_deg == again.gradient_angle_deg);
      CHECK(o.motion_px == again.motion_px);
      CHECK(o.colour_cast == again.colour_cast);
      CHECK_NOTHROW(detail::validate(o));
      // Print size and DPI are left to the caller; no preset spreads ink.
      CHECK(o.print_module_mm == CaptureOptions{}.print_module_mm);
      CHECK(o.print_dpi == CaptureOptions{}.print_dpi);
      CHECK(o.ink_spread == 0);
      CHECK(o.input_module_px == 0);
      min_rotation = std::min(min_rotation, o.rotation_deg);
      max_rotation = std::max(max_rotation, o.rotation_deg);
      max_tilt = std::max(max_tilt, o.tilt);
      max_gradient = std::max(max_gradient, o.gradient);
      switch (s) {
        case Severity::pristine:
          CHECK(o.px_per_module == 10);
          CHECK(o.rotation_deg == 0);
          CHECK(o.defocus_sigma_px == 0);
          CHECK(o.noise_sigma == 0);
          CHECK(o.jpeg_quality == 0);
          CHECK(o.tilt == 0);
          CHECK(o.gradient == 0);
          CHECK(o.motion_px == 0);
          CHECK(o.colour_cast == cv::Vec3d(1, 1, 1));
          break;
        case Severity::mild:
          CHECK(o.px_per_module == 6);
          CHECK(o.defocus_sigma_px == 0.6);
          CHECK(std::abs(o.rotation_deg) <= 10);
          CHECK(o.jpeg_quality == 90);
          CHECK(o.tilt == 0);
          CHECK(o.gradient == 0);
          CHECK(o.noise_sigma == 0);
          CHECK(o.colour_cast == cv::Vec3d(1, 1, 1));
          break;
        case Severity::moderate:
          CHECK(o.px_per_module >= 4.5);
          CHECK(o.px_per_module <= 5);
          CHECK(o.defocus_sigma_px == 0.9);
          CHECK(o.tilt <= 0.1);
          CHECK(o.gradient <= 0.3);
          CHECK(o.noise_sigma == 4);
          CHECK(o.jpeg_quality == 80);
          CHECK(o.motion_px == 0);
          CHECK(o.colour_cast == cv::Vec3d(1, 1, 1));
          break;
        case Severity::hard:
          CHECK(o.px_per_module == 4);
          CHECK(o.defocus_sigma_px == 1.2);
          CHECK(o.motion_px <= 2);
          CHECK(o.tilt <= 0.25);
          CHECK(o.gradient <= 0.5);
          CHECK(o.noise_sigma == 8);
          CHECK(o.jpeg_quality == 70);
          for (int c = 0; c < 3; ++c) CHECK(std::abs(o.colour_cast[c] - 1) <= 0.075);
          break;
      }
    }
    // The draws cover their ranges.
    if (s == Severity::mild) {
      CHECK(min_rotation < -8);
      CHECK(max_rotation > 8);
    }
    if (s == Severity::moderate || s == Severity::hard) {
      CHECK(min_rotation < -150);
      CHECK(max_rotation > 150);
      CHECK(max_tilt > (s == Severity::hard ? 0.22 : 0.09));
      CHECK(max_gradient > (s == Severity::hard ? 0.45 : 0.27));
    }
  }
  CHECK(capture_preset(Severity::hard, 1).rotation_deg !=
        capture_preset(Severity::hard, 2).rotation_deg);
  CHECK(capture_preset(Severity::moderate, 1).rotation_deg !=
        capture_preset(Severity::hard, 1).rotation_deg);
}

TEST_CASE("capture: severity names", "[capture][presets]") {
  CHECK(all_severities() == std::vector<Severity>{Severity::pristine, Severity::mild,
                                                  Severity::moderate, Severity::hard});
  for (const Severity s : all_severities()) CHECK(parse_severity(to_string(s)) == s);
  CHECK(message_of([] { parse_severity("extreme"); }, ErrorCategory::usage) ==
        "unknown severity 'extreme': choose from pristine, mild, moderate, hard");
}

TEST_CASE("capture: options out of range are refused by name", "[capture][options]") {
  const Artwork code = plain_code("VC-1", EcLevel::M, 1);
  struct Bad {
    std::function<void(CaptureOptions&)> set;
    std::string message;
  };
  const std::vector<Bad> cases = {
      {[](CaptureOptions& o) { o.tilt = 0.8; }, "CaptureOptions.tilt must be 0-0.6, got 0.8"},
      {[](CaptureOptions& o) { o.input_module_px = 0.5; },
       "CaptureOptions.input_module_px must be 0 (found by reading the code) or at least 1, got "
       "0.5"},
      {[](CaptureOptions& o) { o.print_module_mm = -1; },
       "CaptureOptions.print_module_mm must be > 0 (0 = not printed), got -1"},
      {[](CaptureOptions& o) { o.print_dpi = 50; },
       "CaptureOptions.print_dpi must be 72-4800, got 50"},
      {[](CaptureOptions& o) {
         o.print_module_mm = 0.2;
         o.print_dpi = 100;
       },
       "CaptureOptions.print_module_mm of 0.2 mm is less than one printer dot at 100 dpi: print "
       "larger modules"},
      {[](CaptureOptions& o) { o.ink_spread = 0.6; },
       "CaptureOptions.ink_spread must be 0-0.5, got 0.6"},
      {[](CaptureOptions& o) {
         o.ink_spread = 0.1;
         o.print_module_mm = 0;
       },
       "CaptureOptions.ink_spread needs a print: print_module_mm is 0 (not printed)"},
      {[](CaptureOptions& o) { o.gradient = 0.95; },
       "CaptureOptions.gradient must be 0-0.9, got 0.95"},
      {[](CaptureOptions& o) { o.gradient_angle_deg = NAN; },
       "CaptureOptions.gradient_angle_deg must be a finite angle in degrees, got nan"},
      {[](CaptureOptions& o) {
         o.colour_cast = {1, 1, 1.6};
       },
       "CaptureOptions.colour_cast[2] (red) must be 0.5-1.5, got 1.6"},
      {[](CaptureOptions& o) {
         o.colour_cast = {0.4, 1, 1};
       },
       "CaptureOptions.colour_cast[0] (blue) must be 0.5-1.5, got 0.4"},
      {[](CaptureOptions& o) { o.px_per_module = 1; },
       "CaptureOptions.px_per_module must be 1.5-40, got 1"},
      {[](CaptureOptions& o) { o.px_per_module = 41; },
       "CaptureOptions.px_per_module must be 1.5-40, got 41"},
      {[](CaptureOptions& o) { o.defocus_sigma_px = -0.1; },
       "CaptureOptions.defocus_sigma_px must be 0-10, got -0.1"},
      {[](CaptureOptions& o) { o.motion_px = 31; },
       "CaptureOptions.motion_px must be 0-30, got 31"},
      {[](CaptureOptions& o) { o.motion_angle_deg = INFINITY; },
       "CaptureOptions.motion_angle_deg must be a finite angle in degrees, got inf"},
      {[](CaptureOptions& o) { o.tilt_angle_deg = NAN; },
       "CaptureOptions.tilt_angle_deg must be a finite angle in degrees, got nan"},
      {[](CaptureOptions& o) { o.rotation_deg = -INFINITY; },
       "CaptureOptions.rotation_deg must be a finite angle in degrees, got -inf"},
      {[](CaptureOptions& o) { o.noise_sigma = 51; },
       "CaptureOptions.noise_sigma must be 0-50, got 51"},
      {[](CaptureOptions& o) { o.jpeg_quality = 101; },
       "CaptureOptions.jpeg_quality must be 1-100 (0 = no JPEG), got 101"},
      {[](CaptureOptions& o) { o.jpeg_quality = -1; },
       "CaptureOptions.jpeg_quality must be 1-100 (0 = no JPEG), got -1"},
  };
  for (const Bad& b : cases) {
    CAPTURE(b.message);
    CaptureOptions o = sharp(6);
    b.set(o);
    CHECK(message_of([&] { simulate_capture(code.art, o, 1); }, ErrorCategory::usage) == b.message);
  }
  CaptureOptions o = sharp(6);
  o.input_module_px = 1000;
  CHECK(message_of([&] { simulate_capture(code.art, o, 1); }, ErrorCategory::usage) ==
        "CaptureOptions.input_module_px of 1000 px is larger than the artwork (290x290 px)");
  o.input_module_px = 1;
  const cv::Mat huge(4000, 4000, CV_8UC3, cv::Scalar::all(255));
  CHECK(message_of([&] { simulate_capture(huge, o, 1); }, ErrorCategory::usage) ==
        "simulate_capture: 4000x4000 modules is too large to capture: check "
        "CaptureOptions.input_module_px (or crop the artwork to the code)");
}

TEST_CASE("capture: the artwork's module size is read from its code", "[capture][options]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  RenderOptions ro;
  ro.style = Style::plain;
  const cv::Mat art7 = render(code.symbol, nullptr, ro, 7);
  CaptureOptions given = sharp(5);
  given.input_module_px = 7;
  given.rotation_deg = 12;
  CaptureOptions found = given;
  found.input_module_px = 0;
  CHECK(identical(simulate_capture(art7, found, 3), simulate_capture(art7, given, 3)));
  // Grey and BGRA artwork: BGRA over white paper.
  cv::Mat grey, bgra;
  cv::cvtColor(art7, grey, cv::COLOR_BGR2GRAY);
  cv::cvtColor(art7, bgra, cv::COLOR_BGR2BGRA);
  CHECK(identical(simulate_capture(grey, given, 3), simulate_capture(art7, given, 3)));
  bgra.setTo(cv::Scalar(0, 0, 0, 0), grey > 128);  // light modules transparent
  CHECK(identical(simulate_capture(bgra, given, 3), simulate_capture(art7, given, 3)));

  const cv::Mat blank(200, 200, CV_8UC3, cv::Scalar::all(255));
  CHECK(message_of([&] { simulate_capture(blank, found, 1); }, ErrorCategory::input) ==
        "simulate_capture: no code reads in the artwork, so its module size is unknown: give the "
        "module size in px (CaptureOptions.input_module_px)");
  CHECK(message_of([&] { simulate_capture(cv::Mat(), given, 1); }, ErrorCategory::input) ==
        "simulate_capture: the artwork is empty");
  CHECK(message_of([&] { simulate_capture(cv::Mat(50, 50, CV_16UC3), given, 1); },
                   ErrorCategory::input) ==
        "simulate_capture: the artwork must be an 8-bit grey, BGR or BGRA image");
}

TEST_CASE("capture: an unprinted artwork is captured as shown", "[capture][print]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  CaptureOptions o = sharp(10);
  o.print_module_mm = 0;
  const cv::Mat shot = simulate_capture(code.art, o, 1);
  // 10 px per module on both sides: the artwork copied into the frame, pixel for pixel.
  CHECK(identical(shot(cv::Rect(38, 38, code.art.cols, code.art.rows)), code.art));
}

TEST_CASE("capture: plain codes read after pristine, mild and moderate captures",
          "[capture][presets]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  for (const Severity s : {Severity::pristine, Severity::mild, Severity::moderate}) {
    for (std::uint64_t seed = 1; seed <= 3; ++seed) {
      CAPTURE(std::string(to_string(s)), seed);
      const CaptureOptions o = capture_preset(s, seed);  // module size read from the code
      const std::vector<Decoded> found = read_codes(simulate_capture(code.art, o, seed));
      REQUIRE(found.size() == 1);
      CHECK(found[0].text == kPayload);
    }
  }
}

TEST_CASE("capture: a plain EC M version 3 code reads in most hard captures",
          "[capture][presets]") {
  const Artwork code = plain_code(kPayload, EcLevel::M, 3);
  int read = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    CaptureOptions o = capture_preset(Severity::hard, seed);
    o.input_module_px = 10;
    for (const Decoded& d : read_codes(simulate_capture(code.art, o, seed))) {
      CHECK(d.text == kPayload);  // never a wrong text
      if (d.text == kPayload) ++read;
    }
  }
  CHECK(read >= 8);
}
