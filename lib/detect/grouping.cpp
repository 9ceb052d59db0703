#include "detect/grouping.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <tuple>

namespace viscode::detail {
namespace {

// Past this many finders an image is texture, not codes; the best-evidenced ones are kept.
// An A3 sheet of 25 mm codes holds 126 codes (378 finders); the bound leaves room for
// smaller codes.
constexpr std::size_t kMaxFinders = 600;
// Every set of three of this many best-evidenced finders is tried; beyond, each finder is
// also grouped with its kNeighbours nearest (see group_finders).
constexpr std::size_t kAllSets = 40;
constexpr std::size_t kNeighbours = 12;
// Triples beyond this are not worth fitting (each costs a grid fit), unless the image has
// more finders than this.
constexpr std::size_t kMaxTriples = 32;

// Penalty of a triple per finder without corners: more than any geometric flaw a true
// triple shows, so that three traced finders come first.
constexpr double kUntraced = 0.5;
// Penalty of a triple per traced finder of its module size inside its area (group_finders).
constexpr double kCrowded = 0.5;
constexpr double kCrowdMargin = 2;  // modules

// How far a finder's sides are from running along a direction: 0 when one side is parallel
// to it, up to about 0.7 (45 degrees). Finders without corners do not vote.
double misalignment(const Finder& f, cv::Point2f direction) {
  if (!f.has_corners) return 0;
  const double len = cv::norm(direction);
  if (len <= 0) return 1;
  double best = 1;
  for (std::size_t s = 0; s < 4; ++s) {
    const cv::Point2f side = f.corners[(s + 1) % 4] - f.corners[s];
    const double sl = cv::norm(side);
    if (sl <= 0) continue;
    best = std::min(best, std::abs(static_cast<double>(side.cross(direction))) / (sl * len));
  }
  return best;
}

// Finder centres are size - 7 modules apart: 14 (version 1) to 170 (version 40).
constexpr double kMinLeg = 10, kMaxLeg = 200;
// Both legs span size - 7 modules, perspective allowed for; small finders measure their
// module size coarsely, hence the slack.
constexpr double kMaxLegRatio = 1.8;

bool legs_fit(double l1, double l2) {
  return l1 >= kMinLeg && l2 >= kMinLeg && l1 <= kMaxLeg && l2 <= kMaxLeg &&
         std::max(l1, l2) <= kMaxLegRatio * std::min(l1, l2);
}

// Every scan line through a core confirms a finder, so confirmations grow with the module
// size; a look-alike (an alignment pattern, a blot of data) gets far fewer.
double evidence(const Finder& f) {
  return f.hits / std::max(f.module, 1.0f);
}

// a at the right angle; l1, l2, l3: modules_between(a, b), (a, c) and (b, c).
std::optional<FinderTriple> as_triple(const Finder& a, const Finder& b, const Finder& c, double l1,
                                      double l2, double l3) {
  const cv::Point2f ab = b.centre - a.centre, ac = c.centre - a.centre;
  if (!legs_fit(l1, l2)) return std::nullopt;
  const double legs = std::max(l1, l2) / std::min(l1, l2);
  // A strong tilt takes the corner's angle in the image far from 90 degrees: past 135 for
  // a code seen at 60 degrees across its diagonal. Measured in modules (the law of cosines
  // on modules_between, each distance in its finders' own module size) the corner of such
  // a symbol is still nearly right, so either angle may pass; the image's only has to leave
  // the three finders off one line.
  const double image_cosine = ab.dot(ac) / (cv::norm(ab) * cv::norm(ac));
  const double module_cosine = (l1 * l1 + l2 * l2 - l3 * l3) / (2 * l1 * l2);
  if (std::abs(image_cosine) > 0.95) return std::nullopt;
  if (std::abs(image_cosine) > 0.7 && std::abs(module_cosine) > 0.5) return std::nullopt;
  const double cosine = std::min(std::abs(image_cosine), std::abs(module_cosine));
  const float mmax = std::max({a.module, b.module, c.module});
  const float mmin = std::min({a.module, b.module, c.module});
  // A finder three times as far from the camera as another still reads.
  if (mmax > 3.5f * mmin) return std::nullopt;
  // The finders' sides run along the legs: this rejects most chance triples.
  const double skew = std::max(
      {misalignment(a, ab), misalignment(a, ac), misalignment(b, ab), misalignment(c, ac)});
  if (skew > 0.45) return std::nullopt;
  FinderTriple t;
  t.tl = a;
  if (ab.cross(ac) > 0) {
    t.tr = b;
    t.bl = c;
  } else {
    t.tr = c;
    t.bl = b;
  }
  // A finder whose ring could not be traced is usually a look-alike in the data.
  const int traced = (a.has_corners ? 1 : 0) + (b.has_corners ? 1 : 0) + (c.has_corners ? 1 : 0);
  const double emax = std::max({evidence(a), evidence(b), evidence(c)});
  const double emin = std::min({evidence(a), evidence(b), evidence(c)});
  t.penalty = std::log(legs) + std::abs(cosine) + 0.5 * std::log(mmax / mmin) + skew +
              kUntraced * (3 - traced) + 0.15 * std::log(emax / emin);
  return t;
}

}  // namespace

// Whether the timing pattern's row between the top-left and top-right finders (or its
// column towards the bottom-left one) could be there: its samples at module centres, from
// the finders' centres alone, are not all one tone. A symbol's timing pattern alternates
// (a sample a module off it lands on data, which is mixed too); three finders of
// neighbouring codes on a sheet frame a square of blank quiet zones and gaps.
bool has_timing(const cv::Mat& grey, const FinderTriple& t) {
  const cv::Point2f u = t.tr.centre - t.tl.centre, v = t.bl.centre - t.tl.centre;
  const double lu = modules_between(t.tl, t.tr), lv = modules_between(t.tl, t.bl);
  // The finder's own contrast: its core against its light ring, 2 modules from its centre.
  auto level = [&](cv::Point2f p) {
    const int x = std::clamp(static_cast<int>(std::lround(p.x)), 0, grey.cols - 1);
    const int y = std::clamp(static_cast<int>(std::lround(p.y)), 0, grey.rows - 1);
    return static_cast<int>(grey.at<std::uint8_t>(y, x));
  };
  const int dark = level(t.tl.centre);
  const int light = level(t.tl.centre + u * static_cast<float>(2 / lu));
  const int contrast = light - dark;
  if (contrast <= 0) return true;  // no measure to judge by: the fit decides
  // Along one leg (length modules, direction d), 3 modules to the side (direction e).
  auto mixed = [&](cv::Point2f d, double length, cv::Point2f e, double across) {
    int lo = 255, hi = 0;
    for (double m = 5; m <= length - 5; m += 1) {
      const int g = level(t.tl.centre + d * static_cast<float>(m / length) +
                          e * static_cast<float>(3 / across));
      lo = std::min(lo, g);
      hi = std::max(hi, g);
    }
    return hi - lo > contrast / 3;
  };
  return mixed(u, lu, v, lv) || mixed(v, lv, u, lu);
}

std::vector<FinderTriple> group_finders(const std::vector<Finder>& input, const cv::Mat& grey) {
  std::vector<Finder> finders = input;
  std::stable_sort(finders.begin(), finders.end(), [](const Finder& x, const Finder& y) {
    return x.has_corners != y.has_corners ? x.has_corners : x.hits > y.hits;
  });
  if (finders.size() > kMaxFinders) finders.resize(kMaxFinders);
  const std::size_t n = finders.size();

  // A symbol's other two finders are among the nearest of its top-left one (measured in
  // modules): its legs are the shortest in the symbol, and a neighbouring symbol's finders
  // come as close only across two quiet zones; on a sheet, about two of them. So a set is
  // tried when one of its finders has the other two among its kNeighbours nearest, or all
  // three are among the kAllSets best-evidenced (every set, up to that many finders): a
  // print sheet of hundreds of codes costs n * kNeighbours^2 / 2 sets more instead of
  // n^3 / 6 (a regular grid has right angles everywhere: 18,000 plausible triples in a
  // 54-code A4 sheet with every set tried, 0.15 s to group).
  std::vector<double> between(n * n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      between[i * n + j] = between[j * n + i] = modules_between(finders[i], finders[j]);
    }
  }
  auto modules = [&](std::size_t a, std::size_t b) { return between[a * n + b]; };
  std::vector<std::vector<std::size_t>> near(n);
  std::vector<char> is_near(n * n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, std::size_t>> by_distance;
    for (std::size_t j = 0; j < n; ++j) {
      if (j != i) by_distance.emplace_back(modules(i, j), j);
    }
    const std::size_t keep = std::min(kNeighbours, by_distance.size());
    std::partial_sort(by_distance.begin(), by_distance.begin() + static_cast<std::ptrdiff_t>(keep),
                      by_distance.end());
    for (std::size_t k = 0; k < keep; ++k) is_near[i * n + by_distance[k].second] = 1;
    // The kAllSets best-evidenced finders are all near each other as well: a large symbol's
    // data holds finder look-alikes nearer to its corners than its other corners are.
    if (i < kAllSets) {
      for (std::size_t j = 0; j < std::min(n, kAllSets); ++j) is_near[i * n + j] = j != i;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      if (is_near[i * n + j]) near[i].push_back(j);
    }
  }

