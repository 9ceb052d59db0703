#include <cstdlib>
#include <vector>

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
void score_line(const std::vector<std::uint8_t>& line, Penalty& p) {
  std::vector<int> runs;  // alternating colours, starting with light (possibly length 0)
  runs.push_back(0);
  std::uint8_t colour = 0;
  for (const std::uint8_t module : line) {
    if (module != colour) {
      runs.push_back(0);
      colour = module;
    }
    ++runs.back();
  }
  const std::size_t n = runs.size();
  for (const int run : runs) {
    if (run >= 5) p.n1 += kN1 + (run - 5);
  }
  // Dark runs sit at odd indices; k is the 3-long centre.
  for (std::size_t k = 3; k + 2 < n; k += 2) {
    if (runs[k] != 3 || runs[k - 1] != 1 || runs[k - 2] != 1 || runs[k + 1] != 1 ||
        runs[k + 2] != 1) {
      continue;
    }
    const bool light_before = k == 3 || runs[k - 3] >= 4;
    const bool light_after = k + 3 >= n - 1 || runs[k + 3] >= 4;
    // One pattern scores once even with light on both sides.
    if (light_before || light_after) p.n3 += kN3;
  }
}

}  // namespace

Penalty penalty(const Symbol& symbol) {
  const int size = symbol.size;
  const auto cells = static_cast<std::size_t>(size) * static_cast<std::size_t>(size);
  if (size <= 0 || symbol.dark.size() != cells) {
    throw Error(ErrorCategory::usage,
                "penalty needs a symbol from encode(): size and dark disagree");
  }
  Penalty p;
  std::vector<std::uint8_t> row(static_cast<std::size_t>(size));
  std::vector<std::uint8_t> column(static_cast<std::size_t>(size));
  for (int a = 0; a < size; ++a) {
    for (int b = 0; b < size; ++b) {
      row[static_cast<std::size_t>(b)] = symbol.is_dark(b, a) ? 1 : 0;
      column[static_cast<std::size_t>(b)] = symbol.is_dark(a, b) ? 1 : 0;
    }
    score_line(row, p);
    score_line(column, p);
  }

  // Every 2x2 block of one colour, overlapping blocks counted separately.
  for (int y = 0; y + 1 < size; ++y) {
    for (int x = 0; x + 1 < size; ++x) {
      const bool c = symbol.is_dark(x, y);
      if (symbol.is_dark(x + 1, y) == c && symbol.is_dark(x, y + 1) == c &&
          symbol.is_dark(x + 1, y + 1) == c) {
        p.n2 += kN2;
      }
    }
  }

  long dark = 0;
  for (const std::uint8_t d : symbol.dark) dark += d != 0 ? 1 : 0;
  const long total = static_cast<long>(cells);
  // Whole 5% steps away from 50% dark: floor(|dark/total - 1/2| * 20), in integers.
  const long steps = std::labs(2 * dark - total) * 10 / total;
  p.n4 = static_cast<int>(steps) * kN4;
  return p;
}

}  // namespace viscode
