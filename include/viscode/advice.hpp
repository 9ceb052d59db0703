// viscode/advice.hpp — options that are legal but probably not what was meant.
//
// Each warning is one sentence for a person (the CLI prints it on stderr and still exits
// 0); nothing here changes a design. Options are named by their field, with the CLI flag
// in front.
#pragma once

#include <string>
#include <vector>

#include "viscode/render.hpp"

namespace viscode {

// With Fit::cover, a logo whose content the crop cuts by more than this share (0-1) is
// worth a warning: a wordmark loses its first and last letters long before a photo's crop
// looks wrong.
inline constexpr double kCoverCutWarning = 0.1;

// Share (0-1) of the logo's content that the design's placement leaves outside the visible
// area. Content is the logo's opacity, counting only pixels that differ from an opaque
// plain background around its border (so a white margin is not content).
double logo_cut_share(const Logo& logo, const RenderOptions& options, int symbol_size);

// Warnings about a design of symbol_size modules per side (21..177): a logo the style
// ignores (Style::plain), and a cover crop that cuts more than kCoverCutWarning of the
// logo. logo may be null.
std::vector<std::string> design_warnings(const Logo* logo, const RenderOptions& options,
                                         int symbol_size);

}  // namespace viscode
