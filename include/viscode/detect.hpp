// viscode/detect.hpp — reading QR codes, designer codes included, from photos and scans.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "viscode/encode.hpp"

namespace viscode {

struct ReadOptions {
  // Images with more pixels are refused (Error(input)) before they are decoded into memory.
  // Above 0, at most 1000 (about what OpenCV decodes at all); anything else, NaN and
  // infinity included, is refused with Error(usage).
  double max_megapixels = 100;
  bool try_inverted = true;  // light-on-dark codes
  bool try_mirrored = true;  // symbols seen from behind or flipped
  // SVG and PDF files (viscode's own vector output included) are rasterised for reading at
  // this resolution, dots per inch, 72-2400; 0 = from the page's physical size: its longer
  // side about 2400 px (300-2400 dpi), so that a code alone on its page gets 10 px per
  // module or more. PDF needs poppler's pdftoppm on PATH (Debian: poppler-utils).
  double vector_dpi = 600;
};

// Error-correction margin of one Reed-Solomon block.
struct BlockMargin {
  int errors = 0;    // codewords corrected as errors
  int erasures = 0;  // codewords corrected as erasures (least confident modules)
  int capacity = 0;  // EC codewords of the block less ISO 18004's misdecode-protection
                     // codewords (versions 1-3): 2*errors + erasures may reach this
};

struct StructuredAppend {
  int index = 0;   // 0-based position of this symbol
  int count = 0;   // symbols in the sequence
  int parity = 0;  // parity byte of the whole message
};

struct Decoded {
  std::string text;                 // UTF-8
  std::vector<std::uint8_t> bytes;  // the payload's bytes as encoded (segments concatenated)
  // The character set text was decoded from: "UTF-8", "Shift_JIS" (read as Microsoft's
  // CP932, whose 0x5C is a backslash), "GB18030" (also for GB 2312 and GBK), "ISO-8859-1",
  // "GB2312" (Hanzi mode), an ECI's ("CP1251", "UTF-16BE", ...), or "US-ASCII" when every
  // segment is ASCII (numeric and alphanumeric modes, ASCII bytes without ECI). Segments in
  // different character sets give their names in order of first use, comma-separated.
  std::string charset;
  // True when byte segments without ECI hold bytes past ASCII, whose character set was
  // guessed from the bytes (docs/detector.md, "Character sets"); false when declared.
  bool charset_guessed = false;
  // Corners of the symbol (quiet zone excluded) in image pixels, OpenCV's convention (the
  // centre of the first pixel is at 0,0): the top-left, top-right, bottom-right and
  // bottom-left corners as the symbol is read.
  std::array<cv::Point2f, 4> corners{};
  int version = 0;
  EcLevel ec = EcLevel::L;
  int mask = 0;
  // 2 for the QR Code of ISO 18004 (versions 1-40); 1 for the original Model 1 of AIM
  // ITS/97-001 (versions 1-14, extension patterns instead of alignment patterns), still
  // found on old packs and read once no Model 2 reading of the grid succeeds.
  int model = 2;
  std::vector<BlockMargin> blocks;
  int errors_corrected() const;  // sum over blocks of errors + erasures
  int error_capacity() const;    // sum over blocks of capacity / 2 (errors only)
  bool mirrored = false;
  bool inverted = false;
  std::optional<StructuredAppend> structured_append;
  // Row-major, version size squared, in the symbol's own orientation: 1 where the module
  // was read wrong (its bit changed by Reed-Solomon correction), else 0. Data and EC
  // modules only: where a capture, a print or a sticker damaged the code.
  std::vector<std::uint8_t> wrong_modules;
};

// The old name of ReadOptions, kept for code written before read_codes().
using DetectOptions [[deprecated("renamed ReadOptions")]] = ReadOptions;

// The front door for reading: every code found in the image (8-bit grey, BGR or BGRA), in
// reading order: rows top to bottom, each row left to right, in the frame of the codes'
// common tilt (the median of their top sides' angles folded into -45..45 degrees), so that
// a sheet photographed askew reads row by row in its own rows; a sheet turned 90 degrees or
// more reads in the image's rows. A code starts a new row when its centre lies more than
// half its side below the mean centre of the row so far (docs/detector.md). Results are
// returned only after Reed-Solomon has verified every block. Throws Error(usage) for
// options out of range.
std::vector<Decoded> read_codes(const cv::Mat& image, const ReadOptions& options = {});

// Every code in an image file: PNG, JPEG, WebP, BMP, TIFF, PNM, SVG or the first page of a
// PDF, read as read_image_file() reads it (and throwing as it does).
std::vector<Decoded> read_codes(const std::filesystem::path& file, const ReadOptions& options = {});

// The old name of read_codes(image, options).
[[deprecated("renamed read_codes")]] std::vector<Decoded> detect(const cv::Mat& image,
                                                                 const ReadOptions& options = {});

// Reads an image file for read_codes(image): refuses images over options.max_megapixels
// from their header, before decoding. Throws Error(input) naming the file when it is missing,
// truncated, corrupt or not an image; Error(usage) for options out of range.
cv::Mat read_image(const std::filesystem::path& file, const ReadOptions& options = {});

// An image file as read_image() reads it, with what the file says about its print size.
struct ImageFile {
  cv::Mat image;  // 8-bit grey, BGR or BGRA; SVG and PDF come out BGR over white paper
  // Pixels per inch on paper: the rasterising resolution of an SVG or PDF page (whose size
  // is physical); 0 for raster files, whose print size is not known.
  double dpi = 0;
};
// read_image() with the print resolution. SVG is drawn with librsvg; PDF (first page) by
// running pdftoppm from PATH, without a shell, into a private temporary directory. Throws
// Error(input) as read_image() does, and naming the install command when a PDF is given and
// pdftoppm is missing; Error(usage) for options.vector_dpi out of range.
ImageFile read_image_file(const std::filesystem::path& file, const ReadOptions& options = {});

// A sampled symbol: what locating and sampling produce, and all that decoding needs.
struct ModuleGrid {
  int size = 0;                   // modules per side, 21..177
  std::vector<float> darkness;    // row-major, 0 = light .. 1 = dark
  std::vector<float> confidence;  // row-major, 0 = a guess .. 1 = certain
  bool is_dark(int x, int y) const {
    return darkness[static_cast<std::size_t>(y * size + x)] > 0.5f;
  }
};

// Decodes a sampled grid, as read (it tries the transposed grid for mirrored symbols
// itself). Stateless. Empty when the grid is not a valid symbol or any block is beyond
// correction.
std::optional<Decoded> decode_grid(const ModuleGrid& grid);

}  // namespace viscode
