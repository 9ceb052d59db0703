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
// Not every reader's window is zxing's: ZBar compares each pixel with the mean of a box a
// power of two wide, at least an eighth of the image (about 13 modules at arm's length).
// Each module keeps its margin from a wide threshold of this sigma (modules) too: where a
// large dark or light shape makes the two thresholds differ, the stricter one holds.
constexpr double kWideSigma = 4.5;
// A reader samples near, not at, a module's centre, through the capture's blur: part of what
// it sees is the neighbours. A module whose four neighbours sit on the other side of the
// threshold keeps this share of their pull as extra margin; one among neighbours of its own
// side may come closer to the threshold by the same rule. Measured on the looks-vs-scans
// bench (docs/looks-vs-scans.md): the same fidelity reads at the moderate capture from a
// lower strength, and far better at the hard one.
constexpr double kNeighbourWeight = 0.35;

cv::Mat gaussian(double sigma) {
  return cv::getGaussianKernel(static_cast<int>(std::lround(sigma * 8 + 1)) | 1, sigma, CV_32F);
}
// The thresholds' kernels, built once rather than by cv::GaussianBlur on every call.
const cv::Mat& local_kernel() {
  static const cv::Mat k = gaussian(kThresholdSigma);
  return k;
}
const cv::Mat& wide_kernel() {
  static const cv::Mat k = gaussian(kWideSigma);
  return k;
}

// spent: a module of a codeword given to the picture (Symbol::spent): drawn as the picture
// alone, no centre and no shift.
enum class Kind : std::uint8_t { fixed_dark, fixed_light, bit_dark, bit_light, spent };

bool is_bit(Kind k) {
  return k == Kind::bit_dark || k == Kind::bit_light;
}
bool is_dark(Kind k) {
  return k == Kind::bit_dark || k == Kind::fixed_dark;
}

int centre_px(const Dial& dial) {
  const int px = ImageStats::kPx;
  return std::clamp(static_cast<int>(std::lround(dial.centre * px)), 0, px);
}

// Whether a surround's mean already keeps the target on the bit's side. An unreachable
// target (beyond white or black) asks for as far as the image can go, which is no shift
// at all where it is already there; `target` is clipped to that.
bool agrees(const Surrounds& sur, int cell, bool light, double& target) {
  if (sur.n == 0) return true;
  const double mean = sur.mean[static_cast<std::size_t>(cell)];
  if (light) {
    target = std::min(target, 100.0);
    return mean >= target - 1e-9;
  }
  target = std::max(target, 0.0);
  return mean <= target + 1e-9;
}

// The smallest shift towards the bit that brings a disagreeing surround's mean to its
// (clipped) target. The shifted mean is piecewise linear in the shift, with a knee
// wherever one more pixel clips at white (or black), so a binary search over the knees
// finds the segment and the segment gives the shift exactly. Lightness lies within
// 0..100, so a light shift clips at white only and a dark one at black only.
double needed_shift(const Surrounds& sur, int cell, bool light, double target) {
  const int n = sur.n;
  const float* x = sur.sorted.data() + static_cast<std::ptrdiff_t>(cell) * n;
  const double* p = sur.prefix.data() + static_cast<std::ptrdiff_t>(cell) * (n + 1);
  if (light) {
    // With the k darkest pixels below white the mean is (p[k] + k s + 100 (n - k)) / n,
    // up to s = 100 - x[k-1]; find the largest k whose segment reaches the target.
    int lo = 1, hi = n;
    while (lo < hi) {
      const int k = (lo + hi + 1) / 2;
      if (p[k] - k * static_cast<double>(x[k - 1]) >= (target - 100) * n) {
        lo = k;
      } else {
        hi = k - 1;
      }
    }
    return std::max(0.0, (target * n - p[lo] - 100.0 * (n - lo)) / lo);
  }
  // With the j darkest pixels clipped at black the mean is (p[n] - p[j] + (n - j) s) / n,
  // down to s = -x[j]; find the smallest j whose segment reaches the target.
  int lo = 0, hi = n - 1;
  while (lo < hi) {
    const int j = (lo + hi) / 2;
    if (p[n] - p[j] - (n - j) * static_cast<double>(x[j]) <= target * n) {
      hi = j;
    } else {
      lo = j + 1;
    }
  }
  return std::min(0.0, (target * n - p[n] + p[lo]) / (n - lo));
}

