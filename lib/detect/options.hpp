// Checks of ReadOptions shared by read_codes() and read_image_file().
#pragma once

#include "viscode/detect.hpp"

namespace viscode::detail {

// The largest max_megapixels accepted: about what OpenCV decodes at all (its default
// CV_IO_MAX_IMAGE_PIXELS is 2^30 pixels).
inline constexpr double kMaxMegapixelsLimit = 1000;

// Throws Error(usage) naming --max-megapixels when max_megapixels is not a number above 0
// and at most kMaxMegapixelsLimit (NaN and infinity included: either would disable the
// limit, since every comparison with NaN is false).
void check_max_megapixels(const ReadOptions& options);

}  // namespace viscode::detail
