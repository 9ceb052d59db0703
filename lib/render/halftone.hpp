// The halftone stage: how far each module's image must move in lightness for a reader's
// local threshold to see the module's bit, and no further.
#pragma once

#include <opencv2/core.hpp>

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

// The image sampled at a fixed analysis resolution, so that the decisions do not depend on
// the output's DPI or format.
struct ImageStats {
  static constexpr int kPx = 8;  // analysis pixels per module
  int frame = 0;
  int quiet = 0;
  bool full_area = false;
  cv::Mat lab;        // CV_32FC3, frame*kPx square, the image over the light colour
  cv::Mat lightness;  // CV_32F, the lightness a reader sees: L* of the image's luma grey
};
ImageStats analyse_image(const Logo& logo, const RenderOptions& options, int symbol_size);

struct Halftone {
  cv::Mat shifts;       // CV_32F frame x frame: L* shift of each module's surround
  cv::Mat module_mean;  // CV_32F frame x frame: the image's L* per module, unshifted
};
Halftone halftone(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
                  const RenderOptions& options);

// How many data/EC modules the image disagrees with (would need a shift), and the total
// shift they need; the image-aware mask minimises these.
struct Disagreement {
  int modules = 0;
  double shift = 0;
};
Disagreement disagreement(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
                          const RenderOptions& options);

}  // namespace viscode::detail
