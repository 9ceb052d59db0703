// viscode/render.hpp — drawing a symbol over a brand image, to pixels or print files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "viscode/encode.hpp"

namespace viscode {

enum class Style {
  halftone,  // default: each data module's bit sits in a square centre; the rest shows the
             // image, its lightness moved (CIELAB L*) only as far as a local threshold needs
  dots,      // as halftone, with round centres
  center,    // classic: plain modules with the logo in a patch sized from the EC budget
  plain,     // no image
};

enum class Fit { cover, contain };     // how the image fills its area (crop vs letterbox)
enum class LogoArea { symbol, full };  // image under the symbol only, or under the quiet zone too

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// "#RRGGBB", "RRGGBB" or "#RGB" (either case). Throws Error(usage) naming the value.
Rgb parse_color(std::string_view hex);
std::string to_hex(Rgb color);  // "#rrggbb"

// WCAG 2 contrast ratio of two colours, 1..21.
double contrast_ratio(Rgb a, Rgb b);
// Dark and light colours must keep at least this ratio (black on white is 21) so that
// function patterns and module centres stay unambiguous to a reader.
inline constexpr double kMinContrastRatio = 4.5;

namespace detail {
struct LogoAccess;
}

// A brand image: any raster OpenCV reads (PNG with alpha, JPEG, ...) or SVG. Cheap to copy
// (shared, immutable). SVG logos stay vector in SVG/PDF output.
class Logo {
 public:
  // Throws Error(input) naming the file when it is missing, empty, corrupt or unreadable.
  static Logo load(const std::filesystem::path& file);
  // 8-bit BGR, BGRA or grey image; copied.
  static Logo from_image(const cv::Mat& image);

  int width() const;  // pixels (SVG: its intrinsic size)
  int height() const;
  bool is_vector() const;
  // The image as 8-bit BGRA at w x h pixels (SVG rasterised at that size).
  cv::Mat raster(int w, int h) const;

