// Composition: what goes where, in frame modules, independent of the output format.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "render/frame.hpp"
#include "render/halftone.hpp"
#include "render/layer.hpp"
#include "viscode/render.hpp"

namespace viscode::detail {

struct Plan {
  int frame = 0;
  Rgb dark, light;
  // Whole modules drawn at full contrast (function patterns; every module of `plain`).
  // Over an image, full_light holds every function module (painted light first, then the
  // dark ones over it), so that no dark edge is anti-aliased against the image.
  std::vector<cv::Point> full_dark, full_light;
  // Module centres carrying data bits (halftone, dots), in the dark or light colour.
  Dial dial;
  std::vector<cv::Point> centre_dark, centre_light;
  // The image under the modules (halftone, dots) with its per-module L* shift.
  std::optional<Logo> image;
  Placement placement;
  cv::Mat shifts;       // CV_32F frame x frame; empty when there is no image
  cv::Mat module_mean;  // CV_32F frame x frame; the image's L* per module before the shift
  // The centre style's patch and the image inside it.
  std::optional<Logo> patch_image;
  cv::Rect2d patch;
  Placement patch_placement;
};

// stats: the logo's analysis for this symbol size when the caller has it (a prepared
// Design); analysed here otherwise.
Plan make_plan(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
               const ImageStats* stats = nullptr);

// The logo's analysis for a symbol size, shared by every code of that size: what a
// prepared Design caches so that a batch analyses its logo once per size, not per code.
using StatsFor = std::function<std::shared_ptr<const ImageStats>(int symbol_size)>;

// The public functions of render.hpp, given the analysis (null or empty: analyse here) and
// the image layers at output resolution (empty: made here).
Symbol choose_mask(const Symbol& symbol, const ImageStats& stats, const RenderOptions& options);
Symbol design_symbol(std::string_view payload, const Logo* logo, const EncodeOptions& encode,
                     const RenderOptions& render, const StatsFor& stats_for);
cv::Mat render(const Symbol& symbol, const Logo* logo, const RenderOptions& options, int module_px,
               const ImageStats* stats, const LayerFor& layers = {});
std::vector<std::uint8_t> render_file(const Symbol& symbol, const Logo* logo,
                                      const RenderOptions& options, const PrintOptions& print,
                                      Format format, const ImageStats* stats,
                                      const LayerFor& layers = {});
OutputInfo write(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
                 const PrintOptions& print, const std::filesystem::path& file,
                 const ImageStats* stats, const LayerFor& layers = {});

// A vector image's tone shift is a translucent veil over its module: white (level > 0)
// or black (level < 0) at opacity |level| / kVeilSteps, or none (0). 63 steps keep the
// opacity within 0.8% of the planned one, under 1 L* of tone, and let modules of one
// level be filled as one shape (no anti-aliasing seams between them). draw.cpp and the
// sheet PDF writer use the same levels.
inline constexpr int kVeilSteps = 63;
int veil_level(float shift, float module_mean);

// The image layer with every module's shift applied, as 8-bit BGR at px per module over the
// light colour. For `plain`/`center` it is the light colour.
cv::Mat shifted_background(const Plan& plan, int px);

}  // namespace viscode::detail
