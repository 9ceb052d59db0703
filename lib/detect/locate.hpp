// Locating and sampling: from an image to candidate module grids.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

struct Candidate {
  ModuleGrid grid;        // sampled as seen (not yet un-mirrored), against the centres' threshold
  ModuleGrid pixel_grid;  // the same samples against the midpoint of the local extremes
  std::array<cv::Point2f, 4> corners{};  // symbol corners in image pixels, TL TR BR BL
  bool inverted = false;                 // sampled from the inverted image
};

// Every plausible symbol in an 8-bit grey image: finder patterns found at several
// binarisation scales, grouped in threes, fitted with a homography (refined with alignment
// patterns), sampled at module centres. Ordered most plausible first. With `inverted`,
// looks for light-on-dark codes.
std::vector<Candidate> locate(const cv::Mat& grey, bool inverted);

// The grey image a reader should see: for colour input, the projection (luma, a single
// channel, or a principal axis) that separates the code best; grey passes through.
cv::Mat luminance(const cv::Mat& image);

}  // namespace viscode::detail
