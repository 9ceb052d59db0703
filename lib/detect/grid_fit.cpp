#include "detect/grid_fit.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "detect/alignment_match.hpp"
#include "detect/model1.hpp"
#include "detect/sample.hpp"
#include "detect/symbol_geometry.hpp"

namespace viscode::detail {
namespace {

struct Correspondence {
  cv::Point2f module;  // module coordinates
  cv::Point2f image;   // image px
  int weight = 1;
  bool alignment = false;
};

cv::Point2f apply(const cv::Matx33d& h, double x, double y) {
  const cv::Vec3d p = h * cv::Vec3d(x, y, 1);
  return {static_cast<float>(p[0] / p[2]), static_cast<float>(p[1] / p[2])};
}

// The weighted least-squares homography from module to image coordinates: the linear
// (algebraic) fit on coordinates normalised to unit spread (Hartley), which keeps the
// system well conditioned. cv::findHomography starts from the same fit and then iterates
// on the geometric error, which dominated the fit's cost and moved corners by hundredths
// of a pixel.
std::optional<cv::Matx33d> fit_homography(const std::vector<Correspondence>& points) {
  if (points.size() < 4) return std::nullopt;
  double total = 0;
  cv::Point2d mean_m, mean_i;
  for (const Correspondence& c : points) {
    total += c.weight;
    mean_m += c.weight * cv::Point2d(c.module);
    mean_i += c.weight * cv::Point2d(c.image);
  }
  mean_m /= total;
  mean_i /= total;
  double spread_m = 0, spread_i = 0;
  for (const Correspondence& c : points) {
    spread_m += c.weight * cv::norm(cv::Point2d(c.module) - mean_m);
    spread_i += c.weight * cv::norm(cv::Point2d(c.image) - mean_i);
  }
  if (spread_m <= 0 || spread_i <= 0) return std::nullopt;
  const double sm = std::sqrt(2.0) * total / spread_m, si = std::sqrt(2.0) * total / spread_i;
  // With h(2,2) = 1 (safe: the centroids, at the origin of both normalised frames, map to
  // each other far from infinity) eight unknowns remain, solved by least squares.
  cv::Matx<double, 8, 8> normal = cv::Matx<double, 8, 8>::zeros();
  cv::Vec<double, 8> rhs = cv::Vec<double, 8>::zeros();
  for (const Correspondence& c : points) {
    const double x = (c.module.x - mean_m.x) * sm, y = (c.module.y - mean_m.y) * sm;
    const double u = (c.image.x - mean_i.x) * si, v = (c.image.y - mean_i.y) * si;
    const double r1[8] = {x, y, 1, 0, 0, 0, -u * x, -u * y};
    const double r2[8] = {0, 0, 0, x, y, 1, -v * x, -v * y};
    for (int i = 0; i < 8; ++i) {
      for (int j = i; j < 8; ++j) normal(i, j) += c.weight * (r1[i] * r1[j] + r2[i] * r2[j]);
      rhs[i] += c.weight * (r1[i] * u + r2[i] * v);
    }
  }
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < i; ++j) normal(i, j) = normal(j, i);
  }
  cv::Vec<double, 8> solution;
  // Singular when the points do not pin a homography (three on a line).
  if (!cv::solve(normal, rhs, solution, cv::DECOMP_CHOLESKY)) return std::nullopt;
  cv::Matx33d hn;
  for (int i = 0; i < 8; ++i) hn(i / 3, i % 3) = solution[i];
  hn(2, 2) = 1;
  const cv::Matx33d to_m(sm, 0, -sm * mean_m.x, 0, sm, -sm * mean_m.y, 0, 0, 1);
  const cv::Matx33d from_i(1 / si, 0, mean_i.x, 0, 1 / si, mean_i.y, 0, 0, 1);
  cv::Matx33d h = from_i * hn * to_m;
  if (std::abs(h(2, 2)) < 1e-12) return std::nullopt;
  h *= 1 / h(2, 2);
  if (!cv::checkRange(h)) return std::nullopt;
  return h;
}

