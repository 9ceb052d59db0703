// The alignment pattern's correlation from box sums must be cv::matchTemplate's normalised
// correlation coefficient (which it replaces) at every offset, and peak on the pattern.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <opencv2/imgproc.hpp>

#include "detect/alignment_match.hpp"

using viscode::detail::alignment_match;

namespace {

cv::Mat pattern(int ppm) {
  const int t = 5 * ppm;
  cv::Mat p(t, t, CV_8U);
  for (int y = 0; y < t; ++y) {
    for (int x = 0; x < t; ++x) {
      const bool light = std::max(std::abs(x / ppm - 2), std::abs(y / ppm - 2)) == 1;
      p.at<std::uint8_t>(y, x) = light ? 255 : 0;
    }
  }
  return p;
}

// The largest difference from matchTemplate over the offsets where the window is not
// (nearly) flat: there matchTemplate divides rounding noise by rounding noise.
double largest_difference(const cv::Mat& patch, int ppm) {
  cv::Mat expected;
  cv::matchTemplate(patch, pattern(ppm), expected, cv::TM_CCOEFF_NORMED);
  const cv::Mat got = alignment_match(patch, ppm);
  REQUIRE(got.size() == expected.size());
  const int t = 5 * ppm;
  double worst = 0;
  for (int v = 0; v < got.rows; ++v) {
    for (int u = 0; u < got.cols; ++u) {
      cv::Scalar mean, stddev;
      cv::meanStdDev(patch(cv::Rect(u, v, t, t)), mean, stddev);
      if (stddev[0] < 1) continue;
      worst = std::max(
          worst, static_cast<double>(std::abs(got.at<float>(v, u) - expected.at<float>(v, u))));
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("alignment_match equals matchTemplate's TM_CCOEFF_NORMED", "[detect]") {
  cv::RNG rng(20261205);
  for (const int ppm : {3, 4}) {
    for (const int side : {5 * ppm, 5 * ppm + 7, 60}) {
      cv::Mat noise(side, side, CV_8U);
      rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
      CHECK(largest_difference(noise, ppm) < 1e-4);
      // A blurred pattern on a grey ramp, off-centre: structure as well as noise.
      cv::Mat scene(side, side, CV_8U);
      for (int y = 0; y < side; ++y) {
        for (int x = 0; x < side; ++x)
          scene.at<std::uint8_t>(y, x) = cv::saturate_cast<std::uint8_t>(90 + x + y);
      }
      pattern(ppm).copyTo(scene(cv::Rect(side - 5 * ppm, 0, 5 * ppm, 5 * ppm)));
      cv::GaussianBlur(scene, scene, cv::Size(3, 3), 0.8);
      CHECK(largest_difference(scene, ppm) < 1e-4);
    }
  }
}

TEST_CASE("alignment_match peaks on the pattern and scores a flat window 0", "[detect]") {
  const int ppm = 4, side = 44;
  cv::Mat scene(side, side, CV_8U, cv::Scalar(200));
  pattern(ppm).copyTo(scene(cv::Rect(13, 9, 5 * ppm, 5 * ppm)));
  const cv::Mat corr = alignment_match(scene, ppm);
  cv::Point best;
  double top = 0;
  cv::minMaxLoc(corr, nullptr, &top, nullptr, &best);
  CHECK(best == cv::Point(13, 9));
  CHECK(top == Approx(1.0).margin(1e-6));
  const cv::Mat flat(side, side, CV_8U, cv::Scalar(128));
  const cv::Mat none = alignment_match(flat, ppm);
  CHECK(cv::countNonZero(none) == 0);
}
