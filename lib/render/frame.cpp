#include "render/frame.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>

#include "encode/function_patterns.hpp"

namespace viscode::detail {
namespace {

// A contained logo is moved off the function patterns only when that keeps at least this
// share of the area plain contain gives it: a square logo would shrink to a corner-free
// middle a fifth its size, a wordmark keeps more than half.
constexpr double kClearShare = 0.5;

// The largest box of the given aspect (width / height, in modules) inside `area` (frame
// cells) that no function pattern crosses, as near the area's centre as it can sit.
std::optional<cv::Rect2d> clear_box(double aspect, const cv::Rect& area, int quiet,
                                    int symbol_size) {
  const int version = (symbol_size - 17) / 4;
  const std::vector<std::uint8_t> function = function_mask(version);
  auto blocked = [&](int fx, int fy) {
    const int x = fx - quiet, y = fy - quiet;
    if (x < 0 || y < 0 || x >= symbol_size || y >= symbol_size) return false;
    return function[static_cast<std::size_t>(y * symbol_size + x)] != 0;
  };
  const double cx = area.x + area.width / 2.0, cy = area.y + area.height / 2.0;
  std::optional<cv::Rect2d> best;
  double best_area = 0, best_distance = 0;
  std::vector<std::uint8_t> open(static_cast<std::size_t>(area.width));
  for (int y0 = area.y; y0 < area.y + area.height; ++y0) {
    std::fill(open.begin(), open.end(), 1);
    for (int y1 = y0; y1 < area.y + area.height; ++y1) {
      for (int i = 0; i < area.width; ++i) {
        if (blocked(area.x + i, y1)) open[static_cast<std::size_t>(i)] = 0;
      }
      const double rows = y1 - y0 + 1;
      for (int i = 0; i < area.width;) {
        if (open[static_cast<std::size_t>(i)] == 0) {
          ++i;
          continue;
        }
        int j = i;
        while (j < area.width && open[static_cast<std::size_t>(j)] != 0) ++j;
        const double h = std::min(rows, (j - i) / aspect), w = h * aspect;
        const double x0 = area.x + i, x1 = area.x + j, top = y0, bottom = y1 + 1;
        const double x = std::clamp(cx - w / 2, x0, x1 - w);
        const double y = std::clamp(cy - h / 2, top, bottom - h);
        const double distance = std::hypot(x + w / 2 - cx, y + h / 2 - cy);
        const double size = w * h;
        if (!best || size > best_area + 1e-9 ||
            (size > best_area - 1e-9 && distance < best_distance)) {
          best = cv::Rect2d(x, y, w, h);
          best_area = size;
          best_distance = distance;
        }
        i = j;
      }
    }
  }
  return best;
}

// clear_box is cubic in the frame's side; a batch places thousands of codes of one size.
std::optional<cv::Rect2d> cached_clear_box(double aspect, const cv::Rect& area, int quiet,
                                           int symbol_size) {
  using Key = std::tuple<double, int, int, int, int, int, int>;
  static std::mutex mutex;
  static std::map<Key, std::optional<cv::Rect2d>> cache;
  const Key key{aspect, area.x, area.y, area.width, area.height, quiet, symbol_size};
  {
    const std::lock_guard lock(mutex);
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
  }
  const std::optional<cv::Rect2d> box = clear_box(aspect, area, quiet, symbol_size);
  const std::lock_guard lock(mutex);
  if (cache.size() > 256) cache.clear();
  cache.emplace(key, box);
  return box;
}

}  // namespace

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
  const int q = options.quiet;
  const cv::Rect area = options.logo_area == LogoArea::full
                            ? cv::Rect(0, 0, symbol_size + 2 * q, symbol_size + 2 * q)
                            : cv::Rect(q, q, symbol_size, symbol_size);
  Placement placement = place_in(logo, area, options.fit);
  if (options.fit != Fit::contain) return placement;
  // A contained wordmark spans the symbol, and the timing column or an alignment pattern
  // would cut through its letters: where a box clear of function patterns still holds most
  // of it, the logo goes there instead.
  const double aspect = static_cast<double>(logo.width()) / logo.height();
  const std::optional<cv::Rect2d> box = cached_clear_box(aspect, area, q, symbol_size);
  if (box && box->area() >= kClearShare * placement.image.area()) placement.image = *box;
  return placement;
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
