// The test-support yardsticks themselves: if these drift, every other result is meaningless.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "capture.hpp"
#include "fidelity.hpp"
#include "readers.hpp"
#include "test_logos.hpp"

using namespace viscode::test;

namespace {

const std::string kPayload = "https://example.com/a/123";
constexpr int kModulePx = 8;
constexpr int kQuietModules = 4;

struct PlainCode {
  cv::Mat bgr;
  int total_modules;
};

// A code from an encoder that shares nothing with viscode, so reader failures cannot be
// blamed on our rendering. Made once per process.
const PlainCode& plain_code() {
  static const PlainCode code = [] {
    const auto dir =
        std::filesystem::temp_directory_path() / ("viscode_support_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto png = dir / "plain.png";
    const std::string cmd = "qrencode -o '" + png.string() + "' -s " + std::to_string(kModulePx) +
                            " -m " + std::to_string(kQuietModules) + " '" + kPayload + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("qrencode failed: " + cmd);
    PlainCode c{cv::imread(png.string(), cv::IMREAD_COLOR), 0};
    std::filesystem::remove_all(dir);
    if (c.bgr.empty()) throw std::runtime_error("could not read qrencode output");
    c.total_modules = c.bgr.cols / kModulePx;
    return c;
  }();
  return code;
}

cv::Mat bgra_over_nothing(const cv::Mat& bgr) {
  cv::Mat bgra;
  cv::cvtColor(bgr, bgra, cv::COLOR_BGR2BGRA);
  return bgra;
}

}  // namespace

TEST_CASE("qrencode fixture is a sane QR code", "[support]") {
  const auto& code = plain_code();
  REQUIRE(code.bgr.cols == code.bgr.rows);
  REQUIRE(code.bgr.cols % kModulePx == 0);
  // Version v has 17 + 4v modules; plus the quiet zone on both sides.
  const int version = (code.total_modules - 2 * kQuietModules - 17) / 4;
  CHECK(version >= 1);
  CHECK(code.total_modules == 17 + 4 * version + 2 * kQuietModules);
}

TEST_CASE("reference readers decode a plain code exactly", "[support]") {
  const auto& code = plain_code();
  for (const Reader reader : all_readers()) {
    INFO("reader " << to_string(reader));
    const auto texts = read_all(reader, code.bgr);
    REQUIRE(texts.size() == 1);
    CHECK(texts.front() == kPayload);
    CHECK(reads(reader, code.bgr, kPayload));
    CHECK_FALSE(reads(reader, code.bgr, kPayload + "4"));
    CHECK_FALSE(reads(reader, code.bgr, "https://example.com/a/12"));

    cv::Mat grey;
    cv::cvtColor(code.bgr, grey, cv::COLOR_BGR2GRAY);
    CHECK(reads(reader, grey, kPayload));
    CHECK(reads(reader, bgra_over_nothing(code.bgr), kPayload));
  }
}

TEST_CASE("reference readers find nothing where there is no code", "[support]") {
  const cv::Mat white(400, 400, CV_8UC3, cv::Scalar::all(255));
  const cv::Mat black(400, 400, CV_8UC1, cv::Scalar::all(0));
  for (const Reader reader : all_readers()) {
    INFO("reader " << to_string(reader));
    CHECK(read_all(reader, white).empty());
    CHECK(read_all(reader, black).empty());
    CHECK(read_all(reader, cv::Mat()).empty());
    for (const auto& logo : test_logos()) {
      INFO("logo " << logo.name);
      CHECK(read_all(reader, logo.image).empty());
    }
  }
}

TEST_CASE("reader names", "[support]") {
  CHECK(to_string(Reader::zxing) == "zxing");
  CHECK(to_string(Reader::wechat) == "wechat");
  CHECK(to_string(Reader::zbar) == "zbar");
  CHECK(all_readers() == std::vector<Reader>{Reader::zxing, Reader::wechat, Reader::zbar});
  CHECK(to_string(Capture::pristine) == "pristine");
  CHECK(to_string(Capture::typical) == "typical");
  CHECK(to_string(Capture::small) == "small");
}

TEST_CASE("capture produces the documented sizes", "[support]") {
  const auto& code = plain_code();
  const int n = code.total_modules;

  const cv::Mat pristine = capture(code.bgr, n, Capture::pristine);
  CHECK(pristine.size() == code.bgr.size());
  CHECK(cv::norm(pristine, code.bgr, cv::NORM_INF) == 0);
  CHECK(pristine.data != code.bgr.data);

  // Typical: 6 px modules, rotated 8 degrees onto the bounding square.
  const double a = 8.0 * std::numbers::pi / 180.0;
  const int typical_side = static_cast<int>(std::ceil(n * 6 * (std::cos(a) + std::sin(a))));
  const cv::Mat typical = capture(code.bgr, n, Capture::typical);
  CHECK(typical.type() == CV_8UC3);
  CHECK(typical.cols == typical_side);
  CHECK(typical.rows == typical_side);
  CHECK(captured_side_px(n, Capture::typical, code.bgr.cols) == typical_side);
  // The corners are the pack, not the code.
  const cv::Vec3b corner = typical.at<cv::Vec3b>(1, 1);
  for (int c = 0; c < 3; ++c) CHECK(std::abs(corner[c] - 200) <= 3);

  // Small: 4 px modules plus a 2-module grey margin on each side.
  const cv::Mat small = capture(code.bgr, n, Capture::small);
  CHECK(small.type() == CV_8UC3);
  CHECK(small.cols == (n + 4) * 4);
  CHECK(small.rows == (n + 4) * 4);
  CHECK(captured_side_px(n, Capture::small, code.bgr.cols) == (n + 4) * 4);
  CHECK(captured_side_px(n, Capture::pristine, code.bgr.cols) == code.bgr.cols);
}

TEST_CASE("capture is deterministic", "[support]") {
  const auto& code = plain_code();
  for (const Capture kind : {Capture::pristine, Capture::typical, Capture::small}) {
    INFO("capture " << to_string(kind));
    const cv::Mat first = capture(code.bgr, code.total_modules, kind);
    const cv::Mat second = capture(code.bgr, code.total_modules, kind);
    const cv::Mat other_seed = capture(code.bgr, code.total_modules, kind, 42);
    REQUIRE(first.size() == second.size());
    REQUIRE(first.type() == second.type());
    CHECK(cv::norm(first, second, cv::NORM_INF) == 0);
    CHECK(cv::norm(first, other_seed, cv::NORM_INF) == 0);
  }
}

TEST_CASE("capture rejects what it cannot define", "[support]") {
  const cv::Mat wide(100, 120, CV_8UC3, cv::Scalar::all(255));
  CHECK_THROWS_AS(capture(wide, 25, Capture::typical), std::invalid_argument);
  CHECK_THROWS_AS(capture(cv::Mat(), 25, Capture::small), std::invalid_argument);
  const cv::Mat square(100, 100, CV_8UC3, cv::Scalar::all(255));
  CHECK_THROWS_AS(capture(square, 0, Capture::small), std::invalid_argument);
}

TEST_CASE("a plain code survives typical and small captures with every reader", "[support]") {
  const auto& code = plain_code();
  for (const Capture kind : {Capture::typical, Capture::small}) {
    const cv::Mat captured = capture(code.bgr, code.total_modules, kind);
    for (const Reader reader : all_readers()) {
      INFO("capture " << to_string(kind) << ", reader " << to_string(reader));
      CHECK(reads(reader, captured, kPayload));
    }
  }
}

TEST_CASE("capture from a spec: geometry, lighting, determinism", "[support]") {
  const auto& code = plain_code();
  const int n = code.total_modules;
  const int side = n * 6;
  constexpr int kMargin = 3 * 6 + 8;

  const CaptureSpec plain;
  const cv::Mat still = capture(code.bgr, n, plain);
  CHECK(still.type() == CV_8UC3);
  CHECK(still.cols == side + 2 * kMargin);
  CHECK(still.rows == side + 2 * kMargin);
  CHECK(still.at<cv::Vec3b>(1, 1) == cv::Vec3b(200, 200, 200));
  CHECK(still.at<cv::Vec3b>(kMargin + 2, kMargin + 2) == cv::Vec3b(255, 255, 255));

  SECTION("rotation turns clockwise as displayed") {
    CaptureSpec quarter;
    quarter.rotation_deg = 90;
    cv::Mat expected;
    cv::rotate(still, expected, cv::ROTATE_90_CLOCKWISE);
    const cv::Mat turned = capture(code.bgr, n, quarter);
    REQUIRE(turned.size() == expected.size());
    // Bilinear sampling at cos(90 deg) ~ 6e-17 rather than 0: at most a grey level's rounding.
    CHECK(cv::norm(turned, expected, cv::NORM_INF) <= 1);
  }

  SECTION("tilt shortens one edge and lengthens the opposite one") {
    for (const int edge : {0, 2}) {
      CaptureSpec tilted;
      tilted.tilt = 0.3;
      tilted.tilted_edge = edge;
      const cv::Mat grey = to_grey(capture(code.bgr, n, tilted));
      // The quiet zone is the only white: its width in the first and last white rows is the
      // width of the top and bottom edges.
      std::vector<int> widths;
      for (int y = 0; y < grey.rows; ++y) {
        const int w = cv::countNonZero(grey.row(y) > 240);
        if (w > 0) widths.push_back(w);
      }
      REQUIRE(widths.size() > 2);
      const double top = widths[1], bottom = widths[widths.size() - 2];
      INFO("tilted edge " << edge << ": top " << top << " px, bottom " << bottom << " px");
      const double ratio = edge == 0 ? top / bottom : bottom / top;
      CHECK(ratio == Approx(0.7).margin(0.02));
      CHECK(std::sqrt(top * bottom) == Approx(side).epsilon(0.02));
    }
  }

  SECTION("lighting falls linearly towards gradient_deg") {
    CaptureSpec lit;
    lit.gradient = 0.5;
    const cv::Mat img = capture(code.bgr, n, lit);
    const int mid = img.rows / 2;
    CHECK(img.at<cv::Vec3b>(mid, 0)[1] == 200);
    CHECK(std::abs(img.at<cv::Vec3b>(mid, img.cols - 1)[1] - 100) <= 1);
    lit.gradient_deg = 90;
    const cv::Mat down = capture(code.bgr, n, lit);
    CHECK(down.at<cv::Vec3b>(0, mid)[1] == 200);
    CHECK(std::abs(down.at<cv::Vec3b>(down.rows - 1, mid)[1] - 100) <= 1);
  }

  SECTION("the same arguments give the same bytes; the seed drives only the noise") {
    CaptureSpec all;
    all.module_px = 4.5;
    all.rotation_deg = 33;
    all.tilt = 0.2;
    all.tilted_edge = 1;
    all.gradient = 0.4;
    all.gradient_deg = 120;
    all.blur_sigma = 1;
    all.noise_sigma = 6;
    all.jpeg_quality = 75;
    const cv::Mat a = capture(code.bgr, n, all, 7), b = capture(code.bgr, n, all, 7);
    CHECK(cv::norm(a, b, cv::NORM_INF) == 0);
    CHECK(cv::norm(a, capture(code.bgr, n, all, 8), cv::NORM_INF) > 0);
    all.noise_sigma = 0;
    CHECK(cv::norm(capture(code.bgr, n, all, 7), capture(code.bgr, n, all, 8), cv::NORM_INF) == 0);
  }

  SECTION("out-of-range fields are refused") {
    const auto refused = [&](auto&& set) {
      CaptureSpec bad;
      set(bad);
      return capture(code.bgr, n, bad);
    };
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.module_px = 0; }), std::invalid_argument);
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.tilt = 1; }), std::invalid_argument);
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.tilted_edge = 4; }), std::invalid_argument);
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.gradient = 1.5; }), std::invalid_argument);
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.blur_sigma = -1; }), std::invalid_argument);
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.noise_sigma = -1; }), std::invalid_argument);
    CHECK_THROWS_AS(refused([](CaptureSpec& s) { s.jpeg_quality = 101; }), std::invalid_argument);
    CHECK_THROWS_AS(capture(cv::Mat(), n, CaptureSpec{}), std::invalid_argument);
    CHECK_THROWS_AS(capture(code.bgr, 0, CaptureSpec{}), std::invalid_argument);
  }
}

