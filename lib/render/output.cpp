// Output: raster and print files at a physical size, written atomically.
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "render/cairo_ptr.hpp"
#include "render/cmyk.hpp"
#include "render/color.hpp"
#include "render/compose.hpp"
#include "render/draw.hpp"
#include "render/output_file.hpp"
#include "render/png.hpp"
#include "render/sheet_pdf.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

constexpr int kMaxImagePx = 20000;  // per side; larger is not a code anybody prints

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string format_mm(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// The code at px pixels per module, in a Cairo RGB24 surface.
detail::SurfacePtr rasterise(const detail::Plan& plan, int px, const detail::LayerFor& layers) {
  const int side = plan.frame * px;
  detail::SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side));
  detail::draw(detail::ContextPtr(cairo_create(s.get())).get(), plan, px, px, layers);
  cairo_surface_flush(s.get());
  return s;
}

cv::Mat to_bgr(cairo_surface_t* s) {
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const cv::Mat bgrx(h, w, CV_8UC4, cairo_image_surface_get_data(s),
                     static_cast<std::size_t>(cairo_image_surface_get_stride(s)));
  cv::Mat out;
  cv::cvtColor(bgrx, out, cv::COLOR_BGRA2BGR);
  return out;
}

cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  auto* out = static_cast<std::vector<std::uint8_t>*>(closure);
  out->insert(out->end(), data, data + length);
  return CAIRO_STATUS_SUCCESS;
}

// Cairo numbers SVG ids from process-wide counters, so the second code a process renders
// would differ from the first. Renumbering in order of appearance makes files depend on
// their inputs only.
std::vector<std::uint8_t> normalise_svg_ids(const std::vector<std::uint8_t>& bytes) {
  std::string s(bytes.begin(), bytes.end());
  std::string out;
  out.reserve(s.size());
  std::vector<std::pair<std::string, std::string>> renames;
  static const char* const kPrefixes[] = {"surface", "image",  "pattern", "clip",   "mask",
                                          "glyph",   "filter", "source",  "linear", "radial"};
  std::size_t i = 0;
  while (i < s.size()) {
    bool replaced = false;
    if (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]))) {
      for (const char* p : kPrefixes) {
        const std::size_t n = std::strlen(p);
        if (s.compare(i, n, p) != 0) continue;
        std::size_t j = i + n;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        if (j == i + n) continue;
        const std::string old = s.substr(i, j - i);
        std::string now;
        for (const auto& [from, to] : renames) {
          if (from == old) now = to;
        }
        if (now.empty()) {
          now = std::string(p) + std::to_string(renames.size() + 1);
          renames.emplace_back(old, now);
        }
        out += now;
        i = j;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += s[i++];
  }
  return std::vector<std::uint8_t>(out.begin(), out.end());
}

}  // namespace

Format format_from_path(const std::filesystem::path& file) {
  const std::string ext = lower(file.extension().string());
  if (!ext.empty()) {
    if (const auto format = parse_enum<Format>(std::string_view(ext).substr(1))) return *format;
  }
  throw Error(ErrorCategory::usage, "output '" + file.string() + "' has " +
                                        (ext.empty() ? std::string("no extension")
                                                     : "the unknown extension '" + ext + "'") +
                                        ": use .png, .svg or .pdf");
}

std::string_view to_string(Ink ink) {
  return enum_name(ink);
}

Ink parse_ink(std::string_view name) {
  if (const auto ink = parse_enum<Ink>(lower(std::string(name)))) return *ink;
  throw Error(ErrorCategory::usage, "PrintOptions.ink '" + std::string(name) +
                                        "' is not an ink: use " + enum_name_list<Ink>());
}

