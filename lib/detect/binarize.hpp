// Binarisation: dark where darker than the local mean, at several window scales.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace viscode::detail {

// The window sides (px) worth binarising a grey image at, the most often sufficient first:
// 0 = one global (Otsu) threshold, then local means over 1/8, 1/16 and 1/32 of the image,
// then kThreeClass.
// A code whose finder patterns are much smaller than a window still binarises well at it;
// one whose finder cores are larger than a window does not (their centres equal their
// local mean), hence several scales.
std::vector<int> binarization_windows(const cv::Mat& grey);

// A window value: the global threshold below which the darkest of three grey-level classes
// lies (Otsu's criterion for three classes).
constexpr int kThreeClass = -1;

// CV_8U, 255 where the pixel is darker than its neighbourhood (window px square; 0 = the
// whole image, by Otsu's threshold; kThreeClass, see there), else 0.
cv::Mat binarize(const cv::Mat& grey, int window);

}  // namespace viscode::detail
