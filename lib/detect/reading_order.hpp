// Reading order of the codes found in one image: rows top to bottom, left to right within a
// row, in the frame of the codes' own tilt (a sheet photographed askew still reads row by
// row).
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

using Corners = std::array<cv::Point2f, 4>;

// The codes' common tilt, radians in [-pi/4, pi/4): the median over codes of their top
// side's angle folded into a quarter turn (a code turned 90 degrees has rows along its
// sides too). 0 for no codes.
double codes_tilt(const std::vector<Corners>& codes);

// p in the codes' frame: the image turned by -tilt about its origin.
cv::Point2f untilted(cv::Point2f p, double tilt);

cv::Point2f centre_of(const Corners& c);

// The mean length of a code's four sides, px.
double side_of(const Corners& c);

// Indexes of `codes` in reading order: in the frame of codes_tilt(), sorted by the
// centres' y; a code starts a new row when its centre is more than half its side below
// the mean centre of the row so far; each row then left to right by the centres' x.
std::vector<std::size_t> reading_order(const std::vector<Corners>& codes);

// Sorts read_codes()'s results into reading_order().
void sort_reading_order(std::vector<Decoded>& found);

}  // namespace viscode::detail