  struct Scored {
    FinderTriple triple;
    std::array<std::size_t, 3> members;
  };
  std::vector<Scored> all;
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::size_t j : near[i]) {
      for (const std::size_t k : near[i]) {
        if (k <= j) continue;
        std::array<std::size_t, 3> m = {i, j, k};
        std::sort(m.begin(), m.end());
        // Each set once: from the first of its members that has the other two near.
        const auto first = std::find_if(m.begin(), m.end(), [&](std::size_t a) {
          const std::size_t b = a == m[0] ? m[1] : m[0], c = a == m[2] ? m[1] : m[2];
          return is_near[a * n + b] && is_near[a * n + c];
        });
        if (*first != i) continue;
        // The right angle is where the triple looks most like a symbol's corner; in strong
        // perspective it need not be opposite the longest side.
        std::optional<FinderTriple> best;
        std::size_t corner = 0;
        for (const auto& [apex, p, q] : {std::tuple{m[0], m[1], m[2]}, std::tuple{m[1], m[0], m[2]},
                                         std::tuple{m[2], m[0], m[1]}}) {
          const double l1 = modules(apex, p), l2 = modules(apex, q);
          if (!legs_fit(l1, l2)) continue;
          auto t = as_triple(finders[apex], finders[p], finders[q], l1, l2, modules(p, q));
          if (t && (!best || t->penalty < best->penalty)) best = t, corner = apex;
        }
        if (!best || (!grey.empty() && !has_timing(grey, *best))) continue;
        // On a sheet of codes in a regular grid, the finders of neighbouring codes make
        // perfect squares too, around the codes between them. A symbol's area holds no
        // other traced finder of its module size (a smaller code inside it has smaller
        // ones), so each one inside or on its sides counts as much as an untraced corner.
        const cv::Point2f u = best->tr.centre - best->tl.centre,
                          v = best->bl.centre - best->tl.centre;
        const float det = u.cross(v);
        const double min_evidence =
            std::min({evidence(best->tl), evidence(best->tr), evidence(best->bl)});
        const double lu = modules_between(best->tl, best->tr),
                     lv = modules_between(best->tl, best->bl);
        for (const std::size_t o : near[corner]) {
          const Finder& f = finders[o];
          if (o == m[0] || o == m[1] || o == m[2] || !f.has_corners) continue;
          // A neighbouring code's finder is scanned as often as the triple's own; a
          // look-alike in a large symbol's data far less.
          if (evidence(f) < 0.5 * min_evidence) continue;
          if (f.module > 1.5f * best->tl.module || best->tl.module > 1.5f * f.module) continue;
          // f's centre in the parallelogram's coordinates: inside for both in (0, 1). The
          // finders of codes next to it in a grid lie on its sides, at least 15 modules
          // from a true symbol's (two finder halves and two quiet zones away): so 2
          // modules of margin.
          const cv::Point2f w = f.centre - best->tl.centre;
          const double a = w.cross(v) / det, b = u.cross(w) / det;
          const double ma = kCrowdMargin / lu, mb = kCrowdMargin / lv;
          if (a > -ma && a < 1 + ma && b > -mb && b < 1 + mb) best->penalty += kCrowded;
        }
        all.push_back({*best, m});
      }
    }
  }
  std::stable_sort(all.begin(), all.end(), [](const Scored& x, const Scored& y) {
    return x.triple.penalty < y.triple.penalty;
  });

  // First the best triple of every finder not yet in a better one, then the rest.
  std::vector<FinderTriple> out;
  std::vector<bool> used(n, false), taken(all.size(), false);
  for (std::size_t t = 0; t < all.size(); ++t) {
    const auto& m = all[t].members;
    if (used[m[0]] || used[m[1]] || used[m[2]]) continue;
    for (const std::size_t f : m) used[f] = true;
    taken[t] = true;
    out.push_back(all[t].triple);
  }
  // On a sheet, chance triples across the gaps between codes (squares as perfect as the
  // codes' own) can take a code's finders in the first round; its own triple comes in the
  // second, so a picture with many finders gets as many triples as it has finders.
  const std::size_t limit = std::max(kMaxTriples, n);
  for (std::size_t t = 0; t < all.size() && out.size() < limit; ++t) {
    if (!taken[t]) out.push_back(all[t].triple);
  }
  return out;
}

}  // namespace viscode::detail
