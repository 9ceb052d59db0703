// Locating and sampling: from an image to candidate module grids.
#pragma once

#include <array>
#include <functional>
#include <opencv2/core.hpp>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

struct Candidate {
  ModuleGrid grid;  // sampled as seen (not yet un-mirrored), against the centres' threshold
  ModuleGrid contrast_grid;  // careful sampling only: each centre against the ring around it
  // The samples behind the grids, for midpoint_grid() (sample.hpp), a second opinion made
  // only when `grid` does not decode (most symbols do): every module's centre value with
  // a margin of 3 modules around the symbol, and each module's local contrast (grey levels).
  cv::Mat centres;                       // CV_32F, (grid.size + 6) a side
  cv::Mat spread;                        // CV_32F, grid.size a side
  std::array<cv::Point2f, 4> corners{};  // symbol corners in image pixels, TL TR BR BL
  bool inverted = false;                 // sampled from the inverted image
};

// Offers every plausible symbol in an 8-bit grey image to `read`, scale by scale: finder
// patterns found at a binarisation scale join those of the scales before, are grouped in
// threes, fitted with a homography (refined with alignment patterns) and sampled at
// module centres; the fits of a scale are offered most plausible first. `read` returns
// true when it decoded a candidate, whose area is then claimed. Once a symbol decodes and
// every finder found so far lies in a claimed symbol, the remaining (costlier, rarely
// needed) scales are skipped. A place already offered is offered again only as a better
// fit. With `inverted`, looks for light-on-dark codes. Returns whether any candidate was
// offered at all (a symbol was located, whether or not it decoded).
using Reader = std::function<bool(const Candidate&)>;
bool locate(const cv::Mat& grey, bool inverted, const Reader& read);

// Every candidate, one per place (its best fit), as `read` is offered them when none
// decodes; most plausible first.
std::vector<Candidate> locate(const cv::Mat& grey, bool inverted);

// The grey image a reader should see: for colour input, the projection (luma, a single
// channel, or a principal axis) that separates the code best; grey passes through.
cv::Mat luminance(const cv::Mat& image);
// The grey images worth reading, best first: luminance()'s, then luma when that was another
// projection.
std::vector<cv::Mat> projections(const cv::Mat& image);

}  // namespace viscode::detail
