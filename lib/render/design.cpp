// A prepared design: the logo's analysis cached per symbol size and shared across threads.
#include "viscode/design.hpp"

#include <map>
#include <mutex>

#include "render/compose.hpp"
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
  state_->encode = encode;
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
                        state_->stats_if_used(symbol, keep));
}

std::vector<std::uint8_t> Design::render_file(const Symbol& symbol, const PrintOptions& print,
                                              Format format) const {
  std::shared_ptr<const detail::ImageStats> keep;
  return detail::render_file(symbol, logo(), state_->render, print, format,
                             state_->stats_if_used(symbol, keep));
}

OutputInfo Design::write(const Symbol& symbol, const PrintOptions& print,
                         const std::filesystem::path& file) const {
  std::shared_ptr<const detail::ImageStats> keep;
  return detail::write(symbol, logo(), state_->render, print, file,
                       state_->stats_if_used(symbol, keep));
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

}  // namespace viscode
