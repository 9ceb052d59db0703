// The PNG writer for rasters drawn with Cairo.
#pragma once

#include <cstdint>
#include <vector>

namespace viscode::detail {

// An 8-bit RGB PNG of a width x height Cairo RGB24 raster (rows of `stride` bytes), with
// its resolution recorded (pHYs) so that layout tools place it at its physical size.
// flat: mostly areas of one colour (no picture under the modules), which run-length
// coding compresses as well as deflate's search, in less time. Deterministic: the same
// pixels give the same bytes.
std::vector<std::uint8_t> encode_png(const unsigned char* rgb24, int width, int height, int stride,
                                     double dpi, bool flat);

}  // namespace viscode::detail
