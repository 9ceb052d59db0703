#include "detect/grouping.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <tuple>

namespace viscode::detail {
namespace {

// Past this many finders an image is texture, not codes; the best-evidenced ones are kept.
constexpr std::size_t kMaxFinders = 40;
// Triples beyond this are not worth fitting: each costs a grid fit.
constexpr std::size_t kMaxTriples = 32;

// Penalty of a triple per finder without corners: more than any geometric flaw a true
// triple shows, so that three traced finders come first.
constexpr double kUntraced = 0.5;

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

std::optional<FinderTriple> as_triple(const Finder& a, const Finder& b, const Finder& c) {
  const cv::Point2f ab = b.centre - a.centre, ac = c.centre - a.centre;
  const double l1 = modules_between(a, b), l2 = modules_between(a, c);
  // Finder centres are size - 7 modules apart: 14 (version 1) to 170 (version 40).
  constexpr double kMinLeg = 10, kMaxLeg = 200;
  if (l1 < kMinLeg || l2 < kMinLeg || l1 > kMaxLeg || l2 > kMaxLeg) return std::nullopt;
  // Both legs span size - 7 modules, perspective allowed for; small finders measure their
  // module size coarsely, hence the slack. A strong tilt takes the corner's angle far from
  // 90 degrees.
  const double legs = std::max(l1, l2) / std::min(l1, l2);
  if (legs > 1.8) return std::nullopt;
  const double cosine = ab.dot(ac) / (cv::norm(ab) * cv::norm(ac));
  if (std::abs(cosine) > 0.7) return std::nullopt;
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
  // Every scan line through a core confirms a finder, so confirmations grow with the
  // module size; a look-alike (an alignment pattern, a blot of data) gets far fewer.
  auto evidence = [](const Finder& f) { return f.hits / std::max(f.module, 1.0f); };
  const double emax = std::max({evidence(a), evidence(b), evidence(c)});
  const double emin = std::min({evidence(a), evidence(b), evidence(c)});
  t.penalty = std::log(legs) + std::abs(cosine) + 0.5 * std::log(mmax / mmin) + skew +
              kUntraced * (3 - traced) + 0.15 * std::log(emax / emin);
  return t;
}

}  // namespace

std::vector<FinderTriple> group_finders(const std::vector<Finder>& input) {
  std::vector<Finder> finders = input;
  std::stable_sort(finders.begin(), finders.end(), [](const Finder& x, const Finder& y) {
    return x.has_corners != y.has_corners ? x.has_corners : x.hits > y.hits;
  });
  if (finders.size() > kMaxFinders) finders.resize(kMaxFinders);
  const std::size_t n = finders.size();

  struct Scored {
    FinderTriple triple;
    std::array<std::size_t, 3> members;
  };
  std::vector<Scored> all;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = i + 1; j < n; ++j) {
      for (std::size_t k = j + 1; k < n; ++k) {
        const std::array<std::size_t, 3> m = {i, j, k};
        // The right angle is where the triple looks most like a symbol's corner; in strong
        // perspective it need not be opposite the longest side.
        std::optional<FinderTriple> best;
        for (const auto& [apex, p, q] :
             {std::tuple{i, j, k}, std::tuple{j, i, k}, std::tuple{k, i, j}}) {
          auto t = as_triple(finders[apex], finders[p], finders[q]);
          if (t && (!best || t->penalty < best->penalty)) best = t;
        }
        if (best) all.push_back({*best, m});
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
  for (std::size_t t = 0; t < all.size() && out.size() < kMaxTriples; ++t) {
    if (!taken[t]) out.push_back(all[t].triple);
  }
  return out;
}

}  // namespace viscode::detail
