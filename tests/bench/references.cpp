#include "references.hpp"

#include <opencv2/imgproc.hpp>

namespace viscode::bench {

cv::Mat reference_plain(const Symbol& symbol, int quiet, int px) {
  const int side = (symbol.size + 2 * quiet) * px;
  cv::Mat out(side, side, CV_8UC3, cv::Scalar::all(255));
  for (int y = 0; y < symbol.size; ++y) {
    for (int x = 0; x < symbol.size; ++x) {
      if (symbol.is_dark(x, y)) {
        out(cv::Rect((x + quiet) * px, (y + quiet) * px, px, px)).setTo(cv::Scalar::all(0));
      }
    }
  }
  return out;
}

cv::Mat reference_opacity(const Symbol& symbol, const cv::Mat& logo_frame, int quiet, int px) {
  cv::Mat out;
  cv::addWeighted(reference_plain(symbol, quiet, px), 0.5, logo_frame, 0.5, 0, out);
  return out;
}

cv::Mat reference_dots_on_image(const Symbol& symbol, const cv::Mat& logo_frame, int quiet,
                                int px) {
  cv::Mat out = logo_frame.clone();
  const double r = px / 6.0;
  for (int y = 0; y < symbol.size; ++y) {
    for (int x = 0; x < symbol.size; ++x) {
      const cv::Scalar c = symbol.is_dark(x, y) ? cv::Scalar::all(0) : cv::Scalar::all(255);
      if (symbol.is_function(x, y)) {
        out(cv::Rect((x + quiet) * px, (y + quiet) * px, px, px)).setTo(c);
      } else {
        // Sub-pixel centre (shift 4 = 1/16 px) so the dot sits in the module's middle.
        const cv::Point centre(static_cast<int>(((x + quiet) * px + px / 2.0) * 16),
                               static_cast<int>(((y + quiet) * px + px / 2.0) * 16));
        cv::circle(out, centre, static_cast<int>(r * 16), c, cv::FILLED, cv::LINE_AA, 4);
      }
    }
  }
  return out;
}

}  // namespace viscode::bench
