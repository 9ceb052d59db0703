#include "capture.hpp"

#include <cmath>
#include <numbers>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
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

}  // namespace viscode::test