// A symbol's image is a convex quadrilateral; a fit that folds it over was fooled.
bool plausible(const cv::Matx33d& h, int size) {
  const std::vector<cv::Point2f> quad = {apply(h, 0, 0), apply(h, size, 0), apply(h, size, size),
                                         apply(h, 0, size)};
  for (const cv::Point2f& p : quad) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
  }
  return cv::isContourConvex(quad);
}

// A module's centre value: the mean of a few bilinear samples within its middle fifth, so
// that a designer code's small centres are read and not their surround. p: the centre in
// the image; ex, ey: the module's axes there (image px per module).
float centre_value(const cv::Mat& grey, cv::Point2f p, cv::Point2f ex, cv::Point2f ey) {
  constexpr float r = 0.1f;
  return (bilinear(grey, p - r * ex - r * ey) + bilinear(grey, p + r * ex - r * ey) +
          bilinear(grey, p - r * ex + r * ey) + bilinear(grey, p + r * ex + r * ey)) /
         4;
}

double module_px(const cv::Matx33d& h, double x, double y) {
  return 0.5 * (cv::norm(apply(h, x + 0.5, y) - apply(h, x - 0.5, y)) +
                cv::norm(apply(h, x, y + 0.5) - apply(h, x, y - 0.5)));
}

// The mean of the fractions of known dark and known light modules read right. Balanced:
// most known modules are light (separators), which a blank page would read right.
double score_fit(const cv::Mat& grey, const cv::Mat& integral, const cv::Matx33d& h,
                 const std::vector<Known>& known) {
  std::array<int, 2> right{}, total{};
  for (const Known& k : known) {
    const double cx = k.x + 0.5, cy = k.y + 0.5;
    // The centre and the module's axes there from the homography's value and derivatives
    // (one division, where points mapped one by one took nine).
    const double w = h(2, 0) * cx + h(2, 1) * cy + h(2, 2);
    const double px = (h(0, 0) * cx + h(0, 1) * cy + h(0, 2)) / w;
    const double py = (h(1, 0) * cx + h(1, 1) * cy + h(1, 2)) / w;
    const cv::Point2f p(static_cast<float>(px), static_cast<float>(py));
    ++total[k.dark ? 1 : 0];
    if (!(p.x >= 0 && p.y >= 0 && p.x <= grey.cols - 1 && p.y <= grey.rows - 1)) continue;
    const cv::Point2f ex(static_cast<float>((h(0, 0) - px * h(2, 0)) / w),
                         static_cast<float>((h(1, 0) - py * h(2, 0)) / w));
    const cv::Point2f ey(static_cast<float>((h(0, 1) - px * h(2, 1)) / w),
                         static_cast<float>((h(1, 1) - py * h(2, 1)) / w));
    // A window of about five modules: wide enough to hold both tones around any known
    // module, narrow enough to follow lighting.
    const double module = 0.5 * (cv::norm(ex) + cv::norm(ey));
    const int r = std::max(2, static_cast<int>(std::lround(2.5 * module)));
    const bool dark = centre_value(grey, p, ex, ey) < box_mean(integral, p, r);
    if (dark == k.dark) ++right[k.dark ? 1 : 0];
  }
  if (total[0] == 0 || total[1] == 0) return 0;
  return (static_cast<double>(right[0]) / total[0] + static_cast<double>(right[1]) / total[1]) / 2;
}

