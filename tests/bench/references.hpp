// The three reference designs the looks-vs-scans table compares viscode against. They are
// rendered in the benchmark (not in the library) so the yardsticks stay simple and fixed.
#pragma once

#include <opencv2/core.hpp>

#include "viscode/viscode.hpp"

namespace viscode::bench {

// Black-and-white modules, no image.
cv::Mat reference_plain(const Symbol& symbol, int quiet, int px);
// The logo under the code at 50% opacity: every pixel is half the plain code, half the logo.
cv::Mat reference_opacity(const Symbol& symbol, const cv::Mat& logo_frame, int quiet, int px);
// What popular generators do: the image untouched, each data module a centre dot one third
// of a module wide; function patterns at full contrast.
cv::Mat reference_dots_on_image(const Symbol& symbol, const cv::Mat& logo_frame, int quiet, int px);

}  // namespace viscode::bench
