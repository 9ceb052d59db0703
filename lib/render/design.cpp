// A prepared design: the logo's analysis cached per symbol size, and its image layer per
// output resolution, shared across threads.
#include "viscode/design.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>

#include "encode/checks.hpp"
#include "render/compose.hpp"
#include "render/design_access.hpp"
#include "render/halftone.hpp"

namespace viscode {

struct Design::State {
  std::optional<Logo> logo;
  EncodeOptions encode;
  RenderOptions render;
  mutable std::mutex mu;
  mutable std::map<int, std::shared_ptr<const detail::ImageStats>> stats;

  // The analysis for a size: computed by the first thread that needs it, outside the lock
  // (it takes milliseconds), and kept by whichever thread stores it first; all get the same.
  std::shared_ptr<const detail::ImageStats> stats_for(int size) const {
    {
      std::lock_guard lock(mu);
      if (const auto it = stats.find(size); it != stats.end()) return it->second;
    }
    auto fresh =
        std::make_shared<const detail::ImageStats>(detail::analyse_image(*logo, render, size));
    std::lock_guard lock(mu);
    return stats.emplace(size, std::move(fresh)).first->second;
  }

  // Image layers at output resolution, newest last, keyed by (frame, px). Each holds the
  // image at print resolution, 16 bytes a pixel, so only a few of moderate size are kept;
  // any other is made on the spot, with the same pixels.
  static constexpr std::size_t kMaxLayers = 4;
  static constexpr int kMaxLayerSide = 2048;
  mutable std::vector<std::pair<std::pair<int, int>, std::shared_ptr<const detail::ImageLayer>>>
      layers;

  std::shared_ptr<const detail::ImageLayer> layer_for(const detail::Plan& plan, int px) const {
    const std::pair key(plan.frame, px);
    const auto find = [&] {
      return std::find_if(layers.begin(), layers.end(),
                          [&](const auto& entry) { return entry.first == key; });
    };
    {
      std::lock_guard lock(mu);
      if (const auto it = find(); it != layers.end()) return it->second;
    }
    auto fresh = std::make_shared<const detail::ImageLayer>(detail::make_image_layer(plan, px));
    if (plan.frame * px > kMaxLayerSide) return fresh;
    std::lock_guard lock(mu);
    if (const auto it = find(); it != layers.end()) return it->second;
    if (layers.size() == kMaxLayers) layers.erase(layers.begin());
    layers.emplace_back(key, std::move(fresh));
    return layers.back().second;
  }

  detail::LayerFor layer_source() const {
    return [this](const detail::Plan& plan, int px) { return layer_for(plan, px); };
  }

  // Only halftone and dots analyse the image; the others ignore it.
  const detail::ImageStats* stats_if_used(const Symbol& symbol,
                                          std::shared_ptr<const detail::ImageStats>& keep) const {
    if (!logo || (render.style != Style::halftone && render.style != Style::dots)) return nullptr;
    keep = stats_for(symbol.size);
    return keep.get();
  }
};

Design::Design(std::optional<Logo> logo, const EncodeOptions& encode, const RenderOptions& render)
    : state_(std::make_shared<State>()) {
  validate(render);
  state_->logo = std::move(logo);
  // Resolved once, so encode_options() says what every symbol gets.
  state_->encode = detail::with_ec(encode, state_->logo ? EcLevel::H : EcLevel::M);
  state_->render = render;
  if (!state_->logo) state_->render.style = Style::plain;
}

Symbol Design::symbol(std::string_view payload) const {
  const State& s = *state_;
  detail::StatsFor stats_for;
  if (s.logo) stats_for = [&s](int size) { return s.stats_for(size); };
  return detail::design_symbol(payload, logo(), s.encode, s.render, stats_for);
}

cv::Mat Design::render(const Symbol& symbol, int module_px) const {
  std::shared_ptr<const detail::ImageStats> keep;
  return detail::render(symbol, logo(), state_->render, module_px,
                        state_->stats_if_used(symbol, keep), state_->layer_source());
}

std::vector<std::uint8_t> Design::render_file(const Symbol& symbol, const PrintOptions& print,
                                              Format format) const {
  std::shared_ptr<const detail::ImageStats> keep;
  return detail::render_file(symbol, logo(), state_->render, print, format,
                             state_->stats_if_used(symbol, keep), state_->layer_source());
}

OutputInfo Design::write(const Symbol& symbol, const PrintOptions& print,
                         const std::filesystem::path& file) const {
  std::shared_ptr<const detail::ImageStats> keep;
  return detail::write(symbol, logo(), state_->render, print, file,
                       state_->stats_if_used(symbol, keep), state_->layer_source());
}

const Logo* Design::logo() const {
  return state_->logo ? &*state_->logo : nullptr;
}

const EncodeOptions& Design::encode_options() const {
  return state_->encode;
}

const RenderOptions& Design::render_options() const {
  return state_->render;
}

int Design::analysed_sizes() const {
  std::lock_guard lock(state_->mu);
  return static_cast<int>(state_->stats.size());
}

namespace detail {

Plan DesignAccess::plan(const Design& design, const Symbol& symbol) {
  std::shared_ptr<const ImageStats> keep;
  const Design::State& s = *design.state_;
  return make_plan(symbol, design.logo(), s.render, s.stats_if_used(symbol, keep));
}

}  // namespace detail
}  // namespace viscode
