#include "detect/format_info.hpp"

#include <bit>

namespace viscode::detail {
namespace {

// Remainder of data * x^check_bits divided by the BCH generator (its top bit included).
std::uint32_t bch_remainder(std::uint32_t data, int check_bits, std::uint32_t generator) {
  std::uint32_t rem = data << check_bits;
  for (int bit = 31; bit >= check_bits; --bit) {
    if ((rem >> bit) & 1u) rem ^= generator << (bit - check_bits);
  }
  return rem;
}

// The format code is BCH(15,5) with generator x^10+x^8+x^5+x^4+x^2+x+1, XORed with a mask
// (Model 2: 0x5412) so that no valid format word is all zeros.
std::uint32_t format_codeword(int ec_bits, int mask, std::uint32_t xor_mask) {
  const auto data = static_cast<std::uint32_t>(ec_bits << 3 | mask);
  return ((data << 10) | bch_remainder(data, 10, 0x537u)) ^ xor_mask;
}

// Version information is BCH(18,6) with generator x^12+x^11+x^10+x^9+x^8+x^5+x^2+1, unmasked.
std::uint32_t version_codeword(int version) {
  const auto data = static_cast<std::uint32_t>(version);
  return (data << 12) | bch_remainder(data, 12, 0x1F25u);
}

// ISO 18004 gives the EC level two bits that are not in L, M, Q, H order.
constexpr EcLevel kEcFromBits[4] = {EcLevel::M, EcLevel::L, EcLevel::H, EcLevel::Q};

}  // namespace

std::optional<FormatInfo> decode_format(std::uint16_t bits, std::uint16_t xor_mask) {
  std::optional<FormatInfo> best;
  for (int ec_bits = 0; ec_bits < 4; ++ec_bits) {
    for (int mask = 0; mask < 8; ++mask) {
      const std::uint32_t word = format_codeword(ec_bits, mask, xor_mask);
      const int distance = std::popcount((word ^ bits) & 0x7FFFu);
      if (distance <= 3 && (!best || distance < best->distance)) {
        best = FormatInfo{kEcFromBits[ec_bits], mask, distance};
      }
    }
  }
  return best;
}

std::optional<int> decode_version(std::uint32_t bits) {
  std::optional<int> best;
  int best_distance = 4;
  for (int version = 7; version <= 40; ++version) {
    const int distance = std::popcount((version_codeword(version) ^ bits) & 0x3FFFFu);
    if (distance < best_distance) {
      best = version;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace viscode::detail
