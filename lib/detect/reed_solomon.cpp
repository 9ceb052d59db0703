#include "detect/reed_solomon.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "encode/gf256.hpp"

namespace viscode::detail {
namespace {

std::uint8_t gf_exp(int power) {
  power %= 255;
  if (power < 0) power += 255;
  return kGf256.exp[static_cast<std::size_t>(power)];
}
int gf_log(std::uint8_t x) {
  return kGf256.log[x];
}

std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
  return kGf256.mul(a, b);
}
std::uint8_t gf_div(std::uint8_t a, std::uint8_t b) {  // b != 0
  if (a == 0) return 0;
  return kGf256.exp[static_cast<std::size_t>(gf_log(a) + 255 - gf_log(b))];
}
std::uint8_t gf_inv(std::uint8_t a) {
  return kGf256.exp[static_cast<std::size_t>(255 - gf_log(a))];
}

// Polynomials are stored lowest power first.
using Poly = std::vector<std::uint8_t>;

std::uint8_t eval(const Poly& p, std::uint8_t x) {
  std::uint8_t y = 0;
  for (std::size_t i = p.size(); i-- > 0;) y = static_cast<std::uint8_t>(gf_mul(y, x) ^ p[i]);
  return y;
}

int degree(const Poly& p) {
  for (std::size_t i = p.size(); i-- > 0;) {
    if (p[i] != 0) return static_cast<int>(i);
  }
  return -1;
}

// S_j = r(a^j) for j = 0..ec-1, block[0] being the coefficient of x^(n-1).
// S_j = sum over i of c_i a^(j (n-1-i)), summed in the log domain: each nonzero codeword
// adds a run of powers whose exponent grows by a fixed step, with no multiplications.
std::vector<std::uint8_t> syndromes(std::span<const std::uint8_t> block, int ec) {
  std::vector<std::uint8_t> s(static_cast<std::size_t>(ec), 0);
  const int n = static_cast<int>(block.size());
  for (int i = 0; i < n; ++i) {
    const std::uint8_t c = block[static_cast<std::size_t>(i)];
    if (c == 0) continue;
    const int step = (n - 1 - i) % 255;
    int power = gf_log(c);
    for (int j = 0; j < ec; ++j) {
      s[static_cast<std::size_t>(j)] ^= kGf256.exp[static_cast<std::size_t>(power)];
      power += step;
      if (power >= 255) power -= 255;
    }
  }
  return s;
}

bool all_zero(const std::vector<std::uint8_t>& v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t c) { return c == 0; });
}

}  // namespace

std::vector<std::uint8_t> rs_syndromes(std::span<const std::uint8_t> block, int ec_codewords) {
  if (ec_codewords <= 0) return {};
  return syndromes(block, ec_codewords);
}

RsResult rs_correct(std::span<std::uint8_t> block, int ec_codewords,
                    std::span<const int> erasures) {
  if (ec_codewords <= 0 || ec_codewords > static_cast<int>(block.size())) return {};
  const std::vector<std::uint8_t> s = syndromes(block, ec_codewords);
  return rs_correct(block, ec_codewords, erasures, s);
}

