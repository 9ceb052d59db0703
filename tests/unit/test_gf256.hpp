// Test-only GF(256) arithmetic and Reed-Solomon encoding, written from the textbook rather
// than shared with the library, so tests of the encoder and of the decoder check the library
// against an independent statement of the code.
#pragma once

#include <array>
#include <vector>

namespace viscode::test {

// GF(256) with the QR primitive polynomial x^8+x^4+x^3+x^2+1 (0x11D).
struct Gf256 {
  std::array<int, 512> exp{};
  std::array<int, 256> log{};
  Gf256() {
    int x = 1;
    for (int i = 0; i < 255; ++i) {
      exp[static_cast<std::size_t>(i)] = x;
      log[static_cast<std::size_t>(x)] = i;
      x <<= 1;
      if (x & 0x100) x ^= 0x11D;
    }
    for (int i = 255; i < 512; ++i)
      exp[static_cast<std::size_t>(i)] = exp[static_cast<std::size_t>(i - 255)];
  }
  int mul(int a, int b) const {
    if (a == 0 || b == 0) return 0;
    return exp[static_cast<std::size_t>(log[static_cast<std::size_t>(a)] +
                                        log[static_cast<std::size_t>(b)])];
  }
};

inline const Gf256& gf() {
  static const Gf256 field;
  return field;
}

// EC codewords for `data`: the remainder of data(x) * x^n divided by the generator
// polynomial (x - a^0)(x - a^1)...(x - a^(n-1)).
inline std::vector<int> rs_remainder(const std::vector<int>& data, int n) {
  const Gf256& f = gf();
  std::vector<int> gen{1};  // highest degree first
  for (int i = 0; i < n; ++i) {
    std::vector<int> next(gen.size() + 1, 0);
    for (std::size_t k = 0; k < gen.size(); ++k) {
      next[k] ^= gen[k];
      next[k + 1] ^= f.mul(gen[k], f.exp[static_cast<std::size_t>(i)]);
    }
    gen = next;
  }
  std::vector<int> rem(static_cast<std::size_t>(n), 0);
  for (const int d : data) {
    const int factor = d ^ rem[0];
    rem.erase(rem.begin());
    rem.push_back(0);
    for (std::size_t k = 0; k < rem.size(); ++k) rem[k] ^= f.mul(gen[k + 1], factor);
  }
  return rem;
}

}  // namespace viscode::test
