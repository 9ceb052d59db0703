// What a code is printed or shown on: white paper, where an image is transparent.
#pragma once

#include <opencv2/core.hpp>

namespace viscode::detail {

// An 8-bit image as BGR over white: BGRA composited by its alpha, BGR passed through (not
// copied), grey repeated in the three channels. Other types are the caller's to refuse.
cv::Mat over_white(const cv::Mat& image);

}  // namespace viscode::detail