TEST_CASE("ink spread grows dark areas by the fraction of a module asked", "[support]") {
  // 30 modules of 10 px: a 10x10-module dark block, one light module column, a dark column.
  constexpr int kPx = 10, kModules = 30;
  cv::Mat print(kModules * kPx, kModules * kPx, CV_8UC3, cv::Scalar::all(255));
  print(cv::Rect(5 * kPx, 5 * kPx, 10 * kPx, 10 * kPx)).setTo(cv::Scalar::all(0));
  print(cv::Rect(16 * kPx, 5 * kPx, 1 * kPx, 10 * kPx)).setTo(cv::Scalar::all(0));
  const int row = 10 * kPx + kPx / 2;  // through the middle of the block

  // Dark (below mid-grey) pixel runs along the row, as [first, last] px.
  const auto dark_runs = [&](const cv::Mat& img) {
    std::vector<std::pair<int, int>> runs;
    const cv::Mat grey = to_grey(img);
    for (int x = 0; x < grey.cols; ++x) {
      if (grey.at<std::uint8_t>(row, x) >= 128) continue;
      if (runs.empty() || runs.back().second != x - 1) runs.push_back({x, x});
      runs.back().second = x;
    }
    return runs;
  };
  using Runs = std::vector<std::pair<int, int>>;
  REQUIRE(dark_runs(print) == Runs{{50, 149}, {160, 169}});

  for (const double spread : {0.1, 0.2, 0.3}) {
    INFO("spread " << spread);
    const cv::Mat spread_print = ink_spread(print, kModules, spread);
    CHECK(spread_print.type() == CV_8UC3);
    CHECK(spread_print.size() == print.size());
    // Each edge moves out by spread modules (to the nearest px at this scale), so the light
    // column between the two dark areas narrows by twice that.
    const int g = static_cast<int>(std::lround(spread * kPx));
    CHECK(dark_runs(spread_print) == Runs{{50 - g, 149 + g}, {160 - g, 169 + g}});
    // Far from any ink the paper stays white; inside the block it stays black.
    CHECK(spread_print.at<cv::Vec3b>(row, 2) == cv::Vec3b(255, 255, 255));
    CHECK(spread_print.at<cv::Vec3b>(row, 100) == cv::Vec3b(0, 0, 0));
  }

  // A tint darkens where heavier ink meets it, and keeps its level far from it.
  cv::Mat tint(print.size(), CV_8UC3, cv::Scalar::all(180));
  tint(cv::Rect(0, 0, 15 * kPx, kModules * kPx)).setTo(cv::Scalar::all(0));
  const cv::Mat tinted = ink_spread(tint, kModules, 0.2);
  CHECK(tinted.at<cv::Vec3b>(row, 15 * kPx)[0] < 90);
  CHECK(tinted.at<cv::Vec3b>(row, 25 * kPx)[0] == 180);

  CHECK(cv::norm(ink_spread(print, kModules, 0), print, cv::NORM_INF) == 0);
  CHECK(cv::norm(ink_spread(print, kModules, 0.2), ink_spread(print, kModules, 0.2),
                 cv::NORM_INF) == 0);
  CHECK_THROWS_AS(ink_spread(print, kModules, -0.1), std::invalid_argument);
  CHECK_THROWS_AS(ink_spread(print, kModules, 0.6), std::invalid_argument);
  CHECK_THROWS_AS(ink_spread(print, 0, 0.2), std::invalid_argument);
  CHECK_THROWS_AS(ink_spread(cv::Mat(), kModules, 0.2), std::invalid_argument);
}

