#include "detect/finder_search.hpp"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <numeric>
#include <opencv2/imgproc.hpp>
#include <optional>

namespace viscode::detail {
namespace {

using Runs = std::array<int, 5>;

// Any line through the centre of concentric squares crosses them 1:1:3:1:1, whatever its
// direction, and an affine view keeps ratios along a line; so the same test serves rows,
// columns, diagonals and rotated or sheared patterns. tolerance: allowed deviation of each
// run, relative to its ideal length.
bool finder_ratio(const Runs& r, double tolerance) {
  const int total = std::accumulate(r.begin(), r.end(), 0);
  if (total < 7) return false;
  const double unit = total / 7.0;
  for (const int i : {0, 1, 3, 4}) {
    if (r[static_cast<std::size_t>(i)] == 0 ||
        std::abs(r[static_cast<std::size_t>(i)] - unit) > tolerance * unit) {
      return false;
    }
  }
  return std::abs(r[2] - 3 * unit) <= tolerance * 3 * unit;
}

int total_of(const Runs& r) {
  return std::accumulate(r.begin(), r.end(), 0);
}

struct Cross {
  Runs runs{};
  double centre = 0;  // offset of the core's middle from the start point, in steps
};

// Walks both ways from a dark point along (dx, dy): core, light ring, dark ring. Every run
// must end within max_run steps, and inside the image, except the dark ring's: a code
// printed or cropped without its quiet zone has its finders' outer rings on the image's
// edge, which ends them as a light pixel would.
std::optional<Cross> cross_check(const cv::Mat& dark, int x, int y, int dx, int dy, int max_run) {
  if (x < 0 || y < 0 || x >= dark.cols || y >= dark.rows) return std::nullopt;
  const std::uint8_t* start = dark.ptr<std::uint8_t>(y) + x;
  if (*start == 0) return std::nullopt;
  const auto stride = static_cast<std::ptrdiff_t>(dark.step[0]);
  // count[0]: core, [1]: light ring, [2]: dark ring, on one side. The steps left before
  // the image's edge bound the walk, so each step is a pointer move and a test.
  auto walk = [&](int sx, int sy, int& core_steps) -> std::optional<std::array<int, 3>> {
    const int room_x = sx > 0 ? dark.cols - 1 - x : sx < 0 ? x : INT_MAX;
    const int room_y = sy > 0 ? dark.rows - 1 - y : sy < 0 ? y : INT_MAX;
    const int room = std::min(room_x, room_y);
    const std::ptrdiff_t delta = sy * stride + sx;
    std::array<int, 3> count{};
    const std::uint8_t* p = start;
    int steps = 0;
    for (int part = 0; part < 3; ++part) {
      const bool want_dark = part != 1;
      while (true) {
        ++steps;
        if (steps > room) {
          if (part < 2) return std::nullopt;
          break;
        }
        p += delta;
        if ((*p != 0) != want_dark) break;
        if (++count[static_cast<std::size_t>(part)] > max_run) return std::nullopt;
      }
      if (part == 0) core_steps = steps - 1;
      // The walk stopped one step into the next part, which counts towards it.
      if (part < 2) ++count[static_cast<std::size_t>(part + 1)];
    }
    return count;
  };
  int back_core = 0, fwd_core = 0;
  const auto back = walk(-dx, -dy, back_core);
  if (!back) return std::nullopt;
  const auto fwd = walk(dx, dy, fwd_core);
  if (!fwd) return std::nullopt;
  Cross c;
  c.runs = {(*back)[2], (*back)[1], (*back)[0] + (*fwd)[0] + 1, (*fwd)[1], (*fwd)[2]};
  c.centre = (fwd_core - back_core) / 2.0;
  return c;
}

// The end of the run of equal pixels starting at x in a binary row (0 or 255): eight
// pixels at a time, since rows are mostly long runs.
int run_end(const std::uint8_t* row, int x, int cols) {
  const std::uint64_t same = row[x] ? ~std::uint64_t{0} : 0;
  while (x + 8 <= cols) {
    std::uint64_t word;
    std::memcpy(&word, row + x, sizeof word);
    const std::uint64_t differ = word ^ same;
    if (differ != 0) {
      // The lowest differing byte comes first in memory on a little-endian machine.
      if constexpr (std::endian::native == std::endian::little) {
        return x + std::countr_zero(differ) / 8;
      } else {
        return x + std::countl_zero(differ) / 8;
      }
    }
    x += 8;
  }
  while (x < cols && (row[x] != 0) == (same != 0)) ++x;
  return x;
}

// A straight side through contour points: the total-least-squares line, refitted a few
// times with Huber weights (as cv::fitLine's DIST_HUBER, without its cost) so that the
// rounded ends and stray pixels of a blurred ring do not tilt it. (vx, vy, x0, y0).
cv::Vec4f fit_line(const std::vector<cv::Point2f>& points) {
  constexpr double kHuber = 1.345;  // px: residuals beyond this count linearly
  std::vector<double> weight(points.size(), 1.0);
  double vx = 1, vy = 0, mx = 0, my = 0;
  for (int iteration = 0; iteration < 4; ++iteration) {
    double sw = 0;
    mx = my = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      sw += weight[i];
      mx += weight[i] * points[i].x;
      my += weight[i] * points[i].y;
    }
    mx /= sw;
    my /= sw;
    double sxx = 0, sxy = 0, syy = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double dx = points[i].x - mx, dy = points[i].y - my;
      sxx += weight[i] * dx * dx;
      sxy += weight[i] * dx * dy;
      syy += weight[i] * dy * dy;
    }
    // The principal axis of the 2x2 scatter matrix.
    const double angle = 0.5 * std::atan2(2 * sxy, sxx - syy);
    vx = std::cos(angle);
    vy = std::sin(angle);
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double r = std::abs((points[i].y - my) * vx - (points[i].x - mx) * vy);
      weight[i] = r <= kHuber ? 1.0 : kHuber / r;
    }
  }
  return {static_cast<float>(vx), static_cast<float>(vy), static_cast<float>(mx),
          static_cast<float>(my)};
}

