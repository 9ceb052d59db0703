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

// A capture assembled from single effects, each off at its default, for tests that need one
// effect at a time or a mix harsher than the presets. It follows a photo of a print: the
// optics see the geometry, light falls unevenly on the pack, the lens blurs, the sensor adds
// noise and the phone compresses. In this order:
//   1. resize with cv::INTER_AREA to round(total_modules * module_px) px square (area
//      averaging, as a sensor integrates over its pixels; a bilinear downsample would alias
//      in a way no camera does);
//   2. perspective and rotation: the edge tilted_edge (0 top, 1 right, 2 bottom, 3 left) is
//      shortened and the opposite edge lengthened about their midpoints so that their ratio
//      is 1 - tilt and their geometric mean is the side (the symbol keeps its area); the
//      quadrilateral is turned rotation_deg clockwise as displayed (y down) about its centre
//      and warped bilinearly onto a canvas of neutral grey 200 (the pack) reaching
//      3 * module_px + 8 px beyond its bounding box, so the code is never cut and the reader
//      has to find it;
//   3. lighting: every pixel multiplied by 1 - gradient * t, t running linearly from 0 to 1
//      across the canvas towards gradient_deg (0 = darker to the right, 90 = downwards);
//   4. Gaussian blur of blur_sigma px (edges reflected);
//   5. Gaussian noise of noise_sigma grey levels, independent per pixel and channel, drawn
//      from cv::RNG(seed) (0 taken as 1), then saturated to 0..255;
//   6. JPEG encode + decode at jpeg_quality (0 = none).
// These mirror the severities of tests/bench/detect.cpp, with every draw made explicit.
struct CaptureSpec {
  double module_px = 6;  // > 0
  double rotation_deg = 0;
  double tilt = 0;      // 0 <= tilt < 1
  int tilted_edge = 0;  // 0..3
  double gradient = 0;  // 0..1
  double gradient_deg = 0;
  double blur_sigma = 0;   // >= 0
  double noise_sigma = 0;  // >= 0
  int jpeg_quality = 0;    // 0, or 1..100
};

// code_bgr as for the preset capture() above. Returns BGR (CV_8UC3), byte-identical for the
// same arguments. Throws std::invalid_argument on a non-square or empty image,
// total_modules < 1 or a field outside its range.
cv::Mat capture(const cv::Mat& code_bgr, int total_modules, const CaptureSpec& spec,
                std::uint64_t seed = 1);

// Working resolution of ink_spread(), in px per module at least.
inline constexpr int kInkSpreadWorkPx = 24;

// A print whose ink spreads (dot gain): wet ink wicks into the paper, so every inked area
// grows by spread_modules of a module on each of its edges, and light modules between dark
// ones shrink by twice that. 0.15-0.25 is a poor press or absorbent stock; 0.5 closes a light
// module between two dark ones entirely. Modelled at a working resolution where a module is
// k * (code_bgr.cols / total_modules) px, k the smallest integer making that at least
// kInkSpreadWorkPx (the input is enlarged k times with cv::INTER_NEAREST, so its pixels stay
// exact):
//   1. per BGR channel, ink density 1 - value / 255 (a tint is a thinner film of the same ink);
//   2. grey-level dilation of the density with a disc of radius r = round(spread_modules *
//      working module px) px: ink reaches r further from wherever it lies, whatever its
//      density, so dark areas grow by r on every edge, convex dark corners round off with
//      radius r, and tints darken next to heavier ink;
//   3. a Gaussian of sigma r / 2 px: the soft, ragged front of wicked ink (symmetric, so it
//      leaves a straight edge's half-density point where step 2 put it);
//   4. back to code_bgr's size with cv::INTER_AREA.
// The growth is thus spread_modules rounded to a working pixel (within 1 / 48 module).
// code_bgr: grey, BGR or BGRA (composited over white, the substrate), width ==
// total_modules * module_px. Returns BGR (CV_8UC3) of code_bgr's size; a spread that rounds
// to 0 px returns the input unchanged (as BGR). Feed the result to capture() to photograph the
// print. Throws std::invalid_argument on a non-square or empty image, total_modules < 1, or
// spread_modules outside 0..0.5.
cv::Mat ink_spread(const cv::Mat& code_bgr, int total_modules, double spread_modules);

}  // namespace viscode::test
