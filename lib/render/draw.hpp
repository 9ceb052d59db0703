// Drawing a composition with Cairo: the same drawing code serves PNG (raster) and SVG/PDF
// (vector), so the formats cannot drift apart.
#pragma once

#include <cairo.h>

#include "render/compose.hpp"

namespace viscode::detail {

// Draws the plan with cr's user space scaled to `unit` device units per module.
// raster_px > 0: cr's target is an RGB24 image surface of exactly that many pixels per
// module (the image layer is made at that resolution, written straight into its pixels,
// and module centres snap to whole pixels).
// raster_px == 0: vector output; the image is embedded once, at its own resolution.
// layers: the image layers a prepared Design keeps (empty: made here).
// png_images: vector output for SVG, whose images Cairo embeds as PNG: each image carries
// its PNG, made here faster than Cairo would.
void draw(cairo_t* cr, const Plan& plan, double unit, int raster_px, const LayerFor& layers = {},
          bool png_images = false);

}  // namespace viscode::detail
