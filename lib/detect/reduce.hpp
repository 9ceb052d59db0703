// Reading large images reduced: a print sheet scanned at 600 dpi needs no 35 megapixels.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

#include "detect/finder_search.hpp"
#include "viscode/detect.hpp"

namespace viscode::detail {

// Images up to this many pixels are read as they are.
inline constexpr double kReduceAbove = 12e6;

// The finder patterns with traced corners in a grey image at its global (Otsu) threshold:
// what the two functions below judge a large image by.
std::vector<Finder> traced_finders(const cv::Mat& grey);

// The integer factor an image of `pixels` is reduced by before it is read (1: not reduced):
// the smallest that brings it to kReduceAbove pixels or fewer, but only as far as every
// finder keeps 4 px per module (a large photo with a small code in it is read at full
// size). 1 without finders.
int reduction_factor(double pixels, const std::vector<Finder>& finders);

// Whether codes read from a reduced image (corners in full-size pixels) explain the image:
// every finder lies in one of them.
bool explains(const std::vector<Finder>& finders, const std::vector<Decoded>& found);

}  // namespace viscode::detail