// The finders' centres and the corners of their outer rings. A corner's place in the
// symbol follows from which side of the finder's centre it lies on, along the axes the
// triple spans.
std::vector<Correspondence> finder_points(const FinderTriple& t, int size, bool corner_lines) {
  const cv::Point2f ex = t.tr.centre - t.tl.centre, ey = t.bl.centre - t.tl.centre;
  const float det = ex.cross(ey);
  std::vector<Correspondence> out;
  const double far = size - 3.5;
  const std::array<std::pair<const Finder*, cv::Point2f>, 3> finders = {{
      {&t.tl, {3.5f, 3.5f}},
      {&t.tr, {static_cast<float>(far), 3.5f}},
      {&t.bl, {3.5f, static_cast<float>(far)}},
  }};
  int traced = 0;
  // The outer corners of the top-right and bottom-left finders, by their place (sx, sy).
  std::array<std::array<cv::Point2f, 4>, 2> outer{};
  std::array<bool, 2> outer_known{};
  for (const auto& [f, centre] : finders) {
    out.push_back({centre, f->centre, 2});
    if (!f->has_corners || std::abs(det) < 1e-6f) continue;
    std::array<Correspondence, 4> corners{};
    std::array<cv::Point2f, 4> by_place{};
    int seen = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      const cv::Point2f d = f->corners[i] - f->centre;
      const float a = d.cross(ey) / det, b = ex.cross(d) / det;
      const int sx = a > 0 ? 1 : 0, sy = b > 0 ? 1 : 0;
      seen |= 1 << (sx + 2 * sy);
      corners[i] = {centre + cv::Point2f(sx ? 3.5f : -3.5f, sy ? 3.5f : -3.5f), f->corners[i], 1};
      by_place[static_cast<std::size_t>(sx + 2 * sy)] = f->corners[i];
    }
    // Each corner on its own side, or the ring is too distorted to say which is which.
    if (seen == 0xF) {
      out.insert(out.end(), corners.begin(), corners.end());
      ++traced;
      if (f != &t.tl) {
        const std::size_t k = f == &t.tr ? 0 : 1;
        outer[k] = by_place;
        outer_known[k] = true;
      }
    }
  }
  // The symbol's bottom-right corner, where nothing is printed to find: on the line of the
  // top-right finder's outer side and on that of the bottom-left one's bottom side (a
  // homography maps lines to lines, so this holds in any perspective). The fit from the
  // finders' corners alone extrapolates it from twelve points bunched in three small
  // squares, where a strong perspective moves it by modules for a pixel of noise.
  if (corner_lines && outer_known[0] && outer_known[1]) {
    const cv::Point2f a = outer[0][1], da = outer[0][3] - outer[0][1];  // (1,0) to (1,1)
    const cv::Point2f b = outer[1][2], db = outer[1][3] - outer[1][2];  // (0,1) to (1,1)
    const float cross = da.cross(db);
    if (std::abs(cross) > 1e-3f * static_cast<float>(cv::norm(da) * cv::norm(db))) {
      const cv::Point2f corner = a + da * ((b - a).cross(db) / cross);
      // Sides nearly parallel put it far off; the parallelogram's corner says roughly where.
      const cv::Point2f rough = t.tr.centre + t.bl.centre - t.tl.centre;
      if (cv::norm(corner - rough) < 0.5 * cv::norm(t.tr.centre - t.bl.centre)) {
        const float n = static_cast<float>(size);
        out.push_back({{n, n}, corner, 2});
      }
    }
  }
  // Without the corners of two finders nothing tells the perspective: a fourth point
  // completing the parallelogram makes the map affine until an alignment pattern refines
  // it.
  if (traced < 2) {
    out.push_back({{static_cast<float>(far), static_cast<float>(far)},
                   t.tr.centre + t.bl.centre - t.tl.centre,
                   1});
  }
  return out;
}

}  // namespace