void classify(const Symbol& symbol, const ImageStats& stats, std::vector<Kind>& kinds) {
  const int f = stats.frame, q = stats.quiet;
  kinds.assign(static_cast<std::size_t>(f * f),
               stats.full_area ? Kind::bit_light : Kind::fixed_light);
  for (int sy = 0; sy < symbol.size; ++sy) {
    for (int sx = 0; sx < symbol.size; ++sx) {
      const bool dark = symbol.is_dark(sx, sy);
      kinds[static_cast<std::size_t>((sy + q) * f + sx + q)] =
          symbol.is_function(sx, sy) ? (dark ? Kind::fixed_dark : Kind::fixed_light)
          : symbol.is_spent(sx, sy)  ? Kind::spent
                                     : (dark ? Kind::bit_dark : Kind::bit_light);
    }
  }
}

// The stats' surrounds when they were made for this dial's centre (always, through
// analyse_image and a Design); made here for any other dial.
struct SurroundsFor {
  SurroundsFor(const ImageStats& stats, const Dial& dial) {
    const int c = centre_px(dial);
    if (stats.surrounds.centre_px == c) {
      use = &stats.surrounds;
    } else {
      own = make_surrounds(stats.lightness, stats.frame, c);
      use = &own;
    }
  }
  Surrounds own;
  const Surrounds* use = nullptr;
};

// The threshold iteration: each pass blurs what a reader's low-pass sees of every module
// into the local threshold, and moves the surrounds that disagree with it.
class Solver {
 public:
  Solver(const Symbol& symbol, const ImageStats& stats, const Dial& dial,
         const RenderOptions& options)
      : stats_(stats), dial_(dial), sur_(stats, dial), f_(stats.frame) {
    classify(symbol, stats, kinds_);
    l_dark_ = lightness(options.dark);
    l_light_ = lightness(options.light);
    area_ = dial.centre_area();
    // The dial is calibrated with black and white centres. A brand colour's centre sits
    // less far from the threshold; its surround makes up the difference, in proportion to
    // the centre's weight in what a reader samples after blur.
    constexpr double kCentreWeight = 0.5;
    dark_deficit_ = kCentreWeight / (1 - kCentreWeight) * l_dark_;
    light_deficit_ = kCentreWeight / (1 - kCentreWeight) * (100 - l_light_);
    // Start from the unshifted image under the centres.
    value_.create(f_, f_, CV_32F);
    for (int i = 0; i < f_ * f_; ++i) {
      const Kind k = kinds_[static_cast<std::size_t>(i)];
      value_.at<float>(i) = static_cast<float>(
          k == Kind::fixed_dark    ? l_dark_
          : k == Kind::fixed_light ? l_light_
          : k == Kind::spent       ? sur_.use->mean[static_cast<std::size_t>(i)]
                                   : seen(is_dark(k), sur_.use->mean[static_cast<std::size_t>(i)]));
    }
  }

