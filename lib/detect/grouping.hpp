// Grouping finder patterns in threes: the corners of one symbol each.
#pragma once

#include <vector>

#include "detect/finder_search.hpp"

namespace viscode::detail {

struct FinderTriple {
  // tl sits at the right angle. tr and bl are ordered so that (tr - tl) x (bl - tl) > 0 in
  // image coordinates (y down): a symbol seen from the front gets its true top-right and
  // bottom-left; a mirrored one gets them swapped, so it is sampled transposed.
  Finder tl, tr, bl;
  double penalty = 0;  // 0 for a square seen head-on; grows with distortion
};

// Every plausible triple, best first, the best triple of each finder before any triple
// that reuses one of its finders (several codes in one image). grey: the image the finders
// were found in, to refuse triples with no timing pattern where theirs would run (the
// gaps between the codes of a sheet); empty: not checked.
std::vector<FinderTriple> group_finders(const std::vector<Finder>& finders,
                                        const cv::Mat& grey = {});

}  // namespace viscode::detail