struct Hit {
  cv::Point2d centre;
  double module = 0;
  int count = 0;
};

// The outer ring's corners: the ring is a connected dark component (the light ring and
// the separator isolate it); its contour's four sides are fitted with lines, which keeps
// the corners exact where blur has rounded them. binary: the ring dark (255) in the window
// roi; seed: a pixel of the ring, in window coordinates.
std::optional<std::array<cv::Point2f, 4>> trace_ring(const cv::Mat& binary, cv::Point seed,
                                                     cv::Point2f local_centre, float module,
                                                     cv::Point origin, cv::Size image,
                                                     bool& clipped) {
  cv::Mat mask = cv::Mat::zeros(binary.rows + 2, binary.cols + 2, CV_8U);
  cv::Mat region = binary;  // a header: filling the mask only, floodFill leaves it as it is
  cv::Rect filled;
  const int area = cv::floodFill(region, mask, seed, cv::Scalar(128), &filled, cv::Scalar(),
                                 cv::Scalar(), 4 | cv::FLOODFILL_MASK_ONLY | (255 << 8));
  const double expected = 24.0 * module * module;
  // A ring that reaches the window's edge has merged with something else, unless that
  // edge is the image's (a code without its quiet zone), or it is a sheared finder's,
  // which the caller traces again in a larger window. A larger window can only add to the
  // area, and a finder seen at a slant has no more ring than its runs make it (its module
  // sizes along and across the slant average to the module above, whose square is at
  // least their product): a part already larger than that has merged. (Over the detector
  // benchmark's captures, the retries of such parts read no finder; they were a twentieth
  // of the finder search.)
  constexpr double kSheared = 1.2;  // the ring's area over 24 modules, with some blur
  if ((filled.x <= 0 && origin.x > 0) || (filled.y <= 0 && origin.y > 0) ||
      (filled.br().x >= binary.cols && origin.x + binary.cols < image.width) ||
      (filled.br().y >= binary.rows && origin.y + binary.rows < image.height)) {
    if (area <= kSheared * expected) clipped = true;
    return std::nullopt;
  }
  if (area < 0.35 * expected || area > 2.5 * expected) return std::nullopt;

  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask(cv::Rect(1, 1, binary.cols, binary.rows)), contours, cv::RETR_EXTERNAL,
                   cv::CHAIN_APPROX_NONE);
  if (contours.empty()) return std::nullopt;
  const auto& contour =
      *std::max_element(contours.begin(), contours.end(),
                        [](const auto& a, const auto& b) { return a.size() < b.size(); });
  if (contour.size() < 12) return std::nullopt;
  if (cv::pointPolygonTest(contour, local_centre, false) <= 0) return std::nullopt;

  // Rough corners from the contour's extremes: the point farthest from the centre, the
  // point farthest from that, and the farthest on either side of the line through both.
  auto dist2 = [](cv::Point2f a, cv::Point2f b) { return (a - b).dot(a - b); };
  const int n = static_cast<int>(contour.size());
  auto pt = [&](int i) {
    return cv::Point2f(contour[static_cast<std::size_t>(((i % n) + n) % n)]);
  };
  int i0 = 0;
  for (int i = 1; i < n; ++i) {
    if (dist2(pt(i), local_centre) > dist2(pt(i0), local_centre)) i0 = i;
  }
  int i2 = 0;
  for (int i = 1; i < n; ++i) {
    if (dist2(pt(i), pt(i0)) > dist2(pt(i2), pt(i0))) i2 = i;
  }
  const cv::Point2f a = pt(i0), b = pt(i2);
  int i1 = -1, i3 = -1;
  double s1 = 0, s3 = 0;
  for (int i = 0; i < n; ++i) {
    const cv::Point2f p = pt(i);
    const double side = (b - a).cross(p - a);
    if (side > s1) s1 = side, i1 = i;
    if (side < s3) s3 = side, i3 = i;
  }
  if (i1 < 0 || i3 < 0) return std::nullopt;
  std::array<int, 4> idx = {i0, i1, i2, i3};
  std::sort(idx.begin(), idx.end());

  // Each side's middle part, fitted with a line, moved out half a pixel: contour points
  // are the centres of the outermost dark pixels, the edge lies half a pixel beyond.
  std::array<cv::Vec4f, 4> lines{};
  for (int s = 0; s < 4; ++s) {
    const int from = idx[static_cast<std::size_t>(s)];
    const int to = s == 3 ? idx[0] + n : idx[static_cast<std::size_t>(s + 1)];
    const int len = to - from;
    const int trim = std::max(1, len / 6);
    std::vector<cv::Point2f> side;
    for (int i = from + trim; i <= to - trim; ++i) side.push_back(pt(i));
    if (side.size() < 3) return std::nullopt;
    const cv::Vec4f line = fit_line(side);
    cv::Point2f normal(-line[1], line[0]);
    const cv::Point2f on(line[2], line[3]);
    if (normal.dot(on - local_centre) < 0) normal = -normal;
    lines[static_cast<std::size_t>(s)] =
        cv::Vec4f(line[0], line[1], on.x + 0.5f * normal.x, on.y + 0.5f * normal.y);
  }
  std::array<cv::Point2f, 4> corners{};
  for (int s = 0; s < 4; ++s) {
    const cv::Vec4f& l1 = lines[static_cast<std::size_t>((s + 3) % 4)];
    const cv::Vec4f& l2 = lines[static_cast<std::size_t>(s)];
    const cv::Point2f d1(l1[0], l1[1]), d2(l2[0], l2[1]);
    const float det = d1.cross(d2);
    if (std::abs(det) < 0.2f) return std::nullopt;  // sides nearly parallel: not a square
    const cv::Point2f p1(l1[2], l1[3]), p2(l2[2], l2[3]);
    const float t = (p2 - p1).cross(d2) / det;
    const cv::Point2f c = p1 + t * d1;
    // A corner far from where the contour put it means a side was not straight.
    if (dist2(c, pt(idx[static_cast<std::size_t>(s)])) > 4 * module * module) return std::nullopt;
    corners[static_cast<std::size_t>(s)] = c + cv::Point2f(origin);
  }
  // Sides of a square seen in perspective: none much shorter than another.
  double shortest = 1e9, longest = 0;
  for (int s = 0; s < 4; ++s) {
    const double d = std::sqrt(dist2(corners[static_cast<std::size_t>(s)],
                                     corners[static_cast<std::size_t>((s + 1) % 4)]));
    shortest = std::min(shortest, d);
    longest = std::max(longest, d);
  }
  if (shortest < 0.4 * longest) return std::nullopt;
  return corners;
}

