// Internal stages of simulate_capture(), one file each, in the order they act on a capture.
// Unit tests call them directly to measure one physical effect at a time.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "viscode/capture.hpp"

namespace viscode::detail {

// resample.cpp: one axis of a separable linear resampling. Output pixel j is the weighted
// sum of input pixels index[k] for k in [first[j], first[j + 1]); the indices -1 and n (the
// input's length) stand for the surround (kSurroundGrey) beyond either end.
struct Taps {
  std::vector<int> first{0};
  std::vector<int> index;
  std::vector<float> weight;
  int size() const { return static_cast<int>(first.size()) - 1; }
};

// Box (area) resampling of one axis of n_in pixels (pixel p covers [p, p + 1)): output
// pixel j is the average of the input over [edges[j], edges[j + 1]), edges increasing.
Taps box_taps(int n_in, const std::vector<double>& edges);
// `first` then `then`: an input of n_in pixels through both.
Taps compose(const Taps& first, int n_in, const Taps& then);
// Both axes of an 8-bit BGR image; the result is 8-bit BGR of x.size() x y.size().
cv::Mat resample(const cv::Mat& bgr, const Taps& x, const Taps& y);
// The same, transposed (x.size() rows of y.size() pixels), a transpose cheaper.
cv::Mat resample_transposed(const cv::Mat& bgr, const Taps& x, const Taps& y);

// The pack around the code: a neutral grey, neither paper white nor ink dark.
inline constexpr double kSurroundGrey = 200;

// A printed (or displayed) sheet: the artwork's pixels on a grid of cells. A cell is one
// printer dot, or dots_per_cell x dots_per_cell dots when the printer is far finer than any
// camera can tell (so memory stays bounded); the sheet spans modules_x x modules_y modules.
struct Sheet {
  cv::Mat image;  // CV_8UC3, BGR
  double modules_x = 0;
  double modules_y = 0;
  int dots_per_cell = 1;  // 0 when not printed (cells are the artwork's pixels)
  double cells_per_module() const { return image.cols / modules_x; }
};

// How the artwork maps onto the sheet's cells, axis by axis (a sheet without its pixels).
struct PrintPlan {
  Taps x, y;  // artwork pixels -> sheet cells
  double modules_x = 0;
  double modules_y = 0;
  int dots_per_cell = 1;
};

// Working resolution of the print: cells per module at most this (finer printers are
// modelled by the exact area average of their dots over cells of several dots).
inline constexpr double kMaxCellsPerModule = 24;

// Grey, BGR or BGRA (composited over white paper) as 8-bit BGR. Throws Error(input) for an
// empty image or another type.
cv::Mat artwork_bgr(const cv::Mat& artwork);

// The artwork as it would be shown unprinted: its own pixels are the cells.
Sheet unprinted(const cv::Mat& bgr, double input_module_px);

// print.cpp: the artwork (modules of input_module_px, the first starting at its top-left
// pixel edge) printed with modules of module_mm at dpi. Module i's edges fall on dots
// round(i * dots_per_module) and round((i + 1) * dots_per_module); each cell is the area
// average of the artwork over the part of it that the cell's dots print.
PrintPlan plan_print(cv::Size artwork, double input_module_px, double module_mm, double dpi);
Sheet print(const cv::Mat& bgr, double input_module_px, double module_mm, double dpi);

// ink.cpp: dot gain. Ink density (1 - value / 255 per channel) is dilated by a disc of
// spread_modules of a module (fractional cells by blending the two nearest whole discs),
// then softened by a Gaussian of half that radius, as the wet ink front is ragged. Dark
// areas grow by spread_modules of a module on every straight edge.
void spread_ink(Sheet& sheet, double spread_modules);

// The homography from the sheet's module coordinates (origin at its centre) to camera
// pixel-edge coordinates of the frame (pixel x covers [x, x + 1)), and the frame's size.
struct View {
  cv::Matx33d module_to_frame;
  cv::Size frame;
  // The least magnification anywhere on the sheet, in any direction, relative to
  // px_per_module (1 without tilt; below 1 on the far side of a tilted sheet).
  double min_scale = 1;
};
// optics.cpp: where the sheet lands in the frame: rotated, tilted (area kept), scaled to
// px_per_module, with a surround of 3 modules + 8 px beyond the outline's bounding box.
View plan_view(double modules_x, double modules_y, const CaptureOptions& options);

// optics.cpp: the camera's view of the sheet: each frame pixel is the area average of the
// scene over that pixel, the surround kSurroundGrey. CV_8UC3.
cv::Mat photograph(const Sheet& sheet, const CaptureOptions& options);
// The same from the artwork and its print plan, without the sheet's pixels (the two box
// resamplings, artwork to dots and dots to camera, composed into one).
cv::Mat photograph(const cv::Mat& bgr, const PrintPlan& plan, const CaptureOptions& options);

// lighting.cpp: light across the frame (gradient to 1 - gradient along gradient_angle_deg)
// times the colour cast, on a CV_32FC3 frame in place.
void light(cv::Mat& frame, double gradient, double gradient_angle_deg, cv::Vec3d colour_cast);

// optics.cpp: defocus (Gaussian) and straight motion blur on a CV_8UC3 or CV_32FC3 frame in
// place.
void blur(cv::Mat& frame, double defocus_sigma_px, double motion_px, double motion_angle_deg);

// sensor.cpp: Gaussian noise from seed, saturation to 8 bits, JPEG round trip. CV_8UC3 or
// CV_32FC3 in, CV_8UC3 out.
cv::Mat sense(const cv::Mat& frame, double noise_sigma, int jpeg_quality, std::uint64_t seed);

// A 64-bit finaliser (splitmix64): neighbouring seeds give unrelated streams, and the result
// is never 0 (which cv::RNG takes as "use the default state").
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream);

// Throws Error(usage) naming the first field out of its range.
void validate(const CaptureOptions& options);

// "0.8", "4800": the shortest text that reads back as value.
std::string number(double value);

}  // namespace viscode::detail
