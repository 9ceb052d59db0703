#include "render/draw.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "render/cairo_ptr.hpp"
#include "render/color.hpp"
#include "render/logo_impl.hpp"
#include "render/png.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

void set_color(cairo_t* cr, Rgb c) {
  cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

// Cairo keeps a pointer to the pixels, so the surface owns a copy in its own format.
SurfacePtr surface_from(const cv::Mat& image) {
  const bool alpha = image.channels() == 4;
  cairo_surface_t* s = cairo_image_surface_create(alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                                  image.cols, image.rows);
  cairo_surface_flush(s);
  unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  for (int y = 0; y < image.rows; ++y) {
    auto* d = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
    if (alpha) {
      const auto* p = image.ptr<cv::Vec4b>(y);
      for (int x = 0; x < image.cols; ++x) {
        const std::uint32_t a = p[x][3];
        const auto pm = [a](std::uint8_t v) { return (v * a + 127) / 255; };
        d[x] = (a << 24) | (pm(p[x][2]) << 16) | (pm(p[x][1]) << 8) | pm(p[x][0]);
      }
    } else {
      const auto* p = image.ptr<cv::Vec3b>(y);
      for (int x = 0; x < image.cols; ++x) {
        d[x] = 0xff000000u | (static_cast<std::uint32_t>(p[x][2]) << 16) |
               (static_cast<std::uint32_t>(p[x][1]) << 8) | p[x][0];
      }
    }
  }
  cairo_surface_mark_dirty(s);
  return SurfacePtr(s);
}

// Paints a w x h pixel surface so that it covers `rect` (module units).
void paint_surface(cairo_t* cr, cairo_surface_t* s, int w, int h, const cv::Rect2d& rect,
                   bool smooth) {
  cairo_save(cr);
  cairo_rectangle(cr, rect.x, rect.y, rect.width, rect.height);
  cairo_clip(cr);
  cairo_translate(cr, rect.x, rect.y);
  cairo_scale(cr, rect.width / w, rect.height / h);
  cairo_set_source_surface(cr, s, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), smooth ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
}

void paint_image(cairo_t* cr, const cv::Mat& image, const cv::Rect2d& rect, bool smooth) {
  paint_surface(cr, surface_from(image).get(), image.cols, image.rows, rect, smooth);
}

void fill_squares(cairo_t* cr, const std::vector<cv::Point>& at, double size, Rgb color,
                  double inset) {
  if (at.empty()) return;
  for (const auto& p : at) cairo_rectangle(cr, p.x + inset, p.y + inset, size, size);
  set_color(cr, color);
  // One fill for all: adjacent squares merge without anti-aliasing seams between them.
  cairo_set_fill_rule(cr, CAIRO_FILL_RULE_WINDING);
  cairo_fill(cr);
}

void fill_dots(cairo_t* cr, const std::vector<cv::Point>& at, double diameter, Rgb color) {
  if (at.empty()) return;
  for (const auto& p : at) {
    cairo_new_sub_path(cr);
    cairo_arc(cr, p.x + 0.5, p.y + 0.5, diameter / 2, 0, 2 * std::numbers::pi);
  }
  set_color(cr, color);
  cairo_fill(cr);
}

// The re-toned image as a surface to paint, at the layer's resolution.
// For SVG, Cairo embeds an image as PNG, with libpng's slowest settings unless the
// surface carries its PNG already; ours is several times faster.
SurfacePtr shifted_surface(const Plan& plan, const ImageLayer& layer, bool attach_png) {
  const int side = plan.frame * layer.px;
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
  cairo_surface_flush(s);
  unsigned char* data = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  paint_shifted(plan, layer, data, stride);
  cairo_surface_mark_dirty(s);
  if (attach_png) {
    auto* png = new std::vector<std::uint8_t>(encode_png(data, side, side, stride, 72, false));
    cairo_surface_set_mime_data(
        s, CAIRO_MIME_TYPE_PNG, png->data(), png->size(),
        [](void* p) { delete static_cast<std::vector<std::uint8_t>*>(p); }, png);
  }
  return SurfacePtr(s);
}

// On a raster at the layer's own resolution, painting the layer through Cairo would copy
// its pixels unchanged; writing them straight into the surface skips that copy and the
// intermediate image.
void write_background(cairo_surface_t* target, const Plan& plan, int px, const LayerFor& layers) {
  cairo_surface_flush(target);
  unsigned char* data = cairo_image_surface_get_data(target);
  const int stride = cairo_image_surface_get_stride(target);
  const int side = plan.frame * px;
  if (cairo_image_surface_get_format(target) != CAIRO_FORMAT_RGB24 ||
      cairo_image_surface_get_width(target) != side ||
      cairo_image_surface_get_height(target) != side) {
    throw Error(ErrorCategory::internal, "a raster code must be drawn on RGB24 pixels");
  }
  if (plan.image) {
    paint_shifted(plan, *layer_for(layers, plan, px), data, stride);
  } else {
    const std::uint32_t light = static_cast<std::uint32_t>(plan.light.r) << 16 |
                                static_cast<std::uint32_t>(plan.light.g) << 8 | plan.light.b;
    for (int y = 0; y < side; ++y) {
      auto* row = reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(y) * stride);
      std::fill(row, row + side, light);
    }
  }
  cairo_surface_mark_dirty(target);
}

