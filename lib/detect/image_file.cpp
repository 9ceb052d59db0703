// Reading image files for the detector, with the size checked from the file's header before
// any pixel is decoded: a 50 kB PNG can claim 60000 x 60000 pixels.
#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <optional>

#include "detect/options.hpp"
#include "detect/vector_file.hpp"
#include "image_signature.hpp"
#include "viscode/detect.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

std::uint32_t be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}
std::uint32_t be16(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 8) | p[1];
}
std::uint32_t le16(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8);
}
std::uint32_t le24(const std::uint8_t* p) {
  return le16(p) | (std::uint32_t{p[2]} << 16);
}
std::uint32_t le32(const std::uint8_t* p) {
  return le24(p) | (std::uint32_t{p[3]} << 24);
}

struct Dimensions {
  double width = 0, height = 0;
};

// Width and height from the header of PNG, JPEG, WebP, BMP and GIF files; nothing for other
// formats (they are checked after decoding).
std::optional<Dimensions> header_dimensions(const std::vector<std::uint8_t>& b) {
  const std::size_t n = b.size();
  if (n >= 24 && std::memcmp(b.data(), "\x89PNG\r\n\x1a\n", 8) == 0) {
    return Dimensions{static_cast<double>(be32(&b[16])), static_cast<double>(be32(&b[20]))};
  }
  if (n >= 4 && b[0] == 0xFF && b[1] == 0xD8) {
    std::size_t i = 2;
    while (i + 9 < n) {
      if (b[i] != 0xFF) {
        ++i;
        continue;
      }
      const std::uint8_t marker = b[i + 1];
      if (marker == 0xFF) {
        ++i;
        continue;
      }
      const bool sof =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        return Dimensions{static_cast<double>(be16(&b[i + 7])),
                          static_cast<double>(be16(&b[i + 5]))};
      }
      if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
        i += 2;
        continue;
      }
      i += 2 + be16(&b[i + 2]);
    }
    return std::nullopt;
  }
  if (n >= 30 && std::memcmp(b.data(), "RIFF", 4) == 0 && std::memcmp(&b[8], "WEBP", 4) == 0) {
    if (std::memcmp(&b[12], "VP8X", 4) == 0) {
      return Dimensions{static_cast<double>(le24(&b[24]) + 1),
                        static_cast<double>(le24(&b[27]) + 1)};
    }
    if (std::memcmp(&b[12], "VP8L", 4) == 0 && b[20] == 0x2f) {
      const std::uint32_t bits = le32(&b[21]);
      return Dimensions{static_cast<double>((bits & 0x3FFF) + 1),
                        static_cast<double>(((bits >> 14) & 0x3FFF) + 1)};
    }
    if (std::memcmp(&b[12], "VP8 ", 4) == 0) {
      return Dimensions{static_cast<double>(le16(&b[26]) & 0x3FFF),
                        static_cast<double>(le16(&b[28]) & 0x3FFF)};
    }
  }
  if (n >= 26 && b[0] == 'B' && b[1] == 'M') {
    const auto h = static_cast<std::int32_t>(le32(&b[22]));
    return Dimensions{static_cast<double>(le32(&b[18])), static_cast<double>(h < 0 ? -h : h)};
  }
  if (n >= 10 && std::memcmp(b.data(), "GIF8", 4) == 0) {
    return Dimensions{static_cast<double>(le16(&b[6])), static_cast<double>(le16(&b[8]))};
  }
  return std::nullopt;
}

Error too_large(const std::string& name, double w, double h, double limit_mp) {
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "%.0fx%.0f pixels (%.1f megapixels), over the %.0f-megapixel limit", w, h,
                w * h / 1e6, limit_mp);
  return Error(ErrorCategory::input,
               "image '" + name + "' is " + buf + ": scale it down or raise --max-megapixels");
}

}  // namespace

cv::Mat read_image(const std::filesystem::path& file, const DetectOptions& options) {
  return read_image_file(file, options).image;
}

ImageFile read_image_file(const std::filesystem::path& file, const DetectOptions& options) {
  detail::check_max_megapixels(options);
  if (options.vector_dpi != 0 && !(options.vector_dpi >= 72 && options.vector_dpi <= 2400)) {
    throw Error(ErrorCategory::usage,
                "DetectOptions.vector_dpi must be 72-2400 dots per inch, or 0 (from the page's "
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
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw Error(ErrorCategory::input,
                "image '" + name + "' cannot be opened: check its permissions");
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  if (bytes.empty()) throw Error(ErrorCategory::input, "image '" + name + "' is empty");
  switch (detail::vector_kind(bytes, file)) {
    case detail::VectorKind::svg:
      return detail::rasterise_svg(bytes, name, options);
    case detail::VectorKind::pdf:
      return detail::rasterise_pdf(bytes, file, options);
    case detail::VectorKind::none:
      break;
  }
  if (!detail::known_image_signature(bytes)) {
    throw Error(ErrorCategory::input, "image '" + name +
                                          "' is not a readable image (truncated, corrupt or an "
                                          "unsupported format)");
  }
  if (const auto d = header_dimensions(bytes)) {
    if (d->width * d->height > options.max_megapixels * 1e6) {
      throw too_large(name, d->width, d->height, options.max_megapixels);
    }
  }
  cv::Mat image;
  try {
    image = cv::imdecode(bytes, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception&) {
    image.release();
  }
  if (image.empty()) {
    throw Error(ErrorCategory::input, "image '" + name +
                                          "' is not a readable image (truncated, corrupt or an "
                                          "unsupported format)");
  }
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