// The ring traced at the midpoint between the finder's own dark and light levels: there a
// blurred edge crosses at its true place, whatever the local mean of the surroundings
// (which would grow or shrink the ring). The binarisation the finder was found in is the
// fallback, where a narrow separator blurs into its neighbours.
// reach: the window's half side in modules. A finder seen at a slant is sheared: its corners
// lie farther from its centre than its runs through the centre measure (7 modules across a
// row or column), so a ring that reaches the window's edge is traced once more in a window
// half as large again before it counts as merged with something else.
std::optional<std::array<cv::Point2f, 4>> ring_corners(const cv::Mat& grey, const cv::Mat& dark,
                                                       cv::Point2f centre, float module,
                                                       double reach_modules = 7) {
  const int cx = static_cast<int>(std::lround(centre.x));
  const int cy = static_cast<int>(std::lround(centre.y));
  if (cx < 0 || cy < 0 || cx >= dark.cols || cy >= dark.rows) return std::nullopt;
  const int reach = static_cast<int>(std::ceil(reach_modules * module)) + 2;
  const cv::Rect roi = cv::Rect(cx - reach, cy - reach, 2 * reach + 1, 2 * reach + 1) &
                       cv::Rect(0, 0, dark.cols, dark.rows);
  // Leftwards from the core across the light ring to the dark ring, noting the levels.
  const std::uint8_t* row = dark.ptr<std::uint8_t>(cy);
  const std::uint8_t* level = grey.ptr<std::uint8_t>(cy);
  std::vector<std::uint8_t> core, light;
  int x = cx;
  while (x > roi.x && row[x] != 0 && cx - x < reach) core.push_back(level[x--]);
  while (x > roi.x && row[x] == 0 && cx - x < reach) light.push_back(level[x--]);
  const int ring_start = x;
  while (x > roi.x && row[x] != 0 && cx - x < reach) --x;
  // The walk must leave the dark ring, or reach the image's own edge.
  const bool ring_ended = x > roi.x ? row[x] == 0 : roi.x == 0;
  if (core.empty() || light.empty() || row[ring_start] == 0 || !ring_ended) {
    return std::nullopt;
  }
  const cv::Point seed((ring_start + x + 1) / 2 - roi.x, cy - roi.y);
  const cv::Point2f local_centre = centre - cv::Point2f(roi.tl());
  auto median = [](std::vector<std::uint8_t>& v) {
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
    return static_cast<double>(v[v.size() / 2]);
  };
  const double threshold = (median(core) + median(light)) / 2;
  cv::Mat binary;
  cv::threshold(grey(roi), binary, threshold, 255, cv::THRESH_BINARY_INV);
  bool clipped = false;
  if (binary.at<std::uint8_t>(seed) != 0) {
    if (auto c = trace_ring(binary, seed, local_centre, module, roi.tl(), dark.size(), clipped)) {
      return c;
    }
  }
  if (auto c = trace_ring(dark(roi), seed, local_centre, module, roi.tl(), dark.size(), clipped)) {
    return c;
  }
  if (clipped && reach_modules < 10) return ring_corners(grey, dark, centre, module, 10.5);
  return std::nullopt;
}

