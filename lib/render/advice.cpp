#include "viscode/advice.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>

#include "render/frame.hpp"

namespace viscode {
namespace {

// The logo rasterised with its long side at most this many px: enough for shares to a
// percent, cheap for a 20-megapixel photo.
constexpr int kAnalysisPx = 400;
// A border pixel this far (0-255, any channel) from the border's median is content.
constexpr int kBackgroundTolerance = 32;

// Per pixel 0-1: how much of the logo's content it carries.
cv::Mat content_weight(const cv::Mat& bgra) {
  std::vector<cv::Vec4b> border;
  for (int x = 0; x < bgra.cols; ++x) {
    border.push_back(bgra.at<cv::Vec4b>(0, x));
    border.push_back(bgra.at<cv::Vec4b>(bgra.rows - 1, x));
  }
  for (int y = 1; y + 1 < bgra.rows; ++y) {
    border.push_back(bgra.at<cv::Vec4b>(y, 0));
    border.push_back(bgra.at<cv::Vec4b>(y, bgra.cols - 1));
  }
  std::array<std::vector<int>, 3> opaque;
  for (const cv::Vec4b& p : border) {
    if (p[3] < 128) continue;
    for (int c = 0; c < 3; ++c) opaque[static_cast<std::size_t>(c)].push_back(p[c]);
  }
  // An opaque border around most of the logo is its background, not content.
  const bool has_background = opaque[0].size() * 2 >= border.size();
  cv::Vec3i background(0, 0, 0);
  if (has_background) {
    for (int c = 0; c < 3; ++c) {
      std::vector<int>& v = opaque[static_cast<std::size_t>(c)];
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      background[c] = v[v.size() / 2];
    }
  }
  cv::Mat weight(bgra.size(), CV_32F);
  for (int y = 0; y < bgra.rows; ++y) {
    for (int x = 0; x < bgra.cols; ++x) {
      const cv::Vec4b p = bgra.at<cv::Vec4b>(y, x);
      float w = p[3] / 255.0f;
      if (has_background) {
        int far = 0;
        for (int c = 0; c < 3; ++c) far = std::max(far, std::abs(p[c] - background[c]));
        if (far <= kBackgroundTolerance) w = 0;
      }
      weight.at<float>(y, x) = w;
    }
  }
  return weight;
}

}  // namespace

double logo_cut_share(const Logo& logo, const RenderOptions& options, int symbol_size) {
  const detail::Placement p = detail::place_image(logo, options, symbol_size);
  const double scale =
      std::min(1.0, static_cast<double>(kAnalysisPx) / std::max(logo.width(), logo.height()));
  const int w = std::max(1, static_cast<int>(std::lround(logo.width() * scale)));
  const int h = std::max(1, static_cast<int>(std::lround(logo.height() * scale)));
  const cv::Mat weight = content_weight(logo.raster(w, h));
  const double total = cv::sum(weight)[0];
  if (total <= 0) return 0;
  // The visible area in the raster's pixels.
  const double sx = w / p.image.width, sy = h / p.image.height;
  const cv::Rect2d seen((p.area.x - p.image.x) * sx, (p.area.y - p.image.y) * sy, p.area.width * sx,
                        p.area.height * sy);
  const cv::Rect inside =
      cv::Rect(static_cast<int>(std::lround(seen.x)), static_cast<int>(std::lround(seen.y)),
               static_cast<int>(std::lround(seen.width)),
               static_cast<int>(std::lround(seen.height))) &
      cv::Rect(0, 0, w, h);
  const double kept = inside.empty() ? 0 : cv::sum(weight(inside))[0];
  return std::clamp(1 - kept / total, 0.0, 1.0);
}

std::vector<std::string> design_warnings(const Logo* logo, const RenderOptions& options,
                                         int symbol_size) {
  std::vector<std::string> out;
  if (logo == nullptr) return out;
  if (options.style == Style::plain) {
    out.push_back(
        "the logo is not drawn with RenderOptions.style plain: choose "
        "halftone, dots or center to show it, or leave out CodeOptions.logo");
    return out;
  }
  if (options.style == Style::center || options.fit != Fit::cover) return out;
  const double cut = logo_cut_share(*logo, options, symbol_size);
  if (cut > kCoverCutWarning) {
    const double aspect = static_cast<double>(logo->width()) / logo->height();
    char text[256];
    std::snprintf(text, sizeof text,
                  "RenderOptions.fit cover crops %.0f%% of the logo (%dx%d, "
                  "%.1f:1) to fill the square: use RenderOptions.fit contain to show all of it",
                  cut * 100, logo->width(), logo->height(), aspect >= 1 ? aspect : 1 / aspect);
    out.emplace_back(text);
  }
  return out;
}

}  // namespace viscode
