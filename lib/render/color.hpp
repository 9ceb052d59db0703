// Colour conversions shared by the render stages. Lightness is CIELAB L* (0..100, D65), the
// space in which the halftone moves the image's tone without touching hue or chroma.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

#include "viscode/render.hpp"

namespace viscode::detail {

double lightness(Rgb color);  // L* of an sRGB colour

// 8-bit BGR or BGRA (composited over `under`) to float Lab (L 0..100).
cv::Mat to_lab(const cv::Mat& bgr_or_bgra, Rgb under);
// Float Lab back to 8-bit BGR, out-of-gamut values clipped.
cv::Mat lab_to_bgr8(const cv::Mat& lab);
// n pixels of float Lab, their L* moved by `shift` (clipped to 0..100), to Cairo RGB24
// words (0x00RRGGBB). Within one level of lab_to_bgr8, and cheap for short runs: the
// halftone re-tones a few pixels per module, too few per call for cv::cvtColor.
void lab_to_rgb24(const cv::Vec3f* lab, float shift, std::uint32_t* out, int n);
// L* of each pixel's luma (ITU-R BT.601 grey, what readers binarise), as CV_32F.
cv::Mat reader_lightness(const cv::Mat& bgr);
// Composites BGRA over a solid colour; BGR passes through; grey is expanded.
cv::Mat flatten(const cv::Mat& image, Rgb under);

}  // namespace viscode::detail
