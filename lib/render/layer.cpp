#include "render/layer.hpp"

#include <cstring>
#include <opencv2/core.hpp>
#include <vector>

#include "render/color.hpp"
#include "render/compose.hpp"

namespace viscode::detail {

ImageLayer make_image_layer(const Plan& plan, int px) {
  ImageLayer layer;
  layer.px = px;
  const cv::Mat bgra = image_layer(*plan.image, plan.placement, plan.frame, px);
  cv::extractChannel(bgra, layer.alpha, 3);
  layer.lab = to_lab(bgra, plan.light);
  const cv::Mat bgr = lab_to_bgr8(layer.lab);
  layer.rgb24.create(bgr.size(), CV_32SC1);
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* s = bgr.ptr<cv::Vec3b>(y);
    auto* d = layer.rgb24.ptr<std::uint32_t>(y);
    for (int x = 0; x < bgr.cols; ++x) {
      d[x] = static_cast<std::uint32_t>(s[x][2]) << 16 | static_cast<std::uint32_t>(s[x][1]) << 8 |
             s[x][0];
    }
  }
  return layer;
}

std::shared_ptr<const ImageLayer> layer_for(const LayerFor& layers, const Plan& plan, int px) {
  if (layers) return layers(plan, px);
  return std::make_shared<const ImageLayer>(make_image_layer(plan, px));
}

void paint_shifted(const Plan& plan, const ImageLayer& layer, unsigned char* data, int stride) {
  const int px = layer.px;
  // The most a logo pixel's shift may exceed its module's: more would clip at L* 0 or 100
  // in the small slivers of logo at its edge and lose the module's contrast.
  constexpr double kMaxGain = 2;
  std::vector<double> coverage(static_cast<std::size_t>(plan.frame));  // mean alpha, 0..1
  for (int my = 0; my < plan.frame; ++my) {
    const float* shift = plan.shifts.ptr<float>(my);
    for (int mx = 0; mx < plan.frame; ++mx) {
      double& c = coverage[static_cast<std::size_t>(mx)];
      c = 1;
      if (shift[mx] == 0 || layer.alpha.empty()) continue;
      const cv::Mat a = layer.alpha(cv::Rect(mx * px, my * px, px, px));
      double lo = 0, hi = 0;
      cv::minMaxLoc(a, &lo, &hi);
      // Only where logo and paper share the module; all logo or all paper: uniform.
      c = lo < 255 && hi > 0 ? cv::mean(a)[0] / 255 : 1;
    }
    for (int y = my * px; y < (my + 1) * px; ++y) {
      auto* out = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
      const auto* lab = layer.lab.ptr<cv::Vec3f>(y);
      const auto* unshifted = layer.rgb24.ptr<std::uint32_t>(y);
      const auto* alpha = layer.alpha.empty() ? nullptr : layer.alpha.ptr<std::uint8_t>(y);
      for (int mx = 0; mx < plan.frame; ++mx) {
        const int x = mx * px;
        const double c = coverage[static_cast<std::size_t>(mx)];
        if (shift[mx] == 0) {
          std::memcpy(out + x, unshifted + x, static_cast<std::size_t>(px) * sizeof(std::uint32_t));
        } else if (c >= 1 || alpha == nullptr) {
          lab_to_rgb24(lab + x, shift[mx], out + x, px);
        } else {
          // Weights a / c (mean 1) where they stay within kMaxGain, else blended with a
          // uniform share u so that the largest is kMaxGain: u + (1 - u) / c = kMaxGain.
          const double u = 1 / c > kMaxGain ? (1 / c - kMaxGain) / (1 / c - 1) : 0;
          for (int i = 0; i < px; ++i) {
            const double w = u + (1 - u) * (alpha[x + i] / 255.0) / c;
            lab_to_rgb24(lab + x + i, static_cast<float>(shift[mx] * w), out + x + i, 1);
          }
        }
      }
    }
  }
}

}  // namespace viscode::detail