// A vector image cannot be re-toned per pixel; instead each shifted module gets a
// translucent white or black veil that moves its mean L* by the planned amount. Modules of
// one veil level are one shape, filled once: separately filled neighbours would each be
// anti-aliased at their shared edge and leave a seam of double or missing veil.
void veil_modules(cairo_t* cr, const Plan& plan) {
  std::vector<std::vector<cv::Rect>> runs(2 * kVeilSteps + 1);  // by level + kVeilSteps
  for (int y = 0; y < plan.frame; ++y) {
    const float* shift = plan.shifts.ptr<float>(y);
    const float* mean = plan.module_mean.ptr<float>(y);
    int previous = 0;
    for (int x = 0; x < plan.frame; ++x) {
      const int level = veil_level(shift[x], mean[x]);
      auto& list = runs[static_cast<std::size_t>(level + kVeilSteps)];
      if (level != 0 && level == previous) {
        ++list.back().width;
      } else if (level != 0) {
        list.emplace_back(x, y, 1, 1);
      }
      previous = level;
    }
  }
  for (int level = -kVeilSteps; level <= kVeilSteps; ++level) {
    const auto& list = runs[static_cast<std::size_t>(level + kVeilSteps)];
    if (list.empty()) continue;
    for (const cv::Rect& r : list) cairo_rectangle(cr, r.x, r.y, r.width, r.height);
    const double v = level > 0 ? 1 : 0;
    cairo_set_source_rgba(cr, v, v, v, std::abs(level) / static_cast<double>(kVeilSteps));
    cairo_fill(cr);
  }
}

void draw_logo(cairo_t* cr, const Logo& logo, const Placement& p, double unit, int raster_px) {
  if (logo.is_vector()) {
    cairo_save(cr);
    cairo_rectangle(cr, p.area.x, p.area.y, p.area.width, p.area.height);
    cairo_clip(cr);
    detail::LogoAccess::impl(logo).draw_svg(cr, p.image.x, p.image.y, p.image.width,
                                            p.image.height);
    cairo_restore(cr);
    return;
  }
  // Raster: at output resolution for PNG; for vector output, at the resolution the print
  // needs, never more than the image has.
  const double px = raster_px > 0 ? raster_px : unit;
  const int w =
      std::max(1, std::min(logo.width(), static_cast<int>(std::lround(p.image.width * px))));
  const int h =
      std::max(1, std::min(logo.height(), static_cast<int>(std::lround(p.image.height * px))));
  const cv::Mat image = raster_px > 0
                            ? logo.raster(static_cast<int>(std::lround(p.image.width * px)),
                                          static_cast<int>(std::lround(p.image.height * px)))
                            : logo.raster(w, h);
  cairo_save(cr);
  cairo_rectangle(cr, p.area.x, p.area.y, p.area.width, p.area.height);
  cairo_clip(cr);
  paint_image(cr, image, p.image, raster_px == 0);
  cairo_restore(cr);
}

}  // namespace

void draw(cairo_t* cr, const Plan& plan, double unit, int raster_px, const LayerFor& layers,
          bool png_images) {
  cairo_save(cr);
  cairo_scale(cr, unit, unit);

  if (raster_px > 0) {
    write_background(cairo_get_target(cr), plan, raster_px, layers);
  } else {
    set_color(cr, plan.light);
    cairo_rectangle(cr, 0, 0, plan.frame, plan.frame);
    cairo_fill(cr);
  }
  if (plan.image && raster_px == 0) {
    if (plan.image->is_vector()) {
      draw_logo(cr, *plan.image, plan.placement, unit, 0);
      veil_modules(cr, plan);
    } else {
      // Enough pixels per module to keep the image's detail, capped so a file stays small.
      const double native = std::max(plan.image->width() / plan.placement.image.width,
                                     plan.image->height() / plan.placement.image.height);
      const int px = std::clamp(static_cast<int>(std::ceil(native)), 4, 24);
      const int side = plan.frame * px;
      paint_surface(cr, shifted_surface(plan, *layer_for(layers, plan, px), png_images).get(), side,
                    side, cv::Rect2d(0, 0, plan.frame, plan.frame), true);
    }
  }

  fill_squares(cr, plan.full_light, 1.0, plan.light, 0);
  fill_squares(cr, plan.full_dark, 1.0, plan.dark, 0);

  if (!plan.centre_dark.empty() || !plan.centre_light.empty()) {
    double c = plan.dial.centre;
    double inset = (1 - c) / 2;
    if (raster_px > 0 && !plan.dial.round) {
      // Whole device pixels, so every edge is crisp; an odd remainder puts the extra pixel
      // on the right/bottom, invisible in print and better than rounding by two pixels.
      const int cp = std::clamp(static_cast<int>(std::lround(c * raster_px)), 1, raster_px);
      c = cp / static_cast<double>(raster_px);
      inset = ((raster_px - cp) / 2) / static_cast<double>(raster_px);
    }
    if (plan.dial.round) {
      fill_dots(cr, plan.centre_light, c, plan.light);
      fill_dots(cr, plan.centre_dark, c, plan.dark);
    } else {
      fill_squares(cr, plan.centre_light, c, plan.light, inset);
      fill_squares(cr, plan.centre_dark, c, plan.dark, inset);
    }
  }

  if (plan.patch_image) {
    set_color(cr, plan.light);
    cairo_rectangle(cr, plan.patch.x, plan.patch.y, plan.patch.width, plan.patch.height);
    cairo_fill(cr);
    draw_logo(cr, *plan.patch_image, plan.patch_placement, unit, raster_px);
  }
  cairo_restore(cr);
}

}  // namespace viscode::detail
