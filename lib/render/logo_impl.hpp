// The inside of viscode::Logo: a decoded raster, or an SVG document kept as text so that
// vector outputs can draw it as vectors.
#pragma once

#include <cairo.h>

#include <string>

#include "viscode/render.hpp"

namespace viscode {

struct Logo::Impl {
  cv::Mat raster;   // 8-bit BGRA; empty for SVG
  std::string svg;  // SVG document; empty for rasters
  int width = 0;    // pixels (SVG: intrinsic size, or its viewBox)
  int height = 0;
  std::string source;  // file name, for messages

  // Draws the SVG scaled to fill (x, y, w, h) in user space.
  void draw_svg(cairo_t* cr, double x, double y, double w, double h) const;
};

namespace detail {
struct LogoAccess {
  static const Logo::Impl& impl(const Logo& logo) { return *logo.impl_; }
};
}  // namespace detail

}  // namespace viscode
