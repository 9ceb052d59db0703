#include "detect/sample.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace viscode::detail {

float bilinear(const cv::Mat& grey, cv::Point2f p) {
  if (!std::isfinite(p.x) || !std::isfinite(p.y)) return 0;
  const float x = std::clamp(p.x, 0.0f, static_cast<float>(grey.cols - 1));
  const float y = std::clamp(p.y, 0.0f, static_cast<float>(grey.rows - 1));
  const int x0 = std::min(static_cast<int>(x), grey.cols - 2 < 0 ? 0 : grey.cols - 2);
  const int y0 = std::min(static_cast<int>(y), grey.rows - 2 < 0 ? 0 : grey.rows - 2);
  const int x1 = std::min(x0 + 1, grey.cols - 1), y1 = std::min(y0 + 1, grey.rows - 1);
  const float fx = x - static_cast<float>(x0), fy = y - static_cast<float>(y0);
  const std::uint8_t* r0 = grey.ptr<std::uint8_t>(y0);
  const std::uint8_t* r1 = grey.ptr<std::uint8_t>(y1);
  const float top = r0[x0] + fx * (r0[x1] - r0[x0]);
  const float bottom = r1[x0] + fx * (r1[x1] - r1[x0]);
  return top + fy * (bottom - top);
}

float box_mean(const cv::Mat& integral, cv::Point2f p, int r) {
  if (!std::isfinite(p.x) || !std::isfinite(p.y)) return 0;
  const int w = integral.cols - 1, h = integral.rows - 1;
  const int cx = static_cast<int>(std::lround(p.x)), cy = static_cast<int>(std::lround(p.y));
  const int x0 = std::clamp(cx - r, 0, w), x1 = std::clamp(cx + r + 1, 0, w);
  const int y0 = std::clamp(cy - r, 0, h), y1 = std::clamp(cy + r + 1, 0, h);
  const double area = static_cast<double>(x1 - x0) * (y1 - y0);
  if (area <= 0) return 0;
  const double sum = integral.at<double>(y1, x1) - integral.at<double>(y0, x1) -
                     integral.at<double>(y1, x0) + integral.at<double>(y0, x0);
  return static_cast<float>(sum / area);
}

namespace {

// The threshold field extends into the quiet zone so that edge modules have neighbours
// on every side, as they do on paper.
constexpr int kMargin = 3;
constexpr double kSigma = 2.0;  // modules
// Below this share of data modules around, the plain local mean serves (deep inside a
// finder no data module is near).
constexpr float kWeighed = 0.05f;

// What the thresholds of a version's grid weigh, the same for every candidate: its function
// modules, the data modules' weights (1) over the grid with its margin, and their sum under
// the Gaussian.
struct Layout {
  std::vector<std::uint8_t> function;
  cv::Mat weight, weight_sum;
  std::vector<float> kernel;  // cv::GaussianBlur's for kSigma, on float images
};

const Layout& layout_of(int version) {
  static std::array<Layout, 41> layouts;
  static std::array<std::once_flag, 41> once;
  const auto v = static_cast<std::size_t>(std::clamp(version, 1, 40));
  std::call_once(once[v], [&] {
    Layout& l = layouts[v];
    const int n = 17 + 4 * static_cast<int>(v), m = n + 2 * kMargin;
    l.function = function_mask(static_cast<int>(v));
    l.weight = cv::Mat::zeros(m, m, CV_32F);
    for (int y = 0; y < n; ++y) {
      for (int x = 0; x < n; ++x) {
        if (!l.function[static_cast<std::size_t>(y * n + x)]) {
          l.weight.at<float>(y + kMargin, x + kMargin) = 1;
        }
      }
    }
    cv::GaussianBlur(l.weight, l.weight_sum, cv::Size(0, 0), kSigma, kSigma, cv::BORDER_CONSTANT);
    const int size = cvRound(kSigma * 8 + 1) | 1;  // OpenCV's kernel size for float images
    const cv::Mat k = cv::getGaussianKernel(size, kSigma, CV_32F);
    l.kernel.assign(k.begin<float>(), k.end<float>());
  });
  return layouts[v];
}

// The Gaussian mean of values (the border replicated) at the few cells that need it: what
// cv::GaussianBlur gives there. Blurring the whole grid for them cost as much as the
// weighted mean itself; the cells come in blocks (the finders' insides), so each row's
// horizontal pass is made once per column and shared by the block's cells above and below.
class PlainMean {
 public:
  PlainMean(const cv::Mat& values, const std::vector<float>& kernel)
      : kernel_(kernel), r_(static_cast<int>(kernel.size() / 2)) {
    cv::copyMakeBorder(values, padded_, r_, r_, r_, r_, cv::BORDER_REPLICATE);
    across_.create(padded_.rows, values.cols, CV_32F);
    done_.assign(static_cast<std::size_t>(across_.total()), 0);
  }