TEST_CASE("ssim_grey", "[support]") {
  const auto logos = test_logos();
  const cv::Mat& photo = logos.front().image;

  SECTION("identical images score exactly 1") {
    CHECK(ssim_grey(photo, photo) == Approx(1.0).margin(1e-12));
    CHECK(ssim_grey(photo, photo.clone()) == Approx(1.0).margin(1e-12));
  }

  SECTION("noise lowers the score, more noise lowers it more") {
    cv::RNG rng(7);
    cv::Mat light_noise(photo.size(), CV_16SC3), heavy_noise(photo.size(), CV_16SC3);
    rng.fill(light_noise, cv::RNG::NORMAL, 0, 5);
    rng.fill(heavy_noise, cv::RNG::NORMAL, 0, 25);
    cv::Mat light, heavy;
    cv::add(photo, light_noise, light, cv::noArray(), CV_8UC3);
    cv::add(photo, heavy_noise, heavy, cv::noArray(), CV_8UC3);
    const double s_light = ssim_grey(photo, light), s_heavy = ssim_grey(photo, heavy);
    CHECK(s_light < 1.0);
    CHECK(s_heavy < s_light);
    CHECK(s_heavy > 0.0);
    CHECK(ssim_grey(light, photo) == Approx(s_light).epsilon(1e-12));  // symmetric
  }

  SECTION("known value: constant images") {
    // (2xy + C1) / (x^2 + y^2 + C1); the structure term is C2 / C2 = 1.
    const double c1 = (0.01 * 255) * (0.01 * 255);
    const cv::Mat a(64, 64, CV_8UC1, cv::Scalar(100)), b(64, 64, CV_8UC1, cv::Scalar(150));
    const double expected = (2.0 * 100 * 150 + c1) / (100.0 * 100 + 150.0 * 150 + c1);
    CHECK(expected == Approx(0.92310).margin(5e-6));
    CHECK(ssim_grey(a, b) == Approx(expected).epsilon(1e-9));
    const cv::Mat black(64, 64, CV_8UC3, cv::Scalar::all(0));
    const cv::Mat white(64, 64, CV_8UC3, cv::Scalar::all(255));
    CHECK(ssim_grey(black, white) == Approx(c1 / (255.0 * 255 + c1)).epsilon(1e-9));
  }

  SECTION("BGRA is composited over white, grey and BGR agree") {
    const cv::Mat clear(64, 64, CV_8UC4, cv::Scalar(0, 0, 0, 0));
    const cv::Mat white(64, 64, CV_8UC1, cv::Scalar(255));
    CHECK(ssim_grey(clear, white) == Approx(1.0).margin(1e-12));
    cv::Mat grey;
    cv::cvtColor(photo, grey, cv::COLOR_BGR2GRAY);
    CHECK(ssim_grey(photo, grey) == Approx(1.0).margin(1e-12));
  }

  SECTION("size mismatch and tiny images are rejected") {
    const cv::Mat a(64, 64, CV_8UC3, cv::Scalar::all(0)), b(64, 65, CV_8UC3, cv::Scalar::all(0));
    CHECK_THROWS_AS(ssim_grey(a, b), std::invalid_argument);
    const cv::Mat tiny(8, 8, CV_8UC1, cv::Scalar(0));
    CHECK_THROWS_AS(ssim_grey(tiny, tiny), std::invalid_argument);
  }
}

