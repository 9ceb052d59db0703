// The image layer at an output resolution, and each code's re-toning of it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>

namespace viscode::detail {

struct Plan;

// The image at px pixels per module as every code of one symbol size shows it before any
// shift: placed, flattened over the light colour, in CIELAB and as Cairo RGB24 words
// (0x00RRGGBB). A prepared Design keeps it, so a code converts only its shifted modules.
struct ImageLayer {
  int px = 0;
  cv::Mat lab;    // CV_32FC3, frame * px square
  cv::Mat rgb24;  // CV_32SC1 words, the same pixels unshifted (exactly as lab_to_bgr8 makes them)
  cv::Mat alpha;  // CV_8UC1: the logo's coverage (0 where it is transparent or absent)
};
ImageLayer make_image_layer(const Plan& plan, int px);

// The layer for a plan's symbol size at px pixels per module: a prepared Design's cached
// one, or (when empty) made on the spot. Either way the same pixels.
using LayerFor = std::function<std::shared_ptr<const ImageLayer>(const Plan& plan, int px)>;
std::shared_ptr<const ImageLayer> layer_for(const LayerFor& layers, const Plan& plan, int px);

// The plan's image with every module's shift applied, as Cairo RGB24 words into rows of
// `stride` bytes (frame * layer.px square). In a module that a transparent logo covers only
// in part, the shift goes to the logo's pixels rather than the paper around them, by up to
// twice, the module's mean shift kept: a uniform shift made grey squares of the paper
// around the logo's edge (square corners where a disc meets the symbol's edge).
void paint_shifted(const Plan& plan, const ImageLayer& layer, unsigned char* data, int stride);

}  // namespace viscode::detail