double parse_length_mm(std::string_view text, std::string_view what, bool zero_allowed) {
  const std::string s = lower(std::string(text));
  const std::string named = std::string(what) + " '" + std::string(text) + "'";
  const auto bad = [&] {
    return Error(ErrorCategory::usage, named + " is not a length: use e.g. 25mm, 2.5cm or 1in");
  };
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    throw bad();
  }
  const std::string unit = s.substr(used);
  double mm;
  if (unit.empty() || unit == "mm") {
    mm = v;
  } else if (unit == "cm") {
    mm = v * 10;
  } else if (unit == "in") {
    mm = v * 25.4;
  } else {
    throw bad();
  }
  if (!(zero_allowed ? mm >= 0 : mm > 0) || !std::isfinite(mm) || mm > 2000) {
    throw Error(ErrorCategory::usage, named + " is out of range: use a length " +
                                          (zero_allowed ? "from 0" : "above 0") +
                                          " and at most 2000mm");
  }
  return mm;
}

cv::Mat render(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
               int module_px) {
  return detail::render(symbol, logo, options, module_px, nullptr);
}

// Cairo wrote width="Npt" height="Npt" for an N-pixel viewBox; the print size replaces N.
std::vector<std::uint8_t> with_svg_size(const std::vector<std::uint8_t>& bytes, int pixels,
                                        double points) {
  std::string s(bytes.begin(), bytes.end());
  const std::string from =
      "width=\"" + std::to_string(pixels) + "pt\" height=\"" + std::to_string(pixels) + "pt\"";
  const std::size_t at = s.find(from);
  if (at == std::string::npos || at > 512) {
    throw Error(ErrorCategory::internal, "Cairo's SVG header is not the one expected");
  }
  char size[96];
  std::snprintf(size, sizeof size, "width=\"%.6gpt\" height=\"%.6gpt\"", points, points);
  s.replace(at, from.size(), size);
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

std::vector<std::uint8_t> render_file(const Symbol& symbol, const Logo* logo,
                                      const RenderOptions& options, const PrintOptions& print,
                                      Format format) {
  return detail::render_file(symbol, logo, options, print, format, nullptr);
}

OutputInfo write(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
                 const PrintOptions& print, const std::filesystem::path& file) {
  return detail::write(symbol, logo, options, print, file, nullptr);
}

namespace detail {

cv::Mat render(const Symbol& symbol, const Logo* logo, const RenderOptions& options, int module_px,
               const ImageStats* stats, const LayerFor& layers) {
  validate(options);
  if (module_px < 1 || module_px > 200) {
    throw Error(ErrorCategory::usage,
                "render(module_px) " + std::to_string(module_px) + " is out of range: use 1..200");
  }
  return to_bgr(rasterise(make_plan(symbol, logo, options, stats), module_px, layers).get());
}

}  // namespace detail

cv::Mat render_logo_frame(const Symbol& symbol, const Logo& logo, const RenderOptions& options,
                          int module_px) {
  const int frame = detail::frame_modules(symbol, options);
  detail::Placement p;
  if (options.style == Style::center) {
    const detail::Plan plan = detail::make_plan(symbol, &logo, options);
    if (!plan.patch_image) {
      return cv::Mat(frame * module_px, frame * module_px, CV_8UC3,
                     cv::Scalar(options.light.b, options.light.g, options.light.r));
    }
    p = plan.patch_placement;
  } else {
    p = detail::place_image(logo, options, symbol.size);
  }
  return detail::flatten(detail::image_layer(logo, p, frame, module_px), options.light);
}

OutputInfo plan_output(const Symbol& symbol, const RenderOptions& options,
                       const PrintOptions& print, Format format) {
  if (!(print.dpi >= 72 && print.dpi <= 4800)) {
    throw Error(ErrorCategory::usage,
                "PrintOptions.dpi " + format_mm(print.dpi) + " is out of range: use 72..4800");
  }
  if (print.module_px < 0 || print.module_px > 200) {
    throw Error(ErrorCategory::usage, "PrintOptions.module_px " + std::to_string(print.module_px) +
                                          " is out of range: use 1..200");
  }
  if (print.size_mm < 0) {
    throw Error(ErrorCategory::usage, "PrintOptions.size_mm must be above 0mm");
  }
  if (!(print.bleed_mm >= 0 && print.bleed_mm <= kMaxBleedMm)) {
    throw Error(ErrorCategory::usage, "PrintOptions.bleed_mm " + format_mm(print.bleed_mm) +
                                          "mm is out of range: use 0mm to " +
                                          format_mm(kMaxBleedMm) + "mm");
  }
  if (format != Format::pdf && (print.ink != Ink::rgb || print.bleed_mm > 0)) {
    throw Error(
        ErrorCategory::usage,
        std::string(print.ink != Ink::rgb ? "PrintOptions.ink " + std::string(to_string(print.ink))
                                          : std::string("PrintOptions.bleed_mm")) +
            " is for PDF output: write a .pdf (PNG and SVG are RGB, without bleed)");
  }
  detail::validate_ink(print.ink, print.icc, options);
  const int frame = symbol.size + 2 * options.quiet;
  OutputInfo info;
  info.format = format;
  if (print.module_px > 0) {
    info.module_px = print.module_px;
  } else {
    const double size_mm = print.size_mm > 0 ? print.size_mm : 25.0;
    const double size_px = size_mm / 25.4 * print.dpi;
    info.module_px = static_cast<int>(std::floor(size_px / frame + 1e-9));
    if (info.module_px < 2) {
      throw Error(ErrorCategory::usage,
                  "PrintOptions.size_mm " + format_mm(size_mm) + "mm at " + format_mm(print.dpi) +
                      " dpi leaves under 2 pixels per module for this " + std::to_string(frame) +
                      "-module code: use at least " + format_mm(2.0 * frame / print.dpi * 25.4) +
                      "mm or a higher PrintOptions.dpi");
    }
  }
  info.image_px = info.module_px * frame;
  if (info.image_px > kMaxImagePx) {
    throw Error(ErrorCategory::usage,
                "the code would be " + std::to_string(info.image_px) + " pixels wide, over the " +
                    std::to_string(kMaxImagePx) +
                    "-pixel limit: use a smaller PrintOptions.size_mm, PrintOptions.dpi "
                    "or PrintOptions.module_px");
  }
  info.module_mm = info.module_px / print.dpi * 25.4;
  info.size_mm = info.image_px / print.dpi * 25.4;
  return info;
}

namespace detail {

std::vector<std::uint8_t> render_file(const Symbol& symbol, const Logo* logo,
                                      const RenderOptions& options, const PrintOptions& print,
                                      Format format, const ImageStats* stats,
                                      const LayerFor& layers) {
  validate(options);
  const OutputInfo info = plan_output(symbol, options, print, format);
  const detail::Plan plan = detail::make_plan(symbol, logo, options, stats);
  if (format == Format::png) {
    const SurfacePtr s = rasterise(plan, info.module_px, layers);
    return encode_png(cairo_image_surface_get_data(s.get()), info.image_px, info.image_px,
                      cairo_image_surface_get_stride(s.get()), print.dpi, !plan.image);
  }

  if (format == Format::pdf && (print.ink != Ink::rgb || print.bleed_mm > 0)) {
    // Cairo writes DeviceRGB only and no page boxes: our own writer (the sheets') instead.
    return single_code_pdf(plan, logo, options, print, info);
  }

  std::vector<std::uint8_t> bytes;
  const double points = info.size_mm / 25.4 * 72.0;
  // Cairo keeps path coordinates in 24.8 fixed point of the target's units: a module of
  // 14 px at 600 dpi is 1.68 pt, which rounds to 1/256 pt, so module edges missed the device
  // pixels they are made to hit (a hairline of the layer beneath along a finder in a 600 dpi
  // rendering) and adjacent modules' edges missed each other (seams in an SVG rendering).
  // Both are drawn in device pixels at dpi instead, where every module edge is a whole
  // number: the SVG with a viewBox in pixels and its width set to the print size afterwards,
  // the PDF on a recording surface placed on the page as one form. (Painted into an SVG, a
  // recording surface kept every code's picture alive until the process ended.)
  const double side = format == Format::svg ? info.image_px : points;
  const detail::SurfacePtr surface(
      format == Format::svg
          ? cairo_svg_surface_create_for_stream(append_bytes, &bytes, side, side)
          : cairo_pdf_surface_create_for_stream(append_bytes, &bytes, side, side));
  if (format == Format::pdf) {
    // A fixed date keeps PDFs byte-identical for identical inputs.
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATE_DATE,
                                   "2000-01-01T00:00:00Z");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_MOD_DATE,
                                   "2000-01-01T00:00:00Z");
    cairo_pdf_surface_set_metadata(surface.get(), CAIRO_PDF_METADATA_CREATOR, "viscode");
    const cairo_rectangle_t extents{0, 0, static_cast<double>(info.image_px),
                                    static_cast<double>(info.image_px)};
    const SurfacePtr recording(cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &extents));
    detail::draw(ContextPtr(cairo_create(recording.get())).get(), plan, info.module_px, 0, layers,
                 false);
    const ContextPtr cr(cairo_create(surface.get()));
    cairo_scale(cr.get(), points / info.image_px, points / info.image_px);
    cairo_set_source_surface(cr.get(), recording.get(), 0, 0);
    cairo_paint(cr.get());
  } else {
    cairo_svg_surface_set_document_unit(surface.get(), CAIRO_SVG_UNIT_PT);
    detail::draw(ContextPtr(cairo_create(surface.get())).get(), plan, info.module_px, 0, layers,
                 true);
  }
  cairo_surface_finish(surface.get());
  const cairo_status_t status = cairo_surface_status(surface.get());
  if (status != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorCategory::internal,
                std::string("drawing the code failed: ") + cairo_status_to_string(status));
  }
  if (format == Format::pdf) return bytes;
  return normalise_svg_ids(with_svg_size(bytes, info.image_px, points));
}