  // The local and the wide threshold of the current values.
  void blur() {
    const cv::Mat &local = local_kernel(), &wide = wide_kernel();
    cv::sepFilter2D(value_, threshold_, CV_32F, local, local, cv::Point(-1, -1), 0,
                    cv::BORDER_REPLICATE);
    cv::sepFilter2D(value_, wide_, CV_32F, wide, wide, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
  }

  // One pass: every bit module's shift against the current threshold, and what a reader
  // then sees of it.
  void pass(cv::Mat& shifts) {
    blur();
    for (int y = 0; y < f_; ++y) {
      for (int x = 0; x < f_; ++x) {
        const int i = y * f_ + x;
        const Kind k = kinds_[static_cast<std::size_t>(i)];
        if (!is_bit(k)) continue;
        const bool light = k == Kind::bit_light;
        double t = target(x, y, light);
        double shift = 0, mean = sur_.use->mean[static_cast<std::size_t>(i)];
        if (!agrees(*sur_.use, i, light, t)) {
          shift = needed_shift(*sur_.use, i, light, t);
          mean = t;  // what the shift brings the surround to
        }
        shifts.at<float>(i) = static_cast<float>(shift);
        value_.at<float>(i) = static_cast<float>(seen(!light, mean));
      }
    }
  }

  // The data/EC modules that disagree with the first threshold, and with total_shift,
  // the shift they need; with per_module (size * size), each one's shift too.
  Disagreement first_disagreement(const Symbol& symbol, bool total_shift,
                                  std::vector<float>* per_module = nullptr) {
    blur();
    Disagreement out;
    if (per_module) per_module->assign(static_cast<std::size_t>(symbol.size * symbol.size), 0);
    const int q = stats_.quiet;
    for (int sy = 0; sy < symbol.size; ++sy) {
      for (int sx = 0; sx < symbol.size; ++sx) {
        const int i = (sy + q) * f_ + sx + q;
        const Kind k = kinds_[static_cast<std::size_t>(i)];
        if (!is_bit(k)) continue;
        const bool light = k == Kind::bit_light;
        double t = target(sx + q, sy + q, light);
        if (agrees(*sur_.use, i, light, t)) continue;
        ++out.modules;
        if (total_shift || per_module) {
          const float shift = std::abs(static_cast<float>(needed_shift(*sur_.use, i, light, t)));
          out.shift += shift;
          if (per_module) (*per_module)[static_cast<std::size_t>(sy * symbol.size + sx)] = shift;
        }
      }
    }
    return out;
  }

 private:
  // What a reader's low-pass sees of a module: centre and surround, area-weighted.
  double seen(bool dark, double surround) const {
    return area_ * (dark ? l_dark_ : l_light_) + (1 - area_) * surround;
  }

  double target(int x, int y, bool light) const {
    const int q = stats_.quiet;
    const bool quiet = x < q || y < q || x >= f_ - q || y >= f_ - q;
    // The centres carry the bits only while the threshold lies between their colours: a
    // navy centre on a near-black picture would read as light. Where the picture would
    // put the threshold outside that band, the surrounds are moved as if it were inside.
    const double local = threshold_.at<float>(y, x), wide = wide_.at<float>(y, x);
    const double t = std::clamp(light ? std::max(local, wide) : std::min(local, wide),
                                l_dark_ + kCentreBand, l_light_ - kCentreBand);
    const double delta = quiet ? std::max(dial_.delta, kQuietDelta)
                               : dial_.delta + (light ? light_deficit_ : dark_deficit_);
    double pull = 0;
    if (!quiet && x > 0 && y > 0 && x < f_ - 1 && y < f_ - 1) {
      const double around = (value_.at<float>(y - 1, x) + value_.at<float>(y + 1, x) +
                             value_.at<float>(y, x - 1) + value_.at<float>(y, x + 1)) /
                            4;
      pull = kNeighbourWeight * (t - around);
    }
    return (light ? t + delta : t - delta) + pull;
  }

  const ImageStats& stats_;
  const Dial& dial_;
  const SurroundsFor sur_;
  const int f_;
  std::vector<Kind> kinds_;
  double l_dark_ = 0, l_light_ = 0, area_ = 0, dark_deficit_ = 0, light_deficit_ = 0;
  cv::Mat value_, threshold_, wide_;
};

}  // namespace

Surrounds make_surrounds(const cv::Mat& lightness, int frame, int centre_px) {
  const int px = ImageStats::kPx;
  // The surround excludes the centre's bounding square: what the centre covers does not
  // show, so it must not count towards the module's tone.
  const int c0 = (px - centre_px) / 2, c1 = c0 + centre_px;
  Surrounds s;
  s.centre_px = centre_px;
  s.n = px * px - centre_px * centre_px;
  const auto cells = static_cast<std::size_t>(frame * frame);
  const auto n = static_cast<std::size_t>(s.n);
  s.sorted.resize(cells * n);
  s.prefix.resize(cells * (n + 1));
  s.mean.resize(cells);
  for (int fy = 0; fy < frame; ++fy) {
    for (int fx = 0; fx < frame; ++fx) {
      const auto cell = static_cast<std::size_t>(fy * frame + fx);
      float* v = s.sorted.data() + cell * n;
      double sum = 0;
      for (int y = 0; y < px; ++y) {
        const float* row = lightness.ptr<float>(fy * px + y) + fx * px;
        for (int x = 0; x < px; ++x) {
          if (y >= c0 && y < c1 && x >= c0 && x < c1) continue;
          *v++ = row[x];
          sum += row[x];
        }
      }
      s.mean[cell] = n == 0 ? 0 : sum / static_cast<double>(n);
      float* first = s.sorted.data() + cell * n;
      std::sort(first, first + n);
      double* p = s.prefix.data() + cell * (n + 1);
      p[0] = 0;
      for (std::size_t k = 0; k < n; ++k) p[k + 1] = p[k] + first[k];
    }
  }
  return s;
}

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

