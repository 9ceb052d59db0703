// Loading brand images. Every failure names the file and says what to do, because a
// designer's first mistake is usually the wrong file.
#include <librsvg/rsvg.h>

#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <span>

#include "file_input.hpp"
#include "image_signature.hpp"
#include "quiet_xml.hpp"
#include "render/cairo_ptr.hpp"
#include "render/logo_impl.hpp"
#include "render/rsvg_ptr.hpp"
#include "svg_limits.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

// Refuse images that would need gigabytes once decoded; designers never need more. The
// pixel count and the decoded bytes (16-bit RGBA at most) are checked from the file's
// header, before decoding.
constexpr double kMaxLogoPixels = 100e6;
constexpr double kMaxLogoBytesPerPixel = 8;

using detail::one_line;
using HandlePtr = detail::RsvgHandlePtr;

HandlePtr parse_svg(const std::string& svg, const std::string& source) {
  GError* error = nullptr;
  const detail::QuietXml quiet;
  RsvgHandle* h =
      rsvg_handle_new_from_data(reinterpret_cast<const guint8*>(svg.data()), svg.size(), &error);
  if (h == nullptr) {
    const std::string why = one_line(error);
    if (error != nullptr) g_error_free(error);
    throw Error(ErrorCategory::input, "logo file '" + source + "' is not a readable SVG (" + why +
                                          "): fix the file or export it as PNG");
  }
  return HandlePtr(h);
}

bool looks_like_svg(const std::string& bytes, const std::filesystem::path& file) {
  // A PNG named .svg is still a PNG.
  if (detail::known_image_signature(std::span<const std::uint8_t>(
          reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()))) {
    return false;
  }
  std::string ext = file.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".svg") return true;
  const auto head = bytes.substr(0, 512);
  return head.find("<svg") != std::string::npos;
}

cv::Mat to_bgra(const cv::Mat& image) {
  cv::Mat out;
  cv::Mat eight = image;
  if (image.depth() != CV_8U) {
    // 16-bit PNGs and float images: scale to 8 bits; the halftone works in 8-bit L*.
    const double scale = image.depth() == CV_16U ? 1.0 / 257.0 : 255.0;
    image.convertTo(eight, CV_MAKETYPE(CV_8U, image.channels()), scale);
  }
  switch (eight.channels()) {
    case 1:
      cv::cvtColor(eight, out, cv::COLOR_GRAY2BGRA);
      break;
    case 3:
      cv::cvtColor(eight, out, cv::COLOR_BGR2BGRA);
      break;
    case 4:
      out = eight.clone();
      break;
    default:
      throw Error(ErrorCategory::input, "logo has " + std::to_string(eight.channels()) +
                                            " channels: use a grey, RGB or RGBA image");
  }
  return out;
}

}  // namespace

void Logo::Impl::draw_svg(cairo_t* cr, double x, double y, double w, double h) const {
  HandlePtr handle = parse_svg(svg, source);
  RsvgRectangle viewport{x, y, w, h};
  GError* error = nullptr;
  if (!rsvg_handle_render_document(handle.get(), cr, &viewport, &error)) {
    const std::string why = one_line(error);
    if (error != nullptr) g_error_free(error);
    throw Error(ErrorCategory::input,
                "logo file '" + source + "' could not be drawn (" + why + "): fix the SVG");
  }
}