cv::Point2f diagonal_intersection(const std::array<cv::Point2f, 4>& q) {
  const cv::Point2f d1 = q[2] - q[0], d2 = q[3] - q[1];
  const float det = d1.cross(d2);
  if (std::abs(det) < 1e-6f) return (q[0] + q[1] + q[2] + q[3]) * 0.25f;
  const float t = (q[1] - q[0]).cross(d2) / det;
  return q[0] + t * d1;
}

}  // namespace

namespace {

// Two finders of different scales that are the same pattern (merge_finders merges them).
bool same_pattern(const Finder& e, const Finder& f) {
  const float m = std::max(e.module, f.module);
  return cv::norm(e.centre - f.centre) <= 1.5 * m && f.module < 1.6f * e.module &&
         e.module < 1.6f * f.module;
}

}  // namespace

std::vector<Finder> find_finders(const cv::Mat& grey, const cv::Mat& dark,
                                 const std::vector<Finder>& known) {
  CV_Assert(dark.type() == CV_8U && grey.type() == CV_8U && grey.size() == dark.size());
  std::vector<Hit> hits;
  std::vector<int> starts, lengths;
  // A finder's core spans at least 9 rows at the smallest module size read (3 px); large
  // images skip rows, keeping a few scans through every core.
  const int row_step = 1 + std::min(dark.rows, dark.cols) / 800;
  for (int y = 0; y < dark.rows; y += row_step) {
    const std::uint8_t* row = dark.ptr<std::uint8_t>(y);
    starts.clear();
    lengths.clear();
    for (int x = 0; x < dark.cols;) {
      const int s = x;
      const bool d = row[x] != 0;
      x = run_end(row, x, dark.cols);
      // Runs alternate; a light first run is dropped so even indices are dark.
      if (starts.empty() && !d) continue;
      starts.push_back(s);
      lengths.push_back(x - s);
    }
    for (std::size_t i = 0; i + 4 < lengths.size(); i += 2) {
      const Runs r = {lengths[i], lengths[i + 1], lengths[i + 2], lengths[i + 3], lengths[i + 4]};
      if (!finder_ratio(r, 0.5)) continue;
      const int total = total_of(r);
      const double cx = starts[i + 2] + (lengths[i + 2] - 1) / 2.0;
      // Every row through a core confirmed twice already would repeat the same walks (down
      // the same column, along the same row) for the same answer: it counts without them.
      const double row_module = total / 7.0;
      const auto confirmed = std::find_if(hits.begin(), hits.end(), [&](const Hit& e) {
        return e.count >= 2 && std::abs(e.centre.x - cx) <= 0.5 * e.module &&
               std::abs(e.centre.y - y) <= 1.5 * e.module && row_module < 1.5 * e.module &&
               e.module < 1.5 * row_module;
      });
      if (confirmed != hits.end()) {
        ++confirmed->count;
        continue;
      }
      constexpr double kTol = 0.65;
      // A thin line of a picture under the code can cross a ring exactly where the centre
      // line does; the lines a pixel beside it cross the same pattern.
      const auto near = [&](int x0, int y0, int dx, int dy) {
        std::optional<Cross> c;
        for (const int d : {0, -1, 1}) {
          c = cross_check(dark, x0 + d * dy, y0 + d * dx, dx, dy, 2 * total);
          if (c && finder_ratio(c->runs, kTol)) return c;
        }
        return std::optional<Cross>{};
      };
      const auto v = near(static_cast<int>(std::lround(cx)), y, 0, 1);
      if (!v) continue;
      const int vtotal = total_of(v->runs);
      // Perspective and rotation stretch one way more than the other, but not this much.
      if (vtotal * 2 < total || vtotal > 2 * total) continue;
      const double cy = y + v->centre;
      const int iy = static_cast<int>(std::lround(cy));
      const auto h = near(static_cast<int>(std::lround(cx)), iy, 1, 0);
      if (!h) continue;
      const double rx = std::lround(cx) + h->centre;
      const int ix = static_cast<int>(std::lround(rx));
      const auto d1 = cross_check(dark, ix, iy, 1, 1, 2 * total);
      const auto d2 = cross_check(dark, ix, iy, 1, -1, 2 * total);
      if (!(d1 && finder_ratio(d1->runs, 0.75)) && !(d2 && finder_ratio(d2->runs, 0.75))) {
        continue;
      }
      const double module = (total_of(h->runs) + vtotal) / 14.0;
      const cv::Point2d c(rx, cy);
      bool merged = false;
      for (Hit& e : hits) {
        const cv::Point2d d = e.centre - c;
        if (std::abs(d.x) <= e.module && std::abs(d.y) <= e.module && module < 1.5 * e.module &&
            e.module < 1.5 * module) {
          const double w = e.count;
          e.centre = (e.centre * w + c) / (w + 1);
          e.module = (e.module * w + module) / (w + 1);
          ++e.count;
          merged = true;
          break;
        }
      }
      if (!merged) hits.push_back({c, module, 1});
    }
  }

  std::vector<Finder> out;
  for (const Hit& h : hits) {
    // Every row scanned through a true core confirms it, several rows even at the smallest
    // module size; a single confirmation is texture.
    if (h.count < 2) continue;
    Finder f;
    f.centre = cv::Point2f(static_cast<float>(h.centre.x), static_cast<float>(h.centre.y));
    f.module = static_cast<float>(h.module);
    f.hits = h.count;
    // merge_finders keeps an earlier scale's traced finder unless this one has more hits:
    // tracing this one would be work thrown away (it was most of a second scale's cost).
    const bool kept = std::any_of(known.begin(), known.end(), [&](const Finder& e) {
      return e.has_corners && f.hits <= e.hits && same_pattern(e, f);
    });
    if (kept) {
      out.push_back(f);
      continue;
    }
    if (const auto corners = ring_corners(grey, dark, f.centre, f.module)) {
      f.corners = *corners;
      f.has_corners = true;
      // The diagonals meet at the projected centre, also under perspective.
      f.centre = diagonal_intersection(f.corners);
      double perimeter = 0;
      for (int s = 0; s < 4; ++s) {
        perimeter += cv::norm(f.corners[static_cast<std::size_t>(s)] -
                              f.corners[static_cast<std::size_t>((s + 1) % 4)]);
      }
      f.module = static_cast<float>(perimeter / 28);
    }
    out.push_back(f);
  }
  return out;
}

