#include "image_signature.hpp"

#include <png.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <csetjmp>
#include <cstring>
#include <iostream>
#include <mutex>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <vector>

namespace viscode::detail {

bool known_image_signature(std::span<const std::uint8_t> b) {
  const auto starts = [&](const char* magic, std::size_t n, std::size_t at = 0) {
    return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
  };
  // OpenCV hands bytes to the first decoder that claims them, and GDCM claims anything with
  // DICOM's marker at offset 128 before the TIFF, PNM and (when its own stricter check
  // fails) WebP decoders get a look; whatever else the bytes start with, they would reach
  // it. A real image has these four bytes there about once in four billion files.
  if (starts("DICM", 4, 128)) return false;
  if (starts("\x89PNG\r\n\x1a\n", 8)) return true;
  if (starts("\xFF\xD8\xFF", 3)) return true;
  if (starts("RIFF", 4) && starts("WEBPVP8", 7, 8)) return true;
  if (starts("BM", 2)) return true;
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return true;
  if (b.size() >= 3 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6' &&
      (b[2] == '\n' || b[2] == ' ' || b[2] == '\r' || b[2] == '\t')) {
    return true;
  }
  return false;
}

namespace {

using Bytes = std::span<const std::uint8_t>;

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

ImageHeader header(double w, double h, double bytes_per_pixel, bool complete = true) {
  return ImageHeader{w, h, bytes_per_pixel, complete};
}

// IHDR first (its size is reported even when the rest is broken), then chunks whose
// lengths, types and CRCs hold, up to IEND: a bad CRC or a cut-off file is what libpng
// would report on stderr halfway through decoding, so either makes the file incomplete.
std::optional<ImageHeader> png_header(Bytes b) {
  const std::size_t n = b.size();
  if (n < 33 || std::memcmp(&b[12], "IHDR", 4) != 0 || be32(&b[8]) != 13) return std::nullopt;
  const double w = be32(&b[16]), h = be32(&b[20]);
  const int depth = b[24], colour = b[25];
  const int channels = colour == 2 ? 3 : colour == 4 ? 2 : colour == 6 ? 4 : colour == 3 ? 4 : 1;
  if (w == 0 || h == 0) return std::nullopt;
  bool complete = false;
  std::size_t at = 8;
  while (at + 12 <= n) {
    const std::uint32_t length = be32(&b[at]);
    if (length > n - at - 12) break;
    const std::uint8_t* type = &b[at + 4];
    if (!std::all_of(type, type + 4, [](std::uint8_t c) { return std::isalpha(c) != 0; })) break;
    const auto crc = static_cast<std::uint32_t>(crc32(0, type, static_cast<uInt>(length + 4)));
    if (crc != be32(&b[at + 8 + length])) break;
    at += 12 + length;
    if (std::memcmp(type, "IEND", 4) == 0) {
      complete = true;
      break;
    }
  }
  return header(w, h, channels * (depth == 16 ? 2 : 1), complete);
}

std::optional<ImageHeader> jpeg_header(Bytes b) {
  const std::size_t n = b.size();
  std::size_t i = 2;
  std::optional<ImageHeader> out;
  while (i + 4 <= n) {
    if (b[i] != 0xFF) {  // padding between segments, which libjpeg skips too
      ++i;
      continue;
    }
    const std::uint8_t marker = b[i + 1];
    if (marker == 0xFF) {
      ++i;
      continue;
    }
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
      i += 2;
      continue;
    }
    if (marker == 0xD9) return std::nullopt;  // the end before any scan
    const std::size_t length = be16(&b[i + 2]);
    if (length < 2) return std::nullopt;
    const bool sof =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      if (i + 10 > n || length < 8) return std::nullopt;
      const double h = be16(&b[i + 5]), w = be16(&b[i + 7]);
      const int components = b[i + 9];
      if (w == 0 || h == 0 || components < 1 || components > 4) return std::nullopt;
      out = header(w, h, components == 1 ? 1 : components == 2 ? 3 : components, true);
    }
    if (marker == 0xDA) {
      if (!out) return std::nullopt;  // a scan before the frame's header
      // The end marker after the first scan: entropy-coded data stuff every 0xFF with a
      // 0x00, so FF D9 appears only as the marker (progressive files have several scans,
      // all before it). A file cut short has none; trailing bytes after it are allowed.
      const std::size_t scan = i + 2 + length;
      bool ended = false;
      for (std::size_t k = n; k >= scan + 2; --k) {
        if (b[k - 2] == 0xFF && b[k - 1] == 0xD9) {
          ended = true;
          break;
        }
      }
      out->complete = ended;
      return out;
    }
    i += 2 + length;
  }
  return std::nullopt;
}

