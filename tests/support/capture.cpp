#include "capture.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "fidelity.hpp"

namespace viscode::test {
namespace {

constexpr double kTypicalAngleDeg = 8.0;
const cv::Scalar kPackGrey(200, 200, 200);

cv::Mat as_bgr(const cv::Mat& image) {
  const cv::Mat flat = flatten_over_white(image);
  if (flat.channels() == 3) return flat;
  cv::Mat bgr;
  cv::cvtColor(flat, bgr, cv::COLOR_GRAY2BGR);
  return bgr;
}

cv::Mat to_module_px(const cv::Mat& bgr, int total_modules, int module_px) {
  const int side = total_modules * module_px;
  cv::Mat out;
  cv::resize(bgr, out, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  return out;
}

cv::Mat blur(const cv::Mat& image, double sigma) {
  cv::Mat out;
  cv::GaussianBlur(image, out, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
  return out;
}

cv::Mat jpeg(const cv::Mat& image, int quality) {
  std::vector<unsigned char> bytes;
  if (!cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, quality})) {
    throw std::runtime_error("capture: JPEG encoding failed");
  }
  return cv::imdecode(bytes, cv::IMREAD_COLOR);
}

int rotated_side(int side) {
  const double a = kTypicalAngleDeg * std::numbers::pi / 180.0;
  return static_cast<int>(std::ceil(side * (std::cos(a) + std::sin(a))));
}

}  // namespace

std::string_view to_string(Capture kind) {
  switch (kind) {
    case Capture::pristine:
      return "pristine";
    case Capture::typical:
      return "typical";
    case Capture::small:
      return "small";
  }
  return "unknown";
}

int captured_side_px(int total_modules, Capture kind, int input_px) {
  switch (kind) {
    case Capture::pristine:
      return input_px;
    case Capture::typical:
      return rotated_side(total_modules * 6);
    case Capture::small:
      return (total_modules + 4) * 4;
  }
  throw std::invalid_argument("capture: unknown Capture");
}

cv::Mat capture(const cv::Mat& code_bgr, int total_modules, Capture kind,
                [[maybe_unused]] std::uint64_t seed) {
  if (code_bgr.empty() || code_bgr.cols != code_bgr.rows) {
    throw std::invalid_argument("capture: need a non-empty square image");
  }
  if (total_modules < 1) throw std::invalid_argument("capture: total_modules must be >= 1");

  switch (kind) {
    case Capture::pristine:
      return code_bgr.clone();

    case Capture::typical: {
      const cv::Mat code = blur(to_module_px(as_bgr(code_bgr), total_modules, 6), 0.8);
      const int side = rotated_side(code.cols);
      // Rotate about the code's centre, then shift that centre to the canvas centre.
      const double c_in = (code.cols - 1) / 2.0, c_out = (side - 1) / 2.0;
      cv::Mat m = cv::getRotationMatrix2D(
          cv::Point2f(static_cast<float>(c_in), static_cast<float>(c_in)), kTypicalAngleDeg, 1.0);
      m.at<double>(0, 2) += c_out - c_in;
      m.at<double>(1, 2) += c_out - c_in;
      cv::Mat rotated;
      cv::warpAffine(code, rotated, m, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                     kPackGrey);
      return jpeg(rotated, 85);
    }

    case Capture::small: {
      const cv::Mat code = blur(to_module_px(as_bgr(code_bgr), total_modules, 4), 1.1);
      cv::Mat framed;
      constexpr int margin = 2 * 4;
      cv::copyMakeBorder(code, framed, margin, margin, margin, margin, cv::BORDER_CONSTANT,
                         kPackGrey);
      return jpeg(framed, 70);
    }
  }
  throw std::invalid_argument("capture: unknown Capture");
}

namespace {

void check_square(const cv::Mat& code_bgr, int total_modules, const char* who) {
  if (code_bgr.empty() || code_bgr.cols != code_bgr.rows) {
    throw std::invalid_argument(std::string(who) + ": need a non-empty square image");
  }
  if (total_modules < 1) {
    throw std::invalid_argument(std::string(who) + ": total_modules must be >= 1");
  }
}

void check_spec(const CaptureSpec& s) {
  const auto require = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("capture: ") + what);
  };
  require(s.module_px > 0, "module_px must be > 0");
  require(s.tilt >= 0 && s.tilt < 1, "tilt must be in [0, 1)");
  require(s.tilted_edge >= 0 && s.tilted_edge <= 3, "tilted_edge must be 0..3");
  require(s.gradient >= 0 && s.gradient <= 1, "gradient must be in [0, 1]");
  require(s.blur_sigma >= 0, "blur_sigma must be >= 0");
  require(s.noise_sigma >= 0, "noise_sigma must be >= 0");
  require(s.jpeg_quality >= 0 && s.jpeg_quality <= 100, "jpeg_quality must be 0..100");
}

}  // namespace

