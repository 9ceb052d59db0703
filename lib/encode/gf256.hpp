// Internal: GF(256) as QR codes use it (primitive polynomial x^8+x^4+x^3+x^2+1, 0x11D,
// primitive element 2), shared by the encoder's Reed-Solomon and the detector's decoder.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace viscode::detail {

struct Gf256 {
  // The exponent table is doubled so that a sum of two logarithms indexes it without a
  // modulo. log[0] is -1: zero has no logarithm.
  std::array<std::uint8_t, 512> exp{};
  std::array<int, 256> log{};
  constexpr Gf256() {
    int x = 1;
    for (int i = 0; i < 255; ++i) {
      exp[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(x);
      log[static_cast<std::size_t>(x)] = i;
      x <<= 1;
      if ((x & 0x100) != 0) x ^= 0x11D;
    }
    for (std::size_t i = 255; i < exp.size(); ++i) exp[i] = exp[i - 255];
    log[0] = -1;
  }
  constexpr std::uint8_t mul(std::uint8_t a, std::uint8_t b) const {
    if (a == 0 || b == 0) return 0;
    return exp[static_cast<std::size_t>(log[a] + log[b])];
  }
};
inline constexpr Gf256 kGf256;

}  // namespace viscode::detail
