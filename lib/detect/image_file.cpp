// Reading image files for the detector, with the size checked from the file's header before
// any pixel is decoded: a 50 kB PNG can claim 60000 x 60000 pixels.
#include <cstring>
#include <optional>

#include "detect/options.hpp"
#include "detect/vector_file.hpp"
#include "file_input.hpp"
#include "image_signature.hpp"
#include "viscode/detect.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

Error too_large(const std::string& name, double w, double h, double limit_mp) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%.0fx%.0f pixels (%.1f megapixels), over the %.0f-megapixel limit", w, h,
                w * h / 1e6, limit_mp);
  return Error(ErrorCategory::input, "image '" + name + "' is " + buf +
                                         ": scale it down or raise ReadOptions.max_megapixels");
}

// 16-bit RGBA: what the megapixel limit is sized for (1.5 GB at 100 megapixels, all told).
constexpr double kMaxBytesPerPixel = 8;

Error too_deep(const std::string& name, const detail::ImageHeader& h, double limit_mp) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "%.0fx%.0f pixels of %.0f bytes each (%.0f MB decoded), over the %.0f MB that "
                "%.0f megapixels of 16-bit RGBA take",
                h.width, h.height, h.bytes_per_pixel, h.width * h.height * h.bytes_per_pixel / 1e6,
                limit_mp * kMaxBytesPerPixel, limit_mp);
  return Error(ErrorCategory::input,
               "image '" + name + "' is " + buf + ": save it with 8 or 16 bits per sample");
}

}  // namespace

cv::Mat read_image(const std::filesystem::path& file, const ReadOptions& options) {
  return read_image_file(file, options).image;
}

ImageFile read_image_file(const std::filesystem::path& file, const ReadOptions& options) {
  detail::check_max_megapixels(options);
  if (options.vector_dpi != 0 && !(options.vector_dpi >= 72 && options.vector_dpi <= 2400)) {
    throw Error(ErrorCategory::usage,
                "ReadOptions.vector_dpi must be 72-2400 dots per inch, or 0 (from the page's "
                "size)");
  }
  const std::string name = file.string();
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw Error(ErrorCategory::input, "image '" + name + "' does not exist: check the path");
  }
  if (std::filesystem::is_directory(file, ec)) {
    throw Error(ErrorCategory::input, "image '" + name + "' is a directory: give an image file");
  }
  const std::string text = detail::read_input_file(
      file, {.what = "image",
             .give = "give an image file",
             .max_bytes = detail::kMaxImageFileBytes,
             .shrink = "scale it down or save it compressed (PNG or JPEG)"});
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(text.data()),
                                            text.size());
  if (bytes.empty()) throw Error(ErrorCategory::input, "image '" + name + "' is empty");
  switch (detail::vector_kind(bytes, file)) {
    case detail::VectorKind::svg:
      return detail::rasterise_svg(bytes, name, options);
    case detail::VectorKind::pdf:
      return detail::rasterise_pdf(bytes, file, options);
    case detail::VectorKind::none:
      break;
  }
  const Error unreadable(ErrorCategory::input,
                         "image '" + name +
                             "' is not a readable image (truncated, corrupt or an unsupported "
                             "format)");
  // Every accepted format's size is read from its header before anything is decoded.
  const std::optional<detail::ImageHeader> header = detail::read_image_header(bytes);
  if (!header) throw unreadable;
  if (header->width * header->height > options.max_megapixels * 1e6) {
    throw too_large(name, header->width, header->height, options.max_megapixels);
  }
  if (header->width * header->height * header->bytes_per_pixel >
      options.max_megapixels * 1e6 * kMaxBytesPerPixel) {
    throw too_deep(name, *header, options.max_megapixels);
  }
  if (!header->complete) throw unreadable;
  cv::Mat image = detail::decode_image(bytes);
  if (image.empty()) throw unreadable;
  if (static_cast<double>(image.total()) > options.max_megapixels * 1e6) {
    throw too_large(name, image.cols, image.rows, options.max_megapixels);
  }
  if (image.depth() != CV_8U) {
    cv::Mat eight;
    image.convertTo(eight, CV_MAKETYPE(CV_8U, image.channels()),
                    image.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
    image = eight;
  }
  return ImageFile{image, 0};
}

}  // namespace viscode
