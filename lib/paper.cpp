#include "paper.hpp"

#include <cstdint>
#include <opencv2/imgproc.hpp>

namespace viscode::detail {

cv::Mat over_white(const cv::Mat& image) {
  CV_Assert(image.depth() == CV_8U);
  cv::Mat bgr;
  if (image.channels() == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  } else if (image.channels() == 3) {
    bgr = image;
  } else {
    CV_Assert(image.channels() == 4);
    bgr.create(image.size(), CV_8UC3);
    for (int y = 0; y < image.rows; ++y) {
      const auto* in = image.ptr<cv::Vec4b>(y);
      auto* out = bgr.ptr<cv::Vec3b>(y);
      for (int x = 0; x < image.cols; ++x) {
        const int a = in[x][3];
        for (int c = 0; c < 3; ++c) {
          out[x][c] = static_cast<std::uint8_t>((in[x][c] * a + 255 * (255 - a) + 127) / 255);
        }
      }
    }
  }
  return bgr;
}

}  // namespace viscode::detail