OutputInfo write(const Symbol& symbol, const Logo* logo, const RenderOptions& options,
                 const PrintOptions& print, const std::filesystem::path& file,
                 const ImageStats* stats, const LayerFor& layers) {
  const Format format = format_from_path(file);
  const OutputInfo info = plan_output(symbol, options, print, format);
  check_directory(file, "write(file)");
  write_atomically(file, render_file(symbol, logo, options, print, format, stats, layers),
                   "write(file)");
  return info;
}

void check_directory(const std::filesystem::path& file, std::string_view flag) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  if (fs::is_directory(dir, ec)) return;
  // A file where a folder should be is not a missing folder: creating one would not help.
  for (fs::path up = dir; !up.empty(); up = up.parent_path()) {
    const fs::file_status status = fs::status(up, ec);
    if (fs::exists(status) && !fs::is_directory(status)) {
      throw Error(
          ErrorCategory::input,
          "'" + up.string() + "' is a file, not a folder: choose another " + std::string(flag));
    }
    if (up == up.parent_path()) break;
  }
  throw Error(ErrorCategory::input, "output directory '" + dir.string() +
                                        "' does not exist: create it or choose another " +
                                        std::string(flag));
}

int write_fully(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return ENOSPC;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

void write_atomically(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes,
                      std::string_view flag) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  std::string name = ".";
  name += file.filename().string();
  name += ".XXXXXX";
  std::string tmp = (dir / name).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    throw Error(ErrorCategory::input,
                "cannot write in '" + dir.string() + "' (" + std::strerror(errno) +
                    "): check its permissions or choose another " + std::string(flag));
  }
  int why = write_fully(fd, bytes.data(), bytes.size());
  if (why == 0 && ::fchmod(fd, 0644) != 0) why = errno;
  if (::close(fd) != 0 && why == 0) why = errno;
  if (why == 0 && std::rename(tmp.c_str(), file.c_str()) != 0) why = errno;
  if (why == EISDIR) {
    std::remove(tmp.c_str());
    throw Error(
        ErrorCategory::input,
        "'" + file.string() + "' is a folder, not a file: choose another " + std::string(flag));
  }
  if (why != 0) {
    std::remove(tmp.c_str());
    throw Error(ErrorCategory::input, "cannot write '" + file.string() + "' (" +
                                          std::strerror(why) +
                                          "): check free space and permissions");
  }
}

}  // namespace detail
}  // namespace viscode
