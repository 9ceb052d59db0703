// Where the image sits in the code's frame. The frame is measured in modules, quiet zone
// included, with (0,0) at the top-left corner of the quiet zone.
#pragma once

#include <opencv2/core.hpp>

#include "viscode/render.hpp"

namespace viscode::detail {

struct Placement {
  cv::Rect2d image;  // the scaled image's rectangle (may overhang the area with Fit::cover)
  cv::Rect2d area;   // the visible area (clip)
};

int frame_modules(const Symbol& symbol, const RenderOptions& options);
Placement place_image(const Logo& logo, const RenderOptions& options, int symbol_size);
// As place_image, contained in an arbitrary area (the centre style's patch).
Placement place_in(const Logo& logo, const cv::Rect2d& area, Fit fit);

// The image drawn into a frame-sized 8-bit BGRA canvas at px pixels per module,
// transparent outside the placement.
cv::Mat image_layer(const Logo& logo, const Placement& placement, int frame, int px);

}  // namespace viscode::detail
