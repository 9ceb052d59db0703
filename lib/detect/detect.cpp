// The detector's front: from an image to verified payloads. Locating and sampling
// (locate.hpp) propose grids; decode_grid accepts only grids whose every Reed-Solomon block
// checks out, so a wrong payload is never reported.
#include "viscode/detect.hpp"

#include <opencv2/imgproc.hpp>

#include "detect/locate.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

cv::Point2f centre(const std::array<cv::Point2f, 4>& c) {
  return (c[0] + c[1] + c[2] + c[3]) * 0.25f;
}

// The same symbol found twice (at two binarisation scales, or as a second candidate): its
// centre lies inside the other's quadrilateral.
bool same_place(const Decoded& a, const std::array<cv::Point2f, 4>& corners) {
  std::vector<cv::Point2f> quad(a.corners.begin(), a.corners.end());
  return cv::pointPolygonTest(quad, centre(corners), false) >= 0;
}

}  // namespace

std::vector<Decoded> detect(const cv::Mat& image, const DetectOptions& options) {
  if (image.empty()) throw Error(ErrorCategory::input, "the image is empty");
  if (image.depth() != CV_8U) {
    throw Error(ErrorCategory::input, "the image must have 8-bit channels");
  }
  if (static_cast<double>(image.total()) > options.max_megapixels * 1e6) {
    throw Error(ErrorCategory::input, "the image is over the " +
                                          std::to_string(static_cast<int>(options.max_megapixels)) +
                                          "-megapixel limit: scale it down");
  }
  const cv::Mat grey = detail::luminance(image);
  std::vector<Decoded> found;
  // Light-on-dark codes are rare; they are looked for only when nothing reads the usual way,
  // which keeps the common case at one pass.
  for (const bool inverted : {false, true}) {
    if (inverted && (!options.try_inverted || !found.empty())) break;
    for (const detail::Candidate& c : detail::locate(grey, inverted)) {
      bool seen = false;
      for (const Decoded& d : found) seen = seen || same_place(d, c.corners);
      if (seen) continue;
      std::optional<Decoded> d = decode_grid(c.grid);
      if (!d) d = decode_grid(c.pixel_grid);
      if (!d || (d->mirrored && !options.try_mirrored)) continue;
      d->corners = c.corners;
      if (d->mirrored) std::swap(d->corners[1], d->corners[3]);  // as the symbol is read
      d->inverted = inverted;
      found.push_back(std::move(*d));
    }
  }
  return found;
}

}  // namespace viscode
