// Matching the alignment pattern: its normalised correlation with an image patch.
#pragma once

#include <opencv2/core.hpp>

namespace viscode::detail {

// The normalised correlation (cv::TM_CCOEFF_NORMED's, -1..1) of `patch` (CV_8U, module
// space at ppm px a module, at least 5 * ppm a side) with the alignment pattern at that
// scale (5x5 modules: dark, a light ring of eight modules, a dark centre) at every offset:
// CV_32F, (patch.rows - 5 ppm + 1) x (patch.cols - 5 ppm + 1). A flat window scores 0.
cv::Mat alignment_match(const cv::Mat& patch, int ppm);

}  // namespace viscode::detail
