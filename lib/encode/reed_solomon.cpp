#include "encode/reed_solomon.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "encode/gf256.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

constexpr int kMaxEc = 30;  // ISO 18004 table 9's largest EC codewords per block

// The generator polynomials of every EC length a QR block uses.
struct Generators {
  // generator_log[n]: the coefficients of prod (x - a^i), i < n, below the leading 1, highest
  // degree first, as logarithms (-1 for a zero coefficient) so the shift register's inner
  // loop is one table look-up per coefficient.
  std::array<std::array<int, kMaxEc>, kMaxEc + 1> generator_log{};

  Generators() {
    const Gf256& gf = kGf256;
    for (int n = 1; n <= kMaxEc; ++n) {
      // Full polynomial, highest degree first, multiplied by (x - a^i) one root at a time.
      std::array<std::uint8_t, kMaxEc + 1> g{};
      g[0] = 1;
      for (int i = 0; i < n; ++i) {
        for (int k = i + 1; k >= 1; --k) {
          const auto uk = static_cast<std::size_t>(k);
          g[uk] = static_cast<std::uint8_t>(g[uk] ^
                                            gf.mul(g[uk - 1], gf.exp[static_cast<std::size_t>(i)]));
        }
      }
      for (int k = 0; k < n; ++k) {
        generator_log[static_cast<std::size_t>(n)][static_cast<std::size_t>(k)] =
            gf.log[g[static_cast<std::size_t>(k + 1)]];
      }
    }
  }
};

const Generators& generators() {
  static const Generators g;
  return g;
}

void check_ec_length(std::size_t n) {
  if (n < 1 || n > static_cast<std::size_t>(kMaxEc)) {
    throw Error(ErrorCategory::internal, "Reed-Solomon asked for " + std::to_string(n) +
                                             " EC codewords; QR blocks have 1.." +
                                             std::to_string(kMaxEc));
  }
}

// remainder = remainder * x + factor * x^n, reduced by the generator: one shift-register step.
void shift_in(const std::array<int, kMaxEc>& g_log, std::uint8_t factor,
              std::span<std::uint8_t> remainder) {
  const std::size_t n = remainder.size();
  for (std::size_t k = 0; k + 1 < n; ++k) remainder[k] = remainder[k + 1];
  remainder[n - 1] = 0;
  if (factor == 0) return;
  const Gf256& f = kGf256;
  const int factor_log = f.log[factor];
  for (std::size_t k = 0; k < n; ++k) {
    if (g_log[k] >= 0) {
      remainder[k] = static_cast<std::uint8_t>(
          remainder[k] ^ f.exp[static_cast<std::size_t>(g_log[k] + factor_log)]);
    }
  }
}

}  // namespace

void rs_ec_codewords(std::span<const std::uint8_t> data, std::span<std::uint8_t> ec) {
  check_ec_length(ec.size());
  const auto& g_log = generators().generator_log[ec.size()];
  for (auto& c : ec) c = 0;
  for (const std::uint8_t d : data) shift_in(g_log, static_cast<std::uint8_t>(d ^ ec[0]), ec);
}

void rs_unit_responses(int data_length, int first, int ec_length, std::span<std::uint8_t> out) {
  check_ec_length(static_cast<std::size_t>(ec_length));
  const auto n = static_cast<std::size_t>(ec_length);
  if (first < 0 || first > data_length ||
      out.size() < static_cast<std::size_t>(data_length - first) * n) {
    throw Error(ErrorCategory::internal, "rs_unit_responses: positions or buffer out of range");
  }
  const auto& g_log = generators().generator_log[n];
  // A 1 in the last data position leaves x^n mod g; each position earlier multiplies by x.
  std::array<std::uint8_t, kMaxEc> r{};
  const std::span<std::uint8_t> rem(r.data(), n);
  for (int p = data_length - 1; p >= first; --p) {
    // The zero register with factor 1 gives x^n mod g; later steps multiply the register by
    // x, its top coefficient overflowing into the generator.
    shift_in(g_log, static_cast<std::uint8_t>(p == data_length - 1 ? 1 : r[0]), rem);
    std::copy(rem.begin(), rem.end(),
              out.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(p - first) * n));
  }
}

}  // namespace viscode::detail
