// Which bytes may be handed to OpenCV's image decoders at all.
#pragma once

#include <cstdint>
#include <span>

namespace viscode::detail {

// True when the bytes start like PNG, JPEG, WebP, BMP, TIFF or PNM. OpenCV tries every
// decoder it was built with on anything else, and some of Debian's (GDCM's DICOM reader)
// abort the process on garbage, which fuzzing found (twice): unknown formats, and bytes
// carrying DICOM's marker, are refused up front.
bool known_image_signature(std::span<const std::uint8_t> bytes);

}  // namespace viscode::detail
