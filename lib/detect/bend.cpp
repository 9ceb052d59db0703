#include "detect/bend.hpp"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "detect/sample.hpp"
#include "encode/function_patterns.hpp"

namespace viscode::detail {
namespace {

// Modules of quiet zone around the symbol in the resampled image: the sampler's threshold
// field reaches 3 modules beyond the symbol.
constexpr int kQuiet = 4;

cv::Point2d apply(const cv::Matx33d& h, double x, double y) {
  const cv::Vec3d p = h * cv::Vec3d(x, y, 1);
  return {p[0] / p[2], p[1] / p[2]};
}

double module_px(const cv::Matx33d& h, double x, double y) {
  return 0.5 * (cv::norm(apply(h, x + 0.5, y) - apply(h, x - 0.5, y)) +
                cv::norm(apply(h, x, y + 0.5) - apply(h, x, y - 0.5)));
}

// Piecewise linear through values[k] at integer positions, constant beyond the ends.
double interpolate(const std::vector<double>& values, double at) {
  const double last = static_cast<double>(values.size() - 1);
  if (at <= 0) return values.front();
  if (at >= last) return values.back();
  const auto k = static_cast<std::size_t>(at);
  const double f = at - static_cast<double>(k);
  return values[k] + f * (values[k + 1] - values[k]);
}

// How far each module boundary along the timing row (rows = true: boundaries x = k of row
// 6) or column lies from where h puts it, in modules along that axis: drift[k] for
// k = 0..n. The pattern alternates between the finders' separators, so every boundary from
// 7 to n - 7 is an edge of known direction; each is looked for around where the previous
// one's drift predicts it, from the top-left finder (where the finders pin h) outwards,
// so a drift of several modules is followed. Outside 7..n-7, the nearest boundary's drift.
// Empty when the edges are too faint to follow.
std::optional<std::vector<double>> timing_drift(const cv::Mat& grey, const cv::Matx33d& h, int n,
                                                bool rows, double contrast) {
  constexpr int kSteps = 10;  // profile samples per module
  constexpr int kReach = 7;   // samples either side of the prediction
  auto level = [&](double along) {
    const cv::Point2d p = rows ? apply(h, along, 6.5) : apply(h, 6.5, along);
    return bilinear(grey, cv::Point2f(static_cast<float>(p.x), static_cast<float>(p.y)));
  };
  std::vector<double> drift(static_cast<std::size_t>(n + 1), 0.0);
  double offset = 0;
  int missed = 0;
  std::array<float, 2 * kReach + 3> profile{};
  for (int k = 7; k <= n - 7; ++k) {
    // Boundary 7 goes from the finder's dark row to the light separator; they alternate.
    const float sign = k % 2 == 1 ? 1.0f : -1.0f;
    const double start = k + offset - (kReach + 1.0) / kSteps;
    for (std::size_t i = 0; i < profile.size(); ++i) {
      profile[i] = level(start + static_cast<double>(i) / kSteps);
    }
    int best = -1;
    float strength = 0;
    for (int i = 1; i <= 2 * kReach + 1; ++i) {
      const float d = sign * (profile[static_cast<std::size_t>(i + 1)] -
                              profile[static_cast<std::size_t>(i - 1)]);
      if (d > strength) strength = d, best = i;
    }
    // A blurred edge spans the contrast over about a module, a fifth of it over the two
    // samples (a fifth of a module) of the difference; a tenth is the least taken for one.
    if (best < 0 || strength < 0.1 * contrast) {
      ++missed;
      drift[static_cast<std::size_t>(k)] = offset;
      continue;
    }
    offset = start + static_cast<double>(best) / kSteps - k;
    drift[static_cast<std::size_t>(k)] = offset;
  }
  if (missed > (n - 13) / 4) return std::nullopt;
  // A lone boundary misplaced by noise: the median of three.
  std::vector<double> smooth = drift;
  for (int k = 8; k < n - 7; ++k) {
    std::array<double, 3> v = {drift[static_cast<std::size_t>(k - 1)],
                               drift[static_cast<std::size_t>(k)],
                               drift[static_cast<std::size_t>(k + 1)]};
    std::sort(v.begin(), v.end());
    smooth[static_cast<std::size_t>(k)] = v[1];
  }
  for (int k = 0; k < 7; ++k) smooth[static_cast<std::size_t>(k)] = smooth[7];
  for (int k = n - 6; k <= n; ++k)
    smooth[static_cast<std::size_t>(k)] = smooth[static_cast<std::size_t>(n - 7)];
  return smooth;
}

}  // namespace

std::optional<Resampled> follow_bend(const cv::Mat& grey, const GridFit& fit) {
  const int n = fit.size;
  const cv::Matx33d& h = fit.h;
  const double contrast = finder_contrast(grey, h);
  if (contrast <= 0) return std::nullopt;
  const auto dx = timing_drift(grey, h, n, true, contrast);
  const auto dy = timing_drift(grey, h, n, false, contrast);
  if (!dx || !dy) return std::nullopt;
  // The module grid the timing patterns give: column x at x + dx(x), row y at y + dy(y).
  auto timed = [&](double x, double y) {
    return apply(h, x + interpolate(*dx, x), y + interpolate(*dy, y));
  };

  // The alignment patterns' lattice: each found one's displacement from where the timing
  // patterns put it; nodes at finders (the fit's anchors) and patterns not found keep none.
  const std::vector<int> pos = alignment_positions(fit.version);
  const std::size_t m = pos.size();
  std::vector<cv::Point2d> shift(m * m, cv::Point2d(0, 0));
  std::vector<char> found(m * m, 0);
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t i = 0; i < m; ++i) {
      const int ax = pos[i], ay = pos[j];
      if (!alignment_drawn(fit.version, ax, ay)) continue;
      const double cx = ax + 0.5, cy = ay + 0.5;
      const double ox = interpolate(*dx, cx), oy = interpolate(*dy, cy);
      // h moved by the timing drift here: the pattern's neighbourhood as the timing sees it.
      const cv::Matx33d local = h * cv::Matx33d(1, 0, ox, 0, 1, oy, 0, 0, 1);
      const auto at = find_alignment(grey, local, cx, cy, 1.5, 0.3 * contrast);
      if (!at) continue;
      const cv::Point2d d = cv::Point2d(*at) - timed(cx, cy);
      if (cv::norm(d) > 2 * module_px(h, cx, cy)) continue;
      shift[j * m + i] = d;
      found[j * m + i] = 1;
    }
  }
  // Bilinear within the lattice's tiles, constant beyond its outer nodes.
  auto displacement = [&](double x, double y) -> cv::Point2d {
    if (m < 2) return {0, 0};
    auto cell = [&](double v, std::size_t& k, double& f) {
      const double c = std::clamp(v, pos.front() + 0.5, pos.back() + 0.5);
      k = 0;
      while (k + 2 < m && c > pos[k + 1] + 0.5) ++k;
      f = (c - (pos[k] + 0.5)) / (pos[k + 1] - pos[k]);
    };
    std::size_t i, j;
    double fx, fy;
    cell(x, i, fx);
    cell(y, j, fy);
    const cv::Point2d top = shift[j * m + i] * (1 - fx) + shift[j * m + i + 1] * fx;
    const cv::Point2d bottom = shift[(j + 1) * m + i] * (1 - fx) + shift[(j + 1) * m + i + 1] * fx;
    return top * (1 - fy) + bottom * fy;
  };

  // Nothing to correct: the fit already did as well.
  double moved = 0;
  for (int k = 0; k <= n; ++k) {
    moved = std::max({moved, std::abs((*dx)[static_cast<std::size_t>(k)]),
                      std::abs((*dy)[static_cast<std::size_t>(k)])});
  }
  for (std::size_t k = 0; k < m * m; ++k) {
    if (found[k]) moved = std::max(moved, cv::norm(shift[k]) / module_px(h, n / 2.0, n / 2.0));
  }
  if (moved < 0.25) return std::nullopt;

  auto map = [&](double x, double y) { return timed(x, y) + displacement(x, y); };
  const int ppm = std::clamp(static_cast<int>(std::lround(module_px(h, n / 2.0, n / 2.0))), 3, 6);
  const int side = (n + 2 * kQuiet) * ppm;
  cv::Mat map_x(side, side, CV_32F), map_y(side, side, CV_32F);
  for (int v = 0; v < side; ++v) {
    const double y = (v + 0.5) / ppm - kQuiet;
    for (int u = 0; u < side; ++u) {
      const cv::Point2d p = map((u + 0.5) / ppm - kQuiet, y);
      map_x.at<float>(v, u) = static_cast<float>(p.x);
      map_y.at<float>(v, u) = static_cast<float>(p.y);
    }
  }
  Resampled r;
  cv::remap(grey, r.image, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  r.fit = fit;
  const double k = ppm, o = kQuiet * ppm - 0.5;
  r.fit.h = cv::Matx33d(k, 0, o, 0, k, o, 0, 0, 1);
  for (std::size_t c = 0; c < 4; ++c) {
    const double x = c == 1 || c == 2 ? n : 0, y = c >= 2 ? n : 0;
    const cv::Point2d p = map(x, y);
    r.corners[c] = cv::Point2f(static_cast<float>(p.x), static_cast<float>(p.y));
  }
  return r;
}

}  // namespace viscode::detail
