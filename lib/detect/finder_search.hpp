// Finder patterns: the three 7x7 squares (dark ring, light ring, dark 3x3 core) that anchor
// a QR symbol, found in a binary image.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <vector>

namespace viscode::detail {

struct Finder {
  cv::Point2f centre;                    // image px (pixel centres at integer coordinates)
  float module = 0;                      // module size, px
  std::array<cv::Point2f, 4> corners{};  // outer corners of the dark ring, in order around it
  bool has_corners = false;
  int hits = 0;  // scan lines (over all scales) that confirmed it: the evidence
};

// Candidates in one binarisation (dark: 255 where dark) of a grey image: rows whose runs go
// 1:1:3:1:1, confirmed in the column and a diagonal through the centre, merged, and given
// the corners of their outer ring. known: the finders of earlier binarisations; one that
// merge_finders would keep over a candidate here spares tracing the candidate's ring.
std::vector<Finder> find_finders(const cv::Mat& grey, const cv::Mat& dark,
                                 const std::vector<Finder>& known = {});

// A finder's module size along a direction (its sides running that way, over 7); its
// mean module size without corners.
double module_along(const Finder& f, cv::Point2f direction);

// Modules between two finders' centres, in perspective: for a projective map of a line, the
// distance is the module count times the geometric mean of the module sizes at its ends.
double modules_between(const Finder& a, const Finder& b);

// Adds the finders of another scale, merging those that are the same pattern.
void merge_finders(std::vector<Finder>& all, const std::vector<Finder>& more);

}  // namespace viscode::detail
