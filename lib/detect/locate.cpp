// Locating: binarise, find finders, group, fit, sample; scale by scale.
#include "detect/locate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <opencv2/imgproc.hpp>

#include "detect/bend.hpp"
#include "detect/binarize.hpp"
#include "detect/finder_search.hpp"
#include "detect/grid_fit.hpp"
#include "detect/grouping.hpp"
#include "detect/sample.hpp"

namespace viscode::detail {
namespace {

// How well a fit must read its version's separator, timing and alignment modules (dark and
// light ones weighed alike). A true symbol reads nearly all of them even blurred; three
// chance finder look-alikes in a texture read about half.
constexpr double kMinScore = 0.8;
// A fit short of kMinScore but above chance is offered only as the grid its own timing and
// alignment patterns trace (follow_bend): on curved paper one homography misses the middle
// of the timing patterns the score reads.
constexpr double kBendable = 0.65;

// A finder inside a symbol at its module size is one of its own or a look-alike in its data
// (claims() below), and triples through it are chance combinations. A fit this sure claims
// its area within its scale at once, which spares fitting the look-alikes of large symbols.
constexpr double kSure = 0.95;

using Quad = std::vector<cv::Point2f>;

bool inside(const Quad& quad, cv::Point2f p) {
  return cv::pointPolygonTest(quad, p, false) >= 0;
}

cv::Point2f centre(const Quad& q) {
  return (q[0] + q[1] + q[2] + q[3]) * 0.25f;
}

bool overlap(const Quad& a, const Quad& b) {
  return inside(a, centre(b)) || inside(b, centre(a));
}

bool same_finder(const Finder& a, const Finder& b) {
  return a.centre == b.centre && a.module == b.module && a.has_corners == b.has_corners &&
         a.corners == b.corners;
}

bool same_triple(const FinderTriple& a, const FinderTriple& b) {
  return same_finder(a.tl, b.tl) && same_finder(a.tr, b.tr) && same_finder(a.bl, b.bl);
}

// A place offered to the reader: the symbol's quadrilateral, its fit (module coordinates to
// image px, and back) and how sure that fit was.
struct Place {
  Quad quad;
  cv::Matx33d h, inverse;
  double score = 0;
  bool decoded = false;
};

Place place_of(const GridFit& fit) {
  const int n = fit.size;
  return {{fit.map(0, 0), fit.map(n, 0), fit.map(n, n), fit.map(0, n)},
          fit.h,
          fit.h.inv(),
          fit.score,
          false};
}

// The module size (px) of a place's fit at image point p.
double module_at(const Place& place, cv::Point2f p) {
  const cv::Vec3d m = place.inverse * cv::Vec3d(p.x, p.y, 1);
  if (std::abs(m[2]) < 1e-12) return 0;
  const double x = m[0] / m[2], y = m[1] / m[2];
  auto at = [&](double u, double v) {
    const cv::Vec3d q = place.h * cv::Vec3d(u, v, 1);
    return cv::Point2d(q[0] / q[2], q[1] / q[2]);
  };
  return 0.5 *
         (cv::norm(at(x + 0.5, y) - at(x - 0.5, y)) + cv::norm(at(x, y + 0.5) - at(x, y - 0.5)));
}

// Symbols do not overlap, except that a small code may be printed inside a larger one (a
// product's code within a carton's): a symbol claims what lies inside it at its own module
// size only, its own finders and the look-alikes in its data, never the smaller modules of
// a code printed within it.
constexpr double kOwnModule = 1.5;

bool claims(const Place& place, cv::Point2f p, double module) {
  if (!inside(place.quad, p)) return false;
  const double own = module_at(place, p);
  return module < kOwnModule * own && own < kOwnModule * module;
}

// Two fits of one symbol: overlapping, at one module size.
bool same_place(const Place& a, const Place& b) {
  if (!overlap(a.quad, b.quad)) return false;
  const cv::Point2f ca = centre(a.quad), cb = centre(b.quad);
  return claims(a, cb, module_at(b, cb)) || claims(b, ca, module_at(a, ca));
}

// The binomial filter [1 4 6 4 1]/16 along both axes (a Gaussian of sigma 1 px to within a
// grey level), in integers, over the pixels of `area`; the pixels around it serve as its
// border, replicated at the image's edges. cv::GaussianBlur gives much the same for several
// times the cost on a view of an image.
void binomial_blur(const cv::Mat& grey, cv::Rect area, cv::Mat& out) {
  const int x0 = area.x;
  const int last_row = grey.rows - 1, last_col = grey.cols - 1;
  // Columns x0-2 .. x1+1 of the vertical pass; those beyond the image (at most two on each
  // side) repeat its edge.
  const int width = area.width + 4, base = x0 - 2;
  const int lo = std::max(0, -base), hi = std::min(width, grey.cols - base);
  std::vector<std::uint16_t> column(static_cast<std::size_t>(width));
  for (int y = area.y; y < area.y + area.height; ++y) {
    const std::uint8_t* r[5];
    for (int k = 0; k < 5; ++k) r[k] = grey.ptr<std::uint8_t>(std::clamp(y - 2 + k, 0, last_row));
    auto vertical = [&](int x) {
      return static_cast<std::uint16_t>(r[0][x] + 4 * (r[1][x] + r[3][x]) + 6 * r[2][x] + r[4][x]);
    };
    for (int i = lo; i < hi; ++i) column[static_cast<std::size_t>(i)] = vertical(base + i);
    for (int i = 0; i < lo; ++i) column[static_cast<std::size_t>(i)] = vertical(0);
    for (int i = hi; i < width; ++i) column[static_cast<std::size_t>(i)] = vertical(last_col);
    std::uint8_t* o = out.ptr<std::uint8_t>(y) + x0;
    const std::uint16_t* c = column.data();
    for (int i = 0; i < area.width; ++i) {
      const int sum = c[i] + 4 * (c[i + 1] + c[i + 3]) + 6 * c[i + 2] + c[i + 4];
      o[i] = static_cast<std::uint8_t>((sum + 128) >> 8);
    }
  }
}

// The area a triple's fit reads: its parallelogram with a margin for the quiet zone, the
// alignment search and the fit's local windows.
cv::Rect fit_area(const FinderTriple& t) {
  const std::vector<cv::Point2f> corners = {t.tl.centre, t.tr.centre, t.bl.centre,
                                            t.tr.centre + t.bl.centre - t.tl.centre};
  const int margin =
      static_cast<int>(std::ceil(12 * std::max({t.tl.module, t.tr.module, t.bl.module}))) + 8;
  const cv::Rect r = cv::boundingRect(corners);
  return {r.x - margin, r.y - margin, r.width + 2 * margin, r.height + 2 * margin};
}

// Fitting compares single points: sensor noise would move them more than blur does. The
// fit reads only the symbols' areas, so only they are smoothed: the area of every triple's
// parallelogram with a margin for the quiet zone, the alignment search and the fit's
// local windows; a photo with a small code in it pays for the code, not the photo.
// smooth and integral cover the whole image (zero outside `smoothed`, which grows as
// later scales bring triples elsewhere).
void smooth_area(const cv::Mat& grey, const std::vector<FinderTriple>& triples, cv::Mat& smooth,
                 cv::Mat& integral, cv::Rect& smoothed) {
  cv::Rect need = smoothed;
  for (const FinderTriple& t : triples) {
    const cv::Rect r = fit_area(t);
    need = need.empty() ? r : (need | r);
  }
  need &= cv::Rect(0, 0, grey.cols, grey.rows);
  if (need == smoothed) return;
  if (smooth.empty()) smooth = cv::Mat::zeros(grey.size(), CV_8U);
  binomial_blur(grey, need, smooth);
  // The filter passes half the contrast of 0.25 cycles/px and none of 0.5: under 2 px a
  // module it erases the timing patterns the fit is scored on (a version 40 symbol scanned
  // at 1 px a module did not read). Such symbols are fitted on the image itself.
  for (const FinderTriple& t : triples) {
    if (std::max({t.tl.module, t.tr.module, t.bl.module}) >= 2) continue;
    const cv::Rect r = fit_area(t) & need;
    grey(r).copyTo(smooth(r));
  }
  cv::integral(smooth, integral, CV_64F);
  smoothed = need;
}

}  // namespace

bool locate(const cv::Mat& input, bool inverted, const Reader& read) {
  CV_Assert(input.type() == CV_8UC1);
  if (input.rows < 21 || input.cols < 21) return false;
  cv::Mat grey;
  if (inverted) {
    cv::bitwise_not(input, grey);  // into a buffer of its own: the caller's image stays
  } else {
    grey = input;
  }

  std::vector<Finder> finders;
  std::vector<FinderTriple> fitted;  // every triple fitted so far: a refit would repeat it
  std::vector<Place> places;
  cv::Mat smooth, integral;
  cv::Rect smoothed;
  auto in_decoded = [&](const Finder& f) {
    return std::any_of(places.begin(), places.end(),
                       [&](const Place& s) { return s.decoded && claims(s, f.centre, f.module); });
  };
  for (const int window : binarization_windows(grey)) {
    merge_finders(finders, find_finders(grey, binarize(grey, window), finders));
    struct Scored {
      GridFit fit;
      Place place;
      FinderTriple triple;
    };
    std::vector<FinderTriple> triples;
    for (const FinderTriple& t : group_finders(finders, grey)) {
      if (in_decoded(t.tl) || in_decoded(t.tr) || in_decoded(t.bl)) continue;
      if (std::any_of(fitted.begin(), fitted.end(),
                      [&](const FinderTriple& f) { return same_triple(f, t); })) {
        continue;
      }
      triples.push_back(t);
    }
    if (!triples.empty()) smooth_area(grey, triples, smooth, integral, smoothed);
    std::vector<Scored> fits;
    std::vector<Place> sure;
    for (const FinderTriple& t : triples) {
      const bool claimed = std::any_of(sure.begin(), sure.end(), [&](const Place& p) {
        return claims(p, t.tl.centre, t.tl.module) || claims(p, t.tr.centre, t.tr.module) ||
               claims(p, t.bl.centre, t.bl.module);
      });
      if (claimed) continue;
      fitted.push_back(t);
      const auto fit = fit_grid(smooth, integral, t);
      if (!fit || fit->score < kBendable) continue;
      Scored s{*fit, place_of(*fit), t};
      if (s.fit.score >= kSure) sure.push_back(s.place);
      fits.push_back(std::move(s));
    }
    std::stable_sort(fits.begin(), fits.end(),
                     [](const Scored& a, const Scored& b) { return a.fit.score > b.fit.score; });
    for (Scored& s : fits) {
      // A place is offered again only as a better fit than it was (the finders of a later
      // scale can give sharper corners), and never once it decoded.
      const bool offered = std::any_of(places.begin(), places.end(), [&](const Place& p) {
        return same_place(p, s.place) && (p.decoded || p.score >= s.fit.score);
      });
      if (offered) continue;
      // Most symbols read from one sample at each module's centre; the careful sampling a
      // designer code's small centres may need costs several times as much, and is done
      // only when the quick grid does not decode.
      auto offer = [&](const cv::Mat& image, const GridFit& fit,
                       const std::array<cv::Point2f, 4>* corners) {
        for (const Sampling sampling : {Sampling::quick, Sampling::careful}) {
          Candidate c = sample_grid(image, fit, sampling);
          c.inverted = inverted;
          if (corners) c.corners = *corners;
          if (read(c)) return true;
        }
        return false;
      };
      const bool weak = s.fit.score < kMinScore;
      bool decoded = !weak && offer(grey, s.fit, nullptr);
      // A finder of a symbol decoded since makes this a chance triple: no second opinion.
      const bool chance =
          in_decoded(s.triple.tl) || in_decoded(s.triple.tr) || in_decoded(s.triple.bl);
      if (!decoded && chance) {
        if (!weak) places.push_back(std::move(s.place));
        continue;
      }
      // Where no alignment pattern pinned the far corner, the finders' corners may have
      // extrapolated a perspective that is not there: the finder centres' parallelogram.
      if (!decoded && !weak && s.fit.alignments_found == 0) {
        const auto again = fit_from_centres(smooth, integral, s.triple, s.fit);
        if (again && again->score >= kMinScore) decoded = offer(grey, *again, nullptr);
      }
      // Curved or folded paper: the grid the symbol's own timing and alignment patterns
      // trace, where one homography cannot follow the bend.
      if (!decoded) {
        if (const auto bent = follow_bend(grey, s.fit)) {
          decoded = offer(bent->image, bent->fit, &bent->corners);
        }
      }
      // A weak fit that did not decode was not located: the inverted image may hold it.
      if (weak && !decoded) continue;
      s.place.decoded = decoded;
      places.push_back(std::move(s.place));
    }
    // Every finder is a decoded symbol's, or lies in one at another module size with too few
    // others to make a code printed inside it (a picture's blobs in a designer code).
    std::size_t nested = 0;
    const bool outside = std::any_of(finders.begin(), finders.end(), [&](const Finder& f) {
      if (in_decoded(f)) return false;
      const bool within = std::any_of(places.begin(), places.end(), [&](const Place& p) {
        return p.decoded && inside(p.quad, f.centre);
      });
      nested += within ? 1 : 0;
      return !within;
    });
    const bool explained =
        std::any_of(places.begin(), places.end(), [](const Place& p) { return p.decoded; }) &&
        !outside && nested < 3;
    if (explained) return true;
  }
  return !places.empty();
}

std::vector<Candidate> locate(const cv::Mat& grey, bool inverted) {
  std::vector<std::pair<Candidate, Quad>> out;
  auto module = [](const Quad& q, int size) {
    return std::sqrt(std::abs(cv::contourArea(q))) / std::max(size, 1);
  };
  locate(grey, inverted, [&](const Candidate& c) {
    Quad quad(c.corners.begin(), c.corners.end());
    // The same symbol again (sampled carefully, or a better fit): it replaces the one it
    // overlaps at its module size and version (not a code printed inside it, nor another
    // triple through some of its finders, which the reader is offered after it).
    const double m = module(quad, c.grid.size);
    const auto same = std::find_if(out.begin(), out.end(), [&](const auto& o) {
      const double mo = module(o.second, o.first.grid.size);
      return o.first.grid.size == c.grid.size && overlap(o.second, quad) && m < kOwnModule * mo &&
             mo < kOwnModule * m;
    });
    if (same != out.end()) {
      *same = {c, std::move(quad)};
    } else {
      out.emplace_back(c, std::move(quad));
    }
    return false;
  });
  std::vector<Candidate> candidates;
  for (auto& [c, quad] : out) candidates.push_back(std::move(c));
  return candidates;
}

}  // namespace viscode::detail