cv::Mat capture(const cv::Mat& code_bgr, int total_modules, const CaptureSpec& spec,
                std::uint64_t seed) {
  check_square(code_bgr, total_modules, "capture");
  check_spec(spec);

  const int side = std::max(1, static_cast<int>(std::lround(total_modules * spec.module_px)));
  cv::Mat code;
  cv::resize(as_bgr(code_bgr), code, cv::Size(side, side), 0, 0, cv::INTER_AREA);

  const double s = side;
  std::vector<cv::Point2d> quad = {
      {-s / 2, -s / 2}, {s / 2, -s / 2}, {s / 2, s / 2}, {-s / 2, s / 2}};
  if (spec.tilt > 0) {
    // Edge e runs from corner e to corner e + 1; the opposite edge from e + 2 to e + 3.
    const auto scale_edge = [&](int e, double k) {
      cv::Point2d& a = quad[static_cast<std::size_t>(e)];
      cv::Point2d& b = quad[static_cast<std::size_t>((e + 1) % 4)];
      const cv::Point2d mid = (a + b) * 0.5;
      a = mid + (a - mid) * k;
      b = mid + (b - mid) * k;
    };
    scale_edge(spec.tilted_edge, std::sqrt(1.0 - spec.tilt));
    scale_edge((spec.tilted_edge + 2) % 4, 1.0 / std::sqrt(1.0 - spec.tilt));
  }
  const double a = spec.rotation_deg * std::numbers::pi / 180.0;
  const double ca = std::cos(a), sa = std::sin(a);
  double minx = 1e300, miny = 1e300, maxx = -1e300, maxy = -1e300;
  for (cv::Point2d& p : quad) {
    p = {ca * p.x - sa * p.y, sa * p.x + ca * p.y};
    minx = std::min(minx, p.x), maxx = std::max(maxx, p.x);
    miny = std::min(miny, p.y), maxy = std::max(maxy, p.y);
  }
  const double margin = 3 * spec.module_px + 8;
  const int cw = static_cast<int>(std::ceil(maxx - minx + 2 * margin));
  const int ch = static_cast<int>(std::ceil(maxy - miny + 2 * margin));
  // Pixel centres sit at integer coordinates, so a w-px image spans -0.5 .. w - 0.5.
  const float lo = -0.5f, hi = static_cast<float>(s) - 0.5f;
  const std::vector<cv::Point2f> src = {{lo, lo}, {hi, lo}, {hi, hi}, {lo, hi}};
  std::vector<cv::Point2f> dst;
  for (const cv::Point2d& p : quad) {
    dst.emplace_back(static_cast<float>(p.x - minx + margin - 0.5),
                     static_cast<float>(p.y - miny + margin - 0.5));
  }
  cv::Mat img;
  cv::warpPerspective(code, img, cv::getPerspectiveTransform(src, dst), cv::Size(cw, ch),
                      cv::INTER_LINEAR, cv::BORDER_CONSTANT, kPackGrey);

  if (spec.gradient > 0) {
    cv::Mat f;
    img.convertTo(f, CV_32F);
    const double g = spec.gradient_deg * std::numbers::pi / 180.0;
    const double dx = std::cos(g), dy = std::sin(g);
    const double span = std::abs(dx) * cw + std::abs(dy) * ch;
    const double off = std::min(0.0, dx * cw) + std::min(0.0, dy * ch);
    for (int y = 0; y < ch; ++y) {
      auto* row = f.ptr<cv::Vec3f>(y);
      for (int x = 0; x < cw; ++x) {
        const double t = (dx * x + dy * y - off) / span;
        row[x] *= static_cast<float>(1.0 - spec.gradient * t);
      }
    }
    f.convertTo(img, CV_8U);
  }
  if (spec.blur_sigma > 0) cv::GaussianBlur(img, img, cv::Size(0, 0), spec.blur_sigma);
  if (spec.noise_sigma > 0) {
    cv::RNG rng(seed ? seed : 1);  // cv::RNG takes 0 as a request for its default state
    cv::Mat noise(img.size(), CV_32FC3);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, spec.noise_sigma);
    cv::Mat f;
    img.convertTo(f, CV_32F);
    f += noise;
    f.convertTo(img, CV_8U);
  }
  if (spec.jpeg_quality > 0) img = jpeg(img, spec.jpeg_quality);
  return img;
}

cv::Mat ink_spread(const cv::Mat& code_bgr, int total_modules, double spread_modules) {
  check_square(code_bgr, total_modules, "ink_spread");
  if (!(spread_modules >= 0 && spread_modules <= 0.5)) {
    throw std::invalid_argument("ink_spread: spread_modules must be in [0, 0.5]");
  }
  const cv::Mat bgr = as_bgr(code_bgr);
  const double module_px = static_cast<double>(bgr.cols) / total_modules;
  const int k = std::max(1, static_cast<int>(std::ceil(kInkSpreadWorkPx / module_px - 1e-9)));
  const int r = static_cast<int>(std::lround(spread_modules * module_px * k));
  if (r == 0) return bgr.clone();

  cv::Mat work;
  cv::resize(bgr, work, cv::Size(), k, k, cv::INTER_NEAREST);
  // Ink density is 255 - value; dilating the density is eroding the value.
  const cv::Mat disc = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1));
  cv::erode(work, work, disc, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
  cv::GaussianBlur(work, work, cv::Size(0, 0), r / 2.0, r / 2.0, cv::BORDER_REPLICATE);
  cv::Mat out;
  cv::resize(work, out, bgr.size(), 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace viscode::test