double module_along(const Finder& f, cv::Point2f direction) {
  const double len = cv::norm(direction);
  if (!f.has_corners || len <= 0) return f.module;
  // The finder's own axes (image px per module, its opposite sides averaged) make the
  // local map from module space; a direction's module size is its length over its length
  // in modules. Seen at a slant a finder is sheared, and a direction between its sides
  // (the diagonal to another finder) crosses modules at neither side's rate.
  const cv::Point2f u = ((f.corners[1] - f.corners[0]) + (f.corners[2] - f.corners[3])) / 14.0f;
  const cv::Point2f v = ((f.corners[3] - f.corners[0]) + (f.corners[2] - f.corners[1])) / 14.0f;
  const double det = u.cross(v);
  if (std::abs(det) < 1e-6) return f.module;
  // direction = a u + b v
  const double a = direction.cross(v) / det, b = u.cross(direction) / det;
  const double modules = std::hypot(a, b);
  return modules > 0 ? len / modules : f.module;
}

double modules_between(const Finder& a, const Finder& b) {
  const cv::Point2f d = b.centre - a.centre;
  return cv::norm(d) / std::sqrt(module_along(a, d) * module_along(b, d));
}

void merge_finders(std::vector<Finder>& all, const std::vector<Finder>& more) {
  for (const Finder& f : more) {
    bool merged = false;
    for (Finder& e : all) {
      if (same_pattern(e, f)) {
        // The corners of the scale with more evidence, which binarised the pattern best.
        if ((f.has_corners && !e.has_corners) ||
            (f.has_corners == e.has_corners && f.hits > e.hits)) {
          const int h = e.hits;
          e = f;
          e.hits += h;
        } else {
          e.hits += f.hits;
        }
        merged = true;
        break;
      }
    }
    if (!merged) all.push_back(f);
  }
}

}  // namespace viscode::detail
