// Render options: parsing, validation and the image-aware mask.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "encode/checks.hpp"
#include "encode/mask.hpp"
#include "render/center_patch.hpp"
#include "render/color.hpp"
#include "render/compose.hpp"
#include "render/halftone.hpp"
#include "viscode/enum_names.hpp"
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
  return enum_name(style);
}

Style parse_style(std::string_view name) {
  if (const auto style = parse_enum<Style>(name)) return *style;
  throw Error(ErrorCategory::usage, "RenderOptions.style " + std::string(name) +
                                        " is not a style: use " + enum_name_list<Style>());
}

void validate(const RenderOptions& o) {
  if (!(o.strength >= 0 && o.strength <= 1)) {
    throw Error(ErrorCategory::usage,
                "RenderOptions.strength must be between 0 and 1 (0 shows the most "
                "of the image, 1 scans best)");
  }
  if (!(o.picture_errors >= 0 && o.picture_errors <= 0.5)) {
    throw Error(ErrorCategory::usage,
                "RenderOptions.picture_errors must be between 0 and 0.5: at "
                "least half of each block's error correction stays for the capture");
  }
  if (o.quiet < 0 || o.quiet > 40) {
    throw Error(ErrorCategory::usage, "RenderOptions.quiet " + std::to_string(o.quiet) +
                                          " is out of range: use 0..40 modules (4 is standard)");
  }
  const double ratio = contrast_ratio(o.dark, o.light);
  if (ratio < kMinContrastRatio) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", ratio);
    throw Error(ErrorCategory::usage,
                "RenderOptions.dark " + to_hex(o.dark) + " and RenderOptions.light " +
                    to_hex(o.light) + " have a contrast ratio of " + buf +
                    ":1, below the 4.5:1 readers need: "
                    "darken RenderOptions.dark or lighten RenderOptions.light");
  }
  if (detail::lightness(o.dark) >= detail::lightness(o.light)) {
    throw Error(ErrorCategory::usage, "RenderOptions.dark " + to_hex(o.dark) +
                                          " is lighter than RenderOptions.light " +
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
namespace {

// What the picture may choose of a symbol's bits, whatever its mask: its free pad codewords
// (RenderOptions.picture_pad) and the codewords it may spend (RenderOptions.picture_errors).
class PictureChoices {
 public:
  PictureChoices(const Symbol& symbol, const ImageStats& stats, const RenderOptions& options)
      : stats_(stats),
        options_(options),
        pad_(options.picture_pad && free_pad_bits(symbol) > 0),
        spend_(static_cast<int>(options.picture_errors *
                                correctable_per_block(symbol.version, symbol.ec))) {}
  Symbol apply(const Symbol& masked) const {
    const PicturePreference& want = stats_.preference;
    Symbol s = pad_ ? choose_pad(masked, want.dark, want.weight) : masked;
    if (spend_ == 0) return s;
    // The codewords whose modules cost the picture the most shift are the ones given to it.
    const std::vector<float> cost = module_shifts(s, stats_, dial(options_), options_);
    std::vector<std::uint8_t> flipped(s.dark.size());
    for (std::size_t i = 0; i < flipped.size(); ++i) {
      flipped[i] = cost[i] > 0 ? !s.dark[i] : s.dark[i];
    }
    return picture_errors(s, flipped, cost, spend_);
  }

 private:
  const ImageStats& stats_;
  const RenderOptions& options_;
  bool pad_;
  int spend_;
};

}  // namespace

Symbol choose_mask(const Symbol& symbol, const ImageStats& stats, const RenderOptions& options) {
  const detail::Dial d = detail::dial(options);
  // Each mask with its own pad codewords and picture errors: the free bits and the spent
  // codewords follow the picture under that mask, and the mask is then chosen by how well
  // the whole symbol agrees.
  const PictureChoices picture(symbol, stats, options);
  std::vector<Symbol> candidates;
  std::vector<int> n3;
  for (int m = 0; m < 8; ++m) {
    candidates.push_back(picture.apply(with_mask(symbol, m)));
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
  // choose_mask builds all eight masks from the symbol's codewords, so which one the
  // encoder applies first does not matter: any fixed mask spares its penalty evaluation.
  // A logo gets H unless told otherwise, as `viscode encode --logo` does.
  EncodeOptions first = detail::with_ec(encode_options, logo ? EcLevel::H : EcLevel::M);
  if (first.mask < 0 && image_under_modules(logo, render_options)) first.mask = 0;
  const Symbol symbol = encode(payload, first);
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
    // A forced mask is kept; its pad codewords and picture errors still follow the picture.
    return PictureChoices(symbol, stats, render_options).apply(symbol);
  }
  return choose_mask(symbol, stats, render_options);
}

}  // namespace detail
}  // namespace viscode
