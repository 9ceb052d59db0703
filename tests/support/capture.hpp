#pragma once
// Deterministic simulation of a phone photographing a printed code. These definitions are
// the yardstick of the product's "strength" dial ("reads after a typical capture", "reads
// after a small capture"), so they are fixed; changing one changes what the dial promises.

#include <cstdint>
#include <opencv2/core.hpp>
#include <string_view>

namespace viscode::test {

enum class Capture {
  // The image unchanged (a copy): the rendering as the file holds it.
  pristine,
  // A pack in hand, camera at a slight angle:
  //   1. resize with cv::INTER_AREA to total_modules * 6 px square (a module is 6 px;
  //      inputs with smaller modules are upsampled);
  //   2. Gaussian blur, sigma 0.8 px (kernel size derived by OpenCV from sigma, edges
  //      replicated);
  //   3. rotate 8 degrees counter-clockwise about the centre (bilinear) onto a square canvas
  //      of side ceil(S * (cos 8deg + sin 8deg)) px, S = total_modules * 6, so nothing is
  //      cut; the uncovered corners are neutral grey 200 (the pack around the code);
  //   4. JPEG quality 85 encode + decode (cv::imencode / cv::imdecode).
  typical,
  // A small print or a far phone:
  //   1. resize with cv::INTER_AREA to total_modules * 4 px square (a module is 4 px);
  //   2. Gaussian blur, sigma 1.1 px;
  //   3. no rotation; a grey-200 margin of 2 modules (8 px) on every side, so the result is
  //      (total_modules + 4) * 4 px square;
  //   4. JPEG quality 70 encode + decode.
  small,
};

std::string_view to_string(Capture kind);

// Side in px of what capture() returns for a code of total_modules (quiet zone included) and
// an input of input_px square (used only by pristine). Lets tests and benchmarks reason
// about module size after capture without re-deriving the definitions above.
int captured_side_px(int total_modules, Capture kind, int input_px);

// code_bgr: square 8-bit rendering of the code, grey, BGR or BGRA (BGRA is composited over
// white, i.e. printed on a white substrate), width == total_modules * module_px where
// total_modules counts the quiet zone and module_px need not be an integer.
// Returns BGR (CV_8UC3) for typical and small, a deep copy of the input for pristine.
// seed is reserved for future jitter; today the output depends only on the other arguments
// and is byte-identical across calls. Throws std::invalid_argument on a non-square or empty
// image or total_modules < 1.
cv::Mat capture(const cv::Mat& code_bgr, int total_modules, Capture kind, std::uint64_t seed = 1);

}  // namespace viscode::test
