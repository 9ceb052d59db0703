// The grey image a reader sees: the projection of the colours that separates the code best.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "detect/locate.hpp"
#include "paper.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

// Otsu's between-class variance at the best threshold over the total variance: 1 for two
// spikes, small for a unimodal histogram. Being invariant to the contrast's scale, it
// compares a faint channel with a strong one on the shape of the histogram alone.
struct Bimodality {
  double separation = 0;  // 0..1
  double distance = 0;    // grey levels between the two classes' means
  // Separation counted only as far as the tones are far enough apart for a reader: two
  // spikes a few grey levels apart are perfectly bimodal and useless.
  double merit() const { return separation * std::min(1.0, distance / 96); }
};

Bimodality bimodality(const cv::Mat& grey) {
  // Four interleaved integer tables: a flat region adds to one bin pixel after pixel, and
  // a single table would wait on each increment before the next.
  std::array<std::array<std::uint32_t, 256>, 4> part{};
  // Every other row of an image of any size is still tens of thousands of pixels: the
  // same histogram shape at half the cost.
  const int step = grey.rows >= 64 ? 2 : 1;
  for (int y = 0; y < grey.rows; y += step) {
    const std::uint8_t* row = grey.ptr<std::uint8_t>(y);
    int x = 0;
    for (; x + 4 <= grey.cols; x += 4) {
      ++part[0][row[x]];
      ++part[1][row[x + 1]];
      ++part[2][row[x + 2]];
      ++part[3][row[x + 3]];
    }
    for (; x < grey.cols; ++x) ++part[0][row[x]];
  }
  std::array<double, 256> hist{};
  for (std::size_t i = 0; i < 256; ++i) {
    hist[i] = static_cast<double>(part[0][i]) + part[1][i] + part[2][i] + part[3][i];
  }
  double n = 0, sum = 0, sum2 = 0;
  for (int i = 0; i < 256; ++i) {
    n += hist[i];
    sum += i * hist[i];
    sum2 += static_cast<double>(i) * i * hist[i];
  }
  if (n == 0) return {};
  const double mean = sum / n;
  const double total = sum2 / n - mean * mean;
  if (total <= 1e-9) return {};
  double w0 = 0, s0 = 0, best = 0, distance = 0;
  for (int t = 0; t < 255; ++t) {
    w0 += hist[t] / n;
    s0 += t * hist[t] / n;
    if (w0 <= 0 || w0 >= 1) continue;
    const double m0 = s0 / w0, m1 = (mean - s0) / (1 - w0);
    const double between = w0 * (1 - w0) * (m0 - m1) * (m0 - m1);
    if (between > best) best = between, distance = std::abs(m1 - m0);
  }
  return {best / total, distance};
}

// The first principal axis of the pixel colours, projected and stretched to 0..255, its
// sign chosen so that dark stays dark.
cv::Mat principal_component(const cv::Mat& bgr) {
  // A subsample is plenty for a 3x3 covariance and keeps megapixel photos cheap.
  const int step = std::max(1, static_cast<int>(std::sqrt(bgr.total() / 16384.0)));
  // The sums of the colours and of their products, in integers (exact): cv::calcCovarMatrix
  // spent some 200 instructions a sample on the same 3x3 matrix.
  std::array<std::int64_t, 3> sum{};
  std::array<std::int64_t, 6> products{};  // bb, bg, br, gg, gr, rr
  std::int64_t count = 0;
  for (int y = 0; y < bgr.rows; y += step) {
    const cv::Vec3b* row = bgr.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; x += step) {
      const int b = row[x][0], g = row[x][1], r = row[x][2];
      sum[0] += b, sum[1] += g, sum[2] += r;
      products[0] += b * b, products[1] += b * g, products[2] += b * r;
      products[3] += g * g, products[4] += g * r, products[5] += r * r;
      ++count;
    }
  }
  // Scatter about the mean (cv::COVAR_NORMAL's, unscaled): sum xy - sum x sum y / n.
  cv::Mat covar(3, 3, CV_64F);
  const double n = static_cast<double>(count);
  const std::array<std::array<int, 3>, 3> index = {{{0, 1, 2}, {1, 3, 4}, {2, 4, 5}}};
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      covar.at<double>(static_cast<int>(i), static_cast<int>(j)) =
          static_cast<double>(products[static_cast<std::size_t>(index[i][j])]) -
          static_cast<double>(sum[i]) * static_cast<double>(sum[j]) / n;
    }
  }
  cv::Mat values, vectors;
  cv::eigen(covar, values, vectors);
  cv::Vec3d axis(vectors.at<double>(0, 0), vectors.at<double>(0, 1), vectors.at<double>(0, 2));
  // Luma weights (B, G, R): the axis points the way lightness grows.
  if (axis.dot(cv::Vec3d(0.114, 0.587, 0.299)) < 0) axis = -axis;
  cv::Mat projected;
  cv::transform(bgr, projected,
                cv::Matx13f(static_cast<float>(axis[0]), static_cast<float>(axis[1]),
                            static_cast<float>(axis[2])));
  cv::Mat out;
  cv::normalize(projected, out, 0, 255, cv::NORM_MINMAX, CV_8U);
  return out;
}

}  // namespace

std::vector<cv::Mat> projections(const cv::Mat& image) {
  if (image.empty() || image.depth() != CV_8U) {
    throw Error(ErrorCategory::input, "image must be 8-bit grey, BGR or BGRA");
  }
  if (image.channels() == 1) return {image};
  if (image.channels() != 3 && image.channels() != 4) {
    throw Error(ErrorCategory::input, "image must be 8-bit grey, BGR or BGRA");
  }
  // Transparent pixels are whatever the code is printed or shown on: white.
  const cv::Mat bgr = detail::over_white(image);

  // A code is two-tone, so the projection whose histogram is most bimodal is the one that
  // separates its dark from its light. But a designer code's picture dominates the
  // histogram: over a colourful logo one channel or the principal axis is often more
  // bimodal (a blue sky against warm foliage) while the modules stand out only in
  // lightness, which is what viscode's contrast rule (a WCAG luminance ratio) and every
  // reader rely on; measured over the test logos, leaving luma for a more bimodal channel
  // only lost modules. So luma stays unless it hardly separates two tones at all and
  // another projection clearly does: a foreign code printed in colours of similar
  // lightness (red on green, say).
  cv::Mat luma;
  cv::cvtColor(bgr, luma, cv::COLOR_BGR2GRAY);
  const double luma_merit = bimodality(luma).merit();
  constexpr double kLumaFails = 0.5;  // codes, pictures and all, score 0.65 and more
  constexpr double kMargin = 0.2;     // how much better another projection must be
  if (luma_merit >= kLumaFails) return {luma};

  std::vector<cv::Mat> channels;
  cv::split(bgr, channels);
  channels.push_back(principal_component(bgr));
  cv::Mat best = luma;
  double best_merit = luma_merit + kMargin;
  for (const cv::Mat& c : channels) {
    const double merit = bimodality(c).merit();
    if (merit > best_merit) {
      best_merit = merit;
      best = c;
    }
  }
  // The choice is a guess from histograms, which a picture under a faint code can win:
  // a thin coloured line-art logo under a half-transparent code is more bimodal in one
  // channel, where the code's grey all but vanishes. Luma is what the code was made to be
  // read in, so it is the fallback whenever another projection was chosen.
  if (best.data == luma.data) return {luma};
  return {best, luma};
}

cv::Mat luminance(const cv::Mat& image) {
  return projections(image).front();
}

}  // namespace viscode::detail
