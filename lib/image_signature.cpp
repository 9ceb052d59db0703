#include "image_signature.hpp"

#include <cstring>

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

}  // namespace viscode::detail
