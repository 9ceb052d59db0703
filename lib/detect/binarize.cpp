#include "detect/binarize.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

namespace viscode::detail {

std::vector<BinaryScale> binarize(const cv::Mat& grey) {
  std::vector<BinaryScale> out;
  // A code that fills the frame has finder cores wider than any local window that still
  // adapts to lighting; a global threshold serves it.
  {
    BinaryScale s;
    cv::threshold(grey, s.dark, 0, 255, cv::THRESH_BINARY_INV | cv::THRESH_OTSU);
    out.push_back(std::move(s));
  }
  const int side = std::min(grey.rows, grey.cols);
  // Below this a window no longer spans a 3 px/module finder pattern (21 px).
  constexpr int kMinWindow = 25;
  int last = 0;
  for (const int divisor : {8, 16, 32}) {
    const int window = std::max(kMinWindow, side / divisor) | 1;
    if (window == last) continue;
    last = window;
    BinaryScale s;
    s.window = window;
    // The small offset keeps flat regions (the quiet zone) light instead of a speckle of
    // sensor noise around their own mean.
    constexpr double kOffset = 2;
    cv::adaptiveThreshold(grey, s.dark, 255, cv::ADAPTIVE_THRESH_MEAN_C, cv::THRESH_BINARY_INV,
                          window, kOffset);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace viscode::detail
