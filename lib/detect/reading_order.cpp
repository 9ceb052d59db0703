#include "detect/reading_order.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace viscode::detail {

double codes_tilt(const std::vector<Corners>& codes) {
  if (codes.empty()) return 0;
  constexpr double kQuarter = std::numbers::pi / 2;
  std::vector<double> angles;
  for (const Corners& c : codes) {
    const cv::Point2f top = c[1] - c[0];
    double a = std::atan2(static_cast<double>(top.y), static_cast<double>(top.x));
    a -= kQuarter * std::floor((a + kQuarter / 2) / kQuarter);  // into [-pi/4, pi/4)
    angles.push_back(a);
  }
  std::nth_element(angles.begin(), angles.begin() + static_cast<std::ptrdiff_t>(angles.size() / 2),
                   angles.end());
  return angles[angles.size() / 2];
}

cv::Point2f untilted(cv::Point2f p, double tilt) {
  const double c = std::cos(tilt), s = std::sin(tilt);
  return {static_cast<float>(c * p.x + s * p.y), static_cast<float>(-s * p.x + c * p.y)};
}

cv::Point2f centre_of(const Corners& c) {
  return (c[0] + c[1] + c[2] + c[3]) * 0.25f;
}

double side_of(const Corners& c) {
  double sum = 0;
  for (std::size_t i = 0; i < 4; ++i) sum += cv::norm(c[(i + 1) % 4] - c[i]);
  return sum / 4;
}

std::vector<std::size_t> reading_order(const std::vector<Corners>& codes) {
  const double tilt = codes_tilt(codes);
  std::vector<cv::Point2f> at;
  for (const Corners& c : codes) at.push_back(untilted(centre_of(c), tilt));
  std::vector<std::size_t> by_y(codes.size());
  for (std::size_t i = 0; i < by_y.size(); ++i) by_y[i] = i;
  std::stable_sort(by_y.begin(), by_y.end(),
                   [&](std::size_t a, std::size_t b) { return at[a].y < at[b].y; });
  std::vector<std::size_t> out;
  std::size_t row_start = 0;
  double row_sum = 0;
  auto close_row = [&](std::size_t end) {
    std::stable_sort(by_y.begin() + static_cast<std::ptrdiff_t>(row_start),
                     by_y.begin() + static_cast<std::ptrdiff_t>(end),
                     [&](std::size_t a, std::size_t b) { return at[a].x < at[b].x; });
    out.insert(out.end(), by_y.begin() + static_cast<std::ptrdiff_t>(row_start),
               by_y.begin() + static_cast<std::ptrdiff_t>(end));
  };
  for (std::size_t k = 0; k < by_y.size(); ++k) {
    const std::size_t i = by_y[k];
    if (k > row_start) {
      const double row_y = row_sum / static_cast<double>(k - row_start);
      if (at[i].y - row_y > side_of(codes[i]) / 2) {
        close_row(k);
        row_start = k;
        row_sum = 0;
      }
    }
    row_sum += at[i].y;
  }
  close_row(by_y.size());
  return out;
}

void sort_reading_order(std::vector<Decoded>& found) {
  if (found.size() < 2) return;
  std::vector<Corners> corners;
  for (const Decoded& d : found) corners.push_back(d.corners);
  std::vector<Decoded> sorted;
  for (const std::size_t i : reading_order(corners)) sorted.push_back(std::move(found[i]));
  found = std::move(sorted);
}

}  // namespace viscode::detail
