// The raster path's own pieces: the PNG writer, the per-module Lab conversion and the
// surrounds the halftone solves over.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "render/color.hpp"
#include "render/halftone.hpp"
#include "render/png.hpp"

using namespace viscode;

TEST_CASE("the PNG writer keeps every pixel and records the resolution", "[render][output]") {
  cv::Mat bgr(37, 53, CV_8UC3);
  cv::randu(bgr, 0, 256);
  // Cairo's RGB24 words, in rows wider than the image as Cairo's strides may be.
  const int stride = 4 * 60;
  std::vector<unsigned char> words(static_cast<std::size_t>(stride * bgr.rows), 0xaa);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b p = bgr.at<cv::Vec3b>(y, x);
      const std::uint32_t w = 0xffu << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
                              static_cast<std::uint32_t>(p[1]) << 8 | p[0];
      std::memcpy(words.data() + y * stride + 4 * x, &w, 4);
    }
  }
  for (const bool flat : {false, true}) {
    INFO("flat " << flat);
    const auto png = detail::encode_png(words.data(), bgr.cols, bgr.rows, stride, 600, flat);
    CHECK(png == detail::encode_png(words.data(), bgr.cols, bgr.rows, stride, 600, flat));
    REQUIRE(png.size() > 50);
    CHECK(std::memcmp(png.data() + 37, "pHYs", 4) == 0);
    CHECK(((png[41] << 24) | (png[42] << 16) | (png[43] << 8) | png[44]) == 23622);
    const cv::Mat back = cv::imdecode(png, cv::IMREAD_UNCHANGED);
    REQUIRE(back.type() == CV_8UC3);
    CHECK(cv::norm(back, bgr, cv::NORM_INF) == 0);
  }
}

TEST_CASE("re-toned pixels stay within a level of OpenCV's Lab conversion", "[render][golden]") {
  cv::Mat bgr(64, 64, CV_8UC3);
  cv::randu(bgr, 0, 256);
  const cv::Mat lab = detail::to_lab(bgr, Rgb{255, 255, 255});
  for (const float shift : {0.0f, -30.0f, -7.5f, 4.25f, 45.0f}) {
    cv::Mat moved = lab.clone();
    for (auto it = moved.begin<cv::Vec3f>(); it != moved.end<cv::Vec3f>(); ++it) {
      (*it)[0] = std::clamp((*it)[0] + shift, 0.0f, 100.0f);
    }
    const cv::Mat expected = detail::lab_to_bgr8(moved);
    cv::Mat words(lab.size(), CV_32SC1);
    for (int y = 0; y < lab.rows; ++y) {
      detail::lab_to_rgb24(lab.ptr<cv::Vec3f>(y), shift, words.ptr<std::uint32_t>(y), lab.cols);
    }
    cv::Mat got;
    cv::cvtColor(cv::Mat(lab.size(), CV_8UC4, words.data), got, cv::COLOR_BGRA2BGR);
    INFO("shift " << shift);
    CHECK(cv::norm(got, expected, cv::NORM_INF) <= 1);
  }
}

TEST_CASE("surrounds are each module's pixels outside its centre, sorted and summed",
          "[render][golden]") {
  constexpr int kFrame = 5, kPx = detail::ImageStats::kPx, kCentre = 2;
  cv::Mat lightness(kFrame * kPx, kFrame * kPx, CV_32F);
  cv::randu(lightness, 0, 100);
  const detail::Surrounds s = detail::make_surrounds(lightness, kFrame, kCentre);
  REQUIRE(s.n == kPx * kPx - kCentre * kCentre);
  for (int cell = 0; cell < kFrame * kFrame; ++cell) {
    std::vector<float> expected;
    for (int y = 0; y < kPx; ++y) {
      for (int x = 0; x < kPx; ++x) {
        const bool centre = x >= 3 && x < 5 && y >= 3 && y < 5;
        if (!centre) {
          expected.push_back(
              lightness.at<float>((cell / kFrame) * kPx + y, (cell % kFrame) * kPx + x));
        }
      }
    }
    std::sort(expected.begin(), expected.end());
    const float* sorted = s.sorted.data() + cell * s.n;
    const double* prefix = s.prefix.data() + cell * (s.n + 1);
    double sum = 0;
    for (int k = 0; k < s.n; ++k) {
      CHECK(sorted[k] == expected[static_cast<std::size_t>(k)]);
      sum += expected[static_cast<std::size_t>(k)];
      CHECK(prefix[k + 1] == Approx(sum).margin(1e-9));
    }
    CHECK(s.mean[static_cast<std::size_t>(cell)] == Approx(sum / s.n));
  }
}
