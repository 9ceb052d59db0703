// What an SVG (a logo, or a file to read) may make librsvg do: it keeps a tree of kilobytes
// per element, and decodes every embedded image in full through gdk-pixbuf, so a 60 kB
// SVG can embed a PNG claiming 60000 x 60000 pixels. These limits are checked on the text
// before librsvg sees it; docs/cli.md ("Input limits") lists them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace viscode::detail {

// Start tags: a logo's paths, groups and gradients run to thousands; librsvg takes about
// 4.5 kB per element, so this many cost a few hundred megabytes at most.
inline constexpr std::size_t kMaxSvgElements = 50'000;
// All images embedded as data: URIs together, by their headers' sizes (gdk-pixbuf decodes
// each to 4 bytes a pixel, and cairo copies it once more).
inline constexpr double kMaxSvgEmbeddedPixels = 40e6;
// Numbers in tags (coordinates, sizes, stroke widths): fuzzing found a 1.5 kB logo with a
// stroke 7.8e12 units wide that kept cairo busy for 283 s; 1e9 draws in a fraction of a
// second, and no drawing needs more than this.
inline constexpr double kMaxSvgNumber = 1e8;

// Throws Error(input) "<named> <why>: <fix>" when the SVG text is over kMaxSvgFileBytes,
// has more than kMaxSvgElements start tags, a number inside a tag of kMaxSvgNumber or more,
// declares entities that expand to markup, or
// embeds data: URIs that are not PNG, JPEG, WebP, BMP, TIFF or PNM images within
// kMaxSvgEmbeddedPixels together. `named` is "logo file 'brand.svg'" or "image 'x.svg'".
void check_svg_limits(std::string_view svg, const std::string& named, std::string_view fix);

}  // namespace viscode::detail
