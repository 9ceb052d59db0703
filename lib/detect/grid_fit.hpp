// The grid fit: a symbol's version and the map from module coordinates to image pixels
// (what it scores a fit on is in symbol_geometry.hpp).
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <vector>

#include "detect/grouping.hpp"
#include "encode/function_patterns.hpp"

namespace viscode::detail {

struct GridFit {
  int version = 0;
  int size = 0;
  // Module coordinates to image px. Module (x, y) covers [x, x+1) x [y, y+1); (0, 0) is the
  // symbol's outer top-left corner (the quiet zone lies at negative coordinates).
  cv::Matx33d h = cv::Matx33d::eye();
  // How well the separators, timing and alignment patterns and the dark module read, the
  // known dark and the known light modules weighed alike: 0..1, 0.5 for chance.
  double score = 0;
  int alignments_found = 0;  // alignment patterns located and used in the fit
  cv::Point2f map(double x, double y) const;
};

// The best fit of a finder triple: the version estimated from the finders' spacing (and its
// neighbours, ±2), the homography from the finders' corners and centres (a parallelogram's
// fourth corner where the finders' corners are missing), refined with the alignment
// patterns; or the finders' fit alone where it reads a QR Model 1 symbol's extension patterns
// (scored then on Model 1's known modules). grey: the image lightly smoothed (the fit
// compares single samples); integral: cv::integral of it, CV_64F. Empty when no version fits.
std::optional<GridFit> fit_grid(const cv::Mat& grey, const cv::Mat& integral,
                                const FinderTriple& triple);

// The alignment pattern nearest module (cx, cy) (its centre, module coordinates) as h maps
// it, within radius modules, in image px; min_contrast: grey levels required between its
// light and dark modules. Empty when none stands out there.
std::optional<cv::Point2f> find_alignment(const cv::Mat& grey, const cv::Matx33d& h, double cx,
                                          double cy, double radius, double min_contrast);

// Grey levels between the top-left finder's light ring and its dark core, as h maps it.
double finder_contrast(const cv::Mat& grey, const cv::Matx33d& h);

// A second opinion on a fit that found no alignment pattern: the map the three finder
// centres alone give (a parallelogram, affine), refined with the bottom-right alignment
// pattern where the version has one. The finders' corners can imply a perspective the
// symbol does not have (paper bent or creased near a finder), which the fit then
// extrapolates to the far corner that nothing pins in version 1. Empty when the centres
// give (within half a module) the map `fit` already is.
std::optional<GridFit> fit_from_centres(const cv::Mat& grey, const cv::Mat& integral,
                                        const FinderTriple& triple, const GridFit& fit);

}  // namespace viscode::detail
