#pragma once
// Synthetic stand-ins for what packaging designers feed in, generated (no files read) so the
// suite is hermetic and deterministic: the same pixels on every run and machine.

#include <opencv2/core.hpp>
#include <string>
#include <vector>

namespace viscode::test {

struct TestLogo {
  std::string name;  // short identifier, usable in test names and file names
  cv::Mat image;     // 512x512 px, CV_8UC3 (BGR) or CV_8UC4 (BGRA) where alpha is the point
};

// In this order:
//   photo         photo-like still life: soft lighting gradients, soft shapes, grain
//   flat_brand    flat brand logo on white: 3 saturated flat colours, bold shapes, wordmark bars
//   very_dark     mostly near-black with dark detail
//   very_light    mostly near-white pastels
//   low_contrast  mid-grey tones in a narrow range
//   transparent   BGRA: coloured emblem on a fully transparent background, soft alpha edges
//                 (colour under transparent pixels is black, as many exporters leave it)
//   colour_photo  saturated natural scene: sky gradient, sun, hills, foliage texture
//   wordmark      a dark wordmark across the middle of a white square (name-only logo)
//   thin_icon     a thin-line icon on white (6 px strokes): little ink, fine detail
//   mid_grey      a flat mid-grey badge with a lighter grey mark on white
// Generated afresh on every call (about 0.2 s); callers that loop should keep the result.
std::vector<TestLogo> test_logos();

}  // namespace viscode::test
