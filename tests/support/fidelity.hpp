#pragma once
// How faithfully a rendered designer code preserves the brand image, plus the image
// normalisation every support component shares (so readers, capture and SSIM agree on what
// a transparent pixel looks like on the pack: the white substrate).

#include <opencv2/core.hpp>

namespace viscode::test {

// 8-bit grey or BGR unchanged (shared, not copied); 8-bit BGRA alpha-composited over white
// into BGR. Throws std::invalid_argument for other depths or channel counts.
cv::Mat flatten_over_white(const cv::Mat& image);

// flatten_over_white() followed by cv::COLOR_BGR2GRAY (BT.601 luma), 8-bit, one channel.
cv::Mat to_grey(const cv::Mat& image);

// Mean structural similarity (Wang, Bovik, Sheikh, Simoncelli 2004) of the two images'
// greys (to_grey above): 11x11 Gaussian window with sigma 1.5 px, K1 = 0.01, K2 = 0.03,
// dynamic range L = 255, averaged over the "valid" window positions only (no padding, as in
// the authors' reference ssim_index.m), computed in double precision.
// Range [-1, 1]; 1.0 iff identical greys. Known value: two constant images of levels x and y
// score (2xy + C1) / (x^2 + y^2 + C1) with C1 = (0.01 * 255)^2, e.g. 100 vs 150 -> 0.92310.
// Throws std::invalid_argument if sizes differ or either side is smaller than 11x11 px.
double ssim_grey(const cv::Mat& a, const cv::Mat& b);

// The project's fidelity measure: ssim_grey of a code and the logo drawn in the same frame
// (render_logo_frame), both first reduced with cv::INTER_AREA to kFidelityPx pixels per
// module. At that scale SSIM's 11-px window spans about three modules: it judges whether
// the image is recognisable across the code, as a person sees it at arm's length, rather
// than the edges inside single modules; it also reproduces the reference values of the
// product brief (plain QR ~0.24-0.27, logo at 50% opacity ~0.32, dots on image ~0.35-0.38).
inline constexpr int kFidelityPx = 4;
double fidelity(const cv::Mat& code, const cv::Mat& logo_frame, int total_modules);

}  // namespace viscode::test
