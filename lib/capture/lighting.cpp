// Paper and light: the light on the pack falls off linearly across the frame (a lamp to one
// side, the phone's own shadow), and the light and paper tint every channel by a gain.
//
// The light is defined across the frame, as a photo shows it, so it is applied to the scene
// as the camera sees it: after the geometry has placed the sheet (which only moves points,
// so lighting the pack first would give the same pixels) and before anything the lens and
// sensor do. The pack around the code is lit too.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "capture/stages.hpp"

namespace viscode::detail {

void light(cv::Mat& frame, double gradient, double gradient_angle_deg, cv::Vec3d colour_cast) {
  const bool flat = gradient <= 0;
  const bool neutral = colour_cast == cv::Vec3d(1, 1, 1);
  if (flat && neutral) return;
  const double a = gradient_angle_deg * std::numbers::pi / 180.0;
  const double dx = flat ? 0.0 : std::cos(a), dy = flat ? 0.0 : std::sin(a);
  // t runs from 0 at the brightest pixel centre to 1 at the darkest, over the frame.
  const double w = frame.cols - 1, h = frame.rows - 1;
  const double lo = std::min(0.0, dx * w) + std::min(0.0, dy * h);
  const double hi = std::max(0.0, dx * w) + std::max(0.0, dy * h);
  const double span = hi - lo > 0 ? hi - lo : 1.0;
  const float cb = static_cast<float>(colour_cast[0]), cg = static_cast<float>(colour_cast[1]),
              cr = static_cast<float>(colour_cast[2]);
  for (int y = 0; y < frame.rows; ++y) {
    auto* row = frame.ptr<cv::Vec3f>(y);
    // Linear along the row: the gain at x is g0 + x * gx.
    const double g0 = 1.0 - gradient * (dy * y - lo) / span;
    const double gx = -gradient * dx / span;
    for (int x = 0; x < frame.cols; ++x) {
      const float g = static_cast<float>(g0 + gx * x);
      row[x][0] *= g * cb;
      row[x][1] *= g * cg;
      row[x][2] *= g * cr;
    }
  }
}

}  // namespace viscode::detail
