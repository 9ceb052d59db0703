#include <bit>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "encode/mask.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

constexpr int kN1 = 3;
constexpr int kN2 = 3;
constexpr int kN3 = 40;
constexpr int kN4 = 10;

// Scores one row or column for N1 (long runs) and N3 (finder-like patterns), both read
// from the run lengths. N3 wants the runs dark 1, light 1, dark 3, light 1, dark 1 exactly
// (a longer outer dark run is not the finder ratio) with a light run of at least 4 on one
// side; beyond the edge is the light quiet zone, so a run touching the edge is long enough.
// The image-aware mask scores eight masks per code, so the line is read in place (every
// `step` modules) into a caller's buffer of at least n + 2 runs.
void score_line(const std::uint8_t* line, std::ptrdiff_t step, int n, int* runs, Penalty& p) {
  // Alternating colours, starting with light (possibly length 0).
  std::size_t count = 1;
  runs[0] = 0;
  std::uint8_t colour = 0;
  for (int i = 0; i < n; ++i, line += step) {
    const std::uint8_t module = *line != 0 ? 1 : 0;
    if (module != colour) {
      runs[count++] = 0;
      colour = module;
    }
    ++runs[count - 1];
  }
  for (std::size_t k = 0; k < count; ++k) {
    if (runs[k] >= 5) p.n1 += kN1 + (runs[k] - 5);
  }
  // Dark runs sit at odd indices; k is the 3-long centre.
  for (std::size_t k = 3; k + 2 < count; k += 2) {
    if (runs[k] != 3 || runs[k - 1] != 1 || runs[k - 2] != 1 || runs[k + 1] != 1 ||
        runs[k + 2] != 1) {
      continue;
    }
    const bool light_before = k == 3 || runs[k - 3] >= 4;
    const bool light_after = k + 3 >= count - 1 || runs[k + 3] >= 4;
    // One pattern scores once even with light on both sides.
    if (light_before || light_after) p.n3 += kN3;
  }
}

// N3 of one line held as bits (bit 4 + i = module i, light around it): the pattern's
// seven modules, the light module beyond each end that makes its outer runs exactly one,
// and four light modules on at least one side, all tested at every position at once.
int line_n3(std::uint64_t w) {
  const std::uint64_t core =
      w & ~(w >> 1) & (w >> 2) & (w >> 3) & (w >> 4) & ~(w >> 5) & (w >> 6) & ~(w << 1) & ~(w >> 7);
  const std::uint64_t light_before = ~((w << 1) | (w << 2) | (w << 3) | (w << 4));
  const std::uint64_t light_after = ~((w >> 7) | (w >> 8) | (w >> 9) | (w >> 10));
  return std::popcount(core & (light_before | light_after)) * kN3;
}

void check_symbol(const Symbol& symbol) {
  const auto cells = static_cast<std::size_t>(symbol.size) * static_cast<std::size_t>(symbol.size);
  if (symbol.size <= 0 || symbol.dark.size() != cells) {
    throw Error(ErrorCategory::usage,
                "penalty needs a symbol from encode(): size and dark disagree");
  }
}

}  // namespace

namespace detail {

int finder_like_penalty(const Symbol& symbol) {
  check_symbol(symbol);
  const int size = symbol.size;
  // Four light modules of margin on each side must fit the word (versions 1 to 9).
  if (size + 8 > 64) return penalty(symbol).n3;
  std::uint64_t columns[64] = {};
  int n3 = 0;
  for (int y = 0; y < size; ++y) {
    const std::uint8_t* row = symbol.dark.data() + static_cast<std::ptrdiff_t>(y) * size;
    std::uint64_t bits = 0;
    for (int x = 0; x < size; ++x) {
      const std::uint64_t dark = row[x] != 0 ? 1 : 0;
      bits |= dark << (x + 4);
      columns[x] |= dark << (y + 4);
    }
    n3 += line_n3(bits);
  }
  for (int x = 0; x < size; ++x) n3 += line_n3(columns[x]);
  return n3;
}

}  // namespace detail

Penalty penalty(const Symbol& symbol) {
  check_symbol(symbol);
  const int size = symbol.size;
  const auto cells = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  Penalty p;
  std::vector<int> runs(static_cast<std::size_t>(size) + 2);
  const std::uint8_t* d = symbol.dark.data();
  for (int a = 0; a < size; ++a) {
    score_line(d + static_cast<std::ptrdiff_t>(a) * size, 1, size, runs.data(), p);
    score_line(d + a, size, size, runs.data(), p);
  }

  // Every 2x2 block of one colour, overlapping blocks counted separately.
  for (int y = 0; y + 1 < size; ++y) {
    const std::uint8_t* top = d + static_cast<std::ptrdiff_t>(y) * size;
    const std::uint8_t* bottom = top + size;
    for (int x = 0; x + 1 < size; ++x) {
      const bool c = top[x] != 0;
      if ((top[x + 1] != 0) == c && (bottom[x] != 0) == c && (bottom[x + 1] != 0) == c) {
        p.n2 += kN2;
      }
    }
  }

  long dark = 0;
  for (const std::uint8_t m : symbol.dark) dark += m != 0 ? 1 : 0;
  const long total = static_cast<long>(cells);
  // Whole 5% steps away from 50% dark: floor(|dark/total - 1/2| * 20), in integers.
  const long steps = std::labs(2 * dark - total) * 10 / total;
  p.n4 = static_cast<int>(steps) * kN4;
  return p;
}

}  // namespace viscode
