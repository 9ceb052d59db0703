// Render options: parsing, validation and the image-aware mask.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "encode/mask.hpp"
#include "render/center_patch.hpp"
#include "render/color.hpp"
#include "render/compose.hpp"
#include "render/halftone.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

// A mask whose finder-like patterns (N3) exceed the best mask's by more than this many
// patterns is not eligible, however well it fits the image: false finders cost readers
// more than a few extra shifted modules.
constexpr int kExtraFinderLikePatterns = 2;

bool image_under_modules(const Logo* logo, const RenderOptions& options) {
  return logo != nullptr && (options.style == Style::halftone || options.style == Style::dots);
}

}  // namespace

std::string_view to_string(Style style) {
  switch (style) {
    case Style::halftone:
      return "halftone";
    case Style::dots:
      return "dots";
    case Style::center:
      return "center";
    case Style::plain:
      return "plain";
  }
  return "?";
}

Style parse_style(std::string_view name) {
  for (Style s : {Style::halftone, Style::dots, Style::center, Style::plain}) {
    if (name == to_string(s)) return s;
  }
  throw Error(ErrorCategory::usage, "--style " + std::string(name) +
                                        " is not a style: use halftone, dots, center or plain");
}

void validate(const RenderOptions& o) {
  if (!(o.strength >= 0 && o.strength <= 1)) {
    throw Error(ErrorCategory::usage,
                "--strength must be between 0 and 1 (0 shows the most "
                "of the image, 1 scans best)");
  }
  if (o.quiet < 0 || o.quiet > 40) {
    throw Error(ErrorCategory::usage, "--quiet " + std::to_string(o.quiet) +
                                          " is out of range: use 0..40 modules (4 is standard)");
  }
  const double ratio = contrast_ratio(o.dark, o.light);
  if (ratio < kMinContrastRatio) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", ratio);
    throw Error(ErrorCategory::usage, "--dark " + to_hex(o.dark) + " and --light " +
                                          to_hex(o.light) + " have a contrast ratio of " + buf +
                                          ":1, below the 4.5:1 readers need: "
                                          "darken --dark or lighten --light");
  }
  if (detail::lightness(o.dark) >= detail::lightness(o.light)) {
    throw Error(ErrorCategory::usage, "--dark " + to_hex(o.dark) + " is lighter than --light " +
                                          to_hex(o.light) + ": swap them");
  }
}

Symbol choose_mask(const Symbol& symbol, const Logo& logo, const RenderOptions& options) {
  return detail::choose_mask(symbol, detail::analyse_image(logo, options, symbol.size), options);
}

Symbol design_symbol(std::string_view payload, const Logo* logo,
                     const EncodeOptions& encode_options, const RenderOptions& render_options) {
  return detail::design_symbol(payload, logo, encode_options, render_options, {});
}

namespace detail {

Symbol choose_mask(const Symbol& symbol, const ImageStats& stats, const RenderOptions& options) {
  const detail::Dial d = detail::dial(options);
  // Each mask with its own pad codewords: the free bits follow the picture under that mask,
  // and the mask is then chosen by how well the whole symbol agrees.
  const bool pad = options.picture_pad && free_pad_bits(symbol) > 0;
  const PicturePreference want = pad ? picture_preference(stats, symbol.size) : PicturePreference{};
  std::vector<Symbol> candidates;
  std::vector<int> n3;
  for (int m = 0; m < 8; ++m) {
    candidates.push_back(pad ? choose_pad(with_mask(symbol, m), want.dark, want.weight)
                             : with_mask(symbol, m));
    n3.push_back(detail::finder_like_penalty(candidates.back()));
  }
  const int best_n3 = *std::min_element(n3.begin(), n3.end());
  // The fewest disagreeing modules first, the least total shift among those: counting is
  // cheap, so the shifts are solved only when masks tie on the count.
  std::vector<int> modules(8, std::numeric_limits<int>::max());
  for (int m = 0; m < 8; ++m) {
    if (n3[static_cast<std::size_t>(m)] > best_n3 + 40 * kExtraFinderLikePatterns) continue;
    modules[static_cast<std::size_t>(m)] =
        detail::disagreement(candidates[static_cast<std::size_t>(m)], stats, d, options, false)
            .modules;
  }
  const int fewest = *std::min_element(modules.begin(), modules.end());
  int best = -1;
  double best_shift = 0;
  const bool tied = std::count(modules.begin(), modules.end(), fewest) > 1;
  for (int m = 0; m < 8; ++m) {
    if (modules[static_cast<std::size_t>(m)] != fewest) continue;
    if (!tied) return candidates[static_cast<std::size_t>(m)];
    const double shift =
        detail::disagreement(candidates[static_cast<std::size_t>(m)], stats, d, options).shift;
    if (best < 0 || shift < best_shift) {
      best = m;
      best_shift = shift;
    }
  }
  return candidates[static_cast<std::size_t>(best)];
}

Symbol design_symbol(std::string_view payload, const Logo* logo,
                     const EncodeOptions& encode_options, const RenderOptions& render_options,
                     const StatsFor& stats_for) {
  validate(render_options);
  const Symbol symbol = encode(payload, encode_options);
  if (logo != nullptr && render_options.style == Style::center) {
    // Fail before any rendering.
    (void)checked_center_patch(symbol, *logo, render_options.strength);
  }
  if (!image_under_modules(logo, render_options)) return symbol;
  const std::shared_ptr<const ImageStats> shared =
      stats_for
          ? stats_for(symbol.size)
          : std::make_shared<const ImageStats>(analyse_image(*logo, render_options, symbol.size));
  const ImageStats& stats = *shared;
  if (encode_options.mask >= 0) {
    // A forced mask is kept; its pad codewords still follow the picture.
    if (!render_options.picture_pad || free_pad_bits(symbol) == 0) return symbol;
    const PicturePreference want = picture_preference(stats, symbol.size);
    return choose_pad(symbol, want.dark, want.weight);
  }
  return choose_mask(symbol, stats, render_options);
}

}  // namespace detail
}  // namespace viscode
