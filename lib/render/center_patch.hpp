// The classic "center" style: a logo patch over the middle of a plain symbol, as large as
// the error-correction budget allows after a safety reserve.
#pragma once

#include <opencv2/core.hpp>

#include "viscode/render.hpp"

namespace viscode::detail {

// Share of every block's correction capacity the patch may not use at the default
// strength: the reserve is left for print and capture damage (blur, glare, a scratch). 0.4
// keeps 40% of the budget free.
inline constexpr double kCenterReserve = 0.4;

// The reserve at a strength (RenderOptions::strength, 0..1): kCenterReserve at the default,
// none at 0 (the largest patch the budget allows), 90% at 1 (a small patch, a robust code).
double center_reserve(double strength);

// The patch in symbol modules (centred; odd sides so it sits on the module grid), with the
// image's width/height ratio as far as whole modules allow. Empty when even a 1x1 patch
// would exceed the budget.
cv::Rect center_patch(const Symbol& symbol, double aspect, double strength);

// center_patch() for a logo, refusing a patch too small to show it (under 3x3 modules):
// a designer who asked for a logo must not get a plain code without noticing.
cv::Rect checked_center_patch(const Symbol& symbol, const Logo& logo, double strength);

// Codewords per block that a set of modules (a rectangle in symbol modules) destroys.
std::vector<int> codewords_touched(const Symbol& symbol, const cv::Rect& rect);

}  // namespace viscode::detail