TEST_CASE("test logos are the documented, deterministic set", "[support]") {
  const auto logos = test_logos();
  const auto again = test_logos();
  const std::vector<std::string> names = {
      "photo",       "flat_brand",   "very_dark", "very_light", "low_contrast",
      "transparent", "colour_photo", "wordmark",  "thin_icon",  "mid_grey"};
  REQUIRE(logos.size() == names.size());
  for (std::size_t i = 0; i < logos.size(); ++i) {
    const auto& logo = logos[i];
    INFO("logo " << logo.name);
    CHECK(logo.name == names[i]);
    CHECK(logo.image.cols == 512);
    CHECK(logo.image.rows == 512);
    CHECK(logo.image.depth() == CV_8U);
    CHECK(logo.image.channels() == (logo.name == "transparent" ? 4 : 3));
    CHECK(cv::norm(logo.image, again[i].image, cv::NORM_INF) == 0);
  }

  const auto mean_grey = [](const cv::Mat& image) { return cv::mean(to_grey(image))[0]; };
  CHECK(mean_grey(logos[2].image) < 40);   // very_dark
  CHECK(mean_grey(logos[3].image) > 215);  // very_light
  CHECK(mean_grey(logos[7].image) > 180);  // wordmark: ink across the middle of white
  CHECK(mean_grey(logos[8].image) > 225);  // thin_icon: little ink
  // mid_grey: every pixel is white or a mid grey (no darker ink).
  double lowest = 0;
  cv::minMaxLoc(to_grey(logos[9].image), &lowest);
  CHECK(lowest > 110);
  double lo = 0, hi = 0;
  cv::minMaxLoc(to_grey(logos[4].image), &lo, &hi);  // low_contrast
  CHECK(lo >= 100);
  CHECK(hi <= 160);

  std::vector<cv::Mat> channels;
  cv::split(logos[5].image, channels);  // transparent
  CHECK(channels[3].at<unsigned char>(0, 0) == 0);
  CHECK(channels[3].at<unsigned char>(256, 256) == 255);
  double alpha_lo = 0, alpha_hi = 0;
  cv::minMaxLoc(channels[3], &alpha_lo, &alpha_hi);
  CHECK(alpha_lo == 0);
  CHECK(alpha_hi == 255);
  // Soft edges: some partial coverage exists.
  CHECK(cv::countNonZero((channels[3] > 0) & (channels[3] < 255)) > 1000);
}