namespace {

PicturePreference picture_preference(const ImageStats& stats, int symbol_size) {
  // L*: closer to the picture's local mean than this, a module may be either colour.
  constexpr float kNoPreference = 8;
  // The surrounds' mean is what a module shows of the picture when it is left alone.
  const int f = stats.frame, q = stats.quiet;
  cv::Mat shown(f, f, CV_32F);
  for (int i = 0; i < f * f; ++i) {
    shown.at<float>(i) = static_cast<float>(stats.surrounds.mean[static_cast<std::size_t>(i)]);
  }
  cv::Mat threshold;
  const cv::Mat& local = local_kernel();
  cv::sepFilter2D(shown, threshold, CV_32F, local, local, cv::Point(-1, -1), 0,
                  cv::BORDER_REPLICATE);
  PicturePreference p;
  const auto cells = static_cast<std::size_t>(symbol_size) * static_cast<std::size_t>(symbol_size);
  p.dark.resize(cells);
  p.weight.resize(cells);
  for (int y = 0; y < symbol_size; ++y) {
    for (int x = 0; x < symbol_size; ++x) {
      const float v = shown.at<float>(y + q, x + q), t = threshold.at<float>(y + q, x + q);
      const auto i = static_cast<std::size_t>(y * symbol_size + x);
      p.dark[i] = v < t ? 1 : 0;
      // Where the picture sits at its own local mean it has no preference: a smooth area
      // would otherwise turn whole regions of modules one colour, which readers' binarisers
      // and samplers see as a hole in the code. Those modules keep the standard pad's.
      p.weight[i] = std::max(0.0f, std::abs(v - t) - kNoPreference);
    }
  }
  return p;
}

}  // namespace

ImageStats analyse_image(const Logo& logo, const RenderOptions& options, int symbol_size) {
  ImageStats stats;
  stats.quiet = options.quiet;
  stats.frame = symbol_size + 2 * options.quiet;
  stats.full_area = options.logo_area == LogoArea::full;
  const Placement p = place_image(logo, options, symbol_size);
  const cv::Mat layer = image_layer(logo, p, stats.frame, ImageStats::kPx);
  stats.lab = to_lab(layer, options.light);
  stats.lightness = reader_lightness(flatten(layer, options.light));
  cv::Mat l_star;
  cv::extractChannel(stats.lab, l_star, 0);
  cv::resize(l_star, stats.module_mean, cv::Size(stats.frame, stats.frame), 0, 0, cv::INTER_AREA);
  stats.surrounds = make_surrounds(stats.lightness, stats.frame, centre_px(dial(options)));
  stats.preference = picture_preference(stats, symbol_size);
  return stats;
}

Halftone halftone(const Symbol& symbol, const ImageStats& stats, const Dial& d,
                  const RenderOptions& options) {
  Solver solver(symbol, stats, d, options);
  Halftone out;
  out.shifts = cv::Mat::zeros(stats.frame, stats.frame, CV_32F);
  for (int it = 0; it < kIterations; ++it) solver.pass(out.shifts);
  // A copy: plans are handed out and must not alias the shared analysis.
  out.module_mean = stats.module_mean.clone();
  return out;
}

Disagreement disagreement(const Symbol& symbol, const ImageStats& stats, const Dial& d,
                          const RenderOptions& options, bool total_shift) {
  // One pass is enough to rank masks; the full solve refines the chosen one.
  return Solver(symbol, stats, d, options).first_disagreement(symbol, total_shift);
}

std::vector<float> module_shifts(const Symbol& symbol, const ImageStats& stats, const Dial& d,
                                 const RenderOptions& options) {
  std::vector<float> out;
  Solver(symbol, stats, d, options).first_disagreement(symbol, false, &out);
  return out;
}

}  // namespace viscode::detail
