// Locating: binarise, find finders, group, fit, sample.
#include "detect/locate.hpp"

#include <algorithm>
#include <opencv2/imgproc.hpp>

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

}  // namespace

std::vector<Candidate> locate(const cv::Mat& input, bool inverted) {
  CV_Assert(input.type() == CV_8UC1);
  if (input.rows < 21 || input.cols < 21) return {};
  cv::Mat grey;
  if (inverted) {
    cv::bitwise_not(input, grey);  // into a buffer of its own: the caller's image stays
  } else {
    grey = input;
  }

  std::vector<Finder> finders;
  for (const BinaryScale& s : binarize(grey)) merge_finders(finders, find_finders(grey, s.dark));
  const std::vector<FinderTriple> triples = group_finders(finders);
  if (triples.empty()) return {};

  // Fitting compares single points: sensor noise would move them more than blur does.
  cv::Mat smooth, integral;
  cv::GaussianBlur(grey, smooth, cv::Size(0, 0), 1.0);
  cv::integral(smooth, integral, CV_64F);
  struct Scored {
    Candidate candidate;
    double score;
    std::vector<cv::Point2f> quad;
  };
  // Symbols do not overlap: a finder inside a symbol is one of its own or a look-alike in
  // its data, and triples through it are chance combinations. A fit this sure claims its
  // area at once, which spares fitting the look-alikes of large symbols; a less sure one
  // competes with the fits that overlap it, the best scored winning.
  constexpr double kSure = 0.95;
  std::vector<Scored> sure, unsure;
  auto inside = [](const std::vector<Scored>& symbols, cv::Point2f p) {
    return std::any_of(symbols.begin(), symbols.end(), [&](const Scored& s) {
      return cv::pointPolygonTest(s.quad, p, false) >= 0;
    });
  };
  for (const FinderTriple& t : triples) {
    if (inside(sure, t.tl.centre) || inside(sure, t.tr.centre) || inside(sure, t.bl.centre)) {
      continue;
    }
    const auto fit = fit_grid(smooth, integral, t);
    if (!fit || fit->score < kMinScore) continue;
    Scored s{sample_grid(grey, *fit), fit->score, {}};
    s.candidate.inverted = inverted;
    s.quad.assign(s.candidate.corners.begin(), s.candidate.corners.end());
    (s.score >= kSure ? sure : unsure).push_back(std::move(s));
  }
  std::vector<Scored> found = std::move(sure);
  std::stable_sort(unsure.begin(), unsure.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  auto centre = [](const Scored& s) {
    return (s.quad[0] + s.quad[1] + s.quad[2] + s.quad[3]) * 0.25f;
  };
  for (Scored& s : unsure) {
    const bool overlaps = std::any_of(found.begin(), found.end(), [&](const Scored& f) {
      return cv::pointPolygonTest(f.quad, centre(s), false) >= 0 ||
             cv::pointPolygonTest(s.quad, centre(f), false) >= 0;
    });
    if (!overlaps) found.push_back(std::move(s));
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  std::vector<Candidate> out;
  for (Scored& s : found) out.push_back(std::move(s.candidate));
  return out;
}

}  // namespace viscode::detail