  float at(int y, int x) {
    float sum = 0;
    for (int j = 0; j <= 2 * r_; ++j)
      sum += kernel_[static_cast<std::size_t>(j)] * across(y + j, x);
    return sum;
  }

 private:
  // The horizontal pass at padded row py, column x of the values.
  float across(int py, int x) {
    const std::size_t i = static_cast<std::size_t>(py * across_.cols + x);
    float& out = across_.at<float>(py, x);
    if (!done_[i]) {
      const float* row = padded_.ptr<float>(py) + x;
      float sum = 0;
      for (int k = 0; k <= 2 * r_; ++k) sum += kernel_[static_cast<std::size_t>(k)] * row[k];
      out = sum;
      done_[i] = 1;
    }
    return out;
  }

  const std::vector<float>& kernel_;
  int r_;
  cv::Mat padded_, across_;
  std::vector<std::uint8_t> done_;
};

}  // namespace

Candidate sample_grid(const cv::Mat& grey, const GridFit& fit, Sampling sampling) {
  const int n = fit.size;
  const int m = n + 2 * kMargin;

  // Thresholds are local in module space, so perspective does not stretch them: Gaussians
  // of two modules over the data modules around. Function patterns and the quiet zone are
  // left out: solid full-contrast blocks, they stay far from any threshold, but blur dims
  // a designer code's small centres, and beside a finder the blocks would pull the
  // threshold past them.
  const Layout& layout = layout_of(fit.version);
  CV_Assert(layout.weight.rows == m);
  const std::vector<std::uint8_t>& function = layout.function;
  auto local_mean = [&](const cv::Mat& values) {
    cv::Mat weighted;
    cv::GaussianBlur(values.mul(layout.weight), weighted, cv::Size(0, 0), kSigma, kSigma,
                     cv::BORDER_CONSTANT);
    PlainMean plain(values, layout.kernel);
    // Only the symbol's own modules are read against it, not the margin's.
    for (int y = kMargin; y < kMargin + n; ++y) {
      for (int x = kMargin; x < kMargin + n; ++x) {
        const float w = layout.weight_sum.at<float>(y, x);
        float& t = weighted.at<float>(y, x);
        t = w > kWeighed ? t / w : plain.at(y, x);
      }
    }
    return weighted;
  };

  // Designer codes carry the bit in a centre about a quarter of a module wide and show a
  // picture around it, so only the middle of each module is read: a 5x5 grid of bilinear
  // samples spanning a quarter of the module, inside the smallest centre. A renderer on a
  // pixel grid puts an odd-width centre half a pixel off the module's centre (a 1 px
  // centre in a 4 px module), where an average would mix it with the picture; so the
  // module reads as the mean of its three darkest or of its three lightest samples,
  // whichever stands out more from a ring of samples around them (the picture). A plain
  // module's ring has its own colour or, blurred, its neighbours', and either choice then
  // reads the module's colour.
  constexpr int kGrid = 5;
  constexpr double kStep = 0.06;  // modules
  constexpr std::size_t kSamples = kGrid * kGrid;
  constexpr float kRing = 0.4f;  // modules from the centre
  cv::Mat centre(m, m, CV_32F);
  cv::Mat rings(m, m, CV_32F, cv::Scalar(-1));  // careful sampling: the ring's mean, else -1
  std::array<float, kSamples> s{};
  const cv::Matx33d& h = fit.h;
  const std::uint8_t* data = grey.data;
  const std::size_t stride = grey.step[0];
  const float max_x = static_cast<float>(grey.cols - 1), max_y = static_cast<float>(grey.rows - 1);
  for (int gy = 0; gy < m; ++gy) {
    for (int gx = 0; gx < m; ++gx) {
      const double cx = gx - kMargin + 0.5, cy = gy - kMargin + 0.5;
      // The module's centre and its axes (image px per module): the homography's value
      // and derivatives there.
      const double w = h(2, 0) * cx + h(2, 1) * cy + h(2, 2);
      const double px = (h(0, 0) * cx + h(0, 1) * cy + h(0, 2)) / w;
      const double py = (h(1, 0) * cx + h(1, 1) * cy + h(1, 2)) / w;
      const cv::Point2f p(static_cast<float>(px), static_cast<float>(py));
      const cv::Point2f ex(static_cast<float>((h(0, 0) - px * h(2, 0)) / w),
                           static_cast<float>((h(1, 0) - py * h(2, 0)) / w));
      const cv::Point2f ey(static_cast<float>((h(0, 1) - px * h(2, 1)) / w),
                           static_cast<float>((h(1, 1) - py * h(2, 1)) / w));
      // Every sample lies within kRing modules along each axis of the centre; inside the
      // image they need no clamping.
      const float rx = kRing * (std::abs(ex.x) + std::abs(ey.x));
      const float ry = kRing * (std::abs(ex.y) + std::abs(ey.y));
      const bool clear = std::isfinite(p.x) && std::isfinite(p.y) && p.x - rx >= 0 &&
                         p.y - ry >= 0 && p.x + rx < max_x && p.y + ry < max_y;
      auto at = [&](cv::Point2f q) {
        if (!clear) return bilinear(grey, q);
        const int x0 = static_cast<int>(q.x), y0 = static_cast<int>(q.y);
        const float fx = q.x - static_cast<float>(x0), fy = q.y - static_cast<float>(y0);
        const std::uint8_t* r0 = data + static_cast<std::size_t>(y0) * stride + x0;
        const std::uint8_t* r1 = r0 + stride;
        const float top = r0[0] + fx * static_cast<float>(r0[1] - r0[0]);
        const float bottom = r1[0] + fx * static_cast<float>(r1[1] - r1[0]);
        return top + fy * (bottom - top);
      };
      // Function patterns and the quiet zone are solid blocks of one colour (designer
      // codes too): their centre is their value, and they are a third of what is sampled.
      const int mx = gx - kMargin, my = gy - kMargin;
      if (mx < 0 || my < 0 || mx >= n || my >= n ||
          function[static_cast<std::size_t>(my * n + mx)]) {
        centre.at<float>(gy, gx) = at(p);
        continue;
      }
      if (sampling == Sampling::quick) {
        constexpr float kQuick = 0.1f;  // modules from the centre along each axis
        centre.at<float>(gy, gx) = (at(p + kQuick * (ex + ey)) + at(p + kQuick * (ex - ey)) +
                                    at(p - kQuick * (ex - ey)) + at(p - kQuick * (ex + ey))) /
                                   4;
        continue;
      }
      for (int j = 0; j < kGrid; ++j) {
        for (int i = 0; i < kGrid; ++i) {
          const float u = static_cast<float>((i - kGrid / 2) * kStep);
          const float v = static_cast<float>((j - kGrid / 2) * kStep);
          s[static_cast<std::size_t>(j * kGrid + i)] = at(p + u * ex + v * ey);
        }
      }
      float ring = 0;
      for (int j = -1; j <= 1; ++j) {
        for (int i = -1; i <= 1; ++i) {
          if (i == 0 && j == 0) continue;
          ring +=
              at(p + (kRing * static_cast<float>(i)) * ex + (kRing * static_cast<float>(j)) * ey);
        }
      }
      ring /= 8;
      rings.at<float>(gy, gx) = ring;
      // The three darkest and the three lightest, in one branch-free pass (an insertion
      // into each sorted triple by min and max).
      std::array<float, 3> low = {256, 256, 256}, high = {-1, -1, -1};
      for (const float v : s) {
        float a = v, b = v;
        for (std::size_t k = 0; k < 3; ++k) {
          const float l = std::min(low[k], a), g = std::max(high[k], b);
          a = std::max(low[k], a);
          b = std::min(high[k], b);
          low[k] = l;
          high[k] = g;
        }
      }
      const float lo = (low[0] + low[1] + low[2]) / 3;
      const float hi = (high[0] + high[1] + high[2]) / 3;
      centre.at<float>(gy, gx) = ring - lo > hi - ring ? lo : hi;
    }
  }
  // The threshold, over the centres: they are the two colours the code prints, so their
  // local mean lies between them wherever the picture around is dark or light (the
  // picture's tone would drag a threshold towards it).
  const cv::Mat mean = local_mean(centre);
  const cv::Mat mean_sq = local_mean(centre.mul(centre));
  Candidate c;
  c.grid.size = n;
  c.grid.darkness.resize(static_cast<std::size_t>(n * n));
  c.grid.confidence.resize(static_cast<std::size_t>(n * n));
  c.centres = centre;
  c.spread.create(n, n, CV_32F);
  if (sampling == Sampling::careful) c.contrast_grid = c.grid;
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const float v = centre.at<float>(y + kMargin, x + kMargin);
      const float t = mean.at<float>(y + kMargin, x + kMargin);
      // Local contrast: a two-tone neighbourhood's standard deviation is half the distance
      // between its tones, which is how far a clean module sits from the threshold.
      const float var = mean_sq.at<float>(y + kMargin, x + kMargin) - t * t;
      const float spread = std::max(std::sqrt(std::max(var, 0.0f)), 8.0f);
      const std::size_t i = static_cast<std::size_t>(y * n + x);
      c.grid.darkness[i] = v < t ? 1.0f : 0.0f;
      c.grid.confidence[i] = std::clamp(std::abs(v - t) / spread, 0.0f, 1.0f);
      c.spread.at<float>(y, x) = spread;
      if (sampling == Sampling::careful) {
        // A third opinion, for centres too small to dominate what they are sampled with:
        // a dot a third of a module wide on an untouched picture, blurred, reads half dot,
        // half picture, and the picture's edges move it past any threshold made from
        // centres alone. Against the midpoint of that threshold and the module's own ring
        // (the picture right around it), the picture's share largely cancels; where the
        // ring is the module's own colour (plain modules) this is the first grid again.
        const float r = rings.at<float>(y + kMargin, x + kMargin);
        const float t3 = r < 0 ? t : (t + r) / 2;
        c.contrast_grid.darkness[i] = v < t3 ? 1.0f : 0.0f;
        c.contrast_grid.confidence[i] = std::clamp(std::abs(v - t3) / spread, 0.0f, 1.0f);
      }
    }
  }
  c.corners = {fit.map(0, 0), fit.map(n, 0), fit.map(n, n), fit.map(0, n)};
  return c;
}

