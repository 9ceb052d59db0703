// viscode/capture.hpp — what happens to a code between the file and a phone's reader.
//
// simulate_capture() runs the print-and-phone chain in stages, each with a physical
// meaning: print the artwork at a size and resolution, ink spread, paper and lighting, the
// camera's distance, focus, motion and angle, the sensor's noise and the phone's JPEG.
// Deterministic: the same image, options and seed give the same pixels.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace viscode {

// The conditions of one capture, stage by stage in the order they act. A value of 0 (or the
// neutral default) leaves its stage out.
struct CaptureOptions {
  // The artwork: module size in the input image, px, 0 or at least 1. 0 = found by reading
  // the code in the image (viscode::detect; snapped so that the image holds a whole number
  // of modules when it nearly does); an image in which no code reads then needs it given.
  // The module grid starts at the image's top-left corner, as in render()'s images (whose
  // quiet zone is whole modules).
  double input_module_px = 0;

  // Print. The artwork is printed with modules of print_module_mm at print_dpi: module
  // edges fall on the printer's dot grid (a module of 5.9 dots is 5 or 6 dots wide), and a
  // module must be at least one dot. 0 = not printed (shown on a screen: the artwork's own
  // pixels are what the camera sees).
  double print_module_mm = 0.5;  // mm per module, > 0
  double print_dpi = 600;        // printer dots per inch, 72-4800
  // Dot gain: dark areas grow by this fraction of a module on every edge as wet ink
  // spreads into the paper (light gaps between them shrink by twice that). 0-0.5; needs a
  // print.
  double ink_spread = 0;

  // Paper and light. The light falls linearly across the frame to (1 - gradient) of its
  // brightest, along gradient_angle_deg (0 = darker to the right, 90 = darker downwards),
  // from the brightest pixel's centre to the darkest's; the pack around the code is lit too.
  double gradient = 0;  // 0-0.9
  double gradient_angle_deg = 0;
  // Colour cast of paper and light: gains on blue, green, red (1, 1, 1 = neutral; warm
  // indoor light is about 0.85, 0.95, 1.05). Each 0.5-1.5; a channel pushed past white
  // clips, as a sensor does.
  cv::Vec3d colour_cast = {1, 1, 1};

  // Camera. Distance sets how many camera pixels one module spans; each camera pixel
  // averages the print over its area, as a sensor integrates.
  double px_per_module = 6;     // camera px per module, 1.5-40
  double defocus_sigma_px = 0;  // Gaussian blur of an out-of-focus lens, camera px, 0-10
  double motion_px = 0;         // length of a straight motion blur, camera px, 0-30
  double motion_angle_deg = 0;  // direction of the smear: 0 = horizontal, 90 = vertical
  // Perspective: 1 - (far edge / near edge) of the artwork's outline (quiet zone included),
  // 0-0.6, with the far edge at tilt_angle_deg in the frame (0 = right edge far, 90 =
  // bottom edge far; between those, the ratio of the scales at the outline's farthest and
  // nearest points). The pack is turned first, then seen at an angle, so the far side stays
  // where tilt_angle_deg puts it whatever rotation_deg is. The code's area is kept.
  double tilt = 0;
  double tilt_angle_deg = 0;
  double rotation_deg = 0;  // in-plane rotation, counter-clockwise as displayed

  // Sensor and phone.
  double noise_sigma = 0;  // Gaussian sensor noise, grey levels (0-255 scale), 0-50
  int jpeg_quality = 0;    // 1-100; 0 = no JPEG
};

// Named conditions from a sharp scan to a hurried photo. Ranges are drawn per seed (any
// rotation, a tilt up to the maximum, a gradient in a random direction), so that a
// verification over many seeds sees many captures; docs/capture.md shows one of each.
enum class Severity {
  pristine,  // flat, sharp, 10 px/module, no noise, no JPEG
  mild,      // a careful photo: 6 px/module, slight blur, +-10 deg, JPEG 90
  moderate,  // arm's length: 4.5-5 px/module, any rotation, tilt <= 0.1, light gradient,
             // noise, JPEG 80
  hard,      // far and hurried: 4 px/module, tilt <= 0.4, blur, uneven light, JPEG 70
};

std::string_view to_string(Severity severity);
// "pristine", "mild", "moderate", "hard"; throws Error(usage) naming the accepted values.
Severity parse_severity(std::string_view name);
// All severities, mildest first.
std::vector<Severity> all_severities();

// The conditions of one capture at a severity, drawn from its ranges by seed. Print size
// and DPI are left at their defaults (verification sets them).
CaptureOptions capture_preset(Severity severity, std::uint64_t seed);

// The image a phone's reader would get from the artwork (8-bit grey, BGR or BGRA; BGRA is
// composited over white paper) under `options`: BGR, about (artwork modules x
// px_per_module) px plus the surrounding pack, which is neutral grey (200) and reaches
// 3 modules + 8 px beyond the code's bounding box, so nothing is cut. seed drives the
// noise (and nothing else). Thread-safe. Throws Error(input) for an empty image, one that
// is not 8-bit grey/BGR/BGRA, or one whose module size cannot be found; Error(usage) for
// options out of their ranges (naming the field) or an artwork of more modules than a
// capture can hold (a wrong input_module_px). See docs/capture.md.
cv::Mat simulate_capture(const cv::Mat& artwork, const CaptureOptions& options, std::uint64_t seed);

}  // namespace viscode
