#include "detect/binarize.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <opencv2/imgproc.hpp>
#include <utility>

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
  // Last, a global threshold again, for a code whose light modules are far darker than
  // what surrounds it (a logo under the code at partial opacity, a dark picture): the
  // histogram has three modes (dark modules, light modules, quiet zone and surround), Otsu
  // splits the code from its surround and every local window that reaches the quiet zone
  // darkens the finders' light rings. The lower of the three-class thresholds splits the
  // code's own two tones.
  out.push_back(kThreeClass);
  return out;
}

namespace {

// The two thresholds that split the grey histogram into three classes with the most
// between-class variance (Otsu's criterion for three classes), by exhaustive search over
// the cumulative sums: 256^2/2 pairs, a fraction of a binarisation's cost.
std::pair<int, int> three_class_thresholds(const cv::Mat& grey) {
  std::array<double, 256> hist{};
  for (int y = 0; y < grey.rows; ++y) {
    const std::uint8_t* row = grey.ptr<std::uint8_t>(y);
    for (int x = 0; x < grey.cols; ++x) ++hist[row[x]];
  }
  // Prefix sums of counts and of grey-level moments: a class's weight and mean in O(1).
  std::array<double, 257> w{}, m{};
  for (int i = 0; i < 256; ++i) {
    w[static_cast<std::size_t>(i + 1)] =
        w[static_cast<std::size_t>(i)] + hist[static_cast<std::size_t>(i)];
    m[static_cast<std::size_t>(i + 1)] =
        m[static_cast<std::size_t>(i)] + i * hist[static_cast<std::size_t>(i)];
  }
  auto term = [&](int a, int b) {  // levels a..b-1: weight * mean^2 = moment^2 / weight
    const double wt = w[static_cast<std::size_t>(b)] - w[static_cast<std::size_t>(a)];
    const double mt = m[static_cast<std::size_t>(b)] - m[static_cast<std::size_t>(a)];
    return wt > 0 ? mt * mt / wt : 0.0;
  };
  double best = -1;
  std::pair<int, int> out{85, 170};
  for (int t1 = 1; t1 < 255; ++t1) {
    const double first = term(0, t1);
    for (int t2 = t1 + 1; t2 < 256; ++t2) {
      const double v = first + term(t1, t2) + term(t2, 256);
      if (v > best) best = v, out = {t1, t2};
    }
  }
  return out;
}

}  // namespace

cv::Mat binarize(const cv::Mat& grey, int window) {
  cv::Mat dark;
  if (window < 0) {
    // Levels below the lower threshold are the darkest class.
    cv::threshold(grey, dark, three_class_thresholds(grey).first - 1, 255, cv::THRESH_BINARY_INV);
  } else if (window == 0) {
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