 private:
  friend struct detail::LogoAccess;  // the renderers, which draw an SVG logo as vectors
  struct Impl;
  explicit Logo(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

// The looks-vs-scans dial's default: the lowest strength at which, for every test and sample
// logo, zxing-cpp, WeChat and ZBar each read every pristine and mild capture and >= 97% of
// the moderate ones (a pack at arm's length), in both the halftone and the dots style (see
// docs/looks-vs-scans.md). Lower strengths show more of the image for prints scanned closer.
inline constexpr double kDefaultStrength = 0.6;
// Error correction is not spent on the picture by default (RenderOptions.picture_errors):
// on the looks-vs-scans bench it buys up to +0.04 of fidelity at full readability, but any
// share costs WeChat reads of a very dark logo at the default strength (93-95% of moderate
// captures where 97% is required), and at strength 0.7 the share that keeps 97% (0.2) shows
// no more of the logo than strength 0.6 without it. docs/looks-vs-scans.md has the numbers.
inline constexpr double kDefaultPictureErrors = 0;

struct RenderOptions {
  Style style = Style::halftone;
  double strength = kDefaultStrength;  // 0..1: module contrast enforced (centre size and
                                       // lightness margin together); 1 = most robust
  Fit fit = Fit::cover;
  LogoArea logo_area = LogoArea::symbol;
  Rgb dark{0, 0, 0};
  Rgb light{255, 255, 255};
  int quiet = 4;  // quiet zone in modules, 0..40 (readers want >= 4 on busy backgrounds)
  // With an image under the modules, choose the free pad codewords after the payload (which
  // readers ignore) so that their modules, and the EC modules they set, follow the image
  // (free_pad_bits / choose_pad in encode.hpp). false keeps the standard 0xEC 0x11 pad.
  bool picture_pad = true;
  // Share (0..0.5) of each Reed-Solomon block's correction capacity (correctable_per_block
  // in encode.hpp) spent on letting the picture keep the codewords that disagree with it
  // most (picture_errors). The rest stays for the capture; readers need it at arm's length.
  double picture_errors = kDefaultPictureErrors;
};

// Encodes the payload (as encode() does) and, when options.mask is -1 and there is a logo
// under the modules, picks the mask whose modules agree best with the image. Validates
// the render options too, so that a bad option fails before any work.
Symbol design_symbol(std::string_view payload, const Logo* logo, const EncodeOptions& encode,
                     const RenderOptions& render);

// Picks the image-aware mask for a symbol, each mask with picture pad codewords when
// options.picture_pad (see docs/how-it-works.md).
Symbol choose_mask(const Symbol& symbol, const Logo& logo, const RenderOptions& options);

// Throws Error(usage) for out-of-range options or a dark/light pair below kMinContrastRatio.
void validate(const RenderOptions& options);

// Renders to an 8-bit BGR image of (size + 2 * quiet) * module_px pixels per side.
// module_px: 1..200. logo may be null (styles halftone/dots/center then draw plain).
cv::Mat render(const Symbol& symbol, const Logo* logo, const RenderOptions& options, int module_px);

// The image alone, placed exactly where render() places it (same fit, area and quiet zone),
// over the light colour: the reference a rendering's fidelity to the logo is measured against.
cv::Mat render_logo_frame(const Symbol& symbol, const Logo& logo, const RenderOptions& options,
                          int module_px);

enum class Format { png, svg, pdf };
// From the extension (.png, .svg, .pdf, any case); throws Error(usage) otherwise.
Format format_from_path(const std::filesystem::path& file);

// Physical size of the output. size_mm > 0 asks for the whole image (quiet zone included)
// to be at most that wide; module_px > 0 asks for that many device pixels per module.
// Modules are always whole device pixels at dpi, and SVG/PDF have the same physical size.
//
// Ink (PDF only) chooses the colour the press gets. rgb: DeviceRGB as Cairo writes it, the
// default. k: DeviceCMYK for every flat colour, dark modules and function patterns 100% K
// alone (0 0 0 1 k, never a rich black that misregisters), the picture left RGB. cmyk: as
// k, with the picture and every other colour converted to CMYK, through `icc` (an output
// profile, e.g. the printer's FOGRA or GRACoL one) when given, or else naively (see
// docs/how-it-works.md, "Printing"). k and cmyk PDFs, and any with bleed, are written by
// viscode's own PDF writer (Cairo writes RGB only); with k or cmyk, dark must be #000000
// unless cmyk converts it.
enum class Ink { rgb, k, cmyk };
inline constexpr double kMaxBleedMm = 10;
struct PrintOptions {
  double dpi = 600;    // 72..4800
  double size_mm = 0;  // 0 = use module_px, or 25 mm when both are 0
  int module_px = 0;
  Ink ink = Ink::rgb;
  // Millimetres, 0..kMaxBleedMm, PDF only: the page grows by this much on every side, the
  // picture or background extended into it, with TrimBox at the code's edge and BleedBox
  // at the page's.
  double bleed_mm = 0;
  // ICC output profile (CMYK) for Ink::cmyk; empty: the naive conversion. Read when a file
  // is written; Error(input) when unreadable, Error(usage) when not a CMYK output profile.
  std::filesystem::path icc{};
};
std::string_view to_string(Ink ink);
Ink parse_ink(std::string_view name);  // "rgb", "k" or "cmyk"; throws Error(usage)
// "25mm", "2.5cm", "1in", "1.5in", or a bare number of millimetres, above 0 (or, with
// zero_allowed, from 0) and at most 2000mm. Throws Error(usage) whose message names the
// value as `what` (e.g. "--gap").
double parse_length_mm(std::string_view text, std::string_view what = "size",
                       bool zero_allowed = false);

struct OutputInfo {
  Format format = Format::png;
  int module_px = 0;     // device pixels per module at dpi
  double module_mm = 0;  // printed module width
  int image_px = 0;      // pixels per side, quiet zone included
  double size_mm = 0;    // printed width, quiet zone included
};

// Geometry that write() will use, without rendering.
OutputInfo plan_output(const Symbol& symbol, const RenderOptions& options,
                       const PrintOptions& print, Format format);

// Renders to PNG (with its DPI recorded), SVG or PDF bytes. Deterministic: same inputs,
// same bytes.
std::vector<std::uint8_t> render_file(const Symbol& symbol, const Logo* logo,
                                      const RenderOptions& options, const PrintOptions& print,
                                      Format format);

// render_file() to a path, written to a temporary file beside it and renamed, so a failure
// never leaves a partial file. Throws Error(input) when the directory is missing or not
// writable.
OutputInfo write(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
                 const PrintOptions& print, const std::filesystem::path& file);

std::string_view to_string(Style style);
Style parse_style(std::string_view name);  // throws Error(usage)

}  // namespace viscode
