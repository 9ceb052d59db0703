// Composition: what goes where, in frame modules, independent of the output format.
#pragma once

#include <optional>

#include "render/frame.hpp"
#include "render/halftone.hpp"
#include "viscode/render.hpp"

namespace viscode::detail {

struct Plan {
  int frame = 0;
  Rgb dark, light;
  // Whole modules drawn at full contrast (function patterns; every module of `plain`).
  std::vector<cv::Point> full_dark, full_light;
  // Module centres carrying data bits (halftone, dots), in the dark or light colour.
  Dial dial;
  std::vector<cv::Point> centre_dark, centre_light;
  // The image under the modules (halftone, dots) with its per-module L* shift.
  std::optional<Logo> image;
  Placement placement;
  cv::Mat shifts;       // CV_32F frame x frame; empty when there is no image
  cv::Mat module_mean;  // CV_32F frame x frame; the image's L* per module before the shift
  // The centre style's patch and the image inside it.
  std::optional<Logo> patch_image;
  cv::Rect2d patch;
  Placement patch_placement;
};

Plan make_plan(const Symbol& symbol, const Logo* logo, const RenderOptions& options);

// The image layer with every module's shift applied, as 8-bit BGR at px per module over the
// light colour. For `plain`/`center` it is the light colour.
cv::Mat shifted_background(const Plan& plan, int px);

}  // namespace viscode::detail