ModuleGrid midpoint_grid(const Candidate& c) {
  const int n = c.spread.rows;
  CV_Assert(n > 0 && c.centres.rows == n + 2 * kMargin);
  // Midway between the darkest and the lightest centres around. Where a picture leaves
  // many more light centres than dark ones (a thin dark wordmark on white), the local mean
  // is pulled up towards white and a small, blurred light centre on the dark shape falls
  // below it; the midpoint does not move with the proportions.
  cv::Mat low, high, midpoint;
  const cv::Mat window = cv::getStructuringElement(cv::MORPH_RECT, cv::Size(5, 5));
  cv::erode(c.centres, low, window, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
  cv::dilate(c.centres, high, window, cv::Point(-1, -1), 1, cv::BORDER_REPLICATE);
  cv::GaussianBlur((low + high) * 0.5, midpoint, cv::Size(0, 0), 1.0, 1.0, cv::BORDER_REPLICATE);
  ModuleGrid g;
  g.size = n;
  g.darkness.resize(static_cast<std::size_t>(n * n));
  g.confidence.resize(static_cast<std::size_t>(n * n));
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const float v = c.centres.at<float>(y + kMargin, x + kMargin);
      const float t = midpoint.at<float>(y + kMargin, x + kMargin);
      const std::size_t i = static_cast<std::size_t>(y * n + x);
      g.darkness[i] = v < t ? 1.0f : 0.0f;
      g.confidence[i] = std::clamp(std::abs(v - t) / c.spread.at<float>(y, x), 0.0f, 1.0f);
    }
  }
  return g;
}

}  // namespace viscode::detail