std::optional<ImageHeader> webp_header(Bytes b) {
  if (b.size() < 30) return std::nullopt;
  if (std::memcmp(&b[12], "VP8X", 4) == 0) {
    return header(le24(&b[24]) + 1.0, le24(&b[27]) + 1.0, 4);
  }
  if (std::memcmp(&b[12], "VP8L", 4) == 0 && b[20] == 0x2f) {
    const std::uint32_t bits = le32(&b[21]);
    return header((bits & 0x3FFF) + 1.0, ((bits >> 14) & 0x3FFF) + 1.0, 4);
  }
  if (std::memcmp(&b[12], "VP8 ", 4) == 0) {
    return header(le16(&b[26]) & 0x3FFF, le16(&b[28]) & 0x3FFF, 3);
  }
  return std::nullopt;
}

std::optional<ImageHeader> bmp_header(Bytes b) {
  if (b.size() < 26) return std::nullopt;
  const std::uint32_t info = le32(&b[14]);
  if (info == 12) {  // OS/2 BITMAPCOREHEADER: 16-bit sizes
    return header(le16(&b[18]), le16(&b[20]), 4);
  }
  if (info < 40 || b.size() < 30) return std::nullopt;
  const auto w = static_cast<std::int32_t>(le32(&b[18]));
  const auto h = static_cast<std::int32_t>(le32(&b[22]));
  if (w <= 0 || h == 0 || h == INT32_MIN) return std::nullopt;
  return header(w, h < 0 ? -static_cast<double>(h) : h, 4);
}

// The first IFD's ImageWidth (256), ImageLength (257), BitsPerSample (258) and
// SamplesPerPixel (277).
std::optional<ImageHeader> tiff_header(Bytes b) {
  const std::size_t n = b.size();
  if (n < 8) return std::nullopt;
  const bool le = b[0] == 'I';
  const auto u16 = [&](std::size_t at) { return le ? le16(&b[at]) : be16(&b[at]); };
  const auto u32 = [&](std::size_t at) { return le ? le32(&b[at]) : be32(&b[at]); };
  const std::size_t ifd = u32(4);
  if (ifd < 8 || ifd > n - 2) return std::nullopt;
  const std::size_t entries = u16(ifd);
  if (entries == 0 || ifd + 2 + entries * 12 > n) return std::nullopt;
  double w = 0, h = 0, bits = 1, samples = 1;
  for (std::size_t e = 0; e < entries; ++e) {
    const std::size_t at = ifd + 2 + e * 12;
    const std::uint32_t tag = u16(at), type = u16(at + 2), count = u32(at + 4);
    // SHORT or LONG; a value that fits sits in the entry itself.
    double value = 0;
    if (type == 3) {
      value = u16(at + 8);
    } else if (type == 4) {
      value = u32(at + 8);
    } else {
      if (tag == 256 || tag == 257 || tag == 277) return std::nullopt;
      continue;
    }
    if (tag == 256) w = value;
    if (tag == 257) h = value;
    if (tag == 277) samples = value;
    if (tag == 258) {
      // Several samples' bits: they are stored elsewhere unless two SHORTs fit; the widest
      // a decoder produces is 64 bits, which is what an unread list is taken as.
      bits = count == 1                ? value
             : type == 3 && count == 2 ? std::max(value, double(u16(at + 10)))
                                       : 64;
    }
  }
  if (w == 0 || h == 0 || samples == 0 || samples > 16 || bits == 0 || bits > 64) {
    return std::nullopt;
  }
  // Decoders give at least 8 bits per sample, and at most 4 samples plus one converted
  // copy; the count is taken as it is, so an image of many samples is refused by size.
  return header(w, h, samples * std::max(8.0, bits) / 8);
}

// PNM: "P6 <width> <height> <maxval>" in ASCII, with # comments between tokens.
std::optional<ImageHeader> pnm_header(Bytes b) {
  const char kind = static_cast<char>(b[1]);
  const int tokens = kind == '1' || kind == '4' ? 2 : 3;
  double v[3] = {0, 0, 0};
  std::size_t i = 2;
  for (int t = 0; t < tokens; ++t) {
    while (i < b.size() && (std::isspace(b[i]) || b[i] == '#')) {
      if (b[i] == '#') {
        while (i < b.size() && b[i] != '\n' && b[i] != '\r') ++i;
      } else {
        ++i;
      }
    }
    std::size_t digits = 0;
    while (i < b.size() && std::isdigit(b[i]) && digits < 10) {
      v[t] = v[t] * 10 + (b[i] - '0');
      ++i;
      ++digits;
    }
    if (digits == 0 || digits == 10) return std::nullopt;
  }
  if (v[0] == 0 || v[1] == 0) return std::nullopt;
  const double channels = kind == '3' || kind == '6' ? 3 : 1;
  return header(v[0], v[1], channels * (tokens == 3 && v[2] > 255 ? 2 : 1));
}

// Decoding PNGs through libpng with our own error and warning handlers: nothing printed.
struct PngRead {
  Bytes bytes;
  std::size_t at = 0;
};

