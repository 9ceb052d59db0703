#include "detect/alignment_match.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

namespace viscode::detail {

// The pattern has two levels, light on its ring and dark elsewhere, so every sum the
// correlation needs is a box sum: over the window, and over the ring (the middle 3x3
// modules' box less the centre module's). From integral images that is a few lookups an
// offset, where cv::matchTemplate convolves the whole pattern (it was most of the fit's
// cost on the corpus). With T the pattern as 0 (dark) and 1 (light), p the ring's share of
// the window, I the window's pixels:
//   sum (T - p)(I - mean I) = ring - p * window,
//   sum (T - p)^2 = ring area * (1 - p),   sum (I - mean I)^2 = squares - window^2 / area.
cv::Mat alignment_match(const cv::Mat& patch, int ppm) {
  CV_Assert(patch.type() == CV_8UC1 && ppm > 0);
  const int t = 5 * ppm;
  const int rows = patch.rows - t + 1, cols = patch.cols - t + 1;
  CV_Assert(rows > 0 && cols > 0);
  cv::Mat sum, squares;
  cv::integral(patch, sum, squares, CV_32S, CV_64F);
  auto box = [&](int x, int y, int w) {
    return static_cast<double>(sum.at<int>(y + w, x + w) - sum.at<int>(y, x + w) -
                               sum.at<int>(y + w, x) + sum.at<int>(y, x));
  };
  auto box_squares = [&](int x, int y, int w) {
    return squares.at<double>(y + w, x + w) - squares.at<double>(y, x + w) -
           squares.at<double>(y + w, x) + squares.at<double>(y, x);
  };
  const double area = static_cast<double>(t) * t, ring_area = 8.0 * ppm * ppm;
  const double share = ring_area / area;
  const double pattern_norm = ring_area * (1 - share);
  cv::Mat out(rows, cols, CV_32F);
  for (int v = 0; v < rows; ++v) {
    float* o = out.ptr<float>(v);
    for (int u = 0; u < cols; ++u) {
      const double window = box(u, v, t);
      const double ring = box(u + ppm, v + ppm, 3 * ppm) - box(u + 2 * ppm, v + 2 * ppm, ppm);
      const double spread = box_squares(u, v, t) - window * window / area;
      const double norm = std::sqrt(std::max(spread, 0.0) * pattern_norm);
      o[u] = norm > 1e-6 ? static_cast<float>(std::clamp((ring - share * window) / norm, -1.0, 1.0))
                         : 0.0f;
    }
  }
  return out;
}

}  // namespace viscode::detail
