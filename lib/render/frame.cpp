#include "render/frame.hpp"

#include <algorithm>
#include <cmath>

namespace viscode::detail {

int frame_modules(const Symbol& symbol, const RenderOptions& options) {
  return symbol.size + 2 * options.quiet;
}

Placement place_in(const Logo& logo, const cv::Rect2d& area, Fit fit) {
  const double sx = area.width / logo.width(), sy = area.height / logo.height();
  const double scale = fit == Fit::cover ? std::max(sx, sy) : std::min(sx, sy);
  const double w = logo.width() * scale, h = logo.height() * scale;
  return Placement{cv::Rect2d(area.x + (area.width - w) / 2, area.y + (area.height - h) / 2, w, h),
                   area};
}

Placement place_image(const Logo& logo, const RenderOptions& options, int symbol_size) {
  const double q = options.quiet;
  const cv::Rect2d area = options.logo_area == LogoArea::full
                              ? cv::Rect2d(0, 0, symbol_size + 2 * q, symbol_size + 2 * q)
                              : cv::Rect2d(q, q, symbol_size, symbol_size);
  return place_in(logo, area, options.fit);
}

cv::Mat image_layer(const Logo& logo, const Placement& p, int frame, int px) {
  cv::Mat canvas(frame * px, frame * px, CV_8UC4, cv::Scalar(0, 0, 0, 0));
  const int w = std::max(1, static_cast<int>(std::lround(p.image.width * px)));
  const int h = std::max(1, static_cast<int>(std::lround(p.image.height * px)));
  const int x0 = static_cast<int>(std::lround(p.image.x * px));
  const int y0 = static_cast<int>(std::lround(p.image.y * px));
  const cv::Rect clip(static_cast<int>(std::lround(p.area.x * px)),
                      static_cast<int>(std::lround(p.area.y * px)),
                      static_cast<int>(std::lround(p.area.width * px)),
                      static_cast<int>(std::lround(p.area.height * px)));
  const cv::Rect target = cv::Rect(x0, y0, w, h) & clip & cv::Rect(0, 0, canvas.cols, canvas.rows);
  if (target.empty()) return canvas;
  const cv::Mat scaled = logo.raster(w, h);
  scaled(cv::Rect(target.x - x0, target.y - y0, target.width, target.height))
      .copyTo(canvas(target));
  return canvas;
}

}  // namespace viscode::detail
