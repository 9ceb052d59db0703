#include "fidelity.hpp"

#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <vector>

namespace viscode::test {

cv::Mat flatten_over_white(const cv::Mat& image) {
  if (image.empty()) return image;
  if (image.depth() != CV_8U) throw std::invalid_argument("flatten_over_white: need 8-bit image");
  if (image.channels() == 1 || image.channels() == 3) return image;
  if (image.channels() != 4) {
    throw std::invalid_argument("flatten_over_white: need 1, 3 or 4 channels");
  }
  cv::Mat bgra_f;
  image.convertTo(bgra_f, CV_32F, 1.0 / 255.0);
  std::vector<cv::Mat> ch;
  cv::split(bgra_f, ch);
  const cv::Mat alpha = ch[3];
  std::vector<cv::Mat> bgr_f(3);
  for (int c = 0; c < 3; ++c) bgr_f[c] = ch[c].mul(alpha) + (1.0 - alpha);
  cv::Mat merged, bgr;
  cv::merge(bgr_f, merged);
  merged.convertTo(bgr, CV_8U, 255.0);  // convertTo rounds and saturates
  return bgr;
}

cv::Mat to_grey(const cv::Mat& image) {
  const cv::Mat flat = flatten_over_white(image);
  if (flat.empty() || flat.channels() == 1) return flat;
  cv::Mat grey;
  cv::cvtColor(flat, grey, cv::COLOR_BGR2GRAY);
  return grey;
}

double ssim_grey(const cv::Mat& a, const cv::Mat& b) {
  if (a.size() != b.size()) throw std::invalid_argument("ssim_grey: images differ in size");
  constexpr int window = 11;
  if (a.cols < window || a.rows < window) {
    throw std::invalid_argument("ssim_grey: images must be at least 11x11 px");
  }
  constexpr double L = 255.0;
  constexpr double C1 = (0.01 * L) * (0.01 * L);
  constexpr double C2 = (0.03 * L) * (0.03 * L);

  cv::Mat x, y;
  to_grey(a).convertTo(x, CV_64F);
  to_grey(b).convertTo(y, CV_64F);

  // Separable normalised Gaussian == fspecial('gaussian', 11, 1.5). Filtering the whole image
  // and then cropping half a window keeps exactly the positions where the window fits.
  const cv::Mat g = cv::getGaussianKernel(window, 1.5, CV_64F);
  const auto blur = [&](const cv::Mat& m) {
    cv::Mat out;
    cv::sepFilter2D(m, out, CV_64F, g, g, cv::Point(-1, -1), 0, cv::BORDER_REFLECT101);
    const int h = window / 2;
    return cv::Mat(out, cv::Rect(h, h, m.cols - 2 * h, m.rows - 2 * h));
  };

  const cv::Mat mu_x = blur(x), mu_y = blur(y);
  const cv::Mat mu_xx = mu_x.mul(mu_x), mu_yy = mu_y.mul(mu_y), mu_xy = mu_x.mul(mu_y);
  const cv::Mat s_xx = blur(x.mul(x)) - mu_xx;
  const cv::Mat s_yy = blur(y.mul(y)) - mu_yy;
  const cv::Mat s_xy = blur(x.mul(y)) - mu_xy;

  cv::Mat num = (2 * mu_xy + C1).mul(2 * s_xy + C2);
  cv::Mat den = (mu_xx + mu_yy + C1).mul(s_xx + s_yy + C2);
  cv::Mat map;
  cv::divide(num, den, map);
  return cv::mean(map)[0];
}

double fidelity(const cv::Mat& code, const cv::Mat& logo_frame, int total_modules) {
  const cv::Size size(total_modules * kFidelityPx, total_modules * kFidelityPx);
  cv::Mat a, b;
  cv::resize(code, a, size, 0, 0, cv::INTER_AREA);
  cv::resize(logo_frame, b, size, 0, 0, cv::INTER_AREA);
  return ssim_grey(a, b);
}

}  // namespace viscode::test
