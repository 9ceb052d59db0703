// viscode/code.hpp — the front door for making a code: a payload and options in, a code
// that writes itself as PNG, SVG or PDF out.
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "viscode/design.hpp"
#include "viscode/encode.hpp"
#include "viscode/render.hpp"

namespace viscode {

// Everything a code is made from, each part with the defaults `viscode encode` has.
struct CodeOptions {
  // The brand's picture under the modules. Without one the code is plain black and white
  // (render.style is then taken as Style::plain, whatever it says).
  std::optional<Logo> logo;
  // Symbol: encode.ec unset gives H with a logo and M without (see EncodeOptions).
  EncodeOptions encode;
  // Look: halftone at kDefaultStrength.
  RenderOptions render;
  // Physical size of write() and bytes(): 25 mm wide at 600 dpi unless set.
  PrintOptions print;
};

// A made code: its symbol, and the design it is drawn with. Cheap to copy (the design's
// analysis of the logo is shared). Same payload and options, same bytes, every time.
class Code {
 public:
  const Symbol& symbol() const { return symbol_; }
  const PrintOptions& print() const { return print_; }
  // Pixels, 8-bit BGR, module_px (1..200) pixels per module, quiet zone included.
  cv::Mat image(int module_px) const;
  // The file's bytes in a format: PNG (its DPI recorded), SVG or PDF, at print().
  std::vector<std::uint8_t> bytes(Format format) const;
  // Geometry the file would have in a format (module and image size in px and mm).
  OutputInfo info(Format format) const;
  // Writes the file, its format from the extension (.png, .svg, .pdf), through a temporary
  // file beside it, so a failure never leaves a partial file. Throws Error(usage) for
  // another extension, Error(input) when the directory is missing or not writable.
  OutputInfo write(const std::filesystem::path& file) const;

 private:
  friend Code make_code(const Design&, std::string_view, const PrintOptions&);
  Code(Design design, Symbol symbol, PrintOptions print);
  Design design_;
  Symbol symbol_;
  PrintOptions print_;
};

// Makes one code. Throws Error(usage) for options out of range (naming the option),
// Error(encode) when the payload does not fit, Error(input) for an unreadable ICC profile.
Code make_code(std::string_view payload, const CodeOptions& options = {});

// Many codes of one design (a print run): the logo is analysed once per symbol size and
// shared by every code, on any thread.
Code make_code(const Design& design, std::string_view payload, const PrintOptions& print = {});

}  // namespace viscode
