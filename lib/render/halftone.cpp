#include "render/halftone.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>

#include "render/color.hpp"

namespace viscode::detail {
namespace {

// Readers binarise against a local mean: zxing's HybridBinarizer averages 5x5 blocks of
// 8 px, about 7 modules at 6 px per module; phone readers are similar. A Gaussian of this
// sigma (in modules) has about the same spread as those windows.
constexpr double kThresholdSigma = 2.5;
constexpr int kIterations = 4;
// L* the local threshold keeps from either centre colour (see solve()).
constexpr double kCentreBand = 15;
// Margin of quiet-zone modules under the picture (--logo-area full): readers check for a
// light zone beside the finder patterns, so these stay clearly light at any strength.
constexpr double kQuietDelta = 15;

enum class Kind : std::uint8_t { fixed_dark, fixed_light, bit_dark, bit_light };

struct Cell {
  Kind kind = Kind::fixed_light;
  bool quiet = false;           // in the quiet zone
  std::vector<float> surround;  // reader lightness of the surround's analysis pixels
  double mean = 0;              // their mean
  bool is_bit() const { return kind == Kind::bit_dark || kind == Kind::bit_light; }
  bool dark() const { return kind == Kind::bit_dark || kind == Kind::fixed_dark; }
};

double shifted_mean(const std::vector<float>& v, double s) {
  double sum = 0;
  for (float x : v) sum += std::clamp(x + s, 0.0, 100.0);
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// The smallest shift (towards the bit) that brings the surround's mean to the target.
double needed_shift(const Cell& c, double target) {
  const bool light = c.kind == Kind::bit_light;
  // An unreachable target (beyond white or black) asks for as far as the image can go,
  // which is no shift at all where it is already there.
  const double limit = shifted_mean(c.surround, light ? 100 : -100);
  target = light ? std::min(target, limit) : std::max(target, limit);
  if (light ? c.mean >= target - 1e-9 : c.mean <= target + 1e-9) return 0;
  double lo = 0, hi = light ? 100 : -100;
  for (int i = 0; i < 24; ++i) {
    const double mid = (lo + hi) / 2;
    const double m = shifted_mean(c.surround, mid);
    if (light ? m >= target : m <= target) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return hi;
}

std::vector<Cell> cells(const Symbol& symbol, const ImageStats& stats, const Dial& dial) {
  const int f = stats.frame, q = stats.quiet, px = ImageStats::kPx;
  // The surround excludes the centre's bounding square: what the centre covers does not
  // show, so it must not count towards the module's tone.
  const int c = std::clamp(static_cast<int>(std::lround(dial.centre * px)), 0, px);
  const int c0 = (px - c) / 2, c1 = c0 + c;
  std::vector<Cell> out(static_cast<std::size_t>(f * f));
  for (int fy = 0; fy < f; ++fy) {
    for (int fx = 0; fx < f; ++fx) {
      Cell& cell = out[static_cast<std::size_t>(fy * f + fx)];
      const int sx = fx - q, sy = fy - q;
      const bool inside = sx >= 0 && sy >= 0 && sx < symbol.size && sy < symbol.size;
      if (inside) {
        const bool dark = symbol.is_dark(sx, sy);
        if (symbol.is_function(sx, sy)) {
          cell.kind = dark ? Kind::fixed_dark : Kind::fixed_light;
        } else {
          cell.kind = dark ? Kind::bit_dark : Kind::bit_light;
        }
      } else {
        cell.kind = stats.full_area ? Kind::bit_light : Kind::fixed_light;
        cell.quiet = true;
      }
      if (!cell.is_bit()) continue;
      cell.surround.reserve(static_cast<std::size_t>(px * px));
      double sum = 0;
      for (int y = 0; y < px; ++y) {
        const float* row = stats.lightness.ptr<float>(fy * px + y) + fx * px;
        for (int x = 0; x < px; ++x) {
          if (y >= c0 && y < c1 && x >= c0 && x < c1) continue;
          cell.surround.push_back(row[x]);
          sum += row[x];
        }
      }
      cell.mean = cell.surround.empty() ? 0 : sum / static_cast<double>(cell.surround.size());
    }
  }
  return out;
}

struct Solution {
  std::vector<Cell> cells;
  cv::Mat shifts;  // CV_32F frame x frame
  cv::Mat threshold;
};

Solution solve(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
               const RenderOptions& options, int iterations) {
  const int f = stats.frame;
  Solution s{cells(symbol, stats, dial), cv::Mat::zeros(f, f, CV_32F), cv::Mat()};
  const double l_dark = lightness(options.dark), l_light = lightness(options.light);
  const double area = dial.centre_area();
  // The dial is calibrated with black and white centres. A brand colour's centre sits less
  // far from the threshold; its surround makes up the difference, in proportion to the
  // centre's weight in what a reader samples after blur.
  constexpr double kCentreWeight = 0.5;
  const double dark_deficit = kCentreWeight / (1 - kCentreWeight) * l_dark;
  const double light_deficit = kCentreWeight / (1 - kCentreWeight) * (100 - l_light);
  cv::Mat value(f, f, CV_32F);
  // Start from the unshifted image under the centres; each pass moves modules against the
  // threshold of the last.
  for (int i = 0; i < f * f; ++i) {
    const Cell& c = s.cells[static_cast<std::size_t>(i)];
    value.at<float>(i) = static_cast<float>(
        c.kind == Kind::fixed_dark    ? l_dark
        : c.kind == Kind::fixed_light ? l_light
                                      : area * (c.dark() ? l_dark : l_light) + (1 - area) * c.mean);
  }
  for (int it = 0; it < iterations; ++it) {
    cv::GaussianBlur(value, s.threshold, cv::Size(0, 0), kThresholdSigma, kThresholdSigma,
                     cv::BORDER_REPLICATE);
    for (int i = 0; i < f * f; ++i) {
      const Cell& c = s.cells[static_cast<std::size_t>(i)];
      if (!c.is_bit()) continue;
      // The centres carry the bits only while the threshold lies between their colours:
      // a navy centre on a near-black picture would read as light. Where the picture would
      // put the threshold outside that band, the surrounds are moved as if it were inside.
      const double t = std::clamp(static_cast<double>(s.threshold.at<float>(i)),
                                  l_dark + kCentreBand, l_light - kCentreBand);
      const bool light = c.kind == Kind::bit_light;
      const double delta = c.quiet ? std::max(dial.delta, kQuietDelta)
                                   : dial.delta + (light ? light_deficit : dark_deficit);
      const double target = light ? t + delta : t - delta;
      const double shift = needed_shift(c, target);
      s.shifts.at<float>(i) = static_cast<float>(shift);
      // What a reader's low-pass sees of the module: centre and surround, area-weighted.
      value.at<float>(i) = static_cast<float>(area * (c.dark() ? l_dark : l_light) +
                                              (1 - area) * shifted_mean(c.surround, shift));
    }
  }
  return s;
}

}  // namespace

double Dial::centre_area() const {
  return round ? std::numbers::pi * centre * centre / 4 : centre * centre;
}

Dial dial(const RenderOptions& options) {
  const double s = std::clamp(options.strength, 0.0, 1.0);
  Dial d;
  d.round = options.style == Style::dots;
  // Measured on the looks-vs-scans benchmark (docs/looks-vs-scans.md): full-contrast
  // centres a quarter to a third of a module wide read at the typical capture even with
  // the surround somewhat on the wrong side; the small capture blurs centres into their
  // surround, so higher strengths widen the centre a little and, above all, pull the
  // surround to the bit's side. Strength 0 shows the most image and reads only pristine.
  d.centre = 0.22 + 0.18 * s;
  // Equal area to the square centre, so that both styles read alike at the same strength.
  if (d.round) d.centre *= 2 / std::sqrt(std::numbers::pi);
  d.delta = -25 + 45 * s;
  return d;
}

ImageStats analyse_image(const Logo& logo, const RenderOptions& options, int symbol_size) {
  ImageStats stats;
  stats.quiet = options.quiet;
  stats.frame = symbol_size + 2 * options.quiet;
  stats.full_area = options.logo_area == LogoArea::full;
  const Placement p = place_image(logo, options, symbol_size);
  const cv::Mat layer = image_layer(logo, p, stats.frame, ImageStats::kPx);
  stats.lab = to_lab(layer, options.light);
  stats.lightness = reader_lightness(flatten(layer, options.light));
  return stats;
}

Halftone halftone(const Symbol& symbol, const ImageStats& stats, const Dial& d,
                  const RenderOptions& options) {
  const Solution s = solve(symbol, stats, d, options, kIterations);
  Halftone out;
  out.shifts = s.shifts;
  std::vector<cv::Mat> lab;
  cv::split(stats.lab, lab);
  cv::resize(lab[0], out.module_mean, cv::Size(stats.frame, stats.frame), 0, 0, cv::INTER_AREA);
  return out;
}

Disagreement disagreement(const Symbol& symbol, const ImageStats& stats, const Dial& d,
                          const RenderOptions& options) {
  // One pass is enough to rank masks; the full solve refines the chosen one.
  const Solution s = solve(symbol, stats, d, options, 1);
  Disagreement out;
  for (int sy = 0; sy < symbol.size; ++sy) {
    for (int sx = 0; sx < symbol.size; ++sx) {
      if (symbol.is_function(sx, sy)) continue;
      const float v = s.shifts.at<float>(sy + stats.quiet, sx + stats.quiet);
      if (v != 0) {
        ++out.modules;
        out.shift += std::abs(v);
      }
    }
  }
  return out;
}

}  // namespace viscode::detail
