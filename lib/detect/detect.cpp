// The detector's front: from an image to verified payloads. Locating and sampling
// (locate.hpp) propose grids; decode_grid accepts only grids whose every Reed-Solomon block
// checks out, so a wrong payload is never reported.
#include "viscode/detect.hpp"

#include <opencv2/imgproc.hpp>

#include "detect/locate.hpp"
#include "detect/options.hpp"
#include "detect/reading_order.hpp"
#include "detect/reduce.hpp"
#include "detect/sample.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

// Every code located in a grey image, as read_codes() returns them (not yet in reading order).
std::vector<Decoded> read_grey(const cv::Mat& grey, const ReadOptions& options) {
  std::vector<Decoded> found;
  // Light-on-dark codes are rare; they are looked for only when nothing was located the
  // usual way (a located symbol that did not decode is not an inverted one: the inverted
  // image shows no finder pattern where the usual one does), which keeps both the common
  // case and the hopeless one at one pass.
  bool located = false;
  for (const bool inverted : {false, true}) {
    if (inverted && (!options.try_inverted || !found.empty() || located)) break;
    located = detail::locate(grey, inverted, [&](const detail::Candidate& c) {
      std::optional<Decoded> d = decode_grid(c.grid);
      if (!d) d = decode_grid(detail::midpoint_grid(c));
      if (!d && !c.contrast_grid.darkness.empty()) d = decode_grid(c.contrast_grid);
      if (!d || (d->mirrored && !options.try_mirrored)) return false;
      d->corners = c.corners;
      if (d->mirrored) std::swap(d->corners[1], d->corners[3]);  // as the symbol is read
      d->inverted = inverted;
      found.push_back(std::move(*d));
      return true;
    });
  }
  return found;
}

// Every code in one grey projection of the image.
std::vector<Decoded> read_projection(const cv::Mat& grey, const ReadOptions& options) {
  std::vector<Decoded> found;
  // A page scanned at 600 dpi is 35 megapixels, with modules of 10 px and more; smoothing,
  // fitting and sampling it whole costs several times what the same page at half the
  // resolution does, and reads no more. So a large image is read reduced first, and that
  // reading stands when it explains the full image: every traced finder pattern found in
  // it at the global threshold lies in a decoded code. Otherwise (small codes the
  // reduction lost, a photo's clutter) the full image is read as any other.
  const double pixels = static_cast<double>(grey.total());
  std::vector<detail::Finder> finders;
  if (pixels > detail::kReduceAbove) finders = detail::traced_finders(grey);
  if (const int factor = detail::reduction_factor(pixels, finders); factor > 1) {
    cv::Mat reduced;
    cv::resize(grey, reduced, cv::Size(grey.cols / factor, grey.rows / factor), 0, 0,
               cv::INTER_AREA);
    found = read_grey(reduced, options);
    const float k = static_cast<float>(factor), shift = (k - 1) / 2;
    for (Decoded& d : found) {
      for (cv::Point2f& p : d.corners) p = p * k + cv::Point2f(shift, shift);
    }
    if (found.empty() || !detail::explains(finders, found)) found = read_grey(grey, options);
  } else {
    found = read_grey(grey, options);
  }
  return found;
}

}  // namespace

std::vector<Decoded> read_codes(const cv::Mat& image, const ReadOptions& options) {
  detail::check_max_megapixels(options);
  if (image.empty()) throw Error(ErrorCategory::input, "the image is empty");
  if (image.depth() != CV_8U) {
    throw Error(ErrorCategory::input, "the image must have 8-bit channels");
  }
  if (static_cast<double>(image.total()) > options.max_megapixels * 1e6) {
    throw Error(ErrorCategory::input, "the image is over the " +
                                          std::to_string(static_cast<int>(options.max_megapixels)) +
                                          "-megapixel limit: scale it down");
  }
  std::vector<Decoded> found;
  for (const cv::Mat& grey : detail::projections(image)) {
    found = read_projection(grey, options);
    if (!found.empty()) break;
  }
  detail::sort_reading_order(found);
  return found;
}

}  // namespace viscode
