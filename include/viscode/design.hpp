// viscode/design.hpp — one design, many payloads: what a serialised print run needs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "viscode/encode.hpp"
#include "viscode/render.hpp"

namespace viscode {

namespace detail {
struct DesignAccess;
}

// A design prepared once for many payloads: the options validated up front, and the logo
// placed and colour-analysed once per symbol size on first use, then shared, so each new
// payload only encodes its symbol, picks its mask and composes its modules. Every code it
// makes is byte-identical to the free functions' (design_symbol, render, render_file,
// write) with the same inputs. Thread-safe: one Design (and its copies, which share the
// analysis) serves every worker thread.
class Design {
 public:
  // Throws Error(usage) for options out of range, as validate() does. Without a logo the
  // style must be plain (or is made plain, as the CLI does when no --logo is given).
  Design(std::optional<Logo> logo, const EncodeOptions& encode, const RenderOptions& render);

  Symbol symbol(std::string_view payload) const;
  cv::Mat render(const Symbol& symbol, int module_px) const;
  std::vector<std::uint8_t> render_file(const Symbol& symbol, const PrintOptions& print,
                                        Format format) const;
  OutputInfo write(const Symbol& symbol, const PrintOptions& print,
                   const std::filesystem::path& file) const;

  const Logo* logo() const;
  const EncodeOptions& encode_options() const;
  const RenderOptions& render_options() const;
  // Symbol sizes analysed so far (for tests and progress reports).
  int analysed_sizes() const;

 private:
  friend struct detail::DesignAccess;  // the library's batch writer
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace viscode
