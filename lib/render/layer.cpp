#include "render/layer.hpp"

#include <cstring>

#include "render/color.hpp"
#include "render/compose.hpp"

namespace viscode::detail {

ImageLayer make_image_layer(const Plan& plan, int px) {
  ImageLayer layer;
  layer.px = px;
  layer.lab = to_lab(image_layer(*plan.image, plan.placement, plan.frame, px), plan.light);
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
  for (int my = 0; my < plan.frame; ++my) {
    const float* shift = plan.shifts.ptr<float>(my);
    for (int y = my * px; y < (my + 1) * px; ++y) {
      auto* out = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
      const auto* lab = layer.lab.ptr<cv::Vec3f>(y);
      const auto* unshifted = layer.rgb24.ptr<std::uint32_t>(y);
      for (int mx = 0; mx < plan.frame; ++mx) {
        const int x = mx * px;
        if (shift[mx] == 0) {
          std::memcpy(out + x, unshifted + x, static_cast<std::size_t>(px) * sizeof(std::uint32_t));
        } else {
          lab_to_rgb24(lab + x, shift[mx], out + x, px);
        }
      }
    }
  }
}

}  // namespace viscode::detail
