// Sampling: module grids read through a fitted geometry.
#pragma once

#include <opencv2/core.hpp>

#include "detect/grid_fit.hpp"
#include "detect/locate.hpp"

namespace viscode::detail {

// Grey level at p (pixel centres at integer coordinates), bilinear, clamped to the border.
float bilinear(const cv::Mat& grey, cv::Point2f p);

// Mean grey level of the square of side 2r+1 px around p, clipped to the image.
// integral: cv::integral of the grey image, CV_64F.
float box_mean(const cv::Mat& integral, cv::Point2f p, int r);

enum class Sampling {
  quick,    // the mean of four points within the middle fifth of each module
  careful,  // the darkest or lightest few of 25 points within the middle quarter, whichever
            // stands out from a ring around them: a designer code's small, offset centres
};

// Every module sampled at its centre against a threshold local to it, with the corners of
// the symbol.
Candidate sample_grid(const cv::Mat& grey, const GridFit& fit, Sampling sampling);

// A second opinion on a sampled candidate: the same samples against the midpoint of the
// darkest and lightest centres around each module.
ModuleGrid midpoint_grid(const Candidate& c);

}  // namespace viscode::detail