RsResult rs_correct(std::span<std::uint8_t> block, int ec_codewords, std::span<const int> erasures,
                    std::span<const std::uint8_t> s) {
  const int n = static_cast<int>(block.size());
  const int ec = ec_codewords;
  // Locators a^(n-1-i) must be distinct, which caps a block at the field's 255 elements.
  if (ec <= 0 || ec > n || n > 255 || s.size() != static_cast<std::size_t>(ec)) return {};
  if (std::all_of(s.begin(), s.end(), [](std::uint8_t c) { return c == 0; })) return {true, 0, 0};

  std::vector<int> erased;
  for (const int pos : erasures) {
    if (pos >= 0 && pos < n) erased.push_back(pos);
  }
  std::sort(erased.begin(), erased.end());
  erased.erase(std::unique(erased.begin(), erased.end()), erased.end());
  const int e = static_cast<int>(erased.size());
  if (e > ec) return {};

  // Erasure locator: a root at the inverse locator of every erased position.
  Poly gamma{1};
  for (const int pos : erased) {
    const std::uint8_t x = gf_exp(n - 1 - pos);
    Poly next(gamma.size() + 1, 0);
    for (std::size_t i = 0; i < gamma.size(); ++i) {
      next[i] ^= gamma[i];
      next[i + 1] ^= gf_mul(gamma[i], x);
    }
    gamma = std::move(next);
  }

  // Berlekamp-Massey seeded with the erasure locator: the discrepancies it sees are those of
  // the Forney (erasure-free) syndromes, so the result is errata locator = errors * erasures.
  Poly lambda = gamma;
  Poly prev = gamma;
  int length = e;
  int shift = 1;
  std::uint8_t prev_disc = 1;
  for (int r = e; r < ec; ++r) {
    std::uint8_t d = 0;
    for (int i = 0; i <= r && i < static_cast<int>(lambda.size()); ++i) {
      d ^= gf_mul(lambda[static_cast<std::size_t>(i)], s[static_cast<std::size_t>(r - i)]);
    }
    if (d == 0) {
      ++shift;
      continue;
    }
    const std::uint8_t scale = gf_div(d, prev_disc);
    Poly next = lambda;
    if (next.size() < prev.size() + static_cast<std::size_t>(shift)) {
      next.resize(prev.size() + static_cast<std::size_t>(shift), 0);
    }
    for (std::size_t i = 0; i < prev.size(); ++i) {
      next[i + static_cast<std::size_t>(shift)] ^= gf_mul(scale, prev[i]);
    }
    if (2 * length <= r + e) {
      prev = std::move(lambda);
      length = r + 1 + e - length;
      prev_disc = d;
      shift = 1;
    } else {
      ++shift;
    }
    lambda = std::move(next);
  }

  const int errors_found = length - e;
  if (degree(lambda) != length || 2 * errors_found + e > ec) return {};

  // Chien search: every root must be the inverse locator of a position inside the block,
  // or the errata are beyond what this codeword length can explain.
  std::vector<int> positions;
  for (int pos = 0; pos < n; ++pos) {
    if (eval(lambda, gf_exp(-(n - 1 - pos))) == 0) positions.push_back(pos);
  }
  if (static_cast<int>(positions.size()) != length) return {};

  // Errata evaluator Omega = S * Lambda mod x^ec.
  Poly omega(static_cast<std::size_t>(ec), 0);
  for (std::size_t i = 0; i < lambda.size(); ++i) {
    for (std::size_t j = 0; j < s.size() && i + j < omega.size(); ++j) {
      omega[i + j] ^= gf_mul(lambda[i], s[j]);
    }
  }
  // Formal derivative: in characteristic 2 only the odd powers survive.
  Poly deriv(lambda.size() > 1 ? lambda.size() - 1 : 1, 0);
  for (std::size_t i = 1; i < lambda.size(); i += 2) deriv[i - 1] = lambda[i];

  std::vector<std::uint8_t> fixed(block.begin(), block.end());
  RsResult result{true, 0, 0};
  for (const int pos : positions) {
    const std::uint8_t x = gf_exp(n - 1 - pos);
    const std::uint8_t x_inv = gf_inv(x);
    const std::uint8_t denom = eval(deriv, x_inv);
    if (denom == 0) return {};
    // Forney with first consecutive root a^0: e = X * Omega(1/X) / Lambda'(1/X).
    const std::uint8_t value = gf_mul(x, gf_div(eval(omega, x_inv), denom));
    if (value == 0) continue;
    fixed[static_cast<std::size_t>(pos)] ^= value;
    if (std::binary_search(erased.begin(), erased.end(), pos)) {
      ++result.erasures;
    } else {
      ++result.errors;
    }
  }

  // The algebra above assumes the errata fit the code; only a zero syndrome proves they did.
  if (!all_zero(syndromes(fixed, ec))) return {};
  std::copy(fixed.begin(), fixed.end(), block.begin());
  return result;
}

}  // namespace viscode::detail
