#include "render/compose.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "render/center_patch.hpp"

namespace viscode::detail {

Plan make_plan(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
               const ImageStats* stats) {
  Plan plan;
  plan.frame = frame_modules(symbol, options);
  plan.dark = options.dark;
  plan.light = options.light;
  plan.dial = dial(options);
  const int q = options.quiet;
  const bool toned =
      logo != nullptr && (options.style == Style::halftone || options.style == Style::dots);

  cv::Rect patch;
  if (logo != nullptr && options.style == Style::center) {
    patch = checked_center_patch(symbol, *logo, options.strength);
    {
      plan.patch_image = *logo;
      plan.patch = cv::Rect2d(patch.x + q, patch.y + q, patch.width, patch.height);
      // A light margin keeps the logo's edge from reading as modules.
      const double margin = std::min(patch.width, patch.height) >= 5 ? 1.0 : 0.5;
      const cv::Rect2d inner(plan.patch.x + margin, plan.patch.y + margin,
                             plan.patch.width - 2 * margin, plan.patch.height - 2 * margin);
      plan.patch_placement = place_in(*logo, inner, Fit::contain);
    }
  }

  for (int y = 0; y < symbol.size; ++y) {
    for (int x = 0; x < symbol.size; ++x) {
      const cv::Point at(x + q, y + q);
      const bool dark = symbol.is_dark(x, y);
      if (patch.contains(cv::Point(x, y))) continue;
      if (!toned || symbol.is_function(x, y)) {
        // Over an image every function module is painted light first, the dark ones too:
        // a dark module's anti-aliased edge then blends with light, never with the image
        // (which showed as a coloured hairline along finder edges in vector output).
        if (toned) plan.full_light.push_back(at);
        if (dark) plan.full_dark.push_back(at);
      } else if (!symbol.is_spent(x, y)) {
        (dark ? plan.centre_dark : plan.centre_light).push_back(at);
      }
    }
  }
  if (!toned) return plan;

  plan.image = *logo;
  plan.placement = place_image(*logo, options, symbol.size);
  std::optional<ImageStats> own;
  if (stats == nullptr) stats = &own.emplace(analyse_image(*logo, options, symbol.size));
  const Halftone h = halftone(symbol, *stats, plan.dial, options);
  plan.shifts = h.shifts;
  plan.module_mean = h.module_mean;
  if (options.logo_area == LogoArea::full) {
    // Quiet-zone modules are light modules too: their centres keep the zone readable.
    for (int y = 0; y < plan.frame; ++y) {
      for (int x = 0; x < plan.frame; ++x) {
        const bool inside = x >= q && y >= q && x < q + symbol.size && y < q + symbol.size;
        if (!inside) plan.centre_light.emplace_back(x, y);
      }
    }
  }
  return plan;
}

cv::Mat shifted_background(const Plan& plan, int px) {
  const int side = plan.frame * px;
  if (!plan.image) {
    return cv::Mat(side, side, CV_8UC3, cv::Scalar(plan.light.b, plan.light.g, plan.light.r));
  }
  cv::Mat words(side, side, CV_32SC1);
  paint_shifted(plan, make_image_layer(plan, px), words.data, static_cast<int>(words.step));
  cv::Mat bgr;
  cv::cvtColor(cv::Mat(side, side, CV_8UC4, words.data), bgr, cv::COLOR_BGRA2BGR);
  return bgr;
}

int veil_level(float shift, float mean) {
  if (shift == 0) return 0;
  const double m0 = mean;
  const double m1 = std::clamp(m0 + shift, 0.0, 100.0);
  double alpha;
  if (shift > 0) {
    alpha = m0 >= 100 ? 0 : (m1 - m0) / (100 - m0);
  } else {
    alpha = m0 <= 0 ? 0 : (m0 - m1) / m0;
  }
  const int k = static_cast<int>(std::lround(std::clamp(alpha, 0.0, 1.0) * kVeilSteps));
  return shift > 0 ? k : -k;
}

}  // namespace viscode::detail
