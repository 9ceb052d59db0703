#include "detect/reduce.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "detect/binarize.hpp"

namespace viscode::detail {
namespace {

// Below this many pixels per module after reduction, blur starts to cost reads.
constexpr float kMinReducedModule = 4;

}  // namespace

std::vector<Finder> traced_finders(const cv::Mat& grey) {
  std::vector<Finder> out;
  for (const Finder& f : find_finders(grey, binarize(grey, 0))) {
    if (f.has_corners) out.push_back(f);
  }
  return out;
}

int reduction_factor(double pixels, const std::vector<Finder>& finders) {
  if (pixels <= kReduceAbove || finders.empty()) return 1;
  const int wanted = static_cast<int>(std::ceil(std::sqrt(pixels / kReduceAbove)));
  float smallest = finders.front().module;
  for (const Finder& f : finders) smallest = std::min(smallest, f.module);
  const int allowed = static_cast<int>(smallest / kMinReducedModule);
  return std::max(1, std::min(wanted, allowed));
}

bool explains(const std::vector<Finder>& finders, const std::vector<Decoded>& found) {
  return std::all_of(finders.begin(), finders.end(), [&](const Finder& f) {
    return std::any_of(found.begin(), found.end(), [&](const Decoded& d) {
      const std::vector<cv::Point2f> quad(d.corners.begin(), d.corners.end());
      return cv::pointPolygonTest(quad, f.centre, false) >= 0;
    });
  });
}

}  // namespace viscode::detail
