// The halftone stage: how far each module's image must move in lightness for a reader's
// local threshold to see the module's bit, and no further.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

#include "render/frame.hpp"
#include "viscode/render.hpp"

namespace viscode::detail {

// What --strength sets, together.
struct Dial {
  double centre = 0.3;  // side of the square centre (or diameter of the round one), modules
  double delta = 0;     // L* margin the surround's mean keeps from the local threshold;
                        // negative: how far it may stay on the wrong side, the centre
                        // alone carrying the bit
  bool round = false;
  double centre_area() const;  // fraction of the module the centre covers
};
Dial dial(const RenderOptions& options);

// Every module's surround (its analysis pixels outside the centre's bounding square) in
// ascending order with prefix sums: with them the shift a module needs is solved exactly in
// O(log n). They depend on the image and the centre's size alone, so a symbol size
// computes them once for every solve of every code.
struct Surrounds {
  int centre_px = -1;          // side of the excluded centre square, analysis pixels
  int n = 0;                   // pixels per surround
  std::vector<float> sorted;   // frame * frame * n reader lightnesses, ascending per module
  std::vector<double> prefix;  // frame * frame * (n + 1): prefix sums of `sorted`
  std::vector<double> mean;    // frame * frame: mean of each surround
};

// What the picture asks of each symbol module (row-major, size * size), for the free bits a
// symbol has (its pad codewords): dark where the picture under the module is darker than
// the local threshold of the unshifted picture; the weight is how far beyond 8 L* from it,
// so that the modules whose disagreement would cost the most shift come first, and those
// where the picture has no clear preference (weight 0) keep the standard pad's colour.
struct PicturePreference {
  std::vector<std::uint8_t> dark;
  std::vector<float> weight;
};

// The image sampled at a fixed analysis resolution, so that the decisions do not depend on
// the output's DPI or format.
struct ImageStats {
  static constexpr int kPx = 8;  // analysis pixels per module
  int frame = 0;
  int quiet = 0;
  bool full_area = false;
  cv::Mat lab;          // CV_32FC3, frame*kPx square, the image over the light colour
  cv::Mat lightness;    // CV_32F, the lightness a reader sees: L* of the image's luma grey
  cv::Mat module_mean;  // CV_32F frame x frame: the image's L* per module
  Surrounds surrounds;  // for the centre of dial(options)
  // For every code of this symbol size (and so made once with the analysis, not per code).
  PicturePreference preference;
};
ImageStats analyse_image(const Logo& logo, const RenderOptions& options, int symbol_size);
// The surrounds of a frame-module analysis (ImageStats::lightness) for a centre this many
// analysis pixels wide.
Surrounds make_surrounds(const cv::Mat& lightness, int frame, int centre_px);

struct Halftone {
  cv::Mat shifts;       // CV_32F frame x frame: L* shift of each module's surround
  cv::Mat module_mean;  // CV_32F frame x frame: the image's L* per module, unshifted
};
Halftone halftone(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
                  const RenderOptions& options);

// How many data/EC modules the image disagrees with (would need a shift), and the total
// shift they need; the image-aware mask minimises these. Without total_shift, only the
// count (the shift stays 0): the cheap test that rules most masks out.
struct Disagreement {
  int modules = 0;
  double shift = 0;
};
Disagreement disagreement(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
                          const RenderOptions& options, bool total_shift = true);

// Each data/EC module's shift (L*, >= 0) against the first threshold, row-major size * size,
// 0 where the image already agrees: what a module costs the picture.
std::vector<float> module_shifts(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
                                 const RenderOptions& options);

}  // namespace viscode::detail
