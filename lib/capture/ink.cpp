// Ink: dot gain. Wet ink wicks into the paper, so every inked area reaches a little further
// than the dots that laid it: dark modules grow, light modules between them shrink, convex
// dark corners round off, and tints darken next to heavier ink.
//
// Modelled on ink density (1 - value / 255 per channel, a tint being a thinner film of the
// same ink) at the print's own resolution: a grey-level dilation of the density by a disc of
// the spread's radius (ink reaches that far from wherever it lies, whatever its density),
// then a Gaussian of half that radius for the ragged, soft front of wicked ink. The Gaussian
// is symmetric, so a straight edge's half-density point stays where the dilation put it.
//
// A spread is rarely a whole number of cells (0.1 of an 11.8-dot module is 1.18 dots), so
// the dilation blends the two nearest whole discs: a straight edge then grows by whole cells
// plus one cell of partial density, the same amount of ink as the fractional spread, which is
// all a camera several times coarser than the dots can see.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "capture/stages.hpp"

namespace viscode::detail {
namespace {

// Dilating density is eroding value.
cv::Mat spread_by(const cv::Mat& image, int radius) {
  if (radius == 0) return image;
  const cv::Mat disc =
      cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * radius + 1, 2 * radius + 1));
  cv::Mat out;
  cv::erode(image, out, disc);
  return out;
}

}  // namespace

void spread_ink(Sheet& sheet, double spread_modules) {
  if (spread_modules <= 0) return;
  const double radius = spread_modules * sheet.cells_per_module();
  const int whole = static_cast<int>(std::floor(radius));
  const double part = radius - whole;
  cv::Mat inked = spread_by(sheet.image, whole);
  if (part > 1e-6) {
    const cv::Mat further = spread_by(sheet.image, whole + 1);
    cv::addWeighted(inked, 1.0 - part, further, part, 0.0, inked);
  }
  const double soften = radius / 2;
  if (soften >= 0.25) {
    cv::GaussianBlur(inked, inked, cv::Size(0, 0), soften, soften, cv::BORDER_REPLICATE);
  }
  sheet.image = inked;
}

}  // namespace viscode::detail
