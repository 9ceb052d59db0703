// The detector's front: from an image to verified payloads. Locating and sampling
// (locate.hpp) propose grids; decode_grid accepts only grids whose every Reed-Solomon block
// checks out, so a wrong payload is never reported.
#include "viscode/detect.hpp"

#include "detect/locate.hpp"
#include "detect/options.hpp"
#include "viscode/error.hpp"

namespace viscode {
std::vector<Decoded> detect(const cv::Mat& image, const DetectOptions& options) {
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
  const cv::Mat grey = detail::luminance(image);
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
      if (!d) d = decode_grid(c.pixel_grid);
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

}  // namespace viscode