void png_read_bytes(png_structp png, png_bytep out, png_size_t n) {
  auto* r = static_cast<PngRead*>(png_get_io_ptr(png));
  if (n > r->bytes.size() - r->at) png_error(png, "cut short");
  std::memcpy(out, r->bytes.data() + r->at, n);
  r->at += n;
}

[[noreturn]] void png_quiet_error(png_structp png, png_const_charp) {
  png_longjmp(png, 1);
}
void png_quiet_warning(png_structp, png_const_charp) {}

cv::Mat decode_png(Bytes bytes) {
  png_structp png =
      png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, png_quiet_error, png_quiet_warning);
  if (png == nullptr) return {};
  png_infop info = png_create_info_struct(png);
  if (info == nullptr) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    return {};
  }
  PngRead source{bytes, 0};
  // Declared before setjmp so that longjmp leaves them in a defined state; the Mat's buffer
  // and the row pointers are released by their destructors after the jump is caught.
  cv::Mat image;
  std::vector<png_bytep> rows;
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    return {};
  }
  png_set_read_fn(png, &source, png_read_bytes);
  png_read_info(png, info);
  const int colour = png_get_color_type(png, info);
  const int depth = png_get_bit_depth(png, info);
  // As OpenCV's PNG reader with IMREAD_UNCHANGED: palettes and grey with transparency as
  // BGRA, low bit depths widened to 8, 16 bits kept, grey as one channel.
  if (colour == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
  if (colour == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (colour == PNG_COLOR_TYPE_GRAY_ALPHA ||
      (colour == PNG_COLOR_TYPE_GRAY && png_get_valid(png, info, PNG_INFO_tRNS))) {
    png_set_gray_to_rgb(png);
  }
  if (depth == 16) png_set_swap(png);  // host order on little-endian hosts
  png_set_bgr(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const int channels = png_get_channels(png, info);
  const int out_depth = png_get_bit_depth(png, info);
  const png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
  if (channels < 1 || channels > 4 || channels == 2 || (out_depth != 8 && out_depth != 16)) {
    png_destroy_read_struct(&png, &info, nullptr);
    return {};
  }
  image.create(static_cast<int>(h), static_cast<int>(w),
               CV_MAKETYPE(out_depth == 16 ? CV_16U : CV_8U, channels));
  rows.resize(h);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = image.ptr<png_byte>(static_cast<int>(y));
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return image;
}

}  // namespace

std::optional<ImageHeader> read_image_header(std::span<const std::uint8_t> b) {
  if (!known_image_signature(b)) return std::nullopt;
  std::optional<ImageHeader> out;
  if (b[0] == 0x89) {
    out = png_header(b);
  } else if (b[0] == 0xFF) {
    out = jpeg_header(b);
  } else if (b[0] == 'R') {
    out = webp_header(b);
  } else if (b[0] == 'B') {
    out = bmp_header(b);
  } else if (b[0] == 'I' || b[0] == 'M') {
    out = tiff_header(b);
  } else if (b[0] == 'P') {
    out = pnm_header(b);
  }
  if (out && (!(out->width >= 1) || !(out->height >= 1))) return std::nullopt;
  return out;
}

namespace {
cv::Mat imdecode_or_empty(std::span<const std::uint8_t> bytes) {
  cv::Mat image;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8U,
                         const_cast<std::uint8_t*>(bytes.data()));
    image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception&) {
    image.release();
  }
  return image;
}
}  // namespace

cv::Mat decode_image(std::span<const std::uint8_t> bytes) {
  if (bytes.size() >= 8 && bytes[0] == 0x89) return decode_png(bytes);
  // JPEG and WebP (the photographs) decode as they are, in parallel, touching nothing of
  // the host program's: their headers and end markers were checked.
  if (bytes.size() >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xD8) || bytes[0] == 'R')) {
    return imdecode_or_empty(bytes);
  }
  // OpenCV reports a malformed TIFF, BMP or PNM on std::cerr ("imdecode_(''): can't read
  // header") and through its logger ("[ WARN:0@0.02] ... grfmt_tiff.cpp"), around the empty
  // image that is our answer: both are silenced while it decodes. They are process-wide,
  // hence one such decode at a time (those formats are rare and never on a hot path).
  static std::mutex quiet;
  const std::lock_guard<std::mutex> lock(quiet);
  struct Silence {
    cv::utils::logging::LogLevel level = cv::utils::logging::getLogLevel();
    std::ios::iostate state = std::cerr.rdstate();
    Silence() {
      cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
      std::cerr.setstate(std::ios::badbit);
    }
    ~Silence() {
      std::cerr.clear(state);
      cv::utils::logging::setLogLevel(level);
    }
  } silence;
  return imdecode_or_empty(bytes);
}

}  // namespace viscode::detail
