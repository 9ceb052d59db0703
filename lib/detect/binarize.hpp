// Binarisation: dark where darker than the local mean, at several window scales.
#pragma once

#include <opencv2/core.hpp>
#include <vector>

namespace viscode::detail {

struct BinaryScale {
  cv::Mat dark;    // CV_8U, 255 where the pixel is darker than its neighbourhood, else 0
  int window = 0;  // side of the averaging window in px; 0 = one global (Otsu) threshold
};

// One binary image per scale, finest window last. A code whose finder patterns are much
// smaller than a window still binarises well at it; one whose finder cores are larger than
// a window does not (their centres equal their local mean), hence several scales.
std::vector<BinaryScale> binarize(const cv::Mat& grey);

}  // namespace viscode::detail