// The alignment pattern (dark centre, light ring, dark ring) nearest its predicted centre
// (module coordinates cx, cy), searched within radius modules: the neighbourhood is warped
// to module space through h and matched against the pattern by normalised correlation,
// whose peak is sharp where the pattern's edges are. min_contrast: grey levels required
// between its light and dark modules.
std::optional<cv::Point2f> find_alignment(const cv::Mat& grey, const cv::Matx33d& h, double cx,
                                          double cy, double radius, double min_contrast) {
  const int ppm = std::clamp(static_cast<int>(std::lround(module_px(h, cx, cy))), 3, 4);
  const double x0 = cx - 2.5 - radius, y0 = cy - 2.5 - radius;
  const int side = static_cast<int>(std::ceil((5 + 2 * radius) * ppm));
  // Patch pixel (i, j) shows module coordinates (x0 + (i + 0.5) / ppm, ...).
  const cv::Matx33d to_module(1.0 / ppm, 0, x0 + 0.5 / ppm, 0, 1.0 / ppm, y0 + 0.5 / ppm, 0, 0, 1);
  cv::Mat patch;
  cv::warpPerspective(grey, patch, cv::Mat(h * to_module), cv::Size(side, side),
                      cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  const int t = 5 * ppm;
  cv::Mat dark_mask(t, t, CV_8U);
  for (int y = 0; y < t; ++y) {
    for (int x = 0; x < t; ++x) {
      const bool dark = std::max(std::abs(x / ppm - 2), std::abs(y / ppm - 2)) != 1;
      dark_mask.at<std::uint8_t>(y, x) = dark ? 255 : 0;
    }
  }
  const cv::Mat corr = alignment_match(patch, ppm);
  // Nearer the prediction is likelier; the prior only breaks near-ties with data modules.
  const double mid = (corr.cols - 1) / 2.0;
  int bu = -1, bv = -1;
  double best = -1e9;
  for (int v = 0; v < corr.rows; ++v) {
    for (int u = 0; u < corr.cols; ++u) {
      const double du = (u - mid) / ppm, dv = (v - mid) / ppm;
      const double merit = corr.at<float>(v, u) - 0.01 * (du * du + dv * dv);
      if (merit > best) best = merit, bu = u, bv = v;
    }
  }
  if (bu < 0 || corr.at<float>(bv, bu) < 0.5f) return std::nullopt;
  const cv::Rect at(bu, bv, t, t);
  const double dark = cv::mean(patch(at), dark_mask)[0];
  const double light = cv::mean(patch(at), ~dark_mask)[0];
  if (light - dark < min_contrast) return std::nullopt;
  // Sub-pixel peak: a parabola through the peak and its neighbours on each axis.
  auto offset = [](float a, float b, float c) {
    const float d = a - 2 * b + c;
    return d < 0 ? std::clamp(0.5f * (a - c) / d, -0.5f, 0.5f) : 0.0f;
  };
  float fu = static_cast<float>(bu), fv = static_cast<float>(bv);
  if (bu > 0 && bu + 1 < corr.cols) {
    fu += offset(corr.at<float>(bv, bu - 1), corr.at<float>(bv, bu), corr.at<float>(bv, bu + 1));
  }
  if (bv > 0 && bv + 1 < corr.rows) {
    fv += offset(corr.at<float>(bv - 1, bu), corr.at<float>(bv, bu), corr.at<float>(bv + 1, bu));
  }
  return apply(h, x0 + fu / ppm + 2.5, y0 + fv / ppm + 2.5);
}

// Grey levels between the top-left finder's light ring and its dark core.
double finder_contrast(const cv::Mat& grey, const cv::Matx33d& h) {
  const double dark = bilinear(grey, apply(h, 3.5, 3.5));
  const double light = (bilinear(grey, apply(h, 3.5, 1.5)) + bilinear(grey, apply(h, 1.5, 3.5)) +
                        bilinear(grey, apply(h, 5.5, 3.5)) + bilinear(grey, apply(h, 3.5, 5.5))) /
                       4;
  return light - dark;
}

namespace {

struct Trial {
  GridFit fit;
  std::vector<Correspondence> points;
};

// The fit the finders alone give a version, scored on the edge modules they bracket.
// With corner_lines, the bottom-right corner from the finders' outer sides too.
std::optional<Trial> finder_fit(const cv::Mat& grey, const cv::Mat& integral,
                                const FinderTriple& triple, int version, bool corner_lines) {
  Trial t;
  t.fit.version = version;
  t.fit.size = 17 + 4 * version;
  t.points = finder_points(triple, t.fit.size, corner_lines);
  const auto h = fit_homography(t.points);
  if (!h || !plausible(*h, t.fit.size)) return std::nullopt;
  t.fit.h = *h;
  t.fit.score = score_fit(grey, integral, t.fit.h, edge_modules(version));
  return t;
}

// The bottom-right alignment pattern fixes the perspective the finders alone only hint at;
// the farther it is, the farther the finders' extrapolation may miss it.
void add_corner_alignment(const cv::Mat& grey, Trial& t) {
  if (t.fit.version < 2) return;
  const double contrast = finder_contrast(grey, t.fit.h);
  if (contrast <= 0) return;
  const double c = t.fit.size - 6.5;
  const double radius = std::clamp(t.fit.size / 12.0, 2.5, 5.0);
  const auto found = find_alignment(grey, t.fit.h, c, c, radius, 0.3 * contrast);
  if (!found) return;
  t.points.push_back({{static_cast<float>(c), static_cast<float>(c)}, *found, 4, true});
  if (const auto refit = fit_homography(t.points); refit && plausible(*refit, t.fit.size)) {
    t.fit.h = *refit;
    t.fit.alignments_found = 1;
  } else {
    t.points.pop_back();
  }
}

// The other alignment patterns, for versions that have them: each found one pins the grid
// locally, which large symbols need where the four-point fit drifts by a module.
void refine_with_alignments(const cv::Mat& grey, Trial& t) {
  const std::vector<int> pos = alignment_positions(t.fit.version);
  if (pos.size() < 3) return;
  const int n = t.fit.size;
  const double contrast = finder_contrast(grey, t.fit.h);
  std::vector<cv::Point2f> done;
  for (const double radius : {2.0, 1.0}) {
    bool added = false;
    for (const int ay : pos) {
      for (const int ax : pos) {
        if (!alignment_drawn(t.fit.version, ax, ay)) continue;
        const cv::Point2f m(static_cast<float>(ax + 0.5), static_cast<float>(ay + 0.5));
        if (std::find(done.begin(), done.end(), m) != done.end()) continue;
        if (ax == n - 7 && ay == n - 7 && t.fit.alignments_found > 0) continue;
        if (const auto found = find_alignment(grey, t.fit.h, m.x, m.y, radius, 0.3 * contrast)) {
          t.points.push_back({m, *found, 2, true});
          done.push_back(m);
          added = true;
        }
      }
    }
    if (!added) continue;
    auto h = fit_homography(t.points);
    if (!h) return;
    // A pattern that the refit cannot place within half a module was a data look-alike.
    std::vector<Correspondence> kept;
    for (const Correspondence& c : t.points) {
      if (c.alignment && cv::norm(apply(*h, c.module.x, c.module.y) - c.image) >
                             0.5 * module_px(*h, c.module.x, c.module.y)) {
        done.erase(std::remove(done.begin(), done.end(), c.module), done.end());
        continue;
      }
      kept.push_back(c);
    }
    if (kept.size() != t.points.size()) {
      t.points = std::move(kept);
      h = fit_homography(t.points);
      if (!h) return;
    }
    if (!plausible(*h, n)) return;
    t.fit.h = *h;
  }
  int found = 0;
  for (const Correspondence& c : t.points) found += c.alignment ? 1 : 0;
  t.fit.alignments_found = found;
}

}  // namespace

cv::Point2f GridFit::map(double x, double y) const {
  return apply(h, x, y);
}

std::optional<GridFit> fit_grid(const cv::Mat& grey, const cv::Mat& integral,
                                const FinderTriple& triple) {
  const double l1 = modules_between(triple.tl, triple.tr);
  const double l2 = modules_between(triple.tl, triple.bl);
  const double estimate = ((l1 + l2) / 2 + 7 - 17) / 4;
  const int guess = std::clamp(static_cast<int>(std::lround(estimate)), 1, 40);
  // The estimate and its neighbours, scored on the edge modules first: a wrong version
  // puts the timing patterns out of phase, which reads about half of them wrong. Only the
  // promising ones pay for the alignment search.
  constexpr double kPromising = 0.7;
  constexpr double kClear = 0.95;
  const float mmax = std::max({triple.tl.module, triple.tr.module, triple.bl.module});
  const float mmin = std::min({triple.tl.module, triple.tr.module, triple.bl.module});
  const bool strong = mmax > 1.25f * mmin;
  std::vector<Trial> trials;
  for (const int delta : {0, -1, 1, -2, 2}) {
    const int version = guess + delta;
    if (version < 1 || version > 40) continue;
    // The finders' corners alone, and with the bottom-right corner their outer sides point
    // to: the timing patterns tell which holds (a finder's side a little bowed by the lens
    // or the paper sends that corner off, a strong perspective the corners' fit).
    // Tried only in a strong perspective (finders of unequal size), where the corners' fit
    // misreads some of them.
    auto t = finder_fit(grey, integral, triple, version, false);
    if (strong && (!t || t->fit.score < kClear)) {
      auto lined = finder_fit(grey, integral, triple, version, true);
      if (lined && lined->points.size() > (t ? t->points.size() : 0) &&
          (!t || lined->fit.score > t->fit.score)) {
        t = std::move(lined);
      }
    }
    if (t && t->fit.score >= kPromising) trials.push_back(std::move(*t));
  }
  const std::vector<Trial> finders_only = trials;
  std::optional<Trial> best;
  for (Trial& t : trials) {
    add_corner_alignment(grey, t);
    t.fit.score = score_fit(grey, integral, t.fit.h, known_modules(t.fit.version));
    // A tie keeps the earlier, nearer the estimate.
    if (!best || t.fit.score > best->fit.score + 1e-9) best = std::move(t);
  }
  if (!best) return std::nullopt;
  // Refining is worth its cost only where the finders already made a symbol of it.
  if (best->fit.version >= 7 && best->fit.score >= kPromising) {
    refine_with_alignments(grey, *best);
    best->fit.score = score_fit(grey, integral, best->fit.h, known_modules(best->fit.version));
  }
  // A QR Model 1 symbol (versions 2-14) has data where Model 2's alignment patterns would be:
  // its fit reads them as chance, or worse, takes a look-alike in the data for one and bends
  // the grid to it. The finders' own fit, scored on Model 1's known modules, replaces it
  // where it reads them at least as well, provided it reads the extension patterns alone
  // nearly all right: a Model 2 symbol's data matches those positions only by chance (about
  // half of them; 90% of version 2's sixteen, about once in 4000 symbols).
  constexpr double kModel1Sure = 0.9;
  for (const Trial& t : finders_only) {
    if (t.fit.version < 2 || t.fit.version > kModel1MaxVersion) continue;
    if (score_fit(grey, integral, t.fit.h, extension_modules(t.fit.version)) < kModel1Sure) {
      continue;
    }
    const double score = score_fit(grey, integral, t.fit.h, model1_known_modules(t.fit.version));
    if (score >= kModel1Sure && score >= best->fit.score) {
      best = t;
      best->fit.score = score;
    }
  }
  return best->fit;
}

std::optional<GridFit> fit_from_centres(const cv::Mat& grey, const cv::Mat& integral,
                                        const FinderTriple& triple, const GridFit& fit) {
  Trial t;
  t.fit.version = fit.version;
  t.fit.size = fit.size;
  const float near = 3.5f, far = static_cast<float>(fit.size - 3.5);
  t.points = {{{near, near}, triple.tl.centre, 1},
              {{far, near}, triple.tr.centre, 1},
              {{near, far}, triple.bl.centre, 1},
              {{far, far}, triple.tr.centre + triple.bl.centre - triple.tl.centre, 1}};
  const auto h = fit_homography(t.points);
  if (!h || !plausible(*h, t.fit.size)) return std::nullopt;
  t.fit.h = *h;
  // Nothing new where the finders' corners gave (nearly) this map already.
  const double n = fit.size;
  double moved = 0;
  const std::array<cv::Point2d, 4> corners = {{{0, 0}, {n, 0}, {n, n}, {0, n}}};
  for (const cv::Point2d& c : corners) {
    const double x = c.x, y = c.y;
    moved = std::max(moved, cv::norm(t.fit.map(x, y) - fit.map(x, y)) / module_px(fit.h, x, y));
  }
  if (moved < 0.5) return std::nullopt;
  add_corner_alignment(grey, t);
  t.fit.score = score_fit(grey, integral, t.fit.h, known_modules(t.fit.version));
  return t.fit;
}

}  // namespace viscode::detail
