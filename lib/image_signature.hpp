// Which bytes may be handed to the image decoders at all, and how large an image their
// header says they hold: every accepted format's size is known before a pixel is decoded.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <optional>
#include <span>

namespace viscode::detail {

// True when the bytes start like PNG, JPEG, WebP, BMP, TIFF or PNM. OpenCV tries every
// decoder it was built with on anything else, and some of Debian's (GDCM's DICOM reader)
// abort the process on garbage, which fuzzing found (twice): unknown formats, and bytes
// carrying DICOM's marker, are refused up front.
bool known_image_signature(std::span<const std::uint8_t> bytes);

// What an image file's header says. A 50 kB PNG can claim 60000 x 60000 pixels, and a 2 MB
// TIFF 32000 x 32000: decoders allocate for the claim before reading the pixels.
struct ImageHeader {
  double width = 0, height = 0;
  double bytes_per_pixel = 0;  // once decoded, at the file's bit depth (16-bit RGBA: 8)
  // False when the file visibly ends before its image does (a JPEG without its end marker,
  // a PNG without IEND): decoders would fill the rest with grey and call it an image.
  bool complete = true;
};

// The header of a PNG, JPEG, WebP, BMP, TIFF or PNM file (PNG: every chunk's length and
// CRC checked too, up to IEND); nullopt when the bytes are none of these or the header is
// cut short or malformed. Only the first page of a TIFF (the one decoders read) is looked at.
std::optional<ImageHeader> read_image_header(std::span<const std::uint8_t> bytes);

// Decodes bytes whose header read_image_header() has accepted, as OpenCV's imdecode with
// IMREAD_UNCHANGED would (8- or 16-bit, 1, 3 or 4 channels, BGR order), without anything on
// stderr: PNGs through libpng with its messages kept (libpng prints "libpng error: ..."
// through OpenCV). Empty when the data are corrupt.
cv::Mat decode_image(std::span<const std::uint8_t> bytes);

}  // namespace viscode::detail