Logo Logo::load(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw Error(
        ErrorCategory::input,
        "logo file '" + name + "' does not exist: check the path given to Logo::load(file)");
  }
  if (std::filesystem::is_directory(file, ec)) {
    throw Error(ErrorCategory::input,
                "logo '" + name + "' is a directory: give an image file to Logo::load(file)");
  }
  std::string bytes =
      detail::read_input_file(file, {.what = "logo file",
                                     .give = "give an image file to Logo::load(file)",
                                     .max_bytes = detail::kMaxImageFileBytes,
                                     .shrink = "scale it down, or save it as PNG, JPEG or SVG"});
  if (bytes.empty()) {
    throw Error(ErrorCategory::input,
                "logo file '" + name + "' is empty: export the logo again (PNG, JPEG or SVG)");
  }

  auto impl = std::make_shared<Impl>();
  impl->source = name;
  if (looks_like_svg(bytes, file)) {
    detail::check_svg_limits(bytes, "logo file '" + name + "'", "simplify it, or export it as PNG");
    impl->svg = std::move(bytes);
    HandlePtr h = parse_svg(impl->svg, name);
    gdouble w = 0, hgt = 0;
    if (!rsvg_handle_get_intrinsic_size_in_pixels(h.get(), &w, &hgt) || w <= 0 || hgt <= 0) {
      // No absolute width/height: fall back to the viewBox's proportions.
      gboolean has_w, has_h, has_vb;
      RsvgLength lw, lh;
      RsvgRectangle vb;
      rsvg_handle_get_intrinsic_dimensions(h.get(), &has_w, &lw, &has_h, &lh, &has_vb, &vb);
      if (!has_vb || vb.width <= 0 || vb.height <= 0) {
        throw Error(ErrorCategory::input, "logo file '" + name +
                                              "' has no size: give the <svg> element a "
                                              "viewBox or width and height");
      }
      const double scale = 1024.0 / std::max(vb.width, vb.height);
      w = vb.width * scale;
      hgt = vb.height * scale;
    }
    impl->width = std::max(1, static_cast<int>(std::lround(w)));
    impl->height = std::max(1, static_cast<int>(std::lround(hgt)));
    // Render once now so that a document that parses but cannot be drawn fails at load.
    Logo logo(impl);
    (void)logo.raster(std::min(impl->width, 64), std::min(impl->height, 64));
    return logo;
  }

  const std::span<const std::uint8_t> buffer(reinterpret_cast<const std::uint8_t*>(bytes.data()),
                                             bytes.size());
  const Error unreadable(ErrorCategory::input,
                         "logo file '" + name +
                             "' is not a readable image (corrupt or unsupported format): use "
                             "PNG, JPEG or SVG");
  const std::optional<detail::ImageHeader> header = detail::read_image_header(buffer);
  if (!header) throw unreadable;
  const auto too_large = [&](double w, double h) {
    return Error(ErrorCategory::input, "logo file '" + name + "' is " +
                                           std::to_string(static_cast<long long>(w)) + "x" +
                                           std::to_string(static_cast<long long>(h)) +
                                           " pixels, over the 100-megapixel limit: scale it "
                                           "down");
  };
  if (header->width * header->height > kMaxLogoPixels) {
    throw too_large(header->width, header->height);
  }
  if (header->width * header->height * header->bytes_per_pixel >
      kMaxLogoPixels * kMaxLogoBytesPerPixel) {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "' is %.0fx%.0f pixels of %.0f bytes each, over the %.0f MB a logo may take "
                  "decoded: save it with 8 or 16 bits per sample",
                  header->width, header->height, header->bytes_per_pixel,
                  kMaxLogoPixels * kMaxLogoBytesPerPixel / 1e6);
    throw Error(ErrorCategory::input, "logo file '" + name + buf);
  }
  if (!header->complete) throw unreadable;
  const cv::Mat image = detail::decode_image(buffer);
  if (image.empty()) throw unreadable;
  if (static_cast<double>(image.total()) > kMaxLogoPixels) throw too_large(image.cols, image.rows);
  impl->raster = to_bgra(image);
  impl->width = image.cols;
  impl->height = image.rows;
  return Logo(impl);
}

Logo Logo::from_image(const cv::Mat& image) {
  if (image.empty()) throw Error(ErrorCategory::input, "logo image is empty");
  auto impl = std::make_shared<Impl>();
  impl->raster = to_bgra(image);
  impl->width = image.cols;
  impl->height = image.rows;
  impl->source = "<image>";
  return Logo(impl);
}

int Logo::width() const {
  return impl_->width;
}
int Logo::height() const {
  return impl_->height;
}
bool Logo::is_vector() const {
  return !impl_->svg.empty();
}

cv::Mat Logo::raster(int w, int h) const {
  if (w <= 0 || h <= 0) throw Error(ErrorCategory::usage, "logo raster size must be positive");
  if (!is_vector()) {
    if (w == impl_->width && h == impl_->height) return impl_->raster.clone();
    cv::Mat out;
    const bool shrink = w < impl_->width || h < impl_->height;
    // Alpha-weighted resampling would be more exact at transparent edges; premultiplying
    // here keeps colour from bleeding out of fully transparent pixels.
    cv::Mat pre;
    impl_->raster.convertTo(pre, CV_32FC4, 1.0 / 255.0);
    std::vector<cv::Mat> ch;
    cv::split(pre, ch);
    for (int i = 0; i < 3; ++i) ch[i] = ch[i].mul(ch[3]);
    cv::merge(ch, pre);
    cv::resize(pre, out, cv::Size(w, h), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_CUBIC);
    cv::split(out, ch);
    for (auto& c : ch) c = cv::max(cv::min(c, 1.0), 0.0);
    for (int i = 0; i < 3; ++i) {
      cv::Mat a = cv::max(ch[3], 1e-6);
      ch[i] = ch[i] / a;
      ch[i] = cv::min(ch[i], 1.0);
    }
    cv::merge(ch, out);
    out.convertTo(out, CV_8UC4, 255.0);
    return out;
  }
  const detail::SurfacePtr surface(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h));
  {
    const detail::ContextPtr cr(cairo_create(surface.get()));
    impl_->draw_svg(cr.get(), 0, 0, w, h);
  }
  cairo_surface_flush(surface.get());
  // Cairo stores premultiplied ARGB in native byte order (BGRA on little endian).
  cv::Mat premul(h, w, CV_8UC4, cairo_image_surface_get_data(surface.get()),
                 static_cast<std::size_t>(cairo_image_surface_get_stride(surface.get())));
  cv::Mat out(h, w, CV_8UC4);
  for (int y = 0; y < h; ++y) {
    const auto* s = premul.ptr<cv::Vec4b>(y);
    auto* d = out.ptr<cv::Vec4b>(y);
    for (int x = 0; x < w; ++x) {
      const int a = s[x][3];
      if (a == 0) {
        d[x] = cv::Vec4b(0, 0, 0, 0);
      } else {
        d[x] = cv::Vec4b(static_cast<std::uint8_t>(std::min(255, s[x][0] * 255 / a)),
                         static_cast<std::uint8_t>(std::min(255, s[x][1] * 255 / a)),
                         static_cast<std::uint8_t>(std::min(255, s[x][2] * 255 / a)),
                         static_cast<std::uint8_t>(a));
      }
    }
  }
  return out;
}

}  // namespace viscode
