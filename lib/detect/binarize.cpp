#include "detect/binarize.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace viscode::detail {

std::vector<int> binarization_windows(const cv::Mat& grey) {
  // A code that fills the frame has finder cores wider than any local window that still
  // adapts to lighting; a global threshold serves it, and it reads most captures that are
  // evenly lit, which is why it comes first.
  std::vector<int> out = {0};
  const int side = std::min(grey.rows, grey.cols);
  // Below this a window no longer spans a 3 px/module finder pattern (21 px).
  constexpr int kMinWindow = 25;
  for (const int divisor : {8, 16, 32}) {
    const int window = std::max(kMinWindow, side / divisor) | 1;
    if (window != out.back()) out.push_back(window);
  }
  return out;
}

cv::Mat binarize(const cv::Mat& grey, int window) {
  cv::Mat dark;
  if (window == 0) {
    cv::threshold(grey, dark, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
  } else {
    // The small offset keeps flat regions (the quiet zone) light instead of a speckle of
    // sensor noise around their own mean.
    constexpr double kOffset = 2;
    cv::adaptiveThreshold(grey, dark, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                          window, kOffset);
  }
  return dark;
}

}  // namespace viscode::detail
