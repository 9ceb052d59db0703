// Owning handles for Cairo objects, so every exit path (an exception from an SVG logo
// included) releases them.
#pragma once

#include <cairo.h>

#include <memory>

namespace viscode::detail {

struct CairoSurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct CairoContextDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, CairoSurfaceDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, CairoContextDeleter>;

}  // namespace viscode::detail
