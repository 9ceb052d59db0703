// Format and version information, decoded to the nearest valid codeword.
#pragma once

#include <cstdint>
#include <optional>

#include "viscode/encode.hpp"

namespace viscode::detail {

struct FormatInfo {
  EcLevel ec = EcLevel::L;
  int mask = 0;
  int distance = 0;  // Hamming distance to the codeword read
};
// bits: the 15 format bits as read (xor_mask still applied: Model 2's 0x5412, or Model 1's),
// MSB first. Accepts the nearest of the 32 valid codewords within distance 3.
std::optional<FormatInfo> decode_format(std::uint16_t bits, std::uint16_t xor_mask = 0x5412);

// bits: the 18 version bits, MSB first. Accepts the nearest of the 34 valid codewords
// (versions 7..40) within distance 3.
std::optional<int> decode_version(std::uint32_t bits);

}  // namespace viscode::detail
